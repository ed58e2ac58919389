"""Run files: createRunFiles + signed PUT, Run.files, authenticated and signed downloads,
names that try to escape the run's folder."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from wandb_typed_server import RunningServer
from wandb_typed_server.storage.blobs import UnsafeFileNameError, check_file_name
from wandb_typed_server.storage.signing import UrlSigner

GraphQL = Callable[..., dict[str, Any]]
Upsert = Callable[..., dict[str, Any]]

CREATE = """mutation($i: CreateRunFilesInput!) {
  createRunFiles(input: $i) { runID uploadHeaders files { name uploadUrl } } }"""
FILES = """query($p: String!, $n: String!, $names: [String], $pattern: String, $first: Int, $after: String) {
  project(name: $p, entityName: "admin") { run(name: $n) { fileCount
    files(names: $names, pattern: $pattern, first: $first, after: $after) {
      edges { cursor node { id name url directUrl md5 sizeBytes mimetype updatedAt } }
      pageInfo { hasNextPage endCursor } } } } }"""


def _upload(gql: GraphQL, project: str, run: str, files: dict[str, bytes]) -> None:
    created = gql(
        CREATE,
        i={"entityName": "admin", "projectName": project, "runName": run, "files": list(files)},
    )["createRunFiles"]
    assert [entry["name"] for entry in created["files"]] == list(files)
    assert created["uploadHeaders"] == []
    for entry in created["files"]:
        response = httpx.put(entry["uploadUrl"], content=files[entry["name"]])  # no auth header
        assert response.status_code == 200, response.text


def _files(gql: GraphQL, project: str, run: str, **args: object) -> dict[str, Any]:
    found: dict[str, Any] = gql(FILES, p=project, n=run, **args)["project"]["run"]
    return found


def test_upload_list_and_download(
    gql: GraphQL, upsert: Upsert, project_name: str, local_server: RunningServer
) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    content = {"config.yaml": b"lr: 0.1\n", "media/images/a b.png": b"\x89PNG" + bytes(range(256))}
    _upload(gql, project_name, "r", content)
    run = _files(gql, project_name, "r")
    assert run["fileCount"] == 2
    nodes = {edge["node"]["name"]: edge["node"] for edge in run["files"]["edges"]}
    assert set(nodes) == set(content)
    for name, data in content.items():
        node = nodes[name]
        assert node["sizeBytes"] == len(data)
        assert node["md5"] == base64.b64encode(hashlib.md5(data).digest()).decode()
        with_key = httpx.get(node["url"], auth=("api", local_server.api_key))
        assert with_key.content == data
        assert httpx.get(node["url"]).status_code == 401
        assert httpx.get(node["directUrl"]).content == data  # signed: no key needed
    assert nodes["config.yaml"]["mimetype"] == "application/x-yaml"
    assert nodes["media/images/a b.png"]["mimetype"] == "image/png"


def test_reupload_replaces_the_file(gql: GraphQL, upsert: Upsert, project_name: str) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    _upload(gql, project_name, "r", {"a.txt": b"old"})
    _upload(gql, project_name, "r", {"a.txt": b"newer"})
    node = _files(gql, project_name, "r")["files"]["edges"][0]["node"]
    assert node["sizeBytes"] == 5
    assert httpx.get(node["directUrl"]).content == b"newer"


def test_files_paging_names_and_pattern(gql: GraphQL, upsert: Upsert, project_name: str) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    _upload(gql, project_name, "r", {f"f{index}.txt": b"x" for index in range(5)} | {"g.log": b"y"})
    names: list[str] = []
    after = None
    while True:
        page = _files(gql, project_name, "r", first=2, after=after)["files"]
        names.extend(edge["node"]["name"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert names == ["f0.txt", "f1.txt", "f2.txt", "f3.txt", "f4.txt", "g.log"]
    by_name = _files(gql, project_name, "r", names=["g.log", "f3.txt"])["files"]["edges"]
    assert [edge["node"]["name"] for edge in by_name] == ["f3.txt", "g.log"]
    by_pattern = _files(gql, project_name, "r", pattern="%.log")["files"]["edges"]
    assert [edge["node"]["name"] for edge in by_pattern] == ["g.log"]


def test_tampered_or_expired_signatures_are_refused(
    gql: GraphQL, upsert: Upsert, project_name: str, local_server: RunningServer
) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    created = gql(
        CREATE,
        i={"entityName": "admin", "projectName": project_name, "runName": "r", "files": ["a.txt"]},
    )["createRunFiles"]
    url = created["files"][0]["uploadUrl"]
    assert httpx.put(url.replace("a.txt", "b.txt"), content=b"x").status_code == 403
    assert httpx.put(url.split("?")[0], content=b"x").status_code == 403
    assert httpx.get(url).status_code == 403  # a PUT signature does not allow GET
    path = f"/storage/admin/{project_name}/r/a.txt"
    expired = UrlSigner.load_or_create(local_server.data_dir).sign("PUT", path, now=0)
    assert httpx.put(f"{local_server.base_url}{path}?{expired}", content=b"x").status_code == 403


@pytest.mark.parametrize(
    "name", ["../escape.txt", "a/../../b", "/etc/passwd", "a\\..\\b", "", "a//b", "./a"]
)
def test_escaping_names_are_refused_by_create_run_files(
    http: httpx.Client, upsert: Upsert, project_name: str, name: str
) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    variables = {
        "i": {"entityName": "admin", "projectName": project_name, "runName": "r", "files": [name]}
    }
    payload = http.post("/graphql", json={"query": CREATE, "variables": variables}).json()
    assert "unsafe file name" in payload["errors"][0]["message"]


@pytest.mark.parametrize("name", ["../escape.txt", "a/../../../../b", "a\\..\\b"])
def test_escaping_names_are_refused_even_when_signed(
    upsert: Upsert, project_name: str, local_server: RunningServer, name: str
) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    path = f"/storage/admin/{project_name}/r/{name}"
    signed = UrlSigner.load_or_create(local_server.data_dir).sign("PUT", path)
    raw_path = (
        f"/storage/admin/{project_name}/r/{quote(name, safe='')}"  # no client-side "../" folding
    )
    response = httpx.put(f"{local_server.base_url}{raw_path}?{signed}", content=b"x")
    assert response.status_code == 400
    assert "unsafe file name" in response.text
    assert not (local_server.data_dir / "files" / "escape.txt").exists()
    assert not list(local_server.data_dir.rglob("escape.txt"))


@pytest.mark.parametrize("name", ["..", "../a", "a/..", "/a", "a\\b", "a\x00b", "", "a//b", "."])
def test_check_file_name_refuses(name: str) -> None:
    with pytest.raises(UnsafeFileNameError):
        check_file_name(name)


@pytest.mark.parametrize("name", ["a.txt", "media/images/x.png", "files/a b.txt", "..a", "a.."])
def test_check_file_name_accepts(name: str) -> None:
    assert check_file_name(name).as_posix() == name


def test_large_upload_is_streamed_intact(gql: GraphQL, upsert: Upsert, project_name: str) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    data = bytes(range(256)) * 40_000  # ~10 MB, arrives in many chunks

    def body() -> Iterator[bytes]:
        for start in range(0, len(data), 65_536):
            yield data[start : start + 65_536]

    created = gql(
        CREATE,
        i={
            "entityName": "admin",
            "projectName": project_name,
            "runName": "r",
            "files": ["big.bin"],
        },
    )["createRunFiles"]
    assert httpx.put(created["files"][0]["uploadUrl"], content=body()).status_code == 200
    node = _files(gql, project_name, "r")["files"]["edges"][0]["node"]
    assert node["sizeBytes"] == len(data)
    assert node["md5"] == base64.b64encode(hashlib.md5(data).digest()).decode()
    assert httpx.get(node["directUrl"]).content == data


def test_upload_for_a_missing_run_is_404(local_server: RunningServer, project_name: str) -> None:
    path = f"/storage/admin/{project_name}/ghost/a.txt"
    signed = UrlSigner.load_or_create(local_server.data_dir).sign("PUT", path)
    response = httpx.put(f"{local_server.base_url}{path}?{signed}", content=b"x")
    assert response.status_code == 404
    assert not (local_server.data_dir / "files" / "admin" / project_name / "ghost").exists()


DELETE_FILES = "mutation($i: DeleteFilesInput!) { deleteFiles(input: $i) { success } }"
DELETE_RUN = "mutation($i: DeleteRunInput!) { deleteRun(input: $i) { clientMutationId } }"


def test_delete_files_removes_record_and_bytes(
    gql: GraphQL, upsert: Upsert, project_name: str, local_server: RunningServer
) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    _upload(gql, project_name, "r", {"a.txt": b"a", "b.txt": b"b"})
    nodes = [edge["node"] for edge in _files(gql, project_name, "r")["files"]["edges"]]
    gql(DELETE_FILES, i={"files": [nodes[0]["id"]]})
    remaining = _files(gql, project_name, "r")
    assert [edge["node"]["name"] for edge in remaining["files"]["edges"]] == ["b.txt"]
    assert remaining["fileCount"] == 1
    folder = local_server.data_dir / "files" / "admin" / project_name / "r"
    assert sorted(path.name for path in folder.iterdir()) == ["b.txt"]


def test_delete_run_removes_its_files_only_when_the_request_succeeds(
    http: httpx.Client,
    gql: GraphQL,
    upsert: Upsert,
    project_name: str,
    local_server: RunningServer,
) -> None:
    run_id = upsert(name="r", entityName="admin", modelName=project_name)["bucket"]["id"]
    _upload(gql, project_name, "r", {"a.txt": b"a"})
    folder = local_server.data_dir / "files" / "admin" / project_name / "r"
    failing = """mutation($i: DeleteRunInput!, $bad: UpsertBucketInput!) {
      deleteRun(input: $i) { clientMutationId }
      upsertBucket(input: $bad) { inserted } }"""
    variables = {"i": {"id": run_id}, "bad": {"id": run_id, "config": "not json"}}
    payload = http.post("/graphql", json={"query": failing, "variables": variables}).json()
    assert payload["errors"]
    assert (folder / "a.txt").read_bytes() == b"a"  # rolled back: run and bytes kept
    assert _files(gql, project_name, "r")["fileCount"] == 1
    gql(DELETE_RUN, i={"id": run_id})
    assert not folder.exists()
