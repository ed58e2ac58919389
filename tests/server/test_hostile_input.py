"""Hostile requests (issue 15): none can hold the server for others, each limit is refused by
name, and bad input gets a 4xx naming what is wrong, never a 5xx."""

from __future__ import annotations

import gzip
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from wandb_typed_server import RequestLimits, RunningServer, start_in_thread

GraphQL = Callable[..., dict[str, Any]]
Upsert = Callable[..., dict[str, Any]]

EVIL_NAME = "a" * 29 + "!"
REDOS = {"name": {"$regex": "^(a+)+$"}}
RUNS = """query($p: String!, $f: JSONString) { project(name: $p, entityName: "admin") {
  runs(filters: $f, first: 1000) { edges { node { name } } } } }"""


def _post(http: httpx.Client, query: str, **variables: object) -> httpx.Response:
    return http.post("/graphql", json={"query": query, "variables": variables})


def _message(response: httpx.Response) -> str:
    message: str = response.json()["errors"][0]["message"]
    return message


@pytest.fixture(scope="module")
def redos_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server with 2,000 runs named like the ReDoS victim (29 ``a`` and a ``!``)."""
    with start_in_thread(tmp_path_factory.mktemp("redos")) as server:
        with httpx.Client(
            base_url=server.base_url, auth=("api", server.api_key), timeout=60
        ) as client:
            for chunk in range(20):
                declarations = ", ".join(f"$i{i}: UpsertBucketInput!" for i in range(100))
                selections = " ".join(
                    f"r{i}: upsertBucket(input: $i{i}) {{ bucket {{ id }} }}" for i in range(100)
                )
                variables = {
                    f"i{i}": {
                        "name": f"{EVIL_NAME}{chunk}-{i}",
                        "displayName": EVIL_NAME,
                        "entityName": "admin",
                        "modelName": "redos",
                    }
                    for i in range(100)
                }
                reply = client.post(
                    "/graphql",
                    json={
                        "query": f"mutation({declarations}) {{ {selections} }}",
                        "variables": variables,
                    },
                )
                assert reply.status_code == 200, reply.text
                assert "errors" not in reply.json()
        yield server


def test_the_redos_filter_answers_at_once_and_holds_no_one_up(
    redos_server: RunningServer,
) -> None:
    """The ReDoS filter over 2,000 victims is answered (no match), and a ``viewer`` query sent
    while it runs is answered first: the regex does not hold the server."""
    finished: list[str] = []
    auth = ("api", redos_server.api_key)
    filters = json.dumps({"$or": [REDOS, {"displayName": {"$regex": "^(a|a)+$"}}]})
    started = threading.Event()
    results: dict[str, httpx.Response] = {}

    def redos() -> None:
        with httpx.Client(base_url=redos_server.base_url, auth=auth, timeout=120) as client:
            started.set()
            results["redos"] = _post(client, RUNS, p="redos", f=filters)
            finished.append("redos")

    with httpx.Client(base_url=redos_server.base_url, auth=auth, timeout=120) as client:
        _post(client, "{ viewer { id } }")  # a warm connection
        worker = threading.Thread(target=redos)
        began = time.monotonic()
        worker.start()
        started.wait()
        results["viewer"] = _post(client, "{ viewer { id } }")
        finished.append("viewer")
        worker.join(timeout=120)
    elapsed = time.monotonic() - began
    assert results["viewer"].json()["data"]["viewer"]["id"]
    assert results["redos"].json()["data"]["project"]["runs"]["edges"] == []
    assert elapsed < 1.0, elapsed  # Python's re: 35 s per victim
    assert finished == ["viewer", "redos"]


@pytest.mark.parametrize(
    ("pattern", "named"),
    [
        ("(a)\\1", "invalid escape sequence"),
        ("(?=a)b", "invalid perl operator"),
        ("a" * 1001, "over the limit"),
    ],
)
def test_patterns_re2_cannot_run_are_refused_by_name(
    http: httpx.Client, upsert: Upsert, project_name: str, pattern: str, named: str
) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    reply = _post(http, RUNS, p=project_name, f=json.dumps({"name": {"$regex": pattern}}))
    assert named in _message(reply)
    assert "'$regex'" in _message(reply)


# -- limits -------------------------------------------------------------------------------


def test_twenty_thousand_aliases_in_a_megabyte_are_refused_by_name(http: httpx.Client) -> None:
    query = "{" + " ".join(f"a{i}: viewer {{ id }}" for i in range(20_000)) + "}"
    assert len(query.encode()) < 1 << 20
    began = time.monotonic()
    reply = http.post("/graphql", json={"query": query})
    assert reply.status_code == 400
    assert "max_query_fields=2000" in _message(reply)
    assert time.monotonic() - began < 5  # counted before validation (quadratic in aliases)


def test_aliases_over_the_limit_are_refused_by_name(http: httpx.Client) -> None:
    query = "{" + " ".join(f"a{i}: viewer {{ id }}" for i in range(300)) + "}"
    reply = http.post("/graphql", json={"query": query})
    assert reply.status_code == 400
    assert "the query has 300 aliases, over the limit max_query_aliases=200" in _message(reply)


def test_sixty_sampled_histories_are_refused_by_their_cost(http: httpx.Client) -> None:
    fields = " ".join(
        f'h{i}: project(name: "p", entityName: "admin") {{ run(name: "r") {{ history(samples: 20000) }} }}'
        for i in range(60)
    )
    reply = http.post("/graphql", json={"query": "{" + fields + "}"})
    assert reply.status_code == 400
    assert "over the limit max_query_cost=1000000" in _message(reply)
    one = (
        '{ project(name: "p", entityName: "admin") { run(name: "r") { history(samples: 20000) } } }'
    )
    assert http.post("/graphql", json={"query": one}).status_code == 200


def test_samples_given_in_variables_count_too(http: httpx.Client) -> None:
    query = """query($n: Int) { a: project(name: "p", entityName: "admin") { run(name: "r") {
      history(samples: $n) } } b: project(name: "p", entityName: "admin") { run(name: "r") {
      events(samples: $n) } } }"""
    reply = http.post("/graphql", json={"query": query, "variables": {"n": 600_000}})
    assert "max_query_cost" in _message(reply)


def test_a_twenty_megabyte_variable_is_refused_by_name(http: httpx.Client) -> None:
    reply = _post(http, "query($x: String) { viewer { id } }", x="v" * (20 << 20))
    assert reply.status_code == 413
    assert "over the limit max_body_bytes=16777216" in _message(reply)


def test_a_forty_megabyte_file_stream_body_is_refused_by_name(
    http: httpx.Client, upsert: Upsert
) -> None:
    upsert(name="big", entityName="admin", modelName="hostile-big")
    body = {"files": {"output.log": {"offset": 0, "content": ["x" * 1000] * 40_000}}}
    reply = http.post("/files/admin/hostile-big/big/file_stream", json=body)
    assert reply.status_code == 413
    assert "max_body_bytes=16777216" in reply.text


def test_a_body_streamed_without_a_length_is_cut_at_the_limit(http: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ viewer { id } }", "variables": {"x": "'
        for _ in range(20):
            yield b"v" * (1 << 20)
        yield b'"}}'

    reply = http.post("/graphql", content=chunks())
    assert reply.status_code == 413
    assert "max_body_bytes" in _message(reply)


def test_query_depth_is_refused_by_name(http: httpx.Client) -> None:
    deep = "{ viewer " + "{ id " * 40 + "}" * 41
    assert "max_query_depth=32" in _message(http.post("/graphql", json={"query": deep}))
    for deeper in (  # deeper than the parser's recursion
        "{ a " * 20_000 + "}" * 20_000,
        "{ viewer(x: " + "[" * 20_000 + "]" * 20_000 + ") { id } }",
    ):
        reply = http.post("/graphql", json={"query": deeper})
        assert reply.status_code == 400
        assert "max_query_depth" in _message(reply)


def test_json_depth_is_refused_by_name(http: httpx.Client) -> None:
    variables: object = 1
    for _ in range(100):
        variables = [variables]
    reply = http.post(
        "/graphql", json={"query": "{ viewer { id } }", "variables": {"x": variables}}
    )
    assert reply.status_code == 400
    assert "over the limit max_json_depth=64" in _message(reply)
    raw = (
        '{"query": "{ viewer { id } }", "variables": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    )
    reply = http.post("/graphql", content=raw, headers={"content-type": "application/json"})
    assert reply.status_code == 400
    assert "max_json_depth" in _message(reply)


def test_limits_are_configurable(tmp_path: Path) -> None:
    limits = RequestLimits(max_body_bytes=1000, max_query_fields=3, max_query_cost=10)
    with (
        start_in_thread(tmp_path, limits=limits) as server,
        httpx.Client(base_url=server.base_url, auth=("api", server.api_key)) as client,
    ):
        assert "max_body_bytes=1000" in _message(
            _post(client, "query($x: String) { viewer { id } }", x="v" * 2000)
        )
        four = "{ a: viewer { id } b: viewer { id } }"
        assert "max_query_fields=3" in _message(client.post("/graphql", json={"query": four}))
        history = '{ project(name: "p") { run(name: "r") { history(samples: 20) } } }'
        assert "max_query_cost=10" in _message(client.post("/graphql", json={"query": history}))
        assert client.post("/graphql", json={"query": "{ viewer { id } }"}).status_code == 200


# -- errors that name the field -------------------------------------------------------------


def test_unnamed_operation_errors_name_the_field(http: httpx.Client) -> None:
    two = "query A { viewer { id } } query B { viewer { id } }"
    message = _message(http.post("/graphql", json={"query": two}))
    assert "'operationName' is needed" in message
    assert "'A'" in message
    message = _message(http.post("/graphql", json={"query": two, "operationName": "C"}))
    assert "'operationName' 'C' is not an operation" in message


def test_a_body_that_is_not_json_says_so(http: httpx.Client) -> None:
    reply = http.post("/graphql", content=b"", headers={"content-type": "application/json"})
    assert reply.status_code == 400
    assert _message(reply).startswith("the request body is not JSON")


def test_refusals_are_logged_at_info_without_a_traceback(
    http: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="wandb_typed_server"):
        http.post("/graphql", json={"query": "{" + "a: viewer { id } " * 300 + "}"})
    refusals = [r for r in caplog.records if "max_query_" in r.getMessage()]
    assert refusals
    assert all(r.levelno == logging.INFO and r.exc_info is None for r in refusals)


# -- file names ---------------------------------------------------------------------------

CREATE_FILES = """mutation($input: CreateRunFilesInput!) { createRunFiles(input: $input) {
  files { name uploadUrl } } }"""


def _create_files(http: httpx.Client, project: str, names: list[str]) -> httpx.Response:
    return _post(
        http,
        CREATE_FILES,
        input={"entityName": "admin", "projectName": project, "runName": "r", "files": names},
    )


@pytest.mark.parametrize(
    ("names", "named"),
    [
        (["n" * 300], "part longer than 255 bytes"),
        (["/".join(["d"] * 2000)], "more than 32"),
        (["with\nnewline.txt"], "control character"),
        (["a", "a/b"], "file name 'a' is a folder holding 'a/b'"),
        (
            ["x" * 200 + "/" + "y" * 200 + "/" + "z" * 200 + "/" + "w" * 200 + "/" + "v" * 250],
            "longer than 1024 bytes",
        ),
    ],
)
def test_file_names_storage_cannot_hold_are_refused_by_name(
    http: httpx.Client, upsert: Upsert, project_name: str, names: list[str], named: str
) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    reply = _create_files(http, project_name, names)
    assert reply.status_code == 200
    assert named in _message(reply)
    assert "input.files" in _message(reply) or "file name" in _message(reply)


def test_a_file_then_a_folder_of_its_name_is_refused(
    http: httpx.Client, upsert: Upsert, project_name: str
) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    for first, second, named in [
        ("a", "a/b", "needs 'a' to be a folder"),
        ("c/d", "c", "is a folder"),
    ]:
        reply = _create_files(http, project_name, [first])
        url = reply.json()["data"]["createRunFiles"]["files"][0]["uploadUrl"]
        assert httpx.put(url, content=b"bytes").status_code == 200
        assert named in _message(_create_files(http, project_name, [second]))


def test_a_path_over_a_thousand_characters_is_refused(http: httpx.Client) -> None:
    reply = http.get("/files/admin/p/r/" + "x" * 2000)
    assert reply.status_code == 414
    reply = http.get("/files/admin/p/r/" + "/".join(["y" * 100] * 9))
    assert reply.status_code in (400, 404)


def test_orphaned_upload_temp_files_are_swept_at_start(tmp_path: Path) -> None:
    with start_in_thread(tmp_path):
        pass
    leftover = tmp_path / "files" / "admin" / "p" / "r" / ".upload-abc.tmp"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"x" * 1000)
    blob_leftover = tmp_path / "artifacts" / ".upload-def.tmp"
    blob_leftover.write_bytes(b"y")
    with start_in_thread(tmp_path):
        assert not leftover.exists()
        assert not blob_leftover.exists()


# -- file_stream --------------------------------------------------------------------------

HISTORY_COUNT = """query($p: String!) { project(name: $p, entityName: "admin") { run(name: "r") {
  historyLineCount logLineCount exitcode } } }"""


def _stream(http: httpx.Client, project: str, body: object) -> httpx.Response:
    return http.post(f"/files/admin/{project}/r/file_stream", json=body)


def _history(offset: int, count: int) -> dict[str, object]:
    lines = [json.dumps({"_step": offset + i}) for i in range(count)]
    return {"files": {"wandb-history.jsonl": {"offset": offset, "content": lines}}}


def test_an_offset_past_the_end_is_refused_naming_the_next_line(
    http: httpx.Client, gql: GraphQL, upsert: Upsert, project_name: str
) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    assert _stream(http, project_name, _history(0, 3)).status_code == 200
    reply = _stream(http, project_name, _history(1_000_000_000, 1))
    assert reply.status_code == 400
    assert "history offset 1000000000 leaves a gap: the next line is 3" in reply.text
    assert _stream(http, project_name, _history(2, 3)).status_code == 200  # a retry overlaps
    assert _stream(http, project_name, _history(2, 3)).status_code == 200  # and again
    console = {"files": {"output.log": {"offset": 7, "content": ["x"]}}}
    reply = _stream(http, project_name, console)
    assert "files['output.log'].offset 7 leaves a gap: the next line is 0" in reply.text
    run = gql(HISTORY_COUNT, p=project_name)["project"]["run"]
    assert run["historyLineCount"] == 5
    assert run["logLineCount"] == 0


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (
            {"files": {"wandb-history.jsonl": {"offset": 2**70, "content": ["{}"]}}},
            "files['wandb-history.jsonl'].offset 1180591620717411303424 is beyond",
        ),
        ({"complete": True, "exitcode": 2**70}, "'exitcode' 1180591620717411303424 is outside"),
        ({"complete": True, "exitcode": 2**31}, "is outside the 32-bit range"),
        (
            {
                "files": {
                    "wandb-summary.json": {
                        "offset": 0,
                        "content": ['{"a":' * 5000 + "1" + "}" * 5000],
                    }
                }
            },
            "wandb-summary.json content nests too deeply",
        ),
        (
            {
                "files": {
                    "wandb-history.jsonl": {
                        "offset": 0,
                        "content": ['{"a":' * 5000 + "1" + "}" * 5000],
                    }
                }
            },
            "history line 0 nests too deeply",
        ),
    ],
)
def test_file_stream_values_storage_cannot_hold_are_refused_by_name(
    http: httpx.Client, upsert: Upsert, project_name: str, body: object, named: str
) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    reply = _stream(http, project_name, body)
    assert reply.status_code == 400
    assert named in reply.text


def test_a_deeply_nested_file_stream_body_is_refused_by_name(
    http: httpx.Client, upsert: Upsert, project_name: str
) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    raw = '{"files": ' + "[" * 100_000 + "]" * 100_000 + "}"
    reply = http.post(f"/files/admin/{project_name}/r/file_stream", content=raw)
    assert reply.status_code == 400
    assert "max_json_depth" in reply.text
    reply = http.post(f"/files/admin/{project_name}/r/file_stream", content=b"not json")
    assert reply.status_code == 400
    assert "the file_stream body is not JSON" in reply.text


def test_a_gzip_bomb_is_refused_by_the_body_limit(
    http: httpx.Client, upsert: Upsert, project_name: str
) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    bomb = gzip.compress(
        b'{"files": {"output.log": {"offset": 0, "content": ["' + b"x" * (40 << 20) + b'"]}}}'
    )
    assert len(bomb) < 1 << 20
    reply = http.post(
        f"/files/admin/{project_name}/r/file_stream",
        content=bomb,
        headers={"content-encoding": "gzip"},
    )
    assert reply.status_code == 400
    assert "max_body_bytes=16777216" in reply.text


# -- values that reach SQLite through GraphQL ------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "named"),
    [
        ({"createdAt": {"$gt": "99999-01-01T00:00:00"}}, "field 'createdAt'"),
        (
            {"state": {"$in": [str(i) for i in range(40_000)]}},
            "filters use 40000 values, more than 30000",
        ),
    ],
)
def test_filters_sqlite_cannot_run_are_refused_by_name(
    http: httpx.Client, upsert: Upsert, project_name: str, filters: object, named: str
) -> None:
    upsert(name="r", entityName="admin", modelName=project_name)
    assert named in _message(_post(http, RUNS, p=project_name, f=json.dumps(filters)))


def test_filters_beyond_sqlite_numbers_and_depths_answer(
    http: httpx.Client, upsert: Upsert, project_name: str
) -> None:
    upsert(
        name="r", entityName="admin", modelName=project_name, config=json.dumps({"x": {"value": 1}})
    )
    for filters in (
        {"config.x.value": {"$gt": 10**400}},
        {"config.x.value": 2**70},
        {"$or": [{"state": str(i)} for i in range(5000)]},  # SQLite's 1,000-deep expressions
    ):
        reply = _post(http, RUNS, p=project_name, f=json.dumps(filters))
        assert reply.json()["data"]["project"]["runs"]["edges"] == [], reply.text
    deep = '{"$and": [' * 120 + '{"state": "x"}' + "]}" * 120
    assert "filters nest deeper than 100 levels" in _message(
        _post(http, RUNS, p=project_name, f=deep)
    )
    deeper = '{"$and": [' * 2000 + '{"state": "x"}' + "]}" * 2000
    message = _message(_post(http, RUNS, p=project_name, f=deeper))
    assert "Variable '$f'" in message
    assert "JSON nested deeper than 500 levels" in message


def test_int64_arguments_beyond_64_bits_are_refused_by_name(http: httpx.Client) -> None:
    query = """query($n: Int64) { project(name: "p", entityName: "admin") { run(name: "r") {
      history(minStep: $n) } } }"""
    message = _message(_post(http, query, n=2**70))
    assert "Variable '$n'" in message
    assert "beyond 64 bits" in message
