"""Non-finite numbers: tokens inside JSONString lines (as logged), strings in JSON values.

The official client's Go core parses every reply as strict JSON, so a ``NaN`` token in a
``JSON`` value (sampledHistory rows) would make the whole reply unreadable to it.
"""

from __future__ import annotations

import json
import math

import httpx

from wandb_typed_server import RunningServer
from wandb_typed_server.testing.seed import SeedRun, seed_runs

HISTORY = [
    {"_step": 0, "loss": 1.0},
    {"_step": 1, "loss": math.nan},
    {"_step": 2, "loss": math.inf},
    {"_step": 3, "loss": -math.inf},
]
QUERY = """
query History($entity: String!, $project: String!, $spec: JSONString!) {
  project(name: $project, entityName: $entity) {
    run(name: "nan-run") { history(samples: 10) sampledHistory(specs: [$spec]) }
  }
}
"""


def _strict(text: str) -> object:
    def refuse(token: str) -> object:
        raise AssertionError(f"the reply is not strict JSON: bare {token}")

    return json.loads(text, parse_constant=refuse)


def test_sampled_history_replies_are_strict_json(local_server: RunningServer) -> None:
    seed_runs(
        local_server.base_url,
        local_server.api_key,
        "admin",
        "nan-proj",
        [SeedRun("nan-run", history=HISTORY)],
    )
    spec = json.dumps({"keys": ["_step", "loss"], "samples": 10})
    response = httpx.post(
        f"{local_server.base_url}/graphql",
        json={
            "query": QUERY,
            "variables": {"entity": "admin", "project": "nan-proj", "spec": spec},
        },
        auth=("api", local_server.api_key),
    )
    payload = _strict(response.text)
    assert isinstance(payload, dict)
    run = payload["data"]["project"]["run"]
    assert [row["loss"] for row in run["sampledHistory"][0]] == [
        1.0,
        "NaN",
        "Infinity",
        "-Infinity",
    ]
    lines = [json.loads(line) for line in run["history"]]  # tokens stay inside the strings
    assert lines[0]["loss"] == 1.0
    assert math.isnan(lines[1]["loss"])
    assert lines[2]["loss"] == math.inf
    assert lines[3]["loss"] == -math.inf
