"""``Api``: the entry point, shaped like ``wandb.Api``.

The object lookups (``project``, ``run``, ``sweep``, ``report``, ...) are added by their own
modules' authors; this module holds construction, configuration, the viewer, caches and
``from_path``.

Example:
    >>> from wandb_typed import Api
    >>> api = Api(overrides={"base_url": "http://localhost:8080"})  # doctest: +SKIP
    >>> api.viewer.username  # doctest: +SKIP
    'alice'
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from wandb_typed._constants import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from wandb_typed._retry import RetryPolicy
from wandb_typed._sentinels import NOT_GIVEN, NotGiven
from wandb_typed.config import ClientConfig, resolve_config
from wandb_typed.errors import (
    InvalidArgumentError,
    InvalidPathError,
    InvalidResponseError,
    NotFoundError,
)
from wandb_typed.paths import (
    ProjectPath,
    ReportPath,
    RunPath,
    SweepPath,
    parse_any_path,
    parse_project_path,
    parse_run_path,
)
from wandb_typed.projects import Project, Projects, fetch_project
from wandb_typed.runs import DEFAULT_RUN_PROJECT, Run, Runs, create_run, fetch_run
from wandb_typed.teams import Team, fetch_team
from wandb_typed.users import User

if TYPE_CHECKING:
    import httpx

    from wandb_typed._generated import Client
    from wandb_typed._transport import GraphQLTransport

__all__ = ["Api"]

_ApiT = TypeVar("_ApiT", bound="Api")


class _PathLookups(Protocol):
    """The lookups ``from_path`` dispatches to; each is defined on ``Api`` by its module."""

    def project(self, name: str, entity: str | None = None) -> object: ...

    def run(self, path: str = "") -> object: ...

    def sweep(self, path: str = "") -> object: ...

    def report(self, path: str) -> object: ...


class Api:
    """Query a W&B server (W&B cloud, W&B Server, or the local wandb-typed server).

    Nothing is sent until a value is needed: constructing an ``Api`` only resolves the
    configuration (arguments > ``WANDB_*`` environment > ``~/.netrc`` > settings file).

    Args:
        overrides: ``base_url``, ``entity`` and/or ``project`` defaults.
        timeout: Seconds per HTTP request (default 19).
        api_key: The API key; by default from ``WANDB_API_KEY`` or ``~/.netrc``.
        max_retries: Retries for connection errors, 408, 429 and 5xx (default 2).
        transport: An ``httpx`` transport to send through (tests, proxies, ASGI apps).

    Raises:
        ConfigError: No API key was found (the message says where it looked).

    Example:
        >>> api = Api(api_key="0" * 40, overrides={"base_url": "http://localhost:8080"})
        >>> api
        Api(base_url='http://localhost:8080', entity=None)
    """

    def __init__(
        self,
        overrides: dict[str, str] | None = None,
        timeout: float | None = None,
        api_key: str | None = None,
        *,
        max_retries: int = DEFAULT_MAX_RETRIES,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        # httpx, pydantic and the generated client load with the first Api, so that its
        # requests pay only for themselves.
        from wandb_typed._transport import GraphQLTransport

        config = resolve_config(api_key, overrides)
        self._setup(
            config,
            GraphQLTransport(
                config.base_url,
                config.api_key,
                api_key_source=config.api_key_source,
                timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
                retry_policy=RetryPolicy(max_retries=max_retries),
                transport=transport,
            ),
        )

    def _setup(self, config: ClientConfig, transport: GraphQLTransport) -> None:
        self._config = config
        self._transport = transport
        from wandb_typed._generated import Client

        self._client = Client(transport)
        self._lock = threading.RLock()
        self._viewer: User | None = None
        self._default_entity: str | None = None
        self._default_entity_known = False
        self._caches: dict[str, dict[object, object]] = {}

    # -- configuration -------------------------------------------------------------------

    @property
    def config(self) -> ClientConfig:
        """The resolved configuration (base URL, key source, default entity/project)."""
        return self._config

    @property
    def settings(self) -> dict[str, str | None]:
        """``base_url``, ``entity`` and ``project`` as configured (as ``wandb.Api`` has it)."""
        return {
            "base_url": self._config.base_url,
            "entity": self._config.entity,
            "project": self._config.project,
        }

    @property
    def client(self) -> Client:
        """The generated, typed GraphQL client this ``Api`` sends through."""
        return self._client

    @property
    def transport(self) -> GraphQLTransport:
        """The transport (for downloads and signed uploads: ``get``, ``stream``, ``put``)."""
        return self._transport

    @property
    def user_agent(self) -> str:
        """The ``User-Agent`` header sent with every request, e.g. ``wandb-typed/0.1.0``."""
        return self._transport.user_agent

    @property
    def timeout(self) -> float:
        """Seconds per HTTP request."""
        return self._transport.timeout

    @property
    def max_retries(self) -> int:
        """Retries after a first failed attempt."""
        return self._transport.retry_policy.max_retries

    def with_options(
        self,
        *,
        timeout: float | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Api:
        """A copy with another timeout and/or retry count, sharing the connection pool.

        Example:
            >>> api = Api(api_key="0" * 40)
            >>> api.with_options(timeout=120, max_retries=5).timeout
            120.0
        """
        copy = Api.__new__(Api)
        copy._setup(
            self._config,
            self._transport.with_options(timeout=timeout, max_retries=max_retries),
        )
        with self._lock:
            copy._viewer = self._viewer
            copy._default_entity = self._default_entity
            copy._default_entity_known = self._default_entity_known
        return copy

    # -- the viewer ----------------------------------------------------------------------

    @property
    def viewer(self) -> User:
        """The user the API key belongs to (fetched once, then cached until :meth:`flush`).

        Raises:
            NotFoundError: The server knows no user for this key.
        """
        with self._lock:
            if self._viewer is None:
                fragment = self.client.get_viewer().viewer
                if fragment is None:
                    raise NotFoundError(
                        f"The server at {self._config.base_url} returned no viewer for the API "
                        f"key from the {self._config.api_key_source}; is it a user's key?",
                        kind="user",
                        path="viewer",
                    )
                self._viewer = User._from_fragment(fragment, client=self.client)
                self._default_entity = self._viewer.entity
                self._default_entity_known = True
            return self._viewer

    @property
    def default_entity(self) -> str | None:
        """The viewer's default entity (one request the first time, then cached)."""
        with self._lock:
            if not self._default_entity_known:
                fragment = self.client.get_viewer().viewer
                self._default_entity = fragment.entity if fragment is not None else None
                self._default_entity_known = True
            return self._default_entity

    def _entity_default(self) -> str | None:
        """The entity for a path that has none: ``overrides``/env/settings, else the viewer's."""
        return self._config.entity or self.default_entity

    # -- caches ---------------------------------------------------------------------------

    def _cache(self, name: str) -> dict[object, object]:
        """A named cache that :meth:`flush` empties (e.g. ``self._cache("runs")``)."""
        with self._lock:
            return self._caches.setdefault(name, {})

    def flush(self) -> None:
        """Forget every cached value (viewer, default entity, looked-up objects).

        Example:
            >>> api = Api(api_key="0" * 40)
            >>> api.flush()
        """
        with self._lock:
            self._viewer = None
            self._default_entity = None
            self._default_entity_known = False
            for cache in self._caches.values():
                cache.clear()

    # -- paths ----------------------------------------------------------------------------

    def from_path(self, path: str) -> object:
        """Return the project, run, sweep or report a path (or app URL) names.

        ``project`` and ``entity/project`` give a project; ``entity/project/run_id`` and
        ``entity/project/runs/run_id`` a run; ``.../sweeps/id`` a sweep;
        ``.../reports/Title--ID`` a report.

        Raises:
            InvalidPathError: The path has none of these shapes, or a part is empty.

        Example:
            >>> run = api.from_path("team/vision/runs/abc123")  # doctest: +SKIP
        """
        parsed = parse_any_path(path, default_entity=self._entity_default)
        lookups = cast(_PathLookups, self)
        if isinstance(parsed, ProjectPath):
            return lookups.project(parsed.project, parsed.entity)
        if isinstance(parsed, RunPath):
            return lookups.run(str(parsed))
        kind = "sweep" if isinstance(parsed, SweepPath) else "report"
        if not hasattr(self, kind):  # sweeps and reports come with their own issue
            raise NotImplementedError(f"{path!r} names a {kind}; Api.{kind}() is not built yet")
        if isinstance(parsed, SweepPath):
            return lookups.sweep(str(parsed))
        if isinstance(parsed, ReportPath):
            return lookups.report(str(parsed))
        raise AssertionError(f"unhandled path kind {type(parsed).__name__}")

    # -- runs -----------------------------------------------------------------------------

    def runs(
        self,
        path: str | None = None,
        filters: Mapping[str, object] | None = None,
        order: str = "+created_at",
        per_page: int = 50,
        include_sweeps: bool = True,
        lazy: bool = True,
    ) -> Runs:
        """The runs of a project, lazily paginated, filtered Mongo-style and ordered.

        Filters apply to ``config.<k>``, ``summary_metrics.<k>`` and run fields
        (``state``, ``tags``, ``displayName``, ``createdAt``, ``group``, ``jobType``, ...)
        with ``$and $or $nor $eq $ne $gt $gte $lt $lte $in $nin $exists $regex``.

        Args:
            path: ``entity/project`` or ``project`` (default: the configured project).
            filters: A MongoDB-style query document.
            order: ``+``/``-`` then ``created_at``, ``heartbeat_at``, ``config.<k>`` or
                ``summary_metrics.<k>`` (``+`` ascending).
            per_page: Runs per request (1 to 1000).
            include_sweeps: Accepted for ``wandb`` compatibility (``sweep_name`` is always set).
            lazy: Fetch config/summary only when first touched (per page, one request).

        Raises:
            InvalidPathError: ``path`` is malformed, or missing with no default project.
            InvalidArgumentError: ``filters`` is not JSON, or ``per_page`` is out of range.

        Example:
            >>> runs = api.runs("team/vision", filters={"config.lr": {"$gte": 0.01}})  # doctest: +SKIP
            >>> len(runs), runs[0].summary["loss"]  # doctest: +SKIP
            (12, 0.25)
        """
        project_path = self._project_path(path, what="runs")
        return Runs(
            self,
            project_path.entity,
            project_path.project,
            filters=filters,
            order=order,
            per_page=per_page,
            include_sweeps=include_sweeps,
            lazy=lazy,
        )

    def run(self, path: str = "") -> Run:
        """One run by path: ``entity/project/run_id`` (or ``.../runs/run_id``, or an app URL).

        ``project/run_id`` and ``run_id`` use the default entity and project.

        Raises:
            InvalidPathError: The path is malformed or lacks a part with no default.
            NotFoundError: No such run (the error names the path).

        Example:
            >>> run = api.run("team/vision/abc123")  # doctest: +SKIP
            >>> run.state, run.config["lr"]  # doctest: +SKIP
            ('finished', 0.1)
        """
        run_path = parse_run_path(
            path, default_entity=self._entity_default, default_project=self._config.project
        )
        return fetch_run(self, run_path)

    def create_run(
        self,
        *,
        run_id: str | None = None,
        project: str | None = None,
        entity: str | None = None,
    ) -> Run:
        """Create a run (state ``running``) and return it.

        Args:
            run_id: The id to give it; a random 8-character id by default.
            project: Its project (default: the configured project, else ``uncategorized``).
            entity: Its entity (default: the configured or the viewer's default entity).

        Example:
            >>> run = api.create_run(run_id="baseline", project="vision")  # doctest: +SKIP
            >>> run.state  # doctest: +SKIP
            'running'
        """
        return create_run(
            self,
            run_id=run_id,
            project=project or self._config.project or DEFAULT_RUN_PROJECT,
            entity=entity or self._entity_default(),
        )

    # -- projects -------------------------------------------------------------------------

    def project(self, name: str, entity: str | None = None) -> Project:
        """The project ``entity/name`` (one request; ``entity`` defaults as for paths).

        Raises:
            NotFoundError: No such project (or not visible with this key).
            InvalidPathError: ``name`` is empty, or no entity is given nor configured.

        Example:
            >>> api.project("vision", entity="team").created_at  # doctest: +SKIP
            datetime.datetime(2026, 1, 5, 9, 30, tzinfo=datetime.timezone.utc)
        """
        path = parse_project_path(
            name if entity is None else f"{entity}/{name}", default_entity=self._entity_default
        )
        return fetch_project(self, path)

    def projects(self, entity: str | None = None, per_page: int = 200) -> Projects:
        """The projects of ``entity`` (default: the configured or the viewer's entity).

        Raises:
            InvalidArgumentError: No entity is given and none is configured or known.

        Example:
            >>> [project.name for project in api.projects("team")]  # doctest: +SKIP
            ['mnist', 'vision']
        """
        owner = entity or self._entity_default()
        if not owner:
            raise InvalidArgumentError(
                "projects() needs an entity: pass entity=..., set WANDB_ENTITY, or use a key "
                "whose user has a default entity."
            )
        return Projects(self, owner, per_page=per_page)

    def create_project(self, name: str, entity: str) -> Project:
        """Create the project ``entity/name`` (nothing changes if it exists) and return it.

        ``wandb`` returns ``None`` here; the project is returned so it need not be fetched.

        Example:
            >>> api.create_project("vision", "team").path  # doctest: +SKIP
            ProjectPath(entity='team', project='vision')
        """
        path = parse_project_path(f"{entity}/{name}")
        result = self.client.upsert_project(path.project, entity=path.entity).upsert_model
        fragment = result.project if result is not None else None
        if fragment is None:
            raise InvalidResponseError(f"upsertModel for project {path} returned no project.")
        return Project._from_fragment(fragment, self)

    # -- users and teams ------------------------------------------------------------------

    def user(self, username_or_email: str) -> User | None:
        """The user with this username or email (instance admins only), or ``None``.

        When the search matches several users, the exact username/email match wins, else
        the first. Use :attr:`viewer` for your own user.

        Raises:
            GraphQLError: The key is not an instance admin's (the message names it).

        Example:
            >>> api.user("alice@example.com").username  # doctest: +SKIP
            'alice'
        """
        found = self.users(username_or_email)
        exact = [u for u in found if username_or_email in (u.username, u.email)]
        matches = exact or found
        return matches[0] if matches else None

    def users(self, username_or_email: str) -> list[User]:
        """Users whose username, name or email contains the text (instance admins only).

        Example:
            >>> [user.username for user in api.users("example.com")]  # doctest: +SKIP
            ['alice', 'bob']
        """
        result = self.client.search_users(query=username_or_email).users
        return [
            User._from_fragment(edge.node, client=self.client)
            for edge in (result.edges if result is not None else [])
            if edge.node is not None
        ]

    def create_user(self, email: str, admin: bool = False) -> User:
        """Create a user for ``email`` (instance admins only); ``admin`` makes an instance admin.

        Example:
            >>> api.create_user("carol@example.com").username  # doctest: +SKIP
            'carol'
        """
        result = self.client.create_user(email, admin=admin).create_user
        if result is None or result.user is None:
            raise InvalidResponseError(f"createUser for {email!r} returned no user.")
        return User._from_fragment(result.user, client=self.client)

    def team(self, team: str) -> Team:
        """The team called ``team``, with its members.

        Raises:
            NotFoundError: No such team (or not visible with this key).

        Example:
            >>> [member.username for member in api.team("vision").members]  # doctest: +SKIP
            ['alice', 'bob']
        """
        return fetch_team(self.client, team)

    def create_team(self, team: str, admin_username: str | None = None) -> Team:
        """Create a team administered by ``admin_username`` (default: you) and return it.

        Example:
            >>> api.create_team("vision").members[0].admin  # doctest: +SKIP
            True
        """
        result = self.client.create_team(team, team_admin_user_name=admin_username).create_team
        if result is None or result.entity is None:
            raise InvalidResponseError(f"createTeam for {team!r} returned no team.")
        return Team._from_fragment(result.entity, self.client)

    def _project_path(self, path: str | None, *, what: str) -> ProjectPath:
        """``entity/project`` from ``path`` (or the configured project when it is None)."""
        if path is None:
            if not self._config.project:
                raise InvalidPathError(
                    f"{what}() needs a project path like 'entity/project' (no default project "
                    "is configured: set WANDB_PROJECT or overrides={'project': ...})",
                    path="",
                )
            path = self._config.project
        return parse_project_path(path, default_entity=self._entity_default)

    # -- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool (copies from :meth:`with_options` share it)."""
        self._transport.close()

    def __enter__(self: _ApiT) -> _ApiT:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        entity = self._config.entity or (
            self._default_entity if self._default_entity_known else None
        )
        return f"Api(base_url={self._config.base_url!r}, entity={entity!r})"
