"""The Paginator over a real Relay connection: runs of the local server, seeded over the wire.
Both flavours: ``RunNames`` (a ``Paginator``) and its twin ``AsyncRunNames`` (an
``AsyncPaginator``, seen through the bridge), as the client's own listings are written."""

from __future__ import annotations

from typing import Any

import pytest

from flavours import Flavour, on_session
from wandb_typed import Api, AsyncPaginator, Page, Paginator
from wandb_typed_server import RunningServer
from wandb_typed_server.testing.seed import SeedRun, seed_runs

ENTITY = "admin"
PROJECT = "paginator-live"
NAMES = [f"run-{i}" for i in range(7)]


def names_page(project: Any) -> Page[str]:
    """The page of run names in a ``GetRunsLight`` reply's project."""
    assert project is not None
    runs = project.runs
    assert runs is not None
    return Page(
        [edge.node.name for edge in runs.edges if edge.node is not None],
        end_cursor=runs.page_info.end_cursor,
        has_next=runs.page_info.has_next_page,
        total=project.run_count,
    )


class RunNames(Paginator[str]):
    """Names of a project's runs, oldest first; the smallest real paginator there is."""

    def __init__(self, session: Any, *, per_page: int) -> None:
        super().__init__(per_page=per_page)
        self.client = session.client
        self.requests = 0

    def _fetch(self, cursor: str | None, on_data: object = None) -> Page[str]:
        self.requests += 1
        reply = self.client.get_runs_light(
            entity=ENTITY, project=PROJECT, cursor=cursor, per_page=self.per_page
        )
        return names_page(reply.project)


class AsyncRunNames(AsyncPaginator[str]):
    """``RunNames`` over ``AsyncPaginator``."""

    def __init__(self, session: Any, *, per_page: int) -> None:
        super().__init__(per_page=per_page)
        self.client = session.client
        self.requests = 0

    async def _fetch(self, cursor: str | None, on_data: object = None) -> Page[str]:
        self.requests += 1
        reply = await self.client.get_runs_light(
            entity=ENTITY, project=PROJECT, cursor=cursor, per_page=self.per_page
        )
        return names_page(reply.project)


def run_names(api: Api, *, per_page: int) -> RunNames:
    """``RunNames`` on ``api``'s session, or ``AsyncRunNames`` for a bridged ``AsyncApi``."""
    return on_session(api, RunNames, AsyncRunNames, per_page=per_page)


@pytest.fixture(scope="module", autouse=True)
def seeded(local_server: RunningServer) -> None:
    seed_runs(
        local_server.base_url, local_server.api_key, ENTITY, PROJECT, [SeedRun(n) for n in NAMES]
    )


@pytest.mark.parametrize("per_page", [1, 3, 7, 1000])
def test_every_run_once_in_order(api: Api, per_page: int) -> None:
    names = run_names(api, per_page=per_page)
    assert list(names) == NAMES
    assert names.requests == -(-len(NAMES) // per_page)


def test_len_index_and_slices_over_real_cursors(api: Api, flavour: Flavour) -> None:
    names = run_names(api, per_page=3)
    assert len(names) == 7
    class_name = {"sync": "RunNames", "async": "AsyncRunNames"}[flavour]
    assert repr(names) == f"<{class_name} loaded=3 total=7>", "len() needs only the first page"
    assert names[-1] == "run-6"
    assert names[2:5] == NAMES[2:5]
    assert names[::-2] == NAMES[::-2]


def test_pages_follow_the_server_page_size(api: Api) -> None:
    pages = list(run_names(api, per_page=3).pages())
    assert [len(page.items) for page in pages] == [3, 3, 1]
    assert [page.has_next for page in pages] == [True, True, False]
