"""``Api`` against the real local server: viewer, default entity, caches, options, errors;
in both flavours (``Api`` and ``AsyncApi``)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

import httpx
import pytest

from flavours import Flavour, is_a
from wandb_typed import Api, AsyncApi
from wandb_typed._constants import DEFAULT_MAX_RETRIES
from wandb_typed.errors import (
    AuthenticationError,
    ConfigError,
    GraphQLValidationError,
    InvalidPathError,
    NotFoundError,
    TransportError,
)
from wandb_typed_server import RunningServer

pytestmark = pytest.mark.usefixtures("clean_environment")

MakeApi = Callable[..., Api]


def test_viewer_is_the_key_owner(api: Api) -> None:
    viewer = api.viewer
    assert is_a(viewer, "User")
    assert viewer.username == "admin"
    assert viewer.entity == "admin"
    assert viewer.admin is True
    assert viewer is api.viewer, "the viewer is cached"


def test_default_entity_comes_from_the_viewer(api: Api) -> None:
    assert api.default_entity == "admin"


def test_flush_forgets_the_cached_viewer(api: Api) -> None:
    first = api.viewer
    api.flush()
    second = api.viewer
    assert second == first
    assert second is not first


def test_client_is_the_generated_client_on_our_transport(api: Api) -> None:
    result = api.client.get_server_features()
    assert result.server_info is not None
    assert api.client is api.client


def test_user_agent(api: Api) -> None:
    assert api.user_agent.startswith("wandb-typed/")


def api_class_name(flavour: Flavour) -> str:
    return {"sync": "Api", "async": "AsyncApi"}[flavour]


def test_repr_shows_base_url_and_entity_never_the_key(
    api: Api, local_server: RunningServer, flavour: Flavour
) -> None:
    name = api_class_name(flavour)
    assert repr(api) == f"{name}(base_url={local_server.base_url!r}, entity=None)"
    _ = api.default_entity
    assert repr(api) == f"{name}(base_url={local_server.base_url!r}, entity='admin')"
    assert local_server.api_key not in repr(api)


def test_entity_override_wins_in_repr(
    make_api: MakeApi, local_server: RunningServer, flavour: Flavour
) -> None:
    api = make_api(overrides={"entity": "team-x"})
    name = api_class_name(flavour)
    assert repr(api) == f"{name}(base_url={local_server.base_url!r}, entity='team-x')"
    assert api.settings == {"base_url": local_server.base_url, "entity": "team-x", "project": None}


def test_with_options_returns_a_configured_copy(api: Api) -> None:
    viewer = api.viewer
    patient = api.with_options(timeout=60, max_retries=4)
    assert (patient.timeout, patient.max_retries) == (60.0, 4)
    assert (api.timeout, api.max_retries) == (19.0, DEFAULT_MAX_RETRIES)
    assert patient.viewer == viewer
    assert patient.client.get_viewer().viewer is not None


def test_wrong_key_is_an_authentication_error(make_api: MakeApi) -> None:
    api = make_api(api_key="not-a-real-key-" + "0" * 25)
    with pytest.raises(AuthenticationError, match="HTTP 401"):
        _ = api.viewer


def test_unknown_field_is_a_validation_error_from_the_real_server(api: Api) -> None:
    with pytest.raises(GraphQLValidationError, match="nope"):
        api.transport.execute("query Broken { viewer { nope } }", operation_name="Broken")


def test_unreachable_server_is_a_transport_error(make_api: MakeApi) -> None:
    api = make_api(api_key="k" * 40, overrides={"base_url": "http://127.0.0.1:9"}, max_retries=0)
    with pytest.raises(TransportError, match=re.escape("POST http://127.0.0.1:9/graphql failed")):
        _ = api.viewer


def test_missing_key_is_a_config_error(make_api: MakeApi) -> None:
    with pytest.raises(ConfigError, match="No W&B API key found"):
        make_api(api_key=None, overrides={"base_url": "http://127.0.0.1:9"})


class PathSpy(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """A real HTTP transport (sync and async) that records the path of every request."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self._forward: httpx.HTTPTransport | None = None  # made on first use (as OperationSpy)
        self._forward_async: httpx.AsyncHTTPTransport | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        self._forward = self._forward or httpx.HTTPTransport()
        return self._forward.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        self._forward_async = self._forward_async or httpx.AsyncHTTPTransport()
        return await self._forward_async.handle_async_request(request)

    def close(self) -> None:
        if self._forward is not None:
            self._forward.close()

    async def aclose(self) -> None:
        if self._forward_async is not None:
            await self._forward_async.aclose()


def test_user_transport_is_used(make_api: MakeApi) -> None:
    spy = PathSpy()
    api = make_api(spy)
    assert api.viewer.username == "admin"
    assert spy.paths == ["/graphql"]


# -- from_path dispatch -------------------------------------------------------------------


class RecordingLookups:
    """Mixed into ``Api`` or ``AsyncApi``: the lookups from_path dispatches to, recording
    their arguments (returning the kind, awaitable in ``AsyncApi``)."""

    calls: list[tuple[str, tuple[str | None, ...]]]

    def _record(self, kind: str, *args: str | None) -> str | Awaitable[str]:
        self.calls = getattr(self, "calls", [])
        self.calls.append((kind, args))
        return asyncio.sleep(0, result=kind) if isinstance(self, AsyncApi) else kind

    def project(self, name: str, entity: str | None = None) -> str | Awaitable[str]:
        return self._record("project", name, entity)

    def run(self, path: str = "") -> str | Awaitable[str]:
        return self._record("run", path)

    def sweep(self, path: str = "") -> str | Awaitable[str]:
        return self._record("sweep", path)

    def report(self, path: str) -> str | Awaitable[str]:
        return self._record("report", path)


@pytest.mark.parametrize(
    ("path", "call"),
    [
        ("vision", ("project", ("vision", "admin"))),
        ("team/vision", ("project", ("vision", "team"))),
        ("team/vision/abc", ("run", ("team/vision/runs/abc",))),
        ("team/vision/runs/abc", ("run", ("team/vision/runs/abc",))),
        ("team/vision/sweeps/sw1", ("sweep", ("team/vision/sweeps/sw1",))),
        ("team/vision/reports/Loss--ID1", ("report", ("team/vision/reports/Loss--ID1",))),
        ("https://wandb.ai/team/vision/runs/abc?nw=1", ("run", ("team/vision/runs/abc",))),
    ],
)
def test_from_path_dispatches(
    make_api: MakeApi, path: str, call: tuple[str, tuple[str, ...]]
) -> None:
    api = make_api(mixin=RecordingLookups)
    assert api.from_path(path) == call[0]
    assert api.calls == [call]


def test_from_path_does_not_ask_for_the_default_entity_when_the_path_has_one(
    make_api: MakeApi,
) -> None:
    spy = PathSpy()
    api = make_api(spy, mixin=RecordingLookups)
    api.from_path("team/vision/runs/abc")
    assert spy.paths == []
    api.from_path("vision")
    assert spy.paths == ["/graphql"]


def test_from_path_rejects_malformed_paths(make_api: MakeApi) -> None:
    api = make_api(mixin=RecordingLookups)
    with pytest.raises(InvalidPathError, match="Invalid W&B path 'a/b/c/d/e'"):
        api.from_path("a/b/c/d/e")


@pytest.mark.parametrize(
    ("path", "kind"),
    [("team/vision/sweeps/abc", "sweep"), ("team/vision/reports/T--Vmlldzo", "report")],
)
def test_from_path_names_a_missing_sweep_or_report(api: Api, path: str, kind: str) -> None:
    api.create_project("vision", "admin")
    path = path.replace("team/", "admin/")
    with pytest.raises(NotFoundError, match=f"{kind} {path} not found") as caught:
        api.from_path(path)
    assert (caught.value.kind, caught.value.path) == (kind, path)


def test_from_path_finds_a_real_run(api: Api) -> None:
    created = api.create_run(run_id="from-path-run", project="from-path")
    found = api.from_path(f"{created.entity}/from-path/runs/from-path-run")
    assert is_a(found, "Run")
    assert found.id == "from-path-run"
