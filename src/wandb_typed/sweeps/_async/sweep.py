"""Sweeps: :class:`AsyncSweep` (its config, runs, best run and state changes) and the lazy
:class:`AsyncSweeps` listing of a project. The async source of ``Sweep`` and ``Sweeps``.

Example:
    >>> sweep = await api.sweep("team/vision/sweeps/x8d2kq1z")  # doctest: +SKIP
    >>> sweep.state, sweep.config["method"], (await sweep.best_run()).id  # doctest: +SKIP
    ('FINISHED', 'grid', 'r2b4c6d8')
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from wandb_typed._async.pagination import AsyncPaginator, OnData
from wandb_typed._constants import DEFAULT_PER_PAGE
from wandb_typed.errors import InvalidResponseError, NotFoundError
from wandb_typed.pagination import Page, page_of
from wandb_typed.paths import ProjectPath, SweepPath, app_url
from wandb_typed.sweeps.sweep_data import (
    SWEEP_STATE_CHANGES,
    format_order_key,
    metric_order,
    parse_sweep_config,
)

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession
    from wandb_typed._generated.fragments import SweepFragment
    from wandb_typed.runs import AsyncRun, AsyncRuns

__all__ = ["AsyncSweep", "AsyncSweeps", "fetch_sweep"]


class AsyncSweep:
    """A sweep: its configuration, state and runs.

    ``id`` is the sweep's id in paths (``entity/project/sweeps/<id>``), as in ``wandb``;
    ``name`` is its display name, else the config's ``name``, else the id.
    """

    __slots__ = ("_config", "_fragment", "_session", "entity", "project")

    def __init__(
        self, session: AsyncSession, entity: str, project: str, fragment: SweepFragment
    ) -> None:
        self._session = session
        self.entity: str = entity
        """The entity owning the sweep's project."""
        self.project: str = project
        """The sweep's project name."""
        self._fragment = fragment
        self._config = parse_sweep_config(fragment.config)

    # -- fields ---------------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The sweep id (``x8d2kq1z``), as in its path."""
        return self._fragment.name

    @property
    def storage_id(self) -> str:
        """The server's node id of the sweep (what mutations take)."""
        return self._fragment.id

    @property
    def name(self) -> str:
        """The display name, else the config's ``name``, else the id."""
        return self._fragment.display_name or str(self._config.get("name") or self.id)

    @property
    def display_name(self) -> str | None:
        """The display name set on the sweep, if any."""
        return self._fragment.display_name

    @property
    def state(self) -> str:
        """``PENDING``, ``RUNNING``, ``PAUSED``, ``CANCELED`` or ``FINISHED``."""
        return self._fragment.state

    @property
    def method(self) -> str:
        """``grid``, ``random`` or ``bayes``."""
        return self._fragment.method

    @property
    def description(self) -> str | None:
        """The sweep's description."""
        return self._fragment.description

    @property
    def config(self) -> dict[str, Any]:
        """The sweep configuration (parsed from the YAML the server stores)."""
        return self._config

    @property
    def config_yaml(self) -> str:
        """The sweep configuration as the YAML text the server stores."""
        return self._fragment.config

    @property
    def best_loss(self) -> float | None:
        """The best value of the config's metric among the sweep's runs (``bestLoss``)."""
        return self._fragment.best_loss

    @property
    def expected_run_count(self) -> int | None:
        """How many runs the sweep will have (a grid's size, or ``run_cap``); None: no end."""
        return self._fragment.run_count_expected

    @property
    def run_count(self) -> int:
        """How many runs the sweep has."""
        return self._fragment.run_count

    @property
    def created_at(self) -> datetime:
        """When the sweep was created."""
        return self._fragment.created_at

    @property
    def updated_at(self) -> datetime | None:
        """When the sweep last changed."""
        return self._fragment.updated_at

    @property
    def path(self) -> SweepPath:
        """``entity/project/sweeps/id``."""
        return SweepPath(self.entity, self.project, self.id)

    @property
    def url(self) -> str:
        """The sweep's page in the web app."""
        base = app_url(self._session.config.base_url)
        return f"{base}/{self.entity}/{self.project}/sweeps/{self.id}"

    @property
    def order(self) -> str | None:
        """The order of the runs best first, from the config's metric (None without one)."""
        return metric_order(self._config)

    # -- runs -----------------------------------------------------------------------------

    @property
    def runs(self) -> AsyncRuns:
        """The sweep's runs, oldest first (a lazy listing: no request until iterated)."""
        return self._runs("+created_at", per_page=DEFAULT_PER_PAGE)

    def _runs(self, order: str, per_page: int) -> AsyncRuns:
        from wandb_typed.runs import AsyncRuns

        return AsyncRuns(
            self._session,
            self.entity,
            self.project,
            filters={"$and": [{"sweep": self.id}]},
            order=order,
            per_page=per_page,
        )

    async def best_run(self, order: str | None = None) -> AsyncRun | None:
        """The best run by ``order`` (default: the config's metric and goal; without one, the
        newest run), or None when the sweep has no run.

        Example:
            >>> (await sweep.best_run()).summary["loss"]  # doctest: +SKIP
            0.16
        """
        key = self.order if order is None else format_order_key(order)
        listing = self._runs(key or "-created_at", per_page=1)
        first = await listing[:1]
        listing.close()
        return first[0] if first else None

    # -- state ----------------------------------------------------------------------------

    async def _set_state(self, state: str) -> None:
        reply = await self._session.client.update_sweep_state(self.storage_id, state)
        fragment = reply.upsert_sweep.sweep if reply.upsert_sweep is not None else None
        if fragment is None:
            raise InvalidResponseError(f"upsertSweep for sweep {self.path} returned no sweep.")
        self._fragment = fragment
        self._config = parse_sweep_config(fragment.config)

    async def pause(self) -> None:
        """Pause the sweep: agents get no new runs until :meth:`resume`."""
        await self._set_state(SWEEP_STATE_CHANGES["pause"])

    async def resume(self) -> None:
        """Resume a paused sweep."""
        await self._set_state(SWEEP_STATE_CHANGES["resume"])

    async def stop(self) -> None:
        """Finish the sweep: running runs complete, no new ones start."""
        await self._set_state(SWEEP_STATE_CHANGES["stop"])

    async def cancel(self) -> None:
        """Cancel the sweep: agents stop their running runs and exit."""
        await self._set_state(SWEEP_STATE_CHANGES["cancel"])

    async def load(self, force: bool = False) -> dict[str, Any]:
        """Fetch the sweep again (state, counts, best loss); returns its fields as a dict."""
        fresh = await fetch_sweep(self._session, self.path)
        self._fragment, self._config = fresh._fragment, fresh._config
        return self._fragment.model_dump(by_alias=True)

    def __repr__(self) -> str:
        return f"<Sweep {self.entity}/{self.project}/{self.id} ({self.state})>"


async def fetch_sweep(session: AsyncSession, path: SweepPath) -> AsyncSweep:
    """The sweep at ``path``.

    Raises:
        NotFoundError: no such sweep (or project), naming the path.
    """
    reply = await session.client.get_sweep(path.entity, path.project, path.sweep_id)
    fragment = reply.project.sweep if reply.project is not None else None
    if fragment is None:
        raise NotFoundError(
            f"sweep {path} not found (or not visible with this API key)",
            kind="sweep",
            path=str(path),
        )
    return AsyncSweep(session, path.entity, path.project, fragment)


class AsyncSweeps(AsyncPaginator[AsyncSweep]):
    """A project's sweeps, page by page; the count is the project's ``totalSweeps``.

    Raises:
        NotFoundError: (on first use) the project does not exist.
    """

    connection_path: Sequence[str] = ("project", "sweeps")

    def __init__(
        self, session: AsyncSession, project: ProjectPath, per_page: int = DEFAULT_PER_PAGE
    ) -> None:
        super().__init__(per_page=per_page)
        self._session = session
        self.project: ProjectPath = project
        """The project whose sweeps are listed."""

    async def _fetch(self, cursor: str | None, on_data: OnData | None) -> Page[AsyncSweep]:
        result = await self._session.client.get_project_sweeps(
            self.project.entity,
            self.project.project,
            cursor=cursor,
            per_page=self.per_page,
            on_data=on_data,
        )
        if result.project is None:
            raise NotFoundError(
                f"Project {self.project} not found (or not visible with this API key).",
                kind="project",
                path=str(self.project),
            )
        session, entity, name = self._session, self.project.entity, self.project.project
        return page_of(
            result.project.sweeps,
            lambda node: AsyncSweep(session, entity, name, node),
            total=result.project.total_sweeps,
        )
