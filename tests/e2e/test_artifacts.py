"""Artifacts end to end with our client alone, in both flavours: log (``Run.log_artifact``),
look up, list, download through the cache, edit, link, unlink, delete, and the errors that
name what is wrong. (The official client's side is in ``tests/compat/test_official_artifacts``.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import MakeApi
from flavours import is_a
from wandb_typed import ArtifactDraft
from wandb_typed.errors import (
    GraphQLError,
    InvalidArgumentError,
    InvalidPathError,
    NotFoundError,
)

ENTITY = "admin"

FILES = {
    "train.csv": b"x,y\n" + b"1,2\n" * 500,
    "images/a.png": bytes(range(256)) * 8,
    "images/nested/b.png": bytes(reversed(range(256))) * 8,
}


def _write(folder: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def _tree(root: str | Path) -> dict[str, bytes]:
    base = Path(root)
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in base.rglob("*") if p.is_file()}


@pytest.fixture
def project(request: pytest.FixtureRequest) -> str:
    # One project per test and flavour: each test starts from an empty one.
    return f"e2e-art-{request.node.name}".replace("[", "-").replace("]", "")[:60]


@pytest.fixture
def api(make_api: MakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("WANDB_CACHE_DIR", str(tmp_path / "cache"))
    return make_api()


@pytest.fixture
def logged(api: Any, project: str, tmp_path: Path) -> Any:
    """``mnist:v0`` (aliases best, latest; tag raw) logged by a run of ``project``."""
    run = api.create_run(project=project, entity=ENTITY)
    draft = ArtifactDraft("mnist", type="dataset", description="digits", metadata={"rows": 500})
    draft.add_dir(_write(tmp_path / "v0", FILES))
    return run.log_artifact(draft, aliases=["best"], tags=["raw"])


def test_a_logged_artifact_reads_back_by_alias_and_by_version(
    api: Any, project: str, logged: Any
) -> None:
    assert (logged.version, sorted(logged.aliases), logged.tags) == (
        "v0",
        ["best", "latest"],
        ["raw"],
    )
    by_alias = api.artifact(f"{ENTITY}/{project}/mnist:best", type="dataset")
    by_index = api.artifact(f"{ENTITY}/{project}/mnist:v0")
    assert by_alias.id == by_index.id == logged.id
    assert (by_alias.name, by_index.name) == ("mnist:best", "mnist:v0")
    assert by_alias.metadata == {"rows": 500}
    assert by_alias.description == "digits"
    assert by_alias.file_count == len(FILES)
    assert by_alias.size == sum(len(data) for data in FILES.values())
    assert sorted(entry.path for entry in by_alias.manifest) == sorted(FILES)
    assert sorted(file.name for file in by_alias.files()) == sorted(FILES)
    assert api.artifact_exists(f"{ENTITY}/{project}/mnist:best")
    assert not api.artifact_exists(f"{ENTITY}/{project}/mnist:v5")
    assert by_alias.logged_by().id == logged.logged_by().id


def test_a_second_version_moves_latest_and_lists_newest_first(
    api: Any, project: str, logged: Any, tmp_path: Path
) -> None:
    run = logged.logged_by()
    changed = {**FILES, "train.csv": b"x,y\n9,9\n"}
    draft = ArtifactDraft("mnist", type="dataset")
    draft.add_dir(_write(tmp_path / "v1", changed))
    second = run.log_artifact(draft)
    assert second.version == "v1"
    versions = api.artifacts("dataset", f"{ENTITY}/{project}/mnist")
    assert len(versions) == 2
    assert [(v.version, sorted(v.aliases)) for v in versions] == [
        ("v1", ["latest"]),
        ("v0", ["best"]),
    ]
    assert [
        v.version for v in api.artifacts("dataset", f"{ENTITY}/{project}/mnist", tags=["raw"])
    ] == ["v0"]
    assert [a.version for a in run.logged_artifacts()] == ["v0", "v1"]
    assert [t.name for t in api.artifact_types(f"{ENTITY}/{project}")] == ["dataset"]
    collections = api.artifact_collections(f"{ENTITY}/{project}", "dataset")
    assert (len(collections), [c.name for c in collections]) == (1, ["mnist"])
    collection = api.artifact_collection("dataset", f"{ENTITY}/{project}/mnist")
    assert collection.is_sequence()
    assert sorted(collection.aliases) == ["best", "latest"]


def test_download_is_byte_identical_and_a_second_one_comes_from_the_cache(
    api: Any, logged: Any, tmp_path: Path
) -> None:
    first = logged.download(tmp_path / "one")
    assert _tree(first) == FILES
    cache_files = sorted(p for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert {hashlib.md5(p.read_bytes()).hexdigest() for p in cache_files} == {
        hashlib.md5(data).hexdigest() for data in FILES.values()
    }
    second = logged.download(tmp_path / "two", path_prefix="images/")
    assert _tree(second) == {k: v for k, v in FILES.items() if k.startswith("images/")}


def test_use_artifact_is_recorded_both_ways(api: Any, project: str, logged: Any) -> None:
    consumer = api.create_run(project=project, entity=ENTITY)
    consumer.use_artifact(logged)
    assert [a.id for a in consumer.used_artifacts()] == [logged.id]
    assert [run.id for run in logged.used_by()] == [consumer.id]


def test_save_sends_aliases_tags_description_and_ttl(api: Any, project: str, logged: Any) -> None:
    logged.aliases.remove("best")
    logged.aliases.append("golden")
    logged.tags.append("clean")
    logged.description = "digits, cleaned"
    logged.ttl = timedelta(days=7)
    logged.save()
    again = api.artifact(f"{ENTITY}/{project}/mnist:golden")
    assert sorted(again.aliases) == ["golden", "latest"]
    assert sorted(again.tags) == ["clean", "raw"]
    assert again.description == "digits, cleaned"
    assert again.ttl == timedelta(days=7)
    with pytest.raises(NotFoundError, match="mnist:best"):
        api.artifact(f"{ENTITY}/{project}/mnist:best")


def test_link_unlink_and_portfolio(api: Any, project: str, logged: Any) -> None:
    linked = logged.link(f"{ENTITY}/{project}/champions", aliases=["prod"])
    assert (linked.is_link, linked.collection_name, linked.version) == (True, "champions", "v0")
    assert sorted(linked.aliases) == ["latest", "prod"]
    assert linked.source_qualified_name == f"{ENTITY}/{project}/mnist:v0"
    assert [a.qualified_name for a in logged.linked_artifacts] == [
        f"{ENTITY}/{project}/champions:v0"
    ]
    found = api.artifact(f"{ENTITY}/{project}/champions:prod")
    assert not found.collection.is_sequence()
    found.unlink()
    assert not api.artifact_exists(f"{ENTITY}/{project}/champions:prod")
    with pytest.raises(InvalidArgumentError, match="not a linked version"):
        logged.unlink()


def test_delete_refuses_a_version_with_aliases_unless_told(
    api: Any, project: str, logged: Any
) -> None:
    with pytest.raises(GraphQLError, match="alias"):
        logged.delete()
    assert api.artifact_exists(f"{ENTITY}/{project}/mnist:v0")
    logged.delete(delete_aliases=True)
    assert not api.artifact_exists(f"{ENTITY}/{project}/mnist:v0")


def test_collection_edits_and_delete(api: Any, project: str, logged: Any) -> None:
    collection = api.artifact_collection("dataset", f"{ENTITY}/{project}/mnist")
    collection.description = "all digits"
    collection.tags.append("vision")
    collection.save()
    again = api.artifact_collection("dataset", f"{ENTITY}/{project}/mnist")
    assert (again.description, again.tags) == ("all digits", ["vision"])
    again.delete()
    assert not api.artifact_collection_exists(f"{ENTITY}/{project}/mnist", "dataset")


def test_bad_input_is_named(api: Any, project: str, logged: Any) -> None:
    with pytest.raises(NotFoundError, match="mnist:v9"):
        api.artifact(f"{ENTITY}/{project}/mnist:v9")
    with pytest.raises(NotFoundError, match="nope:latest"):
        api.artifact(f"{ENTITY}/{project}/nope")
    with pytest.raises(InvalidArgumentError, match="'dataset', not 'model'"):
        api.artifact(f"{ENTITY}/{project}/mnist:v0", type="model")
    with pytest.raises(InvalidPathError, match="missing version or alias"):
        api.artifact(f"{ENTITY}/{project}/mnist:")
    with pytest.raises(NotFoundError, match="no artifact type 'model'"):
        api.artifact_type("model", f"{ENTITY}/{project}")
    with pytest.raises(NotFoundError, match="no 'dataset' collection 'cifar'"):
        api.artifact_collection("dataset", f"{ENTITY}/{project}/cifar")


def test_from_path_reads_an_artifact_version(api: Any, project: str, logged: Any) -> None:
    found = api.from_path(f"{ENTITY}/{project}/mnist:best")
    assert is_a(found, "Artifact")
    assert (found.id, found.name, found.version) == (logged.id, "mnist:best", "v0")
