"""``AsyncApi``: construction, configuration, the viewer, ``flush`` and ``from_path``; every
other method comes from a domain package (one base class per domain).

The async source: the sync ``Api`` is generated from it (``codegen/unasync.py``). Adding a
domain means adding its methods class to the bases of :class:`AsyncApi`.

Example:
    >>> from wandb_typed import AsyncApi
    >>> api = AsyncApi(api_key="0" * 40, overrides={"base_url": "http://localhost:8080"})
    >>> api
    AsyncApi(base_url='http://localhost:8080', entity=None)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from wandb_typed._async.session import AsyncSession
from wandb_typed._constants import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from wandb_typed._retry import RetryPolicy
from wandb_typed._sentinels import NOT_GIVEN, NotGiven
from wandb_typed.artifacts import AsyncArtifactsApi
from wandb_typed.automations import AsyncAutomationsApi
from wandb_typed.config import ClientConfig, resolve_config
from wandb_typed.launch import AsyncLaunchApi
from wandb_typed.paths import (
    ArtifactPath,
    ProjectPath,
    ReportPath,
    RunPath,
    SweepPath,
    parse_any_path,
)
from wandb_typed.projects import AsyncProjectsApi
from wandb_typed.registries import AsyncRegistriesApi
from wandb_typed.reports import AsyncReportsApi
from wandb_typed.runs import AsyncRunsApi
from wandb_typed.sweeps import AsyncSweepsApi
from wandb_typed.teams import AsyncTeamsApi
from wandb_typed.tensorboard import AsyncTensorboardApi
from wandb_typed.users import AsyncUser, AsyncUsersApi

if TYPE_CHECKING:
    import httpx

    from wandb_typed._async.transport import AsyncGraphQLTransport
    from wandb_typed._generated.async_client import AsyncClient
    from wandb_typed._generated.fragments import UserFragment

__all__ = ["AsyncApi"]

_ApiT = TypeVar("_ApiT", bound="AsyncApi")


class AsyncApi(
    AsyncRunsApi,
    AsyncProjectsApi,
    AsyncLaunchApi,  # builds on AsyncArtifactsApi (a job is an artifact): it goes first
    AsyncArtifactsApi,
    AsyncRegistriesApi,
    AsyncUsersApi,
    AsyncTeamsApi,
    AsyncTensorboardApi,
    AsyncSweepsApi,
    AsyncReportsApi,
    AsyncAutomationsApi,
):
    """Query a W&B server (W&B cloud, W&B Server, or the local wandb-typed server).

    Nothing is sent until a value is needed: constructing an ``Api`` only resolves the
    configuration (arguments > ``WANDB_*`` environment > ``~/.netrc`` > settings file).

    Args:
        overrides: ``base_url``, ``entity`` and/or ``project`` defaults.
        timeout: Seconds per HTTP request (default 19).
        api_key: The API key; by default from ``WANDB_API_KEY`` or ``~/.netrc``.
        max_retries: Retries for connection errors, 408, 429 and 5xx, and for a download
            cut off mid-body (default 10, all within 60 s).
        transport: An ``httpx`` transport to send through (tests, proxies, ASGI apps).

    Raises:
        ConfigError: No API key was found (the message says where it looked).
    """

    def __init__(
        self,
        overrides: dict[str, str] | None = None,
        timeout: float | None = None,
        api_key: str | None = None,
        *,
        max_retries: int = DEFAULT_MAX_RETRIES,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        # httpx, pydantic and the generated client load with the first Api, so that its
        # requests pay only for themselves.
        from wandb_typed._async.transport import AsyncGraphQLTransport
        from wandb_typed._generated.async_client import AsyncClient

        config = resolve_config(api_key, overrides)
        transport_ = AsyncGraphQLTransport(
            config.base_url,
            config.api_key,
            api_key_source=config.api_key_source,
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
            retry_policy=RetryPolicy(max_retries=max_retries),
            transport=transport,
        )
        self._session = AsyncSession(config, transport_, AsyncClient(transport_))
        self._viewer: tuple[UserFragment, AsyncUser] | None = None

    # -- configuration -------------------------------------------------------------------

    @property
    def config(self) -> ClientConfig:
        """The resolved configuration (base URL, key source, default entity/project)."""
        return self._session.config

    @property
    def settings(self) -> dict[str, str | None]:
        """``base_url``, ``entity`` and ``project`` as configured (as ``wandb.Api`` has it)."""
        config = self._session.config
        return {"base_url": config.base_url, "entity": config.entity, "project": config.project}

    @property
    def client(self) -> AsyncClient:
        """The generated, typed GraphQL client this ``Api`` sends through."""
        return self._session.client

    @property
    def transport(self) -> AsyncGraphQLTransport:
        """The transport (for downloads and signed uploads: ``get``, ``stream``, ``put``)."""
        return self._session.transport

    @property
    def user_agent(self) -> str:
        """The ``User-Agent`` header sent with every request, e.g. ``wandb-typed/0.1.0``."""
        return self._session.transport.user_agent

    @property
    def timeout(self) -> float:
        """Seconds per HTTP request."""
        return self._session.transport.timeout

    @property
    def max_retries(self) -> int:
        """Retries after a first failed attempt."""
        return self._session.transport.retry_policy.max_retries

    def with_options(
        self,
        *,
        timeout: float | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> AsyncApi:
        """A copy with another timeout and/or retry count, sharing the connection pool.

        Example:
            >>> AsyncApi(api_key="0" * 40).with_options(timeout=120, max_retries=5).timeout
            120.0
        """
        from wandb_typed._generated.async_client import AsyncClient

        transport = self._session.transport.with_options(timeout=timeout, max_retries=max_retries)
        copy = AsyncApi.__new__(AsyncApi)
        copy._session = self._session.copy_with(transport, AsyncClient(transport))
        copy._viewer = None
        return copy

    # -- the viewer ----------------------------------------------------------------------

    # unasync: property
    async def viewer(self) -> AsyncUser:
        """The user the API key belongs to (fetched once, then cached until :meth:`flush`).

        Raises:
            NotFoundError: The server knows no user for this key.
        """
        fragment = await self._session.viewer()
        if self._viewer is None or self._viewer[0] is not fragment:
            self._viewer = (fragment, AsyncUser._from_fragment(fragment, session=self._session))
        return self._viewer[1]

    # unasync: property
    async def default_entity(self) -> str | None:
        """The viewer's default entity (one request the first time, then cached)."""
        return await self._session.default_entity()

    def flush(self) -> None:
        """Forget every cached value (the viewer and the default entity).

        Example:
            >>> AsyncApi(api_key="0" * 40).flush()
        """
        self._session.flush()

    # -- paths ----------------------------------------------------------------------------

    async def from_path(self, path: str) -> object:
        """Return the project, run, sweep or report a path (or app URL) names.

        ``project`` and ``entity/project`` give a project; ``entity/project/run_id`` and
        ``entity/project/runs/run_id`` a run; ``entity/project/name:version`` an artifact
        version; ``.../sweeps/id`` a sweep; ``.../reports/Title--ID`` a report.

        Raises:
            InvalidPathError: The path has none of these shapes, or a part is empty.
            NotFoundError: Nothing exists at the path (the error names it).

        Example:
            >>> run = api.from_path("team/vision/runs/abc123")  # doctest: +SKIP
        """
        parsed = await self._session.parse(
            lambda entity: parse_any_path(path, default_entity=entity)
        )
        if isinstance(parsed, ProjectPath):
            return await self.project(parsed.project, parsed.entity)
        if isinstance(parsed, RunPath):
            return await self.run(str(parsed))
        if isinstance(parsed, ArtifactPath):
            return await self.artifact(str(parsed))
        if isinstance(parsed, SweepPath):
            return await self.sweep(str(parsed))
        assert isinstance(parsed, ReportPath)
        return await self.report(str(parsed))

    # -- lifecycle ------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the connection pool (copies from :meth:`with_options` share it)."""
        await self._session.transport.aclose()

    async def __aenter__(self: _ApiT) -> _ApiT:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        config = self._session.config
        entity = config.entity or self._session.known_default_entity
        return f"{type(self).__name__}(base_url={config.base_url!r}, entity={entity!r})"
