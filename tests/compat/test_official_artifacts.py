"""The official SDK (wandb==0.31.0) logs, uses, links, edits and reads artifacts on a fresh
local server.

One module-scoped fixture drives the story in subprocesses (official_artifact_scenarios.py,
each step with its own Go sidecar): a dataset (nested folders and an ``https://``
reference) and a model (metadata, aliases, tags); the dataset again with one file changed
(the server's blob store is compared before and after); a run that uses and downloads the
dataset, uses the model, links it into a portfolio and logs a ``wandb.Table``;
``Artifact.link`` and ``Artifact.save`` from ``wandb.Api``. Then ``wandb.Api`` reads it all
back through the reusable read plan (official_read_artifacts.py) and the tests compare.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from flavours import FLAVOURS, Flavour, Portal, open_api
from wandb_typed_server import RunningServer, start_in_thread
from wandb_typed_server.storage.artifact_blobs import all_blob_md5s
from wandb_typed_server.testing.sdk_env import sdk_environment
from wandb_typed_server.testing.threaded import Exchange

pytestmark = [pytest.mark.official, pytest.mark.slow]

HERE = Path(__file__).parent
SCENARIOS = HERE / "official_artifact_scenarios.py"
READER = HERE / "official_read_artifacts.py"
ENTITY = "lab"
PROJECT = "artifacts"
PATH = f"{ENTITY}/{PROJECT}"


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


def _blob_files(server: RunningServer) -> int:
    return sum(
        1 for path in (server.state.artifact_blobs.root / "blobs").rglob("*") if path.is_file()
    )


@dataclass
class Story:
    """What the official client did and saw, and what the server stored meanwhile."""

    v0: dict[str, Any]
    v1: dict[str, Any]
    used: dict[str, Any]
    edited: dict[str, Any]
    read: dict[str, Any]
    managed: dict[str, Any]
    blobs_after_v0: set[str]
    blobs_after_v1: set[str]
    blob_files_after_v0: int
    blob_files_after_v1: int
    blob_bytes: dict[str, bytes]
    blobs_after_manage: set[str]
    ours: dict[str, dict[str, Any]]
    """What our client read with the same plan, per flavour (before ``manage`` changed it)."""
    sdk_client_errors: list[Exchange]
    """Every 4xx the server answered the official client."""


def read_plan_for(v0: dict[str, Any], v1: dict[str, Any], used: dict[str, Any]) -> dict[str, Any]:
    """The read plan of this story (see official_read_artifacts.py)."""
    table = f"run-{used['run']}-predictions"
    return {
        "path": PATH,
        "types": ["dataset", "model", "run_table"],
        "collections": [
            ["dataset", "mnist"],
            ["model", "cnn"],
            ["model", scenarios.PORTFOLIO],
            ["dataset", scenarios.DATA_PORTFOLIO],
        ],
        "artifacts": [
            "mnist:latest",
            "mnist:v0",
            "mnist:v1",
            "mnist:raw",
            "mnist:reviewed",
            "cnn:best",
            "cnn:v0",
            f"{scenarios.PORTFOLIO}:champion",
            f"{scenarios.PORTFOLIO}:v0",
            f"{scenarios.DATA_PORTFOLIO}:golden",
            f"{table}:v0",
        ],
        "downloads": {
            "mnist:v0": "data",
            "mnist:latest": "data",
            f"{scenarios.PORTFOLIO}:champion": "",
            f"{table}:latest": "",
        },
        "file_downloads": {"cnn:best": "config.json"},
        "missing": ["mnist:v9", "mnist:no-such-alias", "nope:latest"],
        "runs": [v0["run"], v1["run"], used["run"]],
    }


def read_with_ours(
    server: RunningServer, plan: dict[str, Any], workdir: Path
) -> dict[str, dict[str, Any]]:
    """The same read plan with our client, in both flavours, in this process.

    ``File.download`` is left out: the official one returns an open handle, ours (run files)
    a path; the bytes of every file are compared through ``Artifact.download`` instead.
    """
    reader = _load(READER)
    ours: dict[str, dict[str, Any]] = {}
    with Portal() as portal:
        for flavour in FLAVOURS:
            api = open_api(
                flavour, portal, api_key=server.api_key, overrides={"base_url": server.base_url}
            )
            with api:
                ours[flavour] = reader.read_plan(
                    api, {**plan, "file_downloads": {}}, workdir / f"ours-{flavour}"
                )
    return ours


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    workdir = tmp_path_factory.mktemp("official-artifacts-work")
    with start_in_thread(tmp_path_factory.mktemp("official-artifacts-data")) as server:
        env = sdk_environment(server.base_url, server.api_key, workdir)

        def step(name: str) -> dict[str, Any]:
            return _run([str(SCENARIOS), name, ENTITY, PROJECT, str(workdir)], env)

        conn = server.state.db.connection()
        v0 = step("log_v0")
        blobs_after_v0, files_after_v0 = all_blob_md5s(conn), _blob_files(server)
        v1 = step("log_v1")
        blobs_after_v1, files_after_v1 = all_blob_md5s(conn), _blob_files(server)
        used = step("use_and_link")
        edited = step("edit")
        plan_file = workdir / "plan.json"
        plan_file.write_text(json.dumps(read_plan_for(v0, v1, used)))
        read = _run([str(READER), str(plan_file), str(workdir / "reads")], env)
        sdk_client_errors = server.log.client_errors()
        ours = read_with_ours(server, json.loads(plan_file.read_text()), workdir)
        blob_bytes = {
            md5: server.state.artifact_blobs.blob_path(md5).read_bytes()
            for md5 in all_blob_md5s(conn)
        }
        since = len(server.log.exchanges)
        managed = step("manage")
        sdk_client_errors += server.log.client_errors(since)
        blobs_after_manage = all_blob_md5s(conn)
    return Story(
        v0,
        v1,
        used,
        edited,
        read,
        managed,
        blobs_after_v0,
        blobs_after_v1,
        files_after_v0,
        files_after_v1,
        blob_bytes,
        blobs_after_manage,
        ours,
        sdk_client_errors,
    )


def test_the_sdk_meets_no_client_error(story: Story) -> None:
    """No 4xx answers to anything the SDK sent (our client's reads left out)."""
    assert story.sdk_client_errors == []


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def test_each_content_is_stored_once_and_v1_uploaded_only_the_changed_file(story: Story) -> None:
    assert (story.v0["dataset"], story.v0["model"], story.v1["dataset"]) == ("v0", "v0", "v1")
    v0_files, v1_files = scenarios.dataset_files(0), scenarios.dataset_files(1)
    stored = {_md5(data) for data in [*v0_files.values(), *scenarios.model_files().values()]}
    assert story.blobs_after_v0 == stored
    assert story.blob_files_after_v0 == len(stored)
    changed = {_md5(v1_files[scenarios.CHANGED])}
    assert story.blobs_after_v1 - story.blobs_after_v0 == changed
    assert story.blob_files_after_v1 == story.blob_files_after_v0 + 1


def test_types_and_collections(story: Story) -> None:
    read = story.read
    assert read["types"] == ["dataset", "model", "run_table"]
    assert read["type_collections"]["dataset"] == {
        "len": 2,
        "names": [scenarios.DATA_PORTFOLIO, "mnist"],  # newest first
    }
    assert read["type_collections"]["model"] == {"len": 2, "names": [scenarios.PORTFOLIO, "cnn"]}
    assert read["type_collections"]["run_table"] == {
        "len": 1,
        "names": [f"run-{story.used['run']}-predictions"],
    }
    mnist = read["collections"]["dataset/mnist"]
    assert (mnist["name"], mnist["type"], mnist["is_sequence"]) == ("mnist", "dataset", True)
    assert mnist["versions_len"] == 2
    assert mnist["versions"] == [
        {"version": "v1", "aliases": ["latest"]},
        {"version": "v0", "aliases": ["raw", "reviewed"]},
    ]
    assert mnist["aliases"] == ["latest", "raw", "reviewed"]
    portfolio = read["collections"][f"model/{scenarios.PORTFOLIO}"]
    assert (portfolio["is_sequence"], portfolio["versions"]) == (
        False,
        [{"version": "v0", "aliases": ["champion", "latest"]}],
    )


def test_a_version_reads_the_same_by_alias_and_by_index(story: Story) -> None:
    artifacts = story.read["artifacts"]
    same = [
        ("mnist:latest", "mnist:v1"),
        ("mnist:raw", "mnist:v0"),
        ("mnist:reviewed", "mnist:v0"),
        ("cnn:best", "cnn:v0"),
        (f"{scenarios.PORTFOLIO}:champion", f"{scenarios.PORTFOLIO}:v0"),
    ]
    ignored = {"name", "qualified_name"}
    for by_alias, by_index in same:
        left = {k: v for k, v in artifacts[by_alias].items() if k not in ignored}
        right = {k: v for k, v in artifacts[by_index].items() if k not in ignored}
        assert left == right, (by_alias, by_index)
    assert artifacts["mnist:latest"]["version"] == "v1"
    assert artifacts["mnist:v0"]["id"] != artifacts["mnist:v1"]["id"]


def test_dataset_files_manifest_and_reference(story: Story) -> None:
    v1 = story.read["artifacts"]["mnist:v1"]
    files = scenarios.dataset_files(1)
    assert (v1["type"], v1["state"], v1["description"]) == (
        "dataset",
        "COMMITTED",
        "handwritten digits",
    )
    assert v1["metadata"] == {"source": "test"}
    assert v1["file_count"] == v1["files_len"] == len(files) + 1
    assert v1["size"] == sum(len(data) for data in files.values())
    manifest = v1["manifest"]
    assert manifest["refs/labels.csv"]["ref"] == scenarios.REFERENCE
    for path, data in files.items():
        assert manifest[path]["size"] == len(data)
    listed = {file["name"]: file for file in v1["files"]}
    assert set(listed) == {*files, "refs/labels.csv"}
    for path, data in files.items():
        assert listed[path]["size"] == len(data)
        assert listed[path]["has_direct_url"] is True
    # unchanged files were born in v0, the changed one in v1
    v0_id = story.read["artifacts"]["mnist:v0"]["id"]
    assert manifest[scenarios.CHANGED]["birth_artifact_id"] == v1["id"]
    assert manifest["data/sub/b.txt"]["birth_artifact_id"] == v0_id


def test_model_metadata_aliases_tags_and_ttl(story: Story) -> None:
    model = story.read["artifacts"]["cnn:best"]
    assert model["metadata"] == scenarios.MODEL_METADATA
    assert model["aliases"] == ["best", "latest", "prod"]
    assert model["tags"] == ["tag b", "tag-a"]
    assert (model["type"], model["version"], model["is_link"]) == ("model", "v0", False)
    assert model["ttl_seconds"] == scenarios.MODEL_TTL_SECONDS
    assert story.read["artifacts"]["mnist:v0"]["ttl_seconds"] is None  # inherited: none here
    assert model["commit_hash"]


def test_logged_by_and_used_by(story: Story) -> None:
    artifacts = story.read["artifacts"]
    assert artifacts["mnist:v0"]["logged_by"] == f"{PATH}/{story.v0['run']}"
    assert artifacts["mnist:v1"]["logged_by"] == f"{PATH}/{story.v1['run']}"
    assert artifacts["cnn:v0"]["logged_by"] == f"{PATH}/{story.v0['run']}"
    assert artifacts["mnist:v1"]["used_by"] == [f"{PATH}/{story.used['run']}"]
    assert artifacts["mnist:v0"]["used_by"] == []
    assert artifacts["cnn:v0"]["used_by"] == [f"{PATH}/{story.used['run']}"]
    runs = story.read["runs"]
    assert runs[story.v0["run"]] == {
        "logged": [f"{PATH}/mnist:v0", f"{PATH}/cnn:v0"],
        "used": [],
    }
    assert runs[story.used["run"]]["used"] == [f"{PATH}/cnn:v0", f"{PATH}/mnist:v1"]
    assert runs[story.used["run"]]["logged"] == [f"{PATH}/run-{story.used['run']}-predictions:v0"]


def test_links_into_portfolios(story: Story) -> None:
    artifacts = story.read["artifacts"]
    assert story.used["linked"] == f"{PATH}/{scenarios.PORTFOLIO}:v0"
    assert story.used["data_link"] == f"{PATH}/{scenarios.DATA_PORTFOLIO}:v0"
    champion = artifacts[f"{scenarios.PORTFOLIO}:champion"]
    assert champion["is_link"] is True
    assert champion["source_artifact"] == f"{PATH}/cnn:v0"
    assert (champion["collection"], champion["source_collection"]) == (scenarios.PORTFOLIO, "cnn")
    assert champion["aliases"] == ["champion", "latest"]
    assert champion["id"] == artifacts["cnn:v0"]["id"]
    assert artifacts["cnn:v0"]["linked_artifacts"] == [f"{PATH}/{scenarios.PORTFOLIO}:v0"]
    assert artifacts["mnist:v0"]["linked_artifacts"] == [f"{PATH}/{scenarios.DATA_PORTFOLIO}:v0"]
    golden = artifacts[f"{scenarios.DATA_PORTFOLIO}:golden"]
    assert (golden["source_artifact"], golden["aliases"]) == (
        f"{PATH}/mnist:v0",
        ["golden", "latest"],
    )


def test_downloads_are_byte_identical(story: Story) -> None:
    expected_v0 = {path: _md5(data) for path, data in scenarios.dataset_files(0).items()}
    expected_v1 = {path: _md5(data) for path, data in scenarios.dataset_files(1).items()}
    assert story.used["downloaded"] == expected_v1  # the using run, through wandb-core
    downloads = story.read["downloads"]
    assert downloads["mnist:latest"] == expected_v1
    assert downloads["mnist:v0"] == expected_v0
    assert downloads[f"{scenarios.PORTFOLIO}:champion"] == scenarios.md5s(scenarios.model_files())
    assert story.read["file_downloads"]["cnn:best"] == _md5(scenarios.model_files()["config.json"])


def test_a_logged_table_is_a_run_table_artifact(story: Story) -> None:
    name = f"run-{story.used['run']}-predictions"
    table = story.read["artifacts"][f"{name}:v0"]
    assert (table["type"], table["logged_by"]) == ("run_table", f"{PATH}/{story.used['run']}")
    (downloaded,) = story.read["downloads"][f"{name}:latest"].items()
    assert downloaded[0] == "predictions.table.json"
    content = json.loads(story.blob_bytes[downloaded[1]])
    assert (content["columns"], content["data"]) == (scenarios.TABLE_COLUMNS, scenarios.TABLE_ROWS)


def test_artifact_save_changes_aliases_tags_and_description(story: Story) -> None:
    assert story.edited == {"aliases": ["raw", "reviewed"], "tags": ["checked"]}
    v0 = story.read["artifacts"]["mnist:v0"]
    assert (v0["aliases"], v0["tags"]) == (["raw", "reviewed"], ["checked"])
    assert v0["description"] == "handwritten digits, reviewed"


def test_unknown_versions_and_aliases_are_errors(story: Story) -> None:
    for name, outcome in story.read["missing"].items():
        assert outcome["error"] == "CommError", name
        assert f"'{name}' not found" in outcome["message"]


def test_collection_edits_deletions_and_unlink(story: Story) -> None:
    managed = story.managed
    assert managed["collection"] == {"description": "all the digits", "tags": ["curated"]}
    assert managed["delete_with_aliases"].endswith(
        "artifact cnn:v0 has aliases ('best', 'latest', 'prod' in 'cnn'; 'champion', 'latest'"
        " in 'prod-models'); delete them first or pass deleteAliases: true\n"
    )
    assert managed["golden_after_unlink"] is False
    assert managed["portfolio_after_delete"] is False
    assert managed["model_after_portfolio_delete"] is True
    assert managed["v0_after_delete"] is False
    assert managed["versions_after_delete"] == [["v1", ["latest"]]]
    only_in_v0 = _md5(scenarios.dataset_files(0)[scenarios.CHANGED])
    assert only_in_v0 in story.blobs_after_v1
    assert story.blobs_after_manage == story.blob_bytes.keys() - {only_in_v0}


def _comparable(read: dict[str, Any]) -> dict[str, Any]:
    """A read with what legitimately differs between clients taken out: the exception
    classes of a missing artifact (ours: NotFoundError; theirs: CommError/ValueError) and the
    spelling of timestamps (compared as instants)."""
    from datetime import datetime, timezone

    def instant(text: str | None) -> str | None:
        if text is None:
            return None
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).isoformat()

    result = json.loads(json.dumps(read))
    result["missing"] = {
        name: error["error"] is not None for name, error in read["missing"].items()
    }
    result.pop("file_downloads")
    for fields in result["artifacts"].values():
        fields["created_at"], fields["updated_at"] = (
            instant(fields["created_at"]),
            instant(fields["updated_at"]),
        )
    return result


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_ours_reads_what_the_official_client_reads(story: Story, flavour: Flavour) -> None:
    theirs, ours = _comparable(story.read), _comparable(story.ours[flavour])
    assert ours["missing"] == dict.fromkeys(theirs["missing"], True) == theirs["missing"]
    for section in theirs:
        if section == "artifacts":
            continue
        assert ours[section] == theirs[section], section
    assert ours["artifacts"].keys() == theirs["artifacts"].keys()
    differences = [
        f"{name}.{field}: ours {ours['artifacts'][name].get(field)!r}, theirs {value!r}"
        for name, fields in theirs["artifacts"].items()
        for field, value in fields.items()
        if ours["artifacts"][name].get(field) != value
    ]
    assert not differences, "\n".join(differences)


# -- ours logs, the official client reads -----------------------------------------------------


@dataclass
class OursLogged:
    """What our ``Run.log_artifact`` logged, and what both clients read of it."""

    local: dict[str, bytes]
    theirs: dict[str, Any]
    ours: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def ours_logged(tmp_path_factory: pytest.TempPathFactory) -> OursLogged:
    from wandb_typed import Api, ArtifactDraft

    workdir = tmp_path_factory.mktemp("ours-artifacts-work")
    folder = workdir / "source"
    local = {
        "a.txt": b"alpha\n",
        "nested/deeper/b.bin": bytes(range(256)) * 40,
        "nested/c.json": b'{"c": 3}',
    }
    for name, data in local.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    outside = workdir / "outside.csv"
    outside.write_bytes(b"x,y\n1,2\n")
    with start_in_thread(tmp_path_factory.mktemp("ours-artifacts-data")) as server:
        with Api(api_key=server.api_key, overrides={"base_url": server.base_url}) as api:
            run = api.create_run(project=PROJECT, entity=ENTITY)
            first = ArtifactDraft("mine", type="dataset", description="ours", metadata={"n": 3})
            first.add_dir(folder)
            first.add_reference(outside.as_uri())
            run.log_artifact(first, aliases=["best"], tags=["ours"])
            (folder / "a.txt").write_bytes(b"alpha, changed\n")
            second = ArtifactDraft("mine", type="dataset")
            second.add_dir(folder)
            run.log_artifact(second)
        plan = {
            "path": PATH,
            "types": ["dataset"],
            "collections": [["dataset", "mine"]],
            "artifacts": ["mine:latest", "mine:best", "mine:v0", "mine:v1"],
            "downloads": {"mine:v0": "", "mine:latest": "nested"},
            "file_downloads": {},
            "missing": ["mine:v7"],
            "runs": [run.id],
        }
        plan_file = workdir / "plan.json"
        plan_file.write_text(json.dumps(plan))
        env = sdk_environment(server.base_url, server.api_key, workdir)
        theirs = _run([str(READER), str(plan_file), str(workdir / "reads")], env)
        ours = read_with_ours(server, plan, workdir)
    return OursLogged(local, theirs, ours)


def test_the_official_client_downloads_what_ours_logged(ours_logged: OursLogged) -> None:
    downloads = ours_logged.theirs["downloads"]
    expected_v0 = {name: _md5(data) for name, data in ours_logged.local.items()}
    expected_v0["outside.csv"] = _md5(b"x,y\n1,2\n")  # the file:// reference, fetched
    assert downloads["mine:v0"] == expected_v0
    assert downloads["mine:latest"] == {
        name: _md5(data) for name, data in ours_logged.local.items() if name.startswith("nested")
    }
    v0 = ours_logged.theirs["artifacts"]["mine:best"]
    assert (v0["version"], v0["description"], v0["metadata"]) == ("v0", "ours", {"n": 3})
    assert (v0["aliases"], v0["tags"]) == (["best"], ["ours"])
    assert ours_logged.theirs["artifacts"]["mine:latest"]["version"] == "v1"
    run_id = next(iter(ours_logged.theirs["runs"]))
    assert ours_logged.theirs["runs"][run_id]["logged"] == [f"{PATH}/mine:v0", f"{PATH}/mine:v1"]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_ours_reads_what_it_logged_as_the_official_client_does(
    ours_logged: OursLogged, flavour: Flavour
) -> None:
    assert _comparable(ours_logged.ours[flavour]) == _comparable(ours_logged.theirs)
