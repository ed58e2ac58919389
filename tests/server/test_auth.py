"""API keys: Basic ``api:<key>``, 401 and nothing else for unknown keys, keys stored hashed."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from wandb_typed_server import RunningServer, open_state
from wandb_typed_server.http.auth import api_key_from_header
from wandb_typed_server.storage.keys import ensure_admin, hash_api_key

PROTECTED = [
    ("POST", "/graphql", {"json": {"query": "{ viewer { id username } }"}}),
    ("POST", "/files/admin/p/r/file_stream", {"json": {"complete": True, "exitcode": 0}}),
    ("GET", "/files/admin/p/r/config.yaml", {}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), PROTECTED)
@pytest.mark.parametrize("auth", [None, ("api", "0" * 40), ("api", ""), ("user", "nonsense")])
def test_unknown_or_missing_key_gets_401_and_no_data(
    local_server: RunningServer,
    method: str,
    path: str,
    kwargs: dict[str, object],
    auth: tuple[str, str] | None,
) -> None:
    response = httpx.request(method, local_server.base_url + path, auth=auth, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 401
    assert "admin" not in response.text
    assert "data" not in response.text


def test_known_key_is_accepted(local_server: RunningServer) -> None:
    response = httpx.post(
        f"{local_server.base_url}/graphql",
        json={"query": "{ viewer { username } }"},
        auth=("api", local_server.api_key),
    )
    assert response.json() == {"data": {"viewer": {"username": "admin"}}}


def test_generated_admin_key_is_printed_once_and_stored_hashed(tmp_path: Path) -> None:
    state = open_state(tmp_path)
    key = ensure_admin(state.db, None)
    assert key is not None
    assert re.fullmatch(r"[0-9a-f]{40}", key)
    assert ensure_admin(state.db, None) is None  # second start: nothing new to print
    state.db.close()
    raw = sqlite3.connect(tmp_path / "server.sqlite3")
    stored = [row[0] for row in raw.execute("SELECT key_sha256 FROM api_keys")]
    raw.close()
    assert stored == [hash_api_key(key)]
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path


def test_given_admin_key_works_after_restart(
    server_factory: Callable[..., RunningServer], tmp_path: Path
) -> None:
    key = "a" * 40
    first = server_factory(tmp_path / "d", api_key=key)
    first.stop()
    second = server_factory(tmp_path / "d", api_key=key)
    response = httpx.post(
        f"{second.base_url}/graphql", json={"query": "{ viewer { username } }"}, auth=("api", key)
    )
    assert response.json()["data"]["viewer"]["username"] == "admin"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Basic YXBpOmtleQ==", "key"),
        ("basic YXBpOmtleQ==", "key"),
        ("Bearer key", None),
        ("Basic !!!", None),
        ("Basic YXBp", None),  # "api" without a colon
        ("Basic YXBpOg==", None),  # "api:" with an empty key
        (None, None),
    ],
)
def test_api_key_from_header(header: str | None, expected: str | None) -> None:
    assert api_key_from_header(header) == expected
