"""The wire seeder creates runs only through GraphQL, uploads and file_stream."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from wandb_typed_server import RunningServer
from wandb_typed_server.testing.seed import SeedRun, default_summary, history_lines, seed_runs

ServerFactory = Callable[..., RunningServer]

QUERY = """query($first: Int) { project(name: "seeded", entityName: "team") { runCount
  runs(first: $first, order: "+name") { edges { node { name displayName state config summaryMetrics tags
    group jobType notes historyLineCount fileCount } } } } }"""


def _query(server: RunningServer, **variables: object) -> dict[str, Any]:
    response = httpx.post(
        f"{server.base_url}/graphql",
        json={"query": QUERY, "variables": variables},
        auth=("api", server.api_key),
        timeout=60,
    )
    project: dict[str, Any] = response.json()["data"]["project"]
    return project


def test_seeded_runs_read_back_exactly(server_factory: ServerFactory) -> None:
    server = server_factory()
    history = [{"loss": 1.0, "acc": 0.1}, {"loss": 0.5}, {"loss": 0.25, "acc": 0.9}]
    runs = [
        SeedRun(
            "a",
            config={"lr": 0.1, "opt": {"name": "adam"}},
            history=history,
            tags=("x",),
            group="g",
            job_type="train",
            display_name="Run A",
            notes="hello",
            files={"model.txt": b"weights"},
        ),
        SeedRun("b", history=history, exitcode=1),
        SeedRun("c", summary={"custom": 1}, exitcode=None),
    ]
    seed_runs(server.base_url, server.api_key, "team", "seeded", runs)
    project = _query(server)
    assert project["runCount"] == 3
    a, b, c = (edge["node"] for edge in project["runs"]["edges"])
    assert json.loads(a["config"]) == {
        "lr": {"value": 0.1, "desc": None},
        "opt": {"value": {"name": "adam"}, "desc": None},
    }
    assert json.loads(a["summaryMetrics"]) == {"_step": 2, "loss": 0.25, "acc": 0.9}
    assert (a["displayName"], a["tags"], a["group"], a["jobType"], a["notes"]) == (
        "Run A",
        ["x"],
        "g",
        "train",
        "hello",
    )
    assert (a["state"], a["historyLineCount"], a["fileCount"]) == ("finished", 3, 1)
    assert b["state"] == "failed"
    assert (c["state"], json.loads(c["summaryMetrics"])) == ("running", {"custom": 1})


def test_many_runs_and_a_long_history(server_factory: ServerFactory) -> None:
    server = server_factory()
    runs = [SeedRun(f"r{index:04d}", config={"i": index}) for index in range(300)]
    runs.append(SeedRun("long", history=[{"v": step} for step in range(25_000)]))
    seed_runs(server.base_url, server.api_key, "team", "seeded", runs, batch_lines=10_000)
    project = _query(server, first=1000)
    assert project["runCount"] == 301
    long_run = next(e["node"] for e in project["runs"]["edges"] if e["node"]["name"] == "long")
    assert long_run["historyLineCount"] == 25_000


def test_history_lines_and_default_summary() -> None:
    rows = [{"a": 1}, {"b": 2}, {"_step": 10, "a": 3}]
    assert [json.loads(line) for line in history_lines(rows)] == [
        {"_step": 0, "a": 1},
        {"_step": 1, "b": 2},
        {"_step": 10, "a": 3},
    ]
    assert default_summary(rows) == {"_step": 10, "a": 3, "b": 2}
