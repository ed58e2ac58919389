"""End-to-end fixtures: every scenario runs through ``Api`` and through ``AsyncApi``.

``flavour`` (``tests/conftest.py``) is parametrized ``sync``/``async`` (the test ids); ``api``
and ``make_api`` give
an ``Api``, or an ``AsyncApi`` seen through the bridge of ``tests/flavours.py``, so one test
body exercises both clients against the real local server.

Each flavour has a server of its own (``local_server`` here depends on the flavour), so both
flavours of a scenario start from the same world: a test may create ``e2e-team-x`` in each.
A test that is inherently sync-only says why in a comment and is marked
``@flavours.sync_only``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from flavours import Flavour, Portal, is_bridged, open_api
from wandb_typed_server import RunningServer, start_in_thread

MakeApi = Callable[..., Any]

SERVER_KEY: Any = object()
"""``make_api(api_key=...)`` default: the server's admin key."""


@pytest.fixture(scope="session")
def async_flavour_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The async flavour's server (the sync flavour uses the session's ``local_server``)."""
    with start_in_thread(tmp_path_factory.mktemp("async-flavour-server")) as server:
        yield server


@pytest.fixture(scope="module")
def local_server(
    flavour: Flavour, local_server: RunningServer, request: pytest.FixtureRequest
) -> RunningServer:
    """The flavour's server: fixtures that seed it seed each flavour's world once."""
    if flavour == "sync":
        return local_server
    server: RunningServer = request.getfixturevalue("async_flavour_server")
    return server


def _api_arguments(server: RunningServer, transport: object, **given: Any) -> dict[str, Any]:
    api_key = given.pop("api_key", SERVER_KEY)
    arguments: dict[str, Any] = {
        "api_key": server.api_key if api_key is SERVER_KEY else api_key,
        "overrides": {"base_url": server.base_url, **(given.pop("overrides", None) or {})},
        **given,
    }
    if transport is not None:
        arguments["transport"] = transport
    return arguments


@pytest.fixture
def make_api(flavour: Flavour, portal: Portal, local_server: RunningServer) -> Iterator[MakeApi]:
    """``make_api(transport=None, *, api_key=<admin key>, overrides=None, mixin=None, ...)``:
    a new ``Api`` (or bridged ``AsyncApi``) on the flavour's server, closed after the test.

    ``overrides`` are added to ``{"base_url": <the server>}``; ``api_key=None`` leaves the
    key to the environment; ``mixin`` goes first among the bases of the class built.
    """
    opened: list[Any] = []

    def make(transport: object = None, *, mixin: type | None = None, **given: Any) -> Any:
        arguments = _api_arguments(local_server, transport, **given)
        api = open_api(flavour, portal, mixin=mixin, **arguments)
        assert is_bridged(api) is (flavour == "async")
        opened.append(api)
        return api

    yield make
    for api in opened:
        api.close()


@pytest.fixture(scope="module")
def shared_api(flavour: Flavour, portal: Portal, local_server: RunningServer) -> Iterator[Any]:
    """One client per module and flavour, for the modules that ask for it (see ``api``)."""
    api = open_api(flavour, portal, **_api_arguments(local_server, None))
    assert is_bridged(api) is (flavour == "async")
    yield api
    api.close()


@pytest.fixture
def api(request: pytest.FixtureRequest, make_api: MakeApi) -> Any:
    """An ``Api`` (``sync``) or a bridged ``AsyncApi`` (``async``) on the flavour's server,
    with the admin key: a new one per test, or, in a module that sets ``SHARED_API = True``
    (no test there depends on a fresh client: its caches, its closing), one per module and
    flavour, as those modules had before (building a client loads the CA bundle: ~25 ms)."""
    if getattr(request.module, "SHARED_API", False):
        return request.getfixturevalue("shared_api")
    return make_api()
