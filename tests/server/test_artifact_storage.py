"""Artifact storage semantics, on the storage layer alone (no GraphQL, no HTTP): content
stored once, dense version indices, aliases unique per collection with ``latest`` moving,
uncommitted versions invisible, deletion guarded by aliases, bad uploads leave nothing."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from wandb_typed_server.storage.artifact_blobs import (
    all_blob_md5s,
    drop_unreferenced_blobs,
    md5_b64,
    record_blob,
    start_multipart,
)
from wandb_typed_server.storage.artifact_cleanup import sweep_abandoned_uploads
from wandb_typed_server.storage.artifact_collections import (
    ArtifactError,
    find_collection,
    get_or_create_portfolio,
    get_or_create_sequence,
)
from wandb_typed_server.storage.artifact_files import (
    AnnouncedFile,
    announce_files,
    drop_files,
    list_files,
    store_manifest_entries,
)
from wandb_typed_server.storage.artifact_manifest import ManifestEntry
from wandb_typed_server.storage.artifacts import (
    NewVersion,
    add_membership,
    aliases_of_artifact,
    artifact_by_pk,
    committed_artifact,
    create_version,
    delete_version,
    latest_with_digest,
    mark_committed,
    resolve_membership,
    set_alias,
)
from wandb_typed_server.storage.blobs import DigestMismatchError
from wandb_typed_server.storage.entities import create_user, writable_entity
from wandb_typed_server.storage.principal import Principal
from wandb_typed_server.storage.projects import get_or_create_project
from wandb_typed_server.storage.state import ServerState, open_state


@pytest.fixture
def state(tmp_path: Path) -> Iterator[ServerState]:
    opened = open_state(tmp_path / "data")
    yield opened
    opened.db.close()


@pytest.fixture
def conn(state: ServerState) -> sqlite3.Connection:
    return state.db.connection()


@pytest.fixture
def project_pk(conn: sqlite3.Connection) -> int:
    user_pk = create_user(conn, "alice", is_admin=True)
    principal = Principal(user_pk=user_pk, username="alice", is_admin=True)
    writable_entity(conn, principal, "alice")
    return int(get_or_create_project(conn, principal, "alice", "p")["pk"])


def _upload(state: ServerState, data: bytes) -> str:
    """What the signed PUT does: bytes stored under their md5, then recorded."""
    digest = hashlib.md5(data).hexdigest()
    writer = state.artifact_blobs.blob_writer(digest)
    writer.write(data)
    blob = writer.commit(expected_md5_b64=md5_b64(digest))
    with state.db.transaction() as conn:
        record_blob(conn, digest, blob.size_bytes)
    return digest


def _entry(path: str, data: bytes) -> ManifestEntry:
    digest = hashlib.md5(data).hexdigest()
    return ManifestEntry(path, md5_b64(digest), len(data), None, digest, None, None)


def _log(
    state: ServerState,
    conn: sqlite3.Connection,
    project_pk: int,
    files: dict[str, bytes],
    *,
    name: str = "data",
    aliases: tuple[str, ...] = (),
    commit: bool = True,
) -> int:
    """Log a version the way the upload pipeline does; returns its pk."""
    sequence = get_or_create_sequence(conn, project_pk, "dataset", name)
    digest = hashlib.md5(repr(sorted(files.items())).encode()).hexdigest()
    pk = create_version(conn, sequence, 1, NewVersion(digest=digest, aliases=aliases))
    announce_files(
        conn,
        pk,
        [AnnouncedFile(path, md5_b64(_md5(data)), _md5(data)) for path, data in files.items()],
    )
    for data in files.values():
        if not state.artifact_blobs.has_blob(_md5(data)):
            _upload(state, data)
    if commit:
        stored = store_manifest_entries(conn, pk, [_entry(p, d) for p, d in files.items()])
        row = artifact_by_pk(conn, pk)
        assert row is not None
        mark_committed(conn, row, stored.size_bytes, stored.file_count)
    return pk


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _index(conn: sqlite3.Connection, pk: int) -> int | None:
    row = artifact_by_pk(conn, pk)
    assert row is not None
    return row["version_index"]


def _aliases(conn: sqlite3.Connection, pk: int) -> set[str]:
    return {row["alias"] for row in aliases_of_artifact(conn, pk)}


def test_a_file_in_ten_versions_is_stored_once(
    state: ServerState, conn: sqlite3.Connection, project_pk: int
) -> None:
    shared = b"the same bytes in every version\n"
    for version in range(10):
        _log(state, conn, project_pk, {"shared.txt": shared, "own.txt": b"v%d" % version})
    assert all_blob_md5s(conn) == {_md5(shared)} | {_md5(b"v%d" % v) for v in range(10)}
    blob_files = [p for p in (state.artifact_blobs.root / "blobs").rglob("*") if p.is_file()]
    assert len(blob_files) == 11


def test_versions_are_dense_even_when_an_upload_never_commits(
    state: ServerState, conn: sqlite3.Connection, project_pk: int
) -> None:
    first = _log(state, conn, project_pk, {"a": b"1"})
    aborted = _log(state, conn, project_pk, {"a": b"2"}, commit=False)
    third = _log(state, conn, project_pk, {"a": b"3"})
    assert (_index(conn, first), _index(conn, aborted), _index(conn, third)) == (0, None, 1)


def test_uncommitted_versions_and_their_collections_are_invisible(
    state: ServerState, conn: sqlite3.Connection, project_pk: int
) -> None:
    pending = _log(state, conn, project_pk, {"a": b"1"}, name="never", commit=False)
    assert committed_artifact(conn, pending) is None
    assert find_collection(conn, project_pk, "never") is None
    sequence = find_collection(conn, project_pk, "never", include_hidden=True)
    assert sequence is not None
    assert resolve_membership(conn, int(sequence["pk"]), "latest") is None
    assert resolve_membership(conn, int(sequence["pk"]), "v0") is None


def test_aliases_are_unique_per_collection_and_latest_follows_the_newest(
    state: ServerState, conn: sqlite3.Connection, project_pk: int
) -> None:
    v0 = _log(state, conn, project_pk, {"a": b"1"}, aliases=("best",))
    assert _aliases(conn, v0) == {"latest", "best"}
    v1 = _log(state, conn, project_pk, {"a": b"2"})
    assert _aliases(conn, v0) == {"best"}
    assert _aliases(conn, v1) == {"latest"}
    sequence = find_collection(conn, project_pk, "data")
    assert sequence is not None
    set_alias(conn, int(sequence["pk"]), v1, "best")  # moves it
    assert (_aliases(conn, v0), _aliases(conn, v1)) == (set(), {"latest", "best"})
    found = resolve_membership(conn, int(sequence["pk"]), "best")
    assert found is not None
    assert found["artifact_pk"] == v1


def test_version_names_and_bad_characters_are_not_aliases(
    state: ServerState, conn: sqlite3.Connection, project_pk: int
) -> None:
    v0 = _log(state, conn, project_pk, {"a": b"1"})
    sequence = find_collection(conn, project_pk, "data")
    assert sequence is not None
    for bad in ("v3", "a/b", "a:b", ""):
        with pytest.raises(ArtifactError):
            set_alias(conn, int(sequence["pk"]), v0, bad)


def test_portfolios_have_their_own_indices_and_aliases(
    state: ServerState, conn: sqlite3.Connection, project_pk: int
) -> None:
    v0 = _log(state, conn, project_pk, {"a": b"1"})
    v1 = _log(state, conn, project_pk, {"a": b"2"})
    portfolio = get_or_create_portfolio(conn, project_pk, "dataset", "gold")
    assert add_membership(conn, int(portfolio["pk"]), v1) == 0
    assert add_membership(conn, int(portfolio["pk"]), v0) == 1
    assert add_membership(conn, int(portfolio["pk"]), v1) == 0  # already linked
    found = resolve_membership(conn, int(portfolio["pk"]), "latest")
    assert found is not None
    assert found["artifact_pk"] == v0  # the last linked
    with pytest.raises(ArtifactError, match="type"):
        get_or_create_portfolio(conn, project_pk, "model", "gold")
    with pytest.raises(ArtifactError, match="sequence"):
        get_or_create_portfolio(conn, project_pk, "dataset", "data")


def test_a_version_with_aliases_is_deleted_only_with_delete_aliases(
    state: ServerState, conn: sqlite3.Connection, project_pk: int
) -> None:
    v0 = _log(state, conn, project_pk, {"a": b"1"})
    v1 = _log(state, conn, project_pk, {"a": b"2"}, aliases=("prod",))
    row = artifact_by_pk(conn, v1)
    assert row is not None
    with pytest.raises(
        ArtifactError,
        match=r"'latest', 'prod' in 'data'\); delete them first or pass deleteAliases",
    ):
        delete_version(conn, row, delete_aliases=False)
    assert committed_artifact(conn, v1) is not None
    delete_version(conn, row, delete_aliases=True)
    assert committed_artifact(conn, v1) is None
    assert _aliases(conn, v0) == {"latest"}  # latest moved back
    v2 = _log(state, conn, project_pk, {"a": b"3"})
    assert _index(conn, v2) == 2  # indices are never reused


def test_deleting_frees_content_no_version_holds(
    state: ServerState, conn: sqlite3.Connection, project_pk: int
) -> None:
    v0 = _log(state, conn, project_pk, {"shared": b"s", "only-v0": b"x"})
    _log(state, conn, project_pk, {"shared": b"s"})
    row = artifact_by_pk(conn, v0)
    assert row is not None
    delete_version(conn, row, delete_aliases=True)
    assert sorted(drop_unreferenced_blobs(conn, drop_files(conn, v0))) == [_md5(b"x")]
    assert all_blob_md5s(conn) == {_md5(b"s")}


def test_a_blob_whose_bytes_do_not_match_its_md5_is_refused_and_nothing_is_left(
    state: ServerState, conn: sqlite3.Connection
) -> None:
    declared = _md5(b"what the client announced")
    writer = state.artifact_blobs.blob_writer(declared)
    writer.write(b"something else")
    with pytest.raises(DigestMismatchError, match="not the declared"):
        writer.commit(expected_md5_b64=md5_b64(declared))
    assert not state.artifact_blobs.has_blob(declared)
    assert [p for p in (state.artifact_blobs.root / "blobs").rglob("*") if p.is_file()] == []
    assert all_blob_md5s(conn) == set()


def test_a_commit_needs_every_stored_file_uploaded(
    state: ServerState, conn: sqlite3.Connection, project_pk: int
) -> None:
    pk = _log(state, conn, project_pk, {"a": b"1"}, commit=False)
    with pytest.raises(ArtifactError, match=r"'missing.txt' .* was never uploaded"):
        store_manifest_entries(conn, pk, [_entry("a", b"1"), _entry("missing.txt", b"?")])


def test_references_are_kept_as_references(
    state: ServerState, conn: sqlite3.Connection, project_pk: int
) -> None:
    pk = _log(state, conn, project_pk, {"a": b"1"}, commit=False)
    reference = ManifestEntry(
        "refs/x.csv", "s3://bucket/key", None, "s3://bucket/key", None, None, None
    )
    stored = store_manifest_entries(conn, pk, [_entry("a", b"1"), reference])
    assert (stored.file_count, stored.size_bytes) == (2, 1)
    rows = {row["path"]: row for row in list_files(conn, pk, names=None, after_path=None, limit=9)}
    assert rows["refs/x.csv"]["ref"] == "s3://bucket/key"
    assert rows["refs/x.csv"]["blob_md5"] is None


def test_logging_the_newest_content_again_is_deduplicated(
    state: ServerState, conn: sqlite3.Connection, project_pk: int
) -> None:
    v0 = _log(state, conn, project_pk, {"a": b"1"})
    row = artifact_by_pk(conn, v0)
    assert row is not None
    same = latest_with_digest(conn, int(row["sequence_pk"]), str(row["digest"]))
    assert same is not None
    assert same["pk"] == v0
    assert latest_with_digest(conn, int(row["sequence_pk"]), "other") is None


def test_abandoned_uploads_are_swept_with_the_bytes_only_they_held(
    state: ServerState, conn: sqlite3.Connection, project_pk: int
) -> None:
    kept = _log(state, conn, project_pk, {"shared": b"s"})
    abandoned = _log(state, conn, project_pk, {"shared": b"s", "lonely": b"l"}, commit=False)
    upload_id = start_multipart(conn, abandoned, _md5(b"big"), [_md5(b"b"), _md5(b"ig")])
    part = state.artifact_blobs.part_path(upload_id, 1)
    part.parent.mkdir(parents=True)
    part.write_bytes(b"b")
    assert sweep_abandoned_uploads(state.db, state.artifact_blobs, older_than_seconds=3600) == 0
    assert sweep_abandoned_uploads(state.db, state.artifact_blobs, older_than_seconds=0) == 1
    row = artifact_by_pk(conn, abandoned)
    assert row is not None
    assert row["state"] == "DELETED"
    assert all_blob_md5s(conn) == {_md5(b"s")}
    assert not state.artifact_blobs.has_blob(_md5(b"l"))
    assert not part.parent.exists()
    assert committed_artifact(conn, kept) is not None
