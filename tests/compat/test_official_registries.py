"""Registries with the official SDK (wandb==0.31.0) and ``wandb.Api`` against a fresh local
server, and ours reading the same.

The fresh data dir has its default organization (``local``, org entity ``local-org``). The
official client runs the reference's ``create_registry`` example and makes two more
registries (``model``: models only; ``datasets``: every type); a run logs models and a
dataset and ``run.link_artifact`` links them into ``wandb-registry-<name>/<collection>``;
``Artifact.link`` links one into the restricted registry. Then ``wandb.Api`` runs the
reference's ``registries`` and ``registry`` examples (official_registry_scenarios.read_with)
and ours runs the same code in both flavours: the registries, collections, versions,
aliases, tags and order must be the same. A second key (a service account of another team,
so a member of the organization but not of the restricted registry) neither sees nor links
into the restricted registry, with either client; a type the registry does not take and an
unknown organization or registry are refused by name.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from flavours import FLAVOURS, Flavour, Portal, open_api
from wandb_typed import Api
from wandb_typed.errors import GraphQLError, InvalidArgumentError, NotFoundError
from wandb_typed_server import RunningServer, start_in_thread
from wandb_typed_server.storage.organizations import DEFAULT_ORGANIZATION
from wandb_typed_server.testing.sdk_env import sdk_environment

pytestmark = [pytest.mark.official, pytest.mark.slow]

HERE = Path(__file__).parent
SCENARIOS = HERE / "official_registry_scenarios.py"
ENTITY = "lab"
PROJECT = "zoo"
OUTSIDERS = "outsiders"
ORG = DEFAULT_ORGANIZATION
ORG_ENTITY = f"{ORG}-org"


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


scenarios = _load(SCENARIOS)


def _run(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert proc.returncode == 0, f"{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"{args} printed no result:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("RESULT "))
    return result


@dataclass
class Story:
    """What the official client did and saw, and what ours saw."""

    server: RunningServer
    outsider_key: str
    created: dict[str, Any]
    linked: dict[str, Any]
    read: dict[str, Any]
    edited: dict[str, Any]
    ordered: dict[str, Any]
    outsider: dict[str, Any]
    refused: dict[str, Any]
    ours: dict[Flavour, dict[str, Any]]
    """Our client's reads with the same code, per flavour (before the official edit)."""


def _read_with_ours(server: RunningServer) -> dict[Flavour, dict[str, Any]]:
    ours: dict[Flavour, dict[str, Any]] = {}
    with Portal() as portal:
        for flavour in FLAVOURS:
            api = open_api(
                flavour, portal, api_key=server.api_key, overrides={"base_url": server.base_url}
            )
            with api:
                ours[flavour] = json.loads(json.dumps(scenarios.read_with(api, ORG), default=str))
    return ours


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    workdir = tmp_path_factory.mktemp("official-registries-work")
    with start_in_thread(tmp_path_factory.mktemp("official-registries-data")) as server:
        with Api(api_key=server.api_key, overrides={"base_url": server.base_url}) as api:
            robot = api.create_team(OUTSIDERS).create_service_account("outsider")
            assert robot.api_key is not None
            outsider_key = robot.api_key.reveal()
        env = sdk_environment(server.base_url, server.api_key, workdir)
        outsider_env = sdk_environment(server.base_url, outsider_key, workdir / "outsider")

        def step(name: str, entity: str = ENTITY, environment: dict[str, str] = env) -> Any:
            return _run([str(SCENARIOS), name, entity, PROJECT, str(workdir), ORG], environment)

        created = step("create")
        linked = step("log_and_link")
        read = step("read")
        ours = _read_with_ours(server)
        edited = step("edit")
        ordered = step("ordered")
        outsider = step("outsider", OUTSIDERS, outsider_env)
        refused = step("refused")
        yield Story(
            server, outsider_key, created, linked, read, edited, ordered, outsider, refused, ours
        )


# -- what the official client did --------------------------------------------------------


def test_official_create_registry_example_makes_a_restricted_registry(story: Story) -> None:
    example, model, datasets = story.created["created"]
    assert example == {
        "name": "my-registry",
        "full_name": "wandb-registry-my-registry",
        "description": "This is a test registry",
        "visibility": "restricted",
        "allow_all_artifact_types": False,
        "artifact_types": ["model"],
        "organization": ORG,
        "entity": ORG_ENTITY,
    }
    assert (model["visibility"], model["artifact_types"]) == ("organization", ["model"])
    assert (datasets["allow_all_artifact_types"], datasets["artifact_types"]) == (True, [])
    assert "'model' already exists" in story.created["duplicate"]


def test_run_link_artifact_links_into_the_registry_collection(story: Story) -> None:
    names = {v["name"]: v for v in story.read["versions_all"]}
    assert set(names) == {
        f"{scenarios.MODEL_COLLECTION}:v0",
        f"{scenarios.MODEL_COLLECTION}:v1",
        f"{scenarios.OTHER_COLLECTION}:v0",
        f"{scenarios.DATA_COLLECTION}:v0",
        f"{scenarios.SECRET_COLLECTION}:v0",
    }
    best = names[f"{scenarios.MODEL_COLLECTION}:v1"]
    assert (best["entity"], best["project"]) == (ORG_ENTITY, "wandb-registry-model")
    assert best["aliases"] == ["best", "latest"]
    assert best["tags"] == ["prod"]
    assert story.linked["linked"] == (
        f"{ORG_ENTITY}/wandb-registry-my-registry/{scenarios.SECRET_COLLECTION}:v0"
    )


def test_official_registries_examples_find_what_was_linked(story: Story) -> None:
    read = story.read
    assert [r["name"] for r in read["registries"]] == ["datasets", "model", "my-registry"]
    assert [r["name"] for r in read["registries_regex"]] == ["model"]
    assert [r["name"] for r in read["registries_named"]] == ["datasets"]
    assert read["registries_described"] == ["model"]
    assert [(c["name"], c["tags"]) for c in read["collections_tagged"]] == [
        (scenarios.MODEL_COLLECTION, [scenarios.COLLECTION_TAG])
    ]
    assert [v["name"] for v in read["versions_best_in_regex_collections"]] == [
        f"{scenarios.MODEL_COLLECTION}:v1"
    ]
    assert sorted(v["name"] for v in read["versions_prod_or_best"]) == [
        f"{scenarios.OTHER_COLLECTION}:v0",
        f"{scenarios.MODEL_COLLECTION}:v1",
    ]
    assert sorted(v["metadata"]["accuracy"] for v in read["versions_metadata"]) == [0.9, 0.9]
    assert read["artifact_by_alias"]["version"] == "v1"
    assert read["artifact_without_org"]["aliases"] == ["latest", "staging"]


def test_official_registry_example_saves_the_description(story: Story) -> None:
    assert story.read["registry"]["description"] == "This is a test registry"
    assert story.edited["registry"]["description"] == "This is an updated description"
    assert [c["name"] for c in story.read["registry_collections"]] == [scenarios.SECRET_COLLECTION]


def test_official_order_and_small_pages_are_served(story: Story) -> None:
    by_name = [r["name"] for r in story.read["registries"]]
    assert story.ordered["registries_by_name_desc"] == sorted(by_name, reverse=True)
    assert story.ordered["registries_by_creation"] == ["my-registry", "model", "datasets"]
    assert story.ordered["registries_paged"] == by_name
    collections = [c["name"] for c in story.read["collections_all"]]
    assert story.ordered["collections_by_name"] == sorted(collections)


# -- ours reads the same -------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_ours_finds_the_same_registries_collections_versions_and_order(
    story: Story, flavour: Flavour
) -> None:
    ours = story.ours[flavour]
    assert ours.keys() == story.read.keys()
    for key, official in story.read.items():
        assert ours[key] == official, key


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_ours_sees_the_official_edit_and_makes_a_registry_like_the_example(
    story: Story, flavour: Flavour
) -> None:
    server = story.server
    with Portal() as portal:
        api = open_api(
            flavour, portal, api_key=server.api_key, overrides={"base_url": server.base_url}
        )
        with api:
            registry = api.registry("my-registry", ORG)
            assert scenarios._registry(registry) == story.edited["registry"]
            made = api.create_registry(
                name=f"ours-{flavour}",
                visibility="restricted",
                organization=ORG,
                description="This is a test registry",
                artifact_types=["model"],
            )
            example = dict(story.created["created"][0])
            expected = example | {"name": f"ours-{flavour}"}
            expected["full_name"] = f"wandb-registry-ours-{flavour}"
            assert scenarios._registry(made) == expected
            made.delete()
            with pytest.raises(NotFoundError, match=f"ours-{flavour}"):
                api.registry(f"ours-{flavour}", ORG)


# -- two keys, refusals ----------------------------------------------------------------------


def test_official_outsider_neither_sees_nor_links_into_the_restricted_registry(
    story: Story,
) -> None:
    seen = story.outsider
    assert seen["registries"] == ["datasets", "model"]
    assert not any("my-registry" in name for name in seen["versions"])
    assert "Failed to load registry 'my-registry'" in seen["registry"]
    assert seen["artifact"].startswith("CommError")
    for key in ("run_link", "api_link"):
        assert "registry 'my-registry' is restricted" in seen[key], key
    assert seen["open_link"] == "ok: v1"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_ours_outsider_neither_sees_nor_links_into_the_restricted_registry(
    story: Story, flavour: Flavour
) -> None:
    server = story.server
    with Portal() as portal:
        api = open_api(
            flavour, portal, api_key=story.outsider_key, overrides={"base_url": server.base_url}
        )
        with api:
            assert [r.name for r in api.registries()] == ["datasets", "model"]
            assert all("my-registry" not in v.project for v in api.registries().versions())
            with pytest.raises(NotFoundError, match="'my-registry'"):
                api.registry("my-registry", ORG)
            with pytest.raises(NotFoundError):
                api.artifact(f"{ORG}/wandb-registry-my-registry/{scenarios.SECRET_COLLECTION}:v0")
            own = api.artifact(f"{OUTSIDERS}/{PROJECT}/own-model:v0")
            with pytest.raises(GraphQLError, match="registry 'my-registry' is restricted"):
                own.link(f"wandb-registry-my-registry/{scenarios.SECRET_COLLECTION}")


def test_official_link_of_a_type_the_registry_refuses_names_both(story: Story) -> None:
    refused = story.refused["link"]
    assert "artifact type 'dataset' is not allowed in registry 'model'" in refused
    assert "Failed to load registry 'no-such-registry'" in story.refused["unknown_registry"]
    assert "Organization 'no-such-org' not found" in story.refused["unknown_organization"]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_ours_refuses_a_type_and_names_unknown_organizations_and_registries(
    story: Story, flavour: Flavour
) -> None:
    server = story.server
    with Portal() as portal:
        api = open_api(
            flavour, portal, api_key=server.api_key, overrides={"base_url": server.base_url}
        )
        with api:
            dataset = api.artifact(f"{ENTITY}/{PROJECT}/mnist:v0")
            with pytest.raises(GraphQLError, match="type 'dataset' is not allowed in registry"):
                dataset.link("wandb-registry-model/not-for-datasets")
            with pytest.raises(NotFoundError, match="'no-such-registry'") as missing:
                api.registry("no-such-registry", ORG)
            assert missing.value.kind == "registry"
            with pytest.raises(NotFoundError, match="'no-such-org'") as unknown:
                api.registries("no-such-org")
            assert (unknown.value.kind, unknown.value.path) == ("organization", "no-such-org")
            with pytest.raises(NotFoundError, match="'no-such-org'"):
                api.artifact(f"no-such-org/wandb-registry-model/{scenarios.MODEL_COLLECTION}:v0")
            with pytest.raises(InvalidArgumentError, match="already exists"):
                api.create_registry("model", "organization", ORG)
