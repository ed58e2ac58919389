"""Artifact reads and downloads against a fake server: the client half of the artifacts
domain, before (and independent of) the local server's artifact support."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fakes import FakeGraphQL
from wandb_typed import Api
from wandb_typed.errors import (
    ChecksumMismatchError,
    InvalidArgumentError,
    NotFoundError,
    TransportError,
)

ENTITY, PROJECT = "team", "vision"
FILES = {
    "a.txt": b"alpha\n",
    "data/b.bin": bytes(range(256)) * 64,
    "data/deep/c.json": b'{"c": 3}',
}


def b64md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def manifest(files: dict[str, bytes], refs: dict[str, str] | None = None) -> bytes:
    contents: dict[str, Any] = {
        name: {"digest": b64md5(data), "size": len(data)} for name, data in files.items()
    }
    for name, ref in (refs or {}).items():
        contents[name] = {"digest": "etag-1", "ref": ref, "size": 3}
    return json.dumps(
        {"version": 1, "storagePolicy": "wandb-storage-policy-v1", "contents": contents}
    ).encode()


def artifact_node(**overrides: Any) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": "QXJ0aWZhY3Q6MQ==",
        "artifactSequence": {
            "id": "seq1",
            "name": "mnist",
            "project": {"entityName": ENTITY, "name": PROJECT},
        },
        "versionIndex": 3,
        "artifactType": {"name": "dataset"},
        "description": "digits",
        "metadata": '{"rows": 10}',
        "ttlDurationSeconds": -1,
        "ttlIsInherited": True,
        "tags": [{"name": "raw"}],
        "aliases": [
            {
                "alias": "latest",
                "artifactCollection": {
                    "__typename": "ArtifactSequence",
                    "name": "mnist",
                    "project": {"entityName": ENTITY, "name": PROJECT},
                },
            }
        ],
        "historyStep": None,
        "state": "COMMITTED",
        "size": sum(len(d) for d in FILES.values()),
        "digest": "d1",
        "fileCount": len(FILES),
        "commitHash": "c1",
        "currentManifest": {"file": {"directUrl": "http://fake/blobs/manifest"}},
        "createdAt": "2026-11-27T10:00:00",
        "updatedAt": None,
    }
    node.update(overrides)
    return node


class FakeArtifactServer(FakeGraphQL):
    """The fake GraphQL server plus signed blob URLs (``/blobs/<name>``), counted."""

    def __init__(self, blobs: dict[str, bytes]) -> None:
        super().__init__()
        self.blobs = blobs
        self.blob_requests: list[str] = []

    def _answer(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/blobs/"):
            name = request.url.path.removeprefix("/blobs/")
            self.blob_requests.append(name)
            if name not in self.blobs:
                return httpx.Response(404, text="no such blob")
            return httpx.Response(200, content=self.blobs[name])
        return super()._answer(request)


@pytest.fixture
def server() -> FakeArtifactServer:
    fake = FakeArtifactServer({**FILES, "manifest": manifest(FILES)})
    membership = {
        "id": "m1",
        "versionIndex": 3,
        "aliases": [{"alias": "latest"}],
        "artifactCollection": {
            "__typename": "ArtifactSequence",
            "id": "seq1",
            "name": "mnist",
            "project": {"entityName": ENTITY, "name": PROJECT},
        },
        "artifact": artifact_node(),
    }
    fake.on(
        "GetArtifactMembership",
        lambda variables: {
            "project": {
                "artifactCollectionMembership": membership
                if variables["name"] in ("mnist:v3", "mnist:latest")
                else None
            }
        },
    )
    fake.on(
        "GetArtifactFiles",
        {
            "artifact": {
                "fileCount": len(FILES),
                "files": {
                    "edges": [
                        {
                            "cursor": name,
                            "node": {
                                "id": f"f-{name}",
                                "name": name,
                                "url": None,
                                "directUrl": f"http://fake/blobs/{name}",
                                "sizeBytes": len(data),
                                "mimetype": None,
                                "updatedAt": None,
                                "md5": b64md5(data),
                                "digest": b64md5(data),
                            },
                        }
                        for name, data in FILES.items()
                    ],
                    "pageInfo": {"endCursor": None, "hasNextPage": False},
                },
            }
        },
    )
    return fake


@pytest.fixture
def api(server: FakeArtifactServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Api:
    monkeypatch.setenv("WANDB_CACHE_DIR", str(tmp_path / "cache"))
    return Api(api_key="k" * 40, overrides={"base_url": "http://fake"}, transport=server)


def test_artifact_reads_its_fields_from_the_membership(api: Api) -> None:
    artifact = api.artifact(f"{ENTITY}/{PROJECT}/mnist:latest")
    # As wandb's: the name keeps the alias it was looked up by; the version is the index.
    assert (artifact.name, artifact.version, artifact.type) == ("mnist:latest", "v3", "dataset")
    assert artifact.qualified_name == f"{ENTITY}/{PROJECT}/mnist:latest"
    assert artifact.source_qualified_name == f"{ENTITY}/{PROJECT}/mnist:v3"
    assert artifact.aliases == ["latest"]
    assert artifact.tags == ["raw"]
    assert artifact.metadata == {"rows": 10}
    assert artifact.ttl is None
    assert artifact.file_count == 3
    assert sorted(entry.path for entry in artifact.manifest) == sorted(FILES)


def test_a_missing_alias_is_not_found_by_path(api: Api) -> None:
    with pytest.raises(NotFoundError, match=f"{ENTITY}/{PROJECT}/mnist:nope"):
        api.artifact(f"{ENTITY}/{PROJECT}/mnist:nope")
    assert api.artifact_exists(f"{ENTITY}/{PROJECT}/mnist:nope") is False


def test_a_wrong_type_names_both_types(api: Api) -> None:
    with pytest.raises(InvalidArgumentError, match="'dataset', not 'model'"):
        api.artifact(f"{ENTITY}/{PROJECT}/mnist:v3", type="model")


def test_download_writes_every_file_and_a_second_one_reads_the_cache(
    api: Api, server: FakeArtifactServer, tmp_path: Path
) -> None:
    artifact = api.artifact(f"{ENTITY}/{PROJECT}/mnist:v3")
    first = Path(artifact.download(tmp_path / "one"))
    assert {p.relative_to(first).as_posix(): p.read_bytes() for p in _files(first)} == FILES
    fetched = sorted(name for name in server.blob_requests if name != "manifest")
    assert fetched == sorted(FILES)
    server.blob_requests.clear()
    second = Path(artifact.download(tmp_path / "two"))
    assert {p.relative_to(second).as_posix(): p.read_bytes() for p in _files(second)} == FILES
    assert server.blob_requests == []  # the cache served every file; no file request


def test_skip_cache_fetches_again_and_path_prefix_limits_the_files(
    api: Api, server: FakeArtifactServer, tmp_path: Path
) -> None:
    artifact = api.artifact(f"{ENTITY}/{PROJECT}/mnist:v3")
    artifact.download(tmp_path / "one")
    server.blob_requests.clear()
    root = Path(artifact.download(tmp_path / "two", skip_cache=True, path_prefix="data/"))
    assert sorted(p.relative_to(root).as_posix() for p in _files(root)) == [
        "data/b.bin",
        "data/deep/c.json",
    ]
    assert sorted(server.blob_requests) == ["data/b.bin", "data/deep/c.json"]


def test_a_corrupt_blob_is_named_nothing_is_left_for_it_and_the_rest_arrives(
    api: Api, server: FakeArtifactServer, tmp_path: Path
) -> None:
    server.blobs["data/b.bin"] = b"tampered"
    artifact = api.artifact(f"{ENTITY}/{PROJECT}/mnist:v3")
    root = tmp_path / "out"
    with pytest.raises(ChecksumMismatchError, match=r"data/b\.bin"):
        artifact.download(root, skip_cache=True)
    assert sorted(p.relative_to(root).as_posix() for p in _files(root)) == [
        "a.txt",
        "data/deep/c.json",
    ]
    assert not [p for p in root.rglob("*") if p.name.endswith(".part")]


def test_a_rerun_after_an_interruption_fetches_only_what_is_missing(
    api: Api, server: FakeArtifactServer, tmp_path: Path
) -> None:
    artifact = api.artifact(f"{ENTITY}/{PROJECT}/mnist:v3")
    good = server.blobs.pop("data/deep/c.json")
    root = tmp_path / "out"
    with pytest.raises(Exception, match="404"):
        artifact.download(root, skip_cache=True)
    assert not (root / "data" / "deep" / "c.json").exists()
    server.blobs["data/deep/c.json"] = good
    server.blob_requests.clear()
    artifact.download(root, skip_cache=True)
    assert server.blob_requests == ["data/deep/c.json"]
    assert (root / "data" / "deep" / "c.json").read_bytes() == good


def test_an_unreachable_reference_is_refused_by_name_unless_allowed(
    server: FakeArtifactServer, api: Api, tmp_path: Path
) -> None:
    server.blobs["manifest"] = manifest(FILES, refs={"remote.csv": "s3://bucket/remote.csv"})
    artifact = api.artifact(f"{ENTITY}/{PROJECT}/mnist:v3")
    with pytest.raises(NotFoundError, match=r"remote\.csv"):
        artifact.download(tmp_path / "strict")
    root = Path(artifact.download(tmp_path / "lenient", allow_missing_references=True))
    assert sorted(p.relative_to(root).as_posix() for p in _files(root)) == sorted(FILES)


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


class Interrupted(httpx.SyncByteStream):
    """A body that breaks off half way, as a dropped connection does."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def __iter__(self) -> Iterator[bytes]:
        yield self._data[: len(self._data) // 2]
        raise httpx.ReadError("connection reset half way through the body")


def test_a_download_broken_off_half_way_leaves_nothing_and_a_rerun_completes(
    api: Api, server: FakeArtifactServer, tmp_path: Path
) -> None:
    artifact = api.artifact(f"{ENTITY}/{PROJECT}/mnist:v3")
    broken = "data/b.bin"
    answer = server._answer

    def flaky(request: httpx.Request) -> httpx.Response:
        if request.url.path == f"/blobs/{broken}":
            server.blob_requests.append(broken)
            return httpx.Response(200, stream=Interrupted(FILES[broken]))
        return answer(request)

    server._answer = flaky  # type: ignore[method-assign]
    root = tmp_path / "out"
    with pytest.raises(TransportError, match="half way"):
        artifact.download(root)
    assert not (root / broken).exists()
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file() and p.name.endswith(".part")]
    assert leftovers == []
    hex_md5 = hashlib.md5(FILES[broken]).hexdigest()
    assert not list((tmp_path / "cache").rglob(hex_md5[2:]))  # nothing half-written cached
    server._answer = answer  # type: ignore[method-assign]
    server.blob_requests.clear()
    artifact.download(root)
    assert server.blob_requests == [broken]
    assert {p.relative_to(root).as_posix(): p.read_bytes() for p in _files(root)} == FILES
