"""The lazy runs listing of a project (the async source of ``Runs``).

Listed lazily, runs arrive without their heavy JSON fields; the first time any of them is
wanted on a page, the heavy fields of that page come in one request, and the listing fetches
the pages after it whole (one request per page instead of two).

Example:
    >>> runs = await api.runs("team/vision", filters={"config.lr": {"$lt": 0.1}})  # doctest: +SKIP
    >>> [run.id async for run in runs]  # doctest: +SKIP
    ['a1', 'b2']
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal, TypeVar, overload

from wandb_typed._async.pagination import AsyncPaginator, OnData
from wandb_typed._concurrency import AsyncBatcher, async_gather_bounded
from wandb_typed._json import JSONObject
from wandb_typed.dataframes import FrameFormat, to_pandas, to_polars
from wandb_typed.errors import InvalidArgumentError, NotFoundError
from wandb_typed.pagination import Page, page_of
from wandb_typed.runs._async.history import (
    HISTORIES_IN_FLIGHT,
    read_histories,
    read_history,
    read_history_requests,
)
from wandb_typed.runs._async.loading import AsyncPageHeavyFields
from wandb_typed.runs._async.run import AsyncRun
from wandb_typed.runs.facts import as_format
from wandb_typed.runs.filters import encode_filters
from wandb_typed.runs.history_spec import HistoryRequest, HistoryStream, check_history_args

if TYPE_CHECKING:
    import pandas
    import polars
    import pyarrow
    from pydantic import BaseModel

    from wandb_typed._async.session import AsyncSession
    from wandb_typed._generated.fragments import LightRunFragment

__all__ = ["AsyncRuns"]

M = TypeVar("M", bound="BaseModel")


class AsyncRuns(AsyncPaginator[AsyncRun]):
    """The runs of a project matching ``filters``, in ``order``, fetched page by page.

    ``len()`` is the server's count of matching runs; indexing and slicing fetch only the
    pages they need; the next page is fetched while the current one is consumed.

    Example:
        >>> runs = api.runs("team/vision", order="-summary_metrics.acc")  # doctest: +SKIP
        >>> best = runs[0]  # doctest: +SKIP
        >>> frame = runs.to_pandas()  # doctest: +SKIP
    """

    connection_path: Sequence[str] = ("project", "runs")

    def __init__(
        self,
        session: AsyncSession,
        entity: str,
        project: str,
        *,
        filters: Mapping[str, object] | None = None,
        order: str = "+created_at",
        per_page: int = 50,
        include_sweeps: bool = True,
        lazy: bool = True,
    ) -> None:
        super().__init__(per_page=per_page)
        if not isinstance(order, str):
            raise InvalidArgumentError(
                f"order must be a string like '+created_at' or '-summary_metrics.loss', "
                f"got {order!r}"
            )
        self._session = session
        self.entity = entity
        self.project = project
        self._encoded_filters = encode_filters(filters)
        self.filters: Mapping[str, object] = dict(filters or {})
        self.order = order
        self.include_sweeps = include_sweeps
        """Kept for ``wandb`` compatibility; each run's ``sweep_name`` is always present."""
        self.lazy = lazy
        self._heavy_fields_wanted = False
        self._histories: AsyncBatcher[HistoryRequest, list[JSONObject]] = AsyncBatcher(
            self._read_history_requests
        )

    async def _read_history_requests(
        self, requests: list[HistoryRequest]
    ) -> dict[HistoryRequest, list[JSONObject]]:
        """The ``history()`` calls of this listing's runs made at the same time, read
        together (a batch of runs per request)."""
        return await read_history_requests(
            self._session.client, self.entity, self.project, requests
        )

    def _want_heavy_fields(self, next_cursor: str | None) -> None:
        """A lazy page's heavy fields were needed: fetch the pages after it whole (one
        request per page instead of two), as the official client's ``upgrade_to_full``,
        starting with the next page now."""
        self._heavy_fields_wanted = True
        if next_cursor is not None and self._prefetch_enabled:
            self._ahead.start(next_cursor)

    async def _fetch(self, cursor: str | None, on_data: OnData | None) -> Page[AsyncRun]:
        light = self.lazy and not self._heavy_fields_wanted
        query = self._session.client.get_runs_light if light else self._session.client.get_runs
        reply = await query(
            self.entity,
            self.project,
            filters=self._encoded_filters,
            order=self.order,
            cursor=cursor,
            per_page=self.per_page,
            # A light page does not chain the next one: when its heavy fields are wanted, the
            # pages after it should come whole, not light pages already read ahead.
            on_data=None if light else on_data,
        )
        project = reply.project
        if project is None:
            path = f"{self.entity}/{self.project}"
            raise NotFoundError(f"project {path} not found", kind="project", path=path)
        connection = project.runs
        heavy = None
        if light and connection is not None:
            heavy = AsyncPageHeavyFields(
                self._session,
                self.entity,
                self.project,
                on_load=self._want_heavy_fields,
            )
        session, entity, name, histories = self._session, self.entity, self.project, self._histories

        def build(node: LightRunFragment) -> AsyncRun:
            run = AsyncRun(session, entity, name, node, heavy_fields=heavy, histories=histories)
            if heavy is not None:
                heavy.attach(run)
            return run

        page = page_of(connection, build, total=project.run_count)
        if heavy is not None and page.has_next:
            heavy.next_cursor = page.end_cursor
        return page

    # -- histories --------------------------------------------------------------------------

    @overload
    async def histories(
        self,
        samples: int = ...,
        keys: Sequence[str] | None = ...,
        x_axis: str = ...,
        format: Literal["default"] = ...,
        stream: HistoryStream = ...,
    ) -> list[JSONObject]: ...

    @overload
    async def histories(
        self,
        samples: int = ...,
        keys: Sequence[str] | None = ...,
        x_axis: str = ...,
        *,
        format: Literal["pandas"],
        stream: HistoryStream = ...,
    ) -> pandas.DataFrame: ...

    @overload
    async def histories(
        self,
        samples: int = ...,
        keys: Sequence[str] | None = ...,
        x_axis: str = ...,
        *,
        format: Literal["polars"],
        stream: HistoryStream = ...,
    ) -> polars.DataFrame: ...

    @overload
    async def histories(
        self,
        samples: int = ...,
        keys: Sequence[str] | None = ...,
        x_axis: str = ...,
        *,
        format: Literal["arrow"],
        stream: HistoryStream = ...,
    ) -> pyarrow.Table: ...

    async def histories(
        self,
        samples: int = 500,
        keys: Sequence[str] | None = None,
        x_axis: str = "_step",
        format: FrameFormat = "default",
        stream: HistoryStream = "default",
    ) -> list[JSONObject] | pandas.DataFrame | polars.DataFrame | pyarrow.Table:
        """The sampled history of every run, each row with a ``run_id`` column.

        Args: as :meth:`Run.history`; ``format`` is ``"default"`` (a list of dicts),
        ``"pandas"``, ``"polars"`` or ``"arrow"`` (one frame or table for all runs).

        Example:
            >>> frame = runs.histories(samples=100, keys=["loss"], format="pandas")  # doctest: +SKIP
        """
        wanted = check_history_args(samples, keys, x_axis, stream)
        runs = [run async for run in self]
        found = await read_histories(
            self._session.client,
            self.entity,
            self.project,
            [run.id for run in runs],
            samples=samples,
            keys=wanted,
            x_axis=x_axis,
            stream=stream,
        )
        # A run not sent back (deleted since listed: NotFoundError names it; or refused
        # together) is read alone, as the official client reads every run.
        alone = [run for run in runs if run.id not in found]
        client = self._session.client

        def job(run: AsyncRun) -> Callable[[], Awaitable[list[JSONObject]]]:
            return lambda: read_history(
                client, run._run_path, samples=samples, keys=wanted, x_axis=x_axis, stream=stream
            )

        read = await async_gather_bounded([job(run) for run in alone], limit=HISTORIES_IN_FLIGHT)
        found.update((run.id, history) for run, history in zip(alone, read, strict=True))
        rows: list[JSONObject] = []
        for run in runs:
            for row in found[run.id]:
                row["run_id"] = run.id
                rows.append(row)
        return as_format(rows, format)

    # -- typed reads ------------------------------------------------------------------------

    async def parse_configs(self, model: type[M]) -> list[M]:
        """Every run's config validated into your pydantic ``model``, in listing order.

        Raises:
            pydantic.ValidationError: A run's config does not fit (the first one that fails).

        Example:
            >>> class Train(BaseModel):  # doctest: +SKIP
            ...     lr: float
            >>> [c.lr for c in api.runs("team/vision").parse_configs(Train)]  # doctest: +SKIP
            [0.1, 0.01]
        """
        return [(await run._config_value()).parse(model) async for run in self]

    async def parse_summaries(self, model: type[M]) -> list[M]:
        """Every run's summary validated into your pydantic ``model``, in listing order."""
        return [(await run._summary_value()).parse(model) async for run in self]

    # -- runs tables ------------------------------------------------------------------------

    async def table_rows(self) -> list[JSONObject]:
        """One row per run: id, name, state, created_at, ``config.*`` and ``summary.*``."""
        return [await run.table_row() async for run in self]

    async def to_pandas(self) -> pandas.DataFrame:
        """The runs as a pandas DataFrame (see :meth:`table_rows` for the columns)."""
        return to_pandas(await self.table_rows())

    async def to_polars(self) -> polars.DataFrame:
        """The runs as a polars DataFrame (see :meth:`table_rows` for the columns)."""
        return to_polars(await self.table_rows())

    async def flat_rows(self) -> list[dict[str, object]]:
        """One row per run: id, name, state, group, job_type, tags, created_at (a UTC
        ``datetime``), then config and summary flattened into dotted columns
        (``config.net.depth``, ``summary.loss``); what :meth:`to_arrow` and
        ``wandb-typed export`` write."""
        return [await run.flat_row() async for run in self]

    async def to_arrow(self) -> pyarrow.Table:
        """The runs as a ``pyarrow.Table`` (see :meth:`flat_rows` for the columns).

        Example:
            >>> table = api.runs("team/vision").to_arrow()  # doctest: +SKIP
            >>> table.column("summary.loss").to_pylist()  # doctest: +SKIP
            [0.25, 0.31]
        """
        from wandb_typed.arrow import to_arrow

        return to_arrow(await self.flat_rows())

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.entity}/{self.project} loaded={len(self._items)}>"
