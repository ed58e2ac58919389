"""Loading a run's fields: one run's fragment, and a lazy page's heavy fields in one
request (the async source of the sync twin).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from wandb_typed._concurrency import AsyncLock
from wandb_typed.errors import NotFoundError
from wandb_typed.runs.filters import encode_filters

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession
    from wandb_typed._generated.fragments import RunFragment
    from wandb_typed.paths import RunPath
    from wandb_typed.runs._async.run import AsyncRun

__all__ = ["AsyncPageHeavyFields", "get_run_fragment"]


class AsyncPageHeavyFields:
    """Loads config/summary/system metrics for every run of one lazy page in one request;
    ``on_load`` is told the first time, with the cursor after this page (so the listing can
    request later pages whole, the next one while this one's heavy fields load)."""

    def __init__(
        self,
        session: AsyncSession,
        entity: str,
        project: str,
        *,
        on_load: Callable[[str | None], None],
    ) -> None:
        self._session = session
        self.next_cursor: str | None = None
        """The cursor after this page (None on the last page), set once the page is built."""
        self._on_load = on_load
        self._entity = entity
        self._project = project
        self._runs: list[AsyncRun] = []
        self._lock = AsyncLock()
        self._loaded = False

    def attach(self, run: AsyncRun) -> None:
        """Count ``run`` among the runs whose heavy fields the next :meth:`load` fetches."""
        self._runs.append(run)

    async def load(self) -> None:
        """Fetch the heavy fields of every attached run, in one request, once."""
        async with self._lock:
            if self._loaded:
                return
            self._on_load(self.next_cursor)
            names = [run.id for run in self._runs]
            reply = await self._session.client.get_runs_heavy_fields(
                self._entity,
                self._project,
                filters=encode_filters({"name": {"$in": names}}),
                per_page=max(1, len(names)),
            )
            connection = reply.project.runs if reply.project is not None else None
            found = {edge.node.name: edge.node for edge in connection.edges} if connection else {}
            for run in self._runs:
                fragment = found.get(run.id)
                if fragment is not None and not run._full:  # a run loaded alone keeps its edits
                    run._apply_heavy(fragment, keep_summary=False)
            self._loaded = True
        for run in self._runs:
            if not run._full:  # deleted since the page was listed: NotFoundError names it
                run._apply_heavy(
                    await get_run_fragment(self._session, run._run_path), keep_summary=False
                )


async def get_run_fragment(session: AsyncSession, path: RunPath) -> RunFragment:
    """The full fragment of a run, or :class:`NotFoundError` naming its path."""
    reply = await session.client.get_run(path.entity, path.project, path.run_id)
    if reply.project is None or reply.project.run is None:
        raise NotFoundError.for_run(path)
    return reply.project.run
