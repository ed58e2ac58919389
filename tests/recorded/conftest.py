"""Recorded HTTP (pytest-recording / vcrpy): fast, offline replays of real exchanges.

Cassettes in ``cassettes/`` are recorded against a fresh local server by ``make record``
(``--record-mode=rewrite``) and replayed otherwise (``--record-mode=none``, the default: a
request with no recorded match fails the test). Requests are matched on method, path and the
GraphQL operation name + variables, because every GraphQL request is ``POST /graphql`` and
vcrpy's default matchers would see them all as one. The ``Authorization`` header is dropped
before anything is written (``test_cassettes_hold_no_key`` proves it).

To record against a real W&B deployment instead, set ``WANDB_BASE_URL``/``WANDB_API_KEY``
and run ``pytest tests/recorded --record-mode=rewrite``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wandb_typed import Api
from wandb_typed_server import start_in_thread

CASSETTES = Path(__file__).parent / "cassettes"
# The key recording runs use against the local server. It is public on purpose: the
# cassette test searches every cassette for it, so a leak cannot go unnoticed.
RECORDING_KEY = "0123456789abcdef0123456789abcdef01234567"
REPLAY_BASE_URL = "http://recorded.invalid"


def _graphql_identity(body: bytes | str | None) -> tuple[str | None, str] | None:
    if not body:
        return None
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(payload, dict) or "query" not in payload:
        return None
    variables = json.dumps(payload.get("variables") or {}, sort_keys=True)
    return payload.get("operationName"), variables


def graphql_operation_matcher(recorded: Any, incoming: Any) -> None:
    """vcrpy matcher: same GraphQL operation name and variables (non-GraphQL bodies: equal)."""
    left, right = _graphql_identity(recorded.body), _graphql_identity(incoming.body)
    if left is None and right is None:
        assert recorded.body == incoming.body
    else:
        assert left == right, f"GraphQL operation {right} was not recorded (have {left})"


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_matcher("graphql_operation", graphql_operation_matcher)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, object]:
    return {
        "filter_headers": ["authorization", "cookie", "set-cookie"],
        "match_on": ["method", "path", "query", "graphql_operation"],
        "decode_compressed_response": True,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(CASSETTES)


def recording(config: pytest.Config) -> bool:
    return config.getoption("--record-mode") not in (None, "none")


@pytest.fixture
def recorded_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    """An ``Api`` on a fresh local server while recording, on a dead address while replaying."""
    if recording(request.config) and not os.environ.get("WANDB_BASE_URL"):
        with (
            start_in_thread(tmp_path / "server", api_key=RECORDING_KEY) as server,
            Api(api_key=RECORDING_KEY, overrides={"base_url": server.base_url}) as api,
        ):
            yield api
    elif recording(request.config):
        with Api() as api:
            yield api
    else:
        with Api(api_key=RECORDING_KEY, overrides={"base_url": REPLAY_BASE_URL}) as api:
            yield api
