"""Artifacts over the wire: the upload pipeline wandb-core drives (with its own documents,
see artifact_wire.py), the signed byte routes, and the reads and edits of the W&B API."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.artifact_wire import (
    COMMIT_ARTIFACT,
    COMPLETE_MULTIPART,
    ArtifactLogger,
    GraphQLFailedError,
    md5_b64,
)
from wandb_typed_server import RunningServer
from wandb_typed_server.storage.artifact_blobs import all_blob_md5s
from wandb_typed_server.storage.entities import create_user
from wandb_typed_server.storage.keys import add_api_key

_projects = itertools.count()


@pytest.fixture
def logger(http: httpx.Client) -> Iterator[ArtifactLogger]:
    """Logs into a project of the admin entity no other test uses."""
    logger = ArtifactLogger(http, "admin", f"art-{next(_projects)}")
    yield logger
    logger.uploads.close()


def _blob_md5s(server: RunningServer) -> set[str]:
    return all_blob_md5s(server.state.db.connection())


MEMBERSHIP = """
query M($entity: String!, $project: String!, $name: String!) {
  project(name: $project, entityName: $entity) {
    artifactCollectionMembership(name: $name) {
      id versionIndex aliases { alias }
      artifactCollection { __typename name }
      artifact { id state versionIndex digest size fileCount commitHash description metadata
        ttlDurationSeconds ttlIsInherited tags { name }
        artifactType { name } artifactSequence { name }
        currentManifest { file { directUrl } }
        files(first: 100) { edges { node { name displayName md5 digest sizeBytes directUrl url
          isReference storagePath } } } }
      files(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { name } } }
    }
  }
}
"""


def _membership(logger: ArtifactLogger, name: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = logger.gql(
        MEMBERSHIP, entity=logger.entity, project=logger.project, name=name
    )["project"]["artifactCollectionMembership"]
    return found


FILES = {"a.txt": b"alpha\n", "sub/b.txt": b"beta\n", "sub/deep/c.bin": bytes(range(256))}


def test_log_then_read_by_alias_and_version(
    logger: ArtifactLogger, http: httpx.Client, local_server: RunningServer
) -> None:
    logged = logger.log(
        "mnist",
        FILES,
        references={"refs/x.csv": "s3://bucket/x.csv"},
        aliases=("raw",),
        tags=("t1",),
        metadata={"k": [1, 2]},
        description="digits",
    )
    assert sorted(logged.uploaded) == sorted(FILES)
    for name in ("mnist:latest", "mnist:raw", "mnist:v0", "mnist"):
        membership = _membership(logger, name)
        assert membership is not None, name
        assert membership["versionIndex"] == 0
    membership = _membership(logger, "mnist:v0")
    assert membership is not None
    assert {alias["alias"] for alias in membership["aliases"]} == {"latest", "raw"}
    assert membership["artifactCollection"] == {"__typename": "ArtifactSequence", "name": "mnist"}
    artifact = membership["artifact"]
    assert artifact["id"] == logged.artifact_id
    assert (artifact["state"], artifact["versionIndex"], artifact["fileCount"]) == (
        "COMMITTED",
        0,
        4,
    )
    assert artifact["size"] == sum(len(data) for data in FILES.values())
    assert (artifact["description"], artifact["metadata"]) == ("digits", '{"k": [1, 2]}')
    assert artifact["tags"] == [{"name": "t1"}]
    assert (artifact["ttlDurationSeconds"], artifact["ttlIsInherited"]) == (-2, True)
    assert artifact["artifactType"] == {"name": "dataset"}
    assert artifact["artifactSequence"] == {"name": "mnist"}
    assert _membership(logger, f"mnist:{artifact['commitHash']}") is not None
    files = {edge["node"]["name"]: edge["node"] for edge in artifact["files"]["edges"]}
    assert sorted(files) == ["a.txt", "refs/x.csv", "sub/b.txt", "sub/deep/c.bin"]
    for path, data in FILES.items():
        node = files[path]
        assert (node["md5"], node["digest"], node["sizeBytes"]) == (
            md5_b64(data),
            md5_b64(data),
            len(data),
        )
        assert node["displayName"] == path
        assert httpx.get(node["directUrl"]).content == data  # signed, no auth
        assert httpx.get(node["url"]).status_code == 401
        assert http.get(node["url"]).content == data  # Basic auth
    reference = files["refs/x.csv"]
    assert reference["isReference"] is True
    assert reference["directUrl"] == "s3://bucket/x.csv"
    assert reference["md5"] is None
    manifest = httpx.get(artifact["currentManifest"]["file"]["directUrl"]).json()
    assert manifest["contents"]["refs/x.csv"]["ref"] == "s3://bucket/x.csv"
    assert manifest["contents"]["a.txt"]["birthArtifactID"] == logged.artifact_id
    page = membership["files"]
    assert page["totalCount"] == 4
    assert page["pageInfo"]["hasNextPage"] is True
    assert [edge["node"]["name"] for edge in page["edges"]] == ["a.txt", "refs/x.csv"]


def test_a_new_version_uploads_only_the_changed_file(
    logger: ArtifactLogger, local_server: RunningServer
) -> None:
    files = {f"f{i:03}.txt": b"file %d\n" % i for i in range(1000)}
    first = logger.log("big", files)
    assert len(first.uploaded) == 1000
    before = _blob_md5s(local_server)
    changed = {**files, "f500.txt": b"changed\n"}
    second = logger.log("big", changed)
    assert second.uploaded == ["f500.txt"]
    assert len(second.skipped) == 999
    assert _blob_md5s(local_server) - before == {hashlib.md5(b"changed\n").hexdigest()}
    membership = _membership(logger, "big:v1")
    assert membership is not None
    assert membership["artifact"]["id"] == second.artifact_id
    v0 = _membership(logger, "big:v0")
    assert v0 is not None
    assert {alias["alias"] for alias in v0["aliases"]} == set()


def test_the_same_content_again_makes_no_new_version(logger: ArtifactLogger) -> None:
    first = logger.log("same", {"a": b"1"})
    again = logger.log("same", {"a": b"1"}, aliases=("again",))
    assert (again.artifact_id, again.state, again.uploaded) == (first.artifact_id, "COMMITTED", [])
    membership = _membership(logger, "same:again")
    assert membership is not None
    assert membership["versionIndex"] == 0
    assert _membership(logger, "same:v1") is None


def test_bytes_not_matching_their_md5_are_refused_and_nothing_is_kept(
    logger: ArtifactLogger, local_server: RunningServer
) -> None:
    created = logger.create("bad", "dataset", "d1")
    manifest = logger.manifest(created["id"], "", include_upload=False)
    (node,) = logger.request_files(created["id"], manifest["id"], {"x.bin": b"declared bytes"})
    response = logger.put(node["uploadUrl"], b"other bytes")
    assert response.status_code == 400
    assert "not the declared" in response.text
    declared = hashlib.md5(b"declared bytes").hexdigest()
    assert declared not in _blob_md5s(local_server)
    assert not local_server.state.artifact_blobs.has_blob(declared)
    assert logger.put(node["uploadUrl"], b"declared bytes").status_code == 200
    assert logger.put(node["uploadUrl"], b"other bytes").status_code == 400  # stored already
    assert local_server.state.artifact_blobs.blob_path(declared).read_bytes() == b"declared bytes"
    body = (
        b'{"version": 1, "contents": {"x.bin": {"digest": "%s", "size": 14}}}'
        % md5_b64(b"declared bytes").encode()
    )
    manifest = logger.manifest(created["id"], "d", include_upload=True)
    assert logger.put(manifest["file"]["uploadUrl"], body).status_code == 200
    logger.gql(COMMIT_ARTIFACT, artifactID=created["id"])
    assert _membership(logger, "bad:latest") is not None


def test_a_commit_names_a_file_never_uploaded(logger: ArtifactLogger) -> None:
    created = logger.create("unuploaded", "dataset", "d1")
    body = (
        b'{"version": 1, "contents": {"never.bin": {"digest": "%s", "size": 5}}}'
        % md5_b64(b"never").encode()
    )
    manifest = logger.manifest(created["id"], "d", include_upload=True)
    assert logger.put(manifest["file"]["uploadUrl"], body).status_code == 200
    with pytest.raises(GraphQLFailedError, match=r"'never.bin' .* was never uploaded"):
        logger.gql(COMMIT_ARTIFACT, artifactID=created["id"])
    assert _membership(logger, "unuploaded:latest") is None


def test_a_signed_url_is_for_one_method_and_path(logger: ArtifactLogger) -> None:
    created = logger.create("signed", "dataset", "d1")
    manifest = logger.manifest(created["id"], "", include_upload=False)
    (node,) = logger.request_files(created["id"], manifest["id"], {"x": b"x"})
    assert httpx.get(node["uploadUrl"]).status_code == 403  # a PUT URL does not GET
    tampered = node["uploadUrl"].replace("signature=", "signature=0")
    assert logger.put(tampered, b"x").status_code == 403


def test_a_manifest_that_is_not_one_is_refused(logger: ArtifactLogger) -> None:
    created = logger.create("badmanifest", "dataset", "d1")
    manifest = logger.manifest(created["id"], "d", include_upload=True)
    response = logger.put(manifest["file"]["uploadUrl"], b'{"contents": {"../x": {}}}')
    assert response.status_code == 400
    assert "manifest refused" in response.text
    with pytest.raises(GraphQLFailedError, match="manifest was never uploaded"):
        logger.gql(COMMIT_ARTIFACT, artifactID=created["id"])


ARTIFACT_BY_ID = "query A($id: ID!) { artifact(id: $id) { id state } }"
TYPES = """query T($entity: String!, $project: String!) { project(name: $project, entityName: $entity) {
  artifactTypes { edges { node { name } } }
  artifactType(name: "dataset") { name artifactCollections { totalCount edges { node { name } } } }
  artifactCollections { totalCount } } }"""


def test_an_uncommitted_version_is_invisible(logger: ArtifactLogger) -> None:
    logged = logger.log("pending", {"a": b"pending bytes"}, commit=False)
    assert logged.state == "PENDING"
    assert logger.gql(ARTIFACT_BY_ID, id=logged.artifact_id) == {"artifact": None}
    assert _membership(logger, "pending:latest") is None
    assert logger.gql(TYPES, entity=logger.entity, project=logger.project)["project"] == {
        "artifactTypes": {"edges": []},
        "artifactType": None,
        "artifactCollections": {"totalCount": 0},
    }
    logger.gql(COMMIT_ARTIFACT, artifactID=logged.artifact_id)
    assert logger.gql(ARTIFACT_BY_ID, id=logged.artifact_id)["artifact"]["state"] == "COMMITTED"
    project = logger.gql(TYPES, entity=logger.entity, project=logger.project)["project"]
    assert project["artifactType"]["artifactCollections"]["totalCount"] == 1


DELETE = """mutation D($input: DeleteArtifactInput!) { deleteArtifact(input: $input) { artifact { id } } }"""


def test_deleting_a_version_with_aliases_needs_delete_aliases(
    logger: ArtifactLogger, local_server: RunningServer
) -> None:
    v0 = logger.log("del", {"shared": b"shared", "only0": b"only in v0"})
    v1 = logger.log("del", {"shared": b"shared", "only1": b"only in v1"}, aliases=("prod",))
    with pytest.raises(GraphQLFailedError, match=r"has aliases \('latest', 'prod' in 'del'\)"):
        logger.gql(DELETE, input={"artifactID": v1.artifact_id})
    assert _membership(logger, "del:prod") is not None
    logger.gql(DELETE, input={"artifactID": v1.artifact_id, "deleteAliases": True})
    assert _membership(logger, "del:prod") is None
    assert _membership(logger, "del:v1") is None
    latest = _membership(logger, "del:latest")
    assert latest is not None
    assert latest["artifact"]["id"] == v0.artifact_id
    blobs = _blob_md5s(local_server)
    assert hashlib.md5(b"only in v1").hexdigest() not in blobs
    assert hashlib.md5(b"shared").hexdigest() in blobs
    assert not local_server.state.artifact_blobs.has_blob(hashlib.md5(b"only in v1").hexdigest())
    v2 = logger.log("del", {"a": b"v2"})
    v2_membership = _membership(logger, "del:latest")
    assert v2_membership is not None
    assert (v2_membership["artifact"]["id"], v2_membership["versionIndex"]) == (v2.artifact_id, 2)


LINK = """mutation L($input: LinkArtifactInput!) { linkArtifact(input: $input) {
  versionIndex artifactMembership { versionIndex aliases { alias } artifactCollection { __typename name id } } } }"""
MEMBERSHIPS = """query A($id: ID!) { artifact(id: $id) { artifactMemberships { edges { node {
  versionIndex aliases { alias } artifactCollection { __typename name } } } } } }"""
UNLINK = (
    """mutation U($input: UnlinkArtifactInput!) { unlinkArtifact(input: $input) { success } }"""
)


def test_portfolios_have_their_own_versions_and_aliases(logger: ArtifactLogger) -> None:
    v0 = logger.log("cnn", {"w": b"0"}, type_name="model")
    v1 = logger.log("cnn", {"w": b"1"}, type_name="model")

    def link(artifact_id: str, *aliases: str) -> dict[str, Any]:
        result: dict[str, Any] = logger.gql(
            LINK,
            input={
                "artifactID": artifact_id,
                "artifactPortfolioName": "prod-models",
                "entityName": logger.entity,
                "projectName": logger.project,
                "aliases": [{"alias": a, "artifactCollectionName": "prod-models"} for a in aliases],
            },
        )["linkArtifact"]
        return result

    first = link(v1.artifact_id, "champion")
    assert first["versionIndex"] == 0
    assert {a["alias"] for a in first["artifactMembership"]["aliases"]} == {"latest", "champion"}
    assert first["artifactMembership"]["artifactCollection"]["__typename"] == "ArtifactPortfolio"
    assert link(v0.artifact_id)["versionIndex"] == 1
    champion = _membership(logger, "prod-models:champion")
    assert champion is not None
    assert champion["artifact"]["id"] == v1.artifact_id
    assert champion["artifact"]["versionIndex"] == 1  # its index in its own sequence
    latest = _membership(logger, "prod-models:latest")
    assert latest is not None
    assert latest["artifact"]["id"] == v0.artifact_id
    memberships = logger.gql(MEMBERSHIPS, id=v1.artifact_id)["artifact"]["artifactMemberships"]
    assert [edge["node"] for edge in memberships["edges"]] == [
        {
            "versionIndex": 1,
            "aliases": [{"alias": "latest"}],
            "artifactCollection": {"__typename": "ArtifactSequence", "name": "cnn"},
        },
        {
            "versionIndex": 0,
            "aliases": [{"alias": "champion"}],
            "artifactCollection": {"__typename": "ArtifactPortfolio", "name": "prod-models"},
        },
    ]
    portfolio_id = first["artifactMembership"]["artifactCollection"]["id"]
    logger.gql(UNLINK, input={"artifactID": v1.artifact_id, "artifactPortfolioID": portfolio_id})
    assert _membership(logger, "prod-models:champion") is None
    with pytest.raises(GraphQLFailedError, match="not a portfolio"):
        logger.gql(
            LINK,
            input={
                "artifactID": v0.artifact_id,
                "artifactPortfolioName": "cnn",
                "entityName": logger.entity,
                "projectName": logger.project,
            },
        )


ADD_ALIASES = "mutation A($input: AddAliasesInput!) { addAliases(input: $input) { success } }"
DELETE_ALIASES = (
    "mutation D($input: DeleteAliasesInput!) { deleteAliases(input: $input) { success } }"
)
UPDATE = """mutation U($input: UpdateArtifactInput!) { updateArtifact(input: $input) { artifact {
  description metadata ttlDurationSeconds ttlIsInherited tags { name } aliases { alias } } } }"""


def test_aliases_tags_and_fields_change(logger: ArtifactLogger) -> None:
    v0 = logger.log("edit", {"a": b"0"}, tags=("old",))
    v1 = logger.log("edit", {"a": b"1"})

    def alias_input(*names: str) -> list[dict[str, str]]:
        return [
            {
                "alias": name,
                "entityName": logger.entity,
                "projectName": logger.project,
                "artifactCollectionName": "edit",
            }
            for name in names
        ]

    logger.gql(ADD_ALIASES, input={"artifactID": v0.artifact_id, "aliases": alias_input("best")})
    logger.gql(ADD_ALIASES, input={"artifactID": v1.artifact_id, "aliases": alias_input("best")})
    best = _membership(logger, "edit:best")
    assert best is not None
    assert best["artifact"]["id"] == v1.artifact_id  # moved
    logger.gql(DELETE_ALIASES, input={"artifactID": v1.artifact_id, "aliases": alias_input("best")})
    assert _membership(logger, "edit:best") is None
    with pytest.raises(GraphQLFailedError, match="alias 'best' is not on this version"):
        logger.gql(
            DELETE_ALIASES, input={"artifactID": v1.artifact_id, "aliases": alias_input("best")}
        )
    with pytest.raises(GraphQLFailedError, match="'v7' names a version"):
        logger.gql(ADD_ALIASES, input={"artifactID": v1.artifact_id, "aliases": alias_input("v7")})
    updated = logger.gql(
        UPDATE,
        input={
            "artifactID": v0.artifact_id,
            "description": "new",
            "metadata": '{"x": 1}',
            "ttlDurationSeconds": 3600,
            "tagsToAdd": [{"tagName": "new tag"}],
            "tagsToDelete": [{"tagName": "old"}],
        },
    )["updateArtifact"]["artifact"]
    assert updated == {
        "description": "new",
        "metadata": '{"x": 1}',
        "ttlDurationSeconds": 3600,
        "ttlIsInherited": False,
        "tags": [{"name": "new tag"}],
        "aliases": [],
    }
    disabled = logger.gql(UPDATE, input={"artifactID": v0.artifact_id, "ttlDurationSeconds": -2})
    assert disabled["updateArtifact"]["artifact"]["ttlIsInherited"] is False
    with pytest.raises(GraphQLFailedError, match="invalid tag"):
        logger.gql(UPDATE, input={"artifactID": v0.artifact_id, "tagsToAdd": [{"tagName": "a/b"}]})


COLLECTION = """query C($entity: String!, $project: String!, $type: String!, $name: String!) {
  project(name: $project, entityName: $entity) { artifactType(name: $type) {
    artifactCollection(name: $name) { __typename id name description
      tags { edges { node { name } } } aliases { edges { node { alias } } }
      defaultArtifactType { name }
      artifacts(filters: "{\\"state\\": \\"COMMITTED\\"}") { totalCount edges { version node { id } } } }
    artifactSequence(name: $name) { __typename } } } }"""
UPDATE_SEQUENCE = """mutation U($input: UpdateArtifactSequenceInput!) {
  updateArtifactSequence(input: $input) { artifactCollection { name description } } }"""
MOVE = """mutation M($input: MoveArtifactSequenceInput!) {
  moveArtifactSequence(input: $input) { artifactCollection { defaultArtifactType { name } } } }"""
TAG_COLLECTION = """mutation T($input: CreateArtifactCollectionTagAssignmentsInput!) {
  createArtifactCollectionTagAssignments(input: $input) { tags { name } } }"""
UNTAG_COLLECTION = """mutation T($input: DeleteArtifactCollectionTagAssignmentsInput!) {
  deleteArtifactCollectionTagAssignments(input: $input) { success } }"""
DELETE_SEQUENCE = """mutation D($input: DeleteArtifactSequenceInput!) {
  deleteArtifactSequence(input: $input) { artifactCollection { state } } }"""


def test_collections_are_renamed_retyped_tagged_and_deleted(logger: ArtifactLogger) -> None:
    v0 = logger.log("coll", {"a": b"0"})
    v1 = logger.log("coll", {"a": b"1"})

    def read(type_name: str, name: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = logger.gql(
            COLLECTION, entity=logger.entity, project=logger.project, type=type_name, name=name
        )["project"]["artifactType"]
        return found

    found = read("dataset", "coll")
    assert found is not None
    collection = found["artifactCollection"]
    assert found["artifactSequence"] == {"__typename": "ArtifactSequence"}
    assert collection["artifacts"]["totalCount"] == 2
    assert [(e["version"], e["node"]["id"]) for e in collection["artifacts"]["edges"]] == [
        ("v1", v1.artifact_id),
        ("v0", v0.artifact_id),
    ]
    assert collection["aliases"]["edges"] == [{"node": {"alias": "latest"}}]
    renamed = logger.gql(
        UPDATE_SEQUENCE,
        input={"artifactSequenceID": collection["id"], "name": "coll2", "description": "d"},
    )
    assert renamed["updateArtifactSequence"]["artifactCollection"] == {
        "name": "coll2",
        "description": "d",
    }
    assert _membership(logger, "coll2:v1") is not None
    tags = [{"tagName": "gold"}, {"tagName": "new"}]
    where = {"entityName": logger.entity, "projectName": logger.project}
    added = logger.gql(
        TAG_COLLECTION, input={**where, "artifactCollectionName": "coll2", "tags": tags}
    )
    assert added["createArtifactCollectionTagAssignments"]["tags"] == [
        {"name": "gold"},
        {"name": "new"},
    ]
    logger.gql(
        UNTAG_COLLECTION,
        input={**where, "artifactCollectionName": "coll2", "tags": [{"tagName": "new"}]},
    )
    moved = logger.gql(
        MOVE, input={"artifactSequenceID": collection["id"], "destinationArtifactTypeName": "eval"}
    )
    assert moved["moveArtifactSequence"]["artifactCollection"]["defaultArtifactType"] == {
        "name": "eval"
    }
    found = read("eval", "coll2")
    assert found is not None
    assert found["artifactCollection"]["tags"]["edges"] == [{"node": {"name": "gold"}}]
    assert read("dataset", "coll2") is None  # the old type has no readable collection left
    deleted = logger.gql(DELETE_SEQUENCE, input={"artifactSequenceID": collection["id"]})
    assert deleted["deleteArtifactSequence"]["artifactCollection"]["state"] == "DELETED"
    assert logger.gql(ARTIFACT_BY_ID, id=v0.artifact_id) == {"artifact": None}
    assert read("eval", "coll2") is None
    again = logger.log("coll2", {"a": b"again"})  # the name is free again, indices restart
    membership = _membership(logger, "coll2:v0")
    assert membership is not None
    assert membership["artifact"]["id"] == again.artifact_id


def test_unknown_things_are_named_in_errors(logger: ArtifactLogger) -> None:
    logger.log("known", {"a": b"0"})
    bogus = "QXJ0aWZhY3Q6OTk5OTk5"  # Artifact:999999
    with pytest.raises(GraphQLFailedError, match=f"artifact '{bogus}' not found"):
        logger.gql(COMMIT_ARTIFACT, artifactID=bogus)
    with pytest.raises(GraphQLFailedError, match="malformed Artifact id"):
        logger.gql(COMMIT_ARTIFACT, artifactID="nope")
    with pytest.raises(GraphQLFailedError, match="has type 'dataset', not 'model'"):
        logger.create("known", "model", "d")
    with pytest.raises(GraphQLFailedError, match=r"run admin/.*/no-such-run not found"):
        logger.create("known", "dataset", "d2", run="no-such-run")
    created = logger.create("inc", "dataset", "d")
    with pytest.raises(GraphQLFailedError, match="INCREMENTAL manifests"):
        logger.gql(
            """mutation ($id: ID!) { createArtifactManifest(input: {artifactID: $id, name: "m",
            digest: "", entityName: "admin", projectName: "p", runName: "r",
            type: INCREMENTAL}) { artifactManifest { id } } }""",
            id=created["id"],
        )


def test_fallback_download_routes_need_a_key_and_an_entity_holding_the_bytes(
    logger: ArtifactLogger, http: httpx.Client, local_server: RunningServer
) -> None:
    data = b"fallback bytes"
    logged = logger.log("fb", {"dir/f.txt": data})
    digest = hashlib.md5(data).hexdigest()
    project, entity = logger.project, logger.entity
    v1 = f"/artifacts/{entity}/{digest}"
    v2 = f"/artifactsV2/default/{entity}/{project}/fb/{logged.artifact_id}/{digest}/f.txt"
    v2_short = f"/artifactsV2/default/{entity}/{logged.artifact_id}/{digest}"
    for path in (v1, v2, v2_short):
        assert http.get(path).content == data, path
        assert httpx.get(f"{local_server.base_url}{path}").status_code == 401
    other = hashlib.md5(b"never stored").hexdigest()
    assert http.get(f"/artifacts/{entity}/{other}").status_code == 404
    assert http.get(f"/artifacts/someone-else/{digest}").status_code == 404


def test_a_blob_is_served_whole_or_from_a_range_validated_by_its_md5(
    logger: ArtifactLogger,
) -> None:
    small, large = bytes(range(256)) * 40, bytes(reversed(range(256))) * 6000  # 10 KB, 1.5 MB
    logger.log("ranged", {"small.bin": small, "large.bin": large})
    membership = _membership(logger, "ranged:v0")
    assert membership is not None
    urls = {
        e["node"]["name"]: e["node"]["directUrl"] for e in membership["artifact"]["files"]["edges"]
    }
    for name, data in (("small.bin", small), ("large.bin", large)):
        whole = httpx.get(urls[name])
        etag = f'"{hashlib.md5(data).hexdigest()}"'
        assert (whole.status_code, whole.content) == (200, data), name
        assert whole.headers["content-length"] == str(len(data))
        assert (whole.headers["etag"], whole.headers["accept-ranges"]) == (etag, "bytes")
        assert "last-modified" in whole.headers
        resumed = httpx.get(urls[name], headers={"Range": "bytes=100-", "If-Range": etag})
        assert (resumed.status_code, resumed.content) == (206, data[100:]), name
        assert resumed.headers["content-range"] == f"bytes 100-{len(data) - 1}/{len(data)}"
        stale = httpx.get(urls[name], headers={"Range": "bytes=100-", "If-Range": '"other"'})
        assert (stale.status_code, stale.content) == (200, data), name


def test_large_files_upload_in_parts(logger: ArtifactLogger, local_server: RunningServer) -> None:
    data = bytes(range(256)) * 40 + b"tail"
    created = logger.create("parts", "dataset", "d-parts")
    manifest = logger.manifest(created["id"], "", include_upload=False)
    (node,) = logger.request_files(created["id"], manifest["id"], {"big.bin": data}, parts=3)
    multipart = node["uploadMultipartUrls"]
    assert [part["partNumber"] for part in multipart["uploadUrlParts"]] == [1, 2, 3]
    size = -(-len(data) // 3)
    chunks = [data[i * size : (i + 1) * size] for i in range(3)]
    assert logger.put(multipart["uploadUrlParts"][0]["uploadUrl"], b"wrong").status_code == 400
    etags = []
    for part, chunk in zip(multipart["uploadUrlParts"], chunks, strict=True):
        response = logger.put(part["uploadUrl"], chunk)
        assert response.status_code == 200
        etags.append({"partNumber": part["partNumber"], "hexMD5": response.headers["ETag"]})
    digest = logger.gql(
        COMPLETE_MULTIPART,
        completeMultipartAction="Complete",
        completedParts=etags,
        artifactID=created["id"],
        storagePath=node["storagePath"],
        uploadID=multipart["uploadID"],
    )["completeMultipartUploadArtifact"]["digest"]
    assert digest == md5_b64(data)
    assert (
        local_server.state.artifact_blobs.blob_path(hashlib.md5(data).hexdigest()).read_bytes()
        == data
    )


RUN = """query R($entity: String!, $project: String!, $run: String!) {
  project(name: $project, entityName: $entity) { run(name: $run) {
    outputArtifacts { totalCount edges { node { id } } }
    inputArtifacts { totalCount edges { node { id usedBy { totalCount edges { node { name } } }
      createdBy { __typename ... on Run { name } } } } } } } }"""
USE = """mutation U($input: UseArtifactInput!) { useArtifact(input: $input) { run { name } } }"""


def test_runs_log_and_use_artifacts(
    logger: ArtifactLogger, upsert: Callable[..., dict[str, Any]]
) -> None:
    upsert(name="producer", entityName=logger.entity, modelName=logger.project)
    upsert(name="consumer", entityName=logger.entity, modelName=logger.project)
    logged = logger.log("used", {"a": b"0"}, run="producer")
    logger.gql(
        USE,
        input={
            "artifactID": logged.artifact_id,
            "entityName": logger.entity,
            "projectName": logger.project,
            "runName": "consumer",
        },
    )
    where = {"entity": logger.entity, "project": logger.project}
    producer = logger.gql(RUN, run="producer", **where)["project"]["run"]
    assert producer["outputArtifacts"] == {
        "totalCount": 1,
        "edges": [{"node": {"id": logged.artifact_id}}],
    }
    consumer = logger.gql(RUN, run="consumer", **where)["project"]["run"]
    (edge,) = consumer["inputArtifacts"]["edges"]
    assert edge["node"]["usedBy"] == {"totalCount": 1, "edges": [{"node": {"name": "consumer"}}]}
    assert edge["node"]["createdBy"] == {"__typename": "Run", "name": "producer"}


def test_another_users_artifacts_are_invisible_and_untouchable(
    logger: ArtifactLogger, local_server: RunningServer
) -> None:
    logged = logger.log("private", {"secret.txt": b"admin only"})
    with local_server.state.db.transaction() as conn:
        user_pk = create_user(conn, f"outsider-{logger.project}")
        add_api_key(conn, user_pk, "o" * 40)
    with httpx.Client(
        base_url=local_server.base_url, auth=("api", "o" * 40), timeout=30
    ) as outsider_http:
        outsider = ArtifactLogger(outsider_http, logger.entity, logger.project)
        assert outsider.gql(ARTIFACT_BY_ID, id=logged.artifact_id) == {"artifact": None}
        assert outsider.gql(
            MEMBERSHIP, entity=logger.entity, project=logger.project, name="private:latest"
        ) == {"project": None}
        digest = hashlib.md5(b"admin only").hexdigest()
        assert outsider_http.get(f"/artifacts/{logger.entity}/{digest}").status_code == 404
        with pytest.raises(GraphQLFailedError, match="may not write to entity 'admin'"):
            outsider.gql(COMMIT_ARTIFACT, artifactID=logged.artifact_id)
        with pytest.raises(GraphQLFailedError, match="may not write to entity 'admin'"):
            outsider.gql(DELETE, input={"artifactID": logged.artifact_id, "deleteAliases": True})
        outsider.uploads.close()
    assert _membership(logger, "private:latest") is not None


def test_artifacts_survive_a_restart(
    server_factory: Callable[..., RunningServer], tmp_path: Path
) -> None:
    first = server_factory(tmp_path / "data", api_key="r" * 40)
    with httpx.Client(base_url=first.base_url, auth=("api", "r" * 40), timeout=30) as http:
        logger = ArtifactLogger(http, "admin", "restart")
        logger.log("kept", FILES, aliases=("gold",))
        logger.uploads.close()
    first.stop()
    second = server_factory(tmp_path / "data", api_key="r" * 40)
    with httpx.Client(base_url=second.base_url, auth=("api", "r" * 40), timeout=30) as http:
        logger = ArtifactLogger(http, "admin", "restart")
        membership = _membership(logger, "kept:gold")
        assert membership is not None
        files = {e["node"]["name"]: e["node"] for e in membership["artifact"]["files"]["edges"]}
        assert httpx.get(files["sub/deep/c.bin"]["directUrl"]).content == FILES["sub/deep/c.bin"]
        logger.uploads.close()
