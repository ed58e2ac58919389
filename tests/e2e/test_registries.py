"""Registries end to end with our client alone, in both flavours: create, read, search,
save (describe, restrict, add types, rename), delete; versions linked into a registry with
``Artifact.link`` found through ``Api.artifact`` and the chained searches; the refusals (a
type the registry does not take, restricted registries for non-members) and the errors that
name what is unknown. (The official client's side is in
``tests/compat/test_official_registries``.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import MakeApi
from flavours import is_a
from wandb_typed import ArtifactDraft
from wandb_typed.cli import main
from wandb_typed.errors import GraphQLError, InvalidArgumentError, NotFoundError
from wandb_typed_server import RunningServer
from wandb_typed_server.storage.organizations import DEFAULT_ORGANIZATION

ORG = DEFAULT_ORGANIZATION
ORG_ENTITY = f"{ORG}-org"
ENTITY = "admin"


@pytest.fixture
def name(request: pytest.FixtureRequest) -> str:
    # One registry name per test and flavour (a flavour's server outlives its tests).
    words = request.node.name.replace("[", "-").replace("]", "").split("_")
    return "-".join(word[:4] for word in words[1:])[:40]


@pytest.fixture
def api(make_api: MakeApi) -> Any:
    return make_api()


def _log(api: Any, project: str, tmp_path: Path, type_: str, metadata: dict[str, Any]) -> Any:
    folder = tmp_path / f"{project}-{type_}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "weights.txt").write_text(f"{type_} {metadata}")
    run = api.create_run(project=project, entity=ENTITY)
    draft = ArtifactDraft(f"{type_}-art", type=type_, metadata=metadata)
    draft.add_dir(folder)
    return run.log_artifact(draft, tags=["prod"] if metadata.get("accuracy", 0) > 0.8 else [])


def test_create_registry_reads_back_and_is_listed_and_filtered(api: Any, name: str) -> None:
    made = api.create_registry(
        name, "restricted", organization=ORG, description="trusted", artifact_types=["model"]
    )
    assert is_a(made, "Registry")
    assert (made.name, made.full_name, made.organization, made.entity) == (
        name,
        f"wandb-registry-{name}",
        ORG,
        ORG_ENTITY,
    )
    assert (made.visibility, made.allow_all_artifact_types, made.artifact_types) == (
        "restricted",
        False,
        ["model"],
    )
    again = api.registry(name)  # the organization found from the viewer's entity
    assert (again.id, again.description, again.created_at) == (
        made.id,
        "trusted",
        made.created_at,
    )
    assert name in [r.name for r in api.registries()]
    assert [r.name for r in api.registries(ORG, filter={"name": name})] == [name]
    assert [
        r.name for r in api.registries(filter={"name": {"$regex": f"^wandb-registry-{name}$"}})
    ] == [name]
    assert [r.name for r in api.registries(filter={"name": {"$regex": f"^{name}$"}})] == []
    with pytest.raises(InvalidArgumentError, match=f"'{name}' already exists"):
        api.create_registry(name, "organization")
    with pytest.raises(InvalidArgumentError, match="'public'"):
        api.create_registry(f"{name}-x", "public")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="'a/b'"):
        api.create_registry(f"{name}-y", "organization", artifact_types=["a/b"])


def test_save_describes_restricts_adds_types_renames_then_delete(api: Any, name: str) -> None:
    registry = api.create_registry(name, "organization", artifact_types=["model"])
    registry.description = "now described"
    registry.visibility = "restricted"
    registry.artifact_types.append("dataset")
    registry.save()
    loaded = api.registry(name, ORG)
    assert (loaded.description, loaded.visibility, loaded.artifact_types) == (
        "now described",
        "restricted",
        ["dataset", "model"],
    )
    loaded.artifact_types.remove("model")
    with pytest.raises(InvalidArgumentError, match="cannot be removed"):
        loaded.save()
    loaded.load()
    assert loaded.artifact_types == ["dataset", "model"]
    everything = api.create_registry(f"{name}-all", "organization")
    everything.artifact_types.append("model")
    with pytest.raises(InvalidArgumentError, match="allow_all_artifact_types"):
        everything.save()
    loaded.name = f"{name}-renamed"
    loaded.save()
    assert api.registry(f"{name}-renamed").id == registry.id
    with pytest.raises(NotFoundError, match=f"'{name}'"):
        api.registry(name)
    loaded.delete()
    everything.delete()
    with pytest.raises(NotFoundError, match=f"'{name}-renamed'") as missing:
        api.registry(f"{name}-renamed")
    assert (missing.value.kind, missing.value.path) == (
        "registry",
        f"{ORG}/wandb-registry-{name}-renamed",
    )


def test_linked_versions_are_found_by_path_and_by_the_chained_searches(
    api: Any, name: str, tmp_path: Path
) -> None:
    api.create_registry(name, "organization", description="models", artifact_types=["model"])
    good = _log(api, name, tmp_path / "a", "model", {"accuracy": 0.9})
    weak = _log(api, name, tmp_path / "b", "model", {"accuracy": 0.5})
    first = weak.link(f"wandb-registry-{name}/cnn")
    second = good.link(f"{ORG}/wandb-registry-{name}/cnn", aliases=["best"])
    assert (first.version, second.version) == ("v0", "v1")
    assert (second.entity, second.project, sorted(second.aliases)) == (
        ORG_ENTITY,
        f"wandb-registry-{name}",
        ["best", "latest"],
    )
    for path in (f"{ORG}/wandb-registry-{name}/cnn:best", f"wandb-registry-{name}/cnn:best"):
        found = api.artifact(path)
        assert (found.id, found.version, found.entity) == (good.id, "v1", ORG_ENTITY)
    registry = api.registry(name)
    assert [c.name for c in registry.collections()] == ["cnn"]
    assert len(registry.collections()) == 1
    assert [v.version for v in registry.versions()] == ["v1", "v0"]
    assert [v.version for v in registry.versions(filter={"alias": "best"})] == ["v1"]
    ours = api.registries(filter={"name": name})
    assert [v.version for v in ours.versions(filter={"tag": "prod"})] == ["v1"]
    assert [v.version for v in ours.versions(filter={"metadata.accuracy": {"$lt": 0.6}})] == ["v0"]
    chained = ours.collections(filter={"name": {"$regex": "^cn"}}).versions(
        filter={"$or": [{"alias": "best"}, {"tag": "nope"}]}
    )
    assert [(v.name, sorted(v.aliases)) for v in chained] == [("cnn:v1", ["best", "latest"])]
    assert list(ours.collections(filter={"name": "other"})) == []


def test_a_type_the_registry_does_not_take_is_refused_naming_both(
    api: Any, name: str, tmp_path: Path
) -> None:
    api.create_registry(name, "organization", artifact_types=["model"])
    dataset = _log(api, name, tmp_path, "dataset", {})
    with pytest.raises(GraphQLError, match=f"type 'dataset' is not allowed in registry '{name}'"):
        dataset.link(f"wandb-registry-{name}/data")
    with pytest.raises(GraphQLError, match="registry 'no-such-registry' not found"):
        dataset.link("wandb-registry-no-such-registry/data")


def test_unknown_organizations_are_not_found_by_name(api: Any) -> None:
    for call in (
        lambda: api.registries("no-such-org"),
        lambda: api.registry("model", "no-such-org"),
        lambda: api.create_registry("x", "organization", organization="no-such-org"),
        lambda: api.artifact("no-such-org/wandb-registry-model/cnn:v0"),
    ):
        with pytest.raises(NotFoundError, match="organization 'no-such-org' not found") as err:
            call()
        assert err.value.kind == "organization"


@pytest.fixture
def outsider(api: Any, make_api: MakeApi, name: str) -> tuple[Any, str]:
    """An Api with the key of a service account of another team (and that team's name): a
    member of the default organization, not of the restricted registries the admin makes."""
    team = api.create_team(f"t-{name}"[:30])
    robot = team.create_service_account("outsider")
    return make_api(api_key=robot.api_key.reveal()), team.name


def _log_as(api: Any, entity: str, project: str, tmp_path: Path) -> Any:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "weights.txt").write_text("outsider weights")
    draft = ArtifactDraft("own-model", type="model")
    draft.add_dir(tmp_path)
    return api.create_run(project=project, entity=entity).log_artifact(draft)


def test_a_non_member_neither_sees_nor_links_into_a_restricted_registry(
    api: Any, outsider: tuple[Any, str], name: str, tmp_path: Path, local_server: RunningServer
) -> None:
    other, team = outsider
    api.create_registry(f"{name}-r", "restricted")
    api.create_registry(f"{name}-o", "organization")
    _log(api, name, tmp_path, "model", {}).link(f"wandb-registry-{name}-r/secret")
    visible = [r.name for r in other.registries()]
    assert f"{name}-o" in visible
    assert f"{name}-r" not in visible
    with pytest.raises(NotFoundError, match=f"'{name}-r'"):
        other.registry(f"{name}-r")
    with pytest.raises(NotFoundError):
        other.artifact(f"wandb-registry-{name}-r/secret:v0")
    projects = [v.project for v in other.registries().versions()]
    assert f"wandb-registry-{name}-r" not in projects
    own = _log_as(other, team, name, tmp_path / "own")
    with pytest.raises(GraphQLError, match=f"registry '{name}-r' is restricted"):
        own.link(f"wandb-registry-{name}-r/secret")
    assert own.link(f"wandb-registry-{name}-o/open").version == "v0"
    # Let the outsider in (from the command line, on the flavour's data dir): now it sees
    # the registry and links into it.
    username = other.viewer.username
    argv = ["server", "--data-dir", str(local_server.data_dir), "org", "add-registry-member"]
    assert main([*argv, ORG, f"{name}-r", username]) == 0
    assert other.registry(f"{name}-r").visibility == "restricted"
    assert own.link(f"wandb-registry-{name}-r/secret").version == "v1"
    assert main([*argv, ORG, "no-such-registry", username]) == 1
