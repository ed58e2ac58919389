"""The four failures a user meets first each name their problem and never show the API key.

A malformed path, a missing API key, an HTTP 401 and a GraphQL error: for each, the message
says what is wrong, and the key (nor its Basic-auth token) appears in ``str``, ``repr``,
``args``, the formatted traceback, or the request/response headers kept on the exception.
Log records written meanwhile are checked too. Both flavours: ``Api`` and ``AsyncApi`` (the
retry log: their transports, with an injected sleep).
"""

from __future__ import annotations

import base64
import logging
import traceback
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from flavours import Flavour, Portal, bridge
from wandb_typed import Api, ApiKey
from wandb_typed._async.transport import AsyncGraphQLTransport
from wandb_typed._constants import DEFAULT_MAX_RETRIES
from wandb_typed._sync.transport import GraphQLTransport
from wandb_typed.errors import (
    AuthenticationError,
    ConfigError,
    GraphQLError,
    InvalidPathError,
    ServerError,
    WandbTypedError,
)
from wandb_typed_server import RunningServer

pytestmark = pytest.mark.usefixtures("clean_environment")

MakeApi = Callable[..., Api]


def forms_of(key: str) -> list[str]:
    """The key as it could leak: itself and inside the Basic-auth token."""
    return [key, base64.b64encode(f"api:{key}".encode()).decode()]


def assert_key_absent(error: WandbTypedError, key: str) -> None:
    texts = [
        str(error),
        repr(error),
        repr(error.args),
        "".join(traceback.format_exception(error)),
    ]
    request = getattr(error, "request", None)
    response = getattr(error, "response", None)
    if request is not None:
        texts.append(repr(request.headers.raw))
        texts.append(str(request.url))
    if response is not None:
        texts.append(repr(response.request.headers.raw))
        texts.append(repr(response.headers.raw))
    for text in texts:
        for form in forms_of(key):
            assert form not in text


def test_malformed_path(api: Api, local_server: RunningServer) -> None:
    with pytest.raises(InvalidPathError) as info:
        api.from_path("team//runs/abc")
    assert str(info.value) == "Invalid run path 'team//runs/abc': missing project."
    assert_key_absent(info.value, local_server.api_key)


def test_missing_api_key(
    make_api: MakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A netrc holding another host's key: it must not be used, nor shown.
    other_key = "other-host-key-0123456789abcdef012345678"
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine api.wandb.ai login user password {other_key}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    with pytest.raises(ConfigError) as info:
        make_api(api_key=None, overrides={"base_url": "http://127.0.0.1:8080"})
    message = str(info.value)
    assert message.startswith("No W&B API key found.")
    assert "WANDB_API_KEY" in message
    assert "machine '127.0.0.1:8080'" in message
    assert_key_absent(info.value, other_key)


def test_http_401(make_api: MakeApi, local_server: RunningServer) -> None:
    wrong_key = "wrong-key-0123456789abcdef0123456789abcd"
    api = make_api(api_key=wrong_key)
    with pytest.raises(AuthenticationError) as info:
        _ = api.viewer
    error = info.value
    assert str(error).startswith(
        f"HTTP 401 Unauthorized from POST {local_server.base_url}/graphql (operation GetViewer)"
    )
    assert "the server rejected the API key" in str(error)
    assert "argument api_key=" in str(error)
    assert error.request is not None
    assert error.request.headers["authorization"] == "[redacted]"
    assert_key_absent(error, wrong_key)


def test_graphql_error(api: Api, local_server: RunningServer) -> None:
    with pytest.raises(GraphQLError) as info:
        api.transport.execute(
            "query Broken { viewer { noSuchField } }",
            operation_kind="query",
            operation_name="Broken",
        )
    error = info.value
    assert str(error).startswith("GraphQL operation Broken rejected:")
    assert "noSuchField" in str(error)
    assert error.errors
    assert_key_absent(error, local_server.api_key)


async def no_sleep(seconds: float) -> None:
    """The async transport's injected sleep."""


def test_retries_log_without_the_key(
    caplog: pytest.LogCaptureFixture, flavour: Flavour, portal: Portal
) -> None:
    key = "logged-key-0123456789abcdef0123456789abc"
    always_503 = httpx.MockTransport(lambda request: httpx.Response(503))
    # The transport of the flavour, with its flavour's injected sleep (no waiting).
    if flavour == "sync":
        transport = GraphQLTransport(
            "http://srv", ApiKey(key), transport=always_503, sleep=lambda seconds: None
        )
    else:
        made = portal.call(
            AsyncGraphQLTransport, "http://srv", ApiKey(key), transport=always_503, sleep=no_sleep
        )
        transport = bridge(made, portal)
    with caplog.at_level(logging.DEBUG), pytest.raises(ServerError) as info:
        transport.execute(
            "query GetViewer { viewer { id } }", operation_kind="query", operation_name="GetViewer"
        )
    retry_lines = [r.getMessage() for r in caplog.records if r.name == "wandb_typed"]
    assert len(retry_lines) == DEFAULT_MAX_RETRIES
    for line in retry_lines:
        assert line.startswith("retrying POST http://srv/graphql after HTTP 503")
    for record in caplog.records:
        for form in forms_of(key):
            assert form not in record.getMessage()
    assert_key_absent(info.value, key)
