"""The Paginator over a real Relay connection: runs of the local server, seeded over the wire."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from wandb_typed import Api, Page, Paginator
from wandb_typed_server import RunningServer
from wandb_typed_server.testing.seed import SeedRun, seed_runs

ENTITY = "admin"
PROJECT = "paginator-live"
NAMES = [f"run-{i}" for i in range(7)]


class RunNames(Paginator[str]):
    """Names of a project's runs, oldest first; the smallest real paginator there is."""

    def __init__(self, api: Api, *, per_page: int) -> None:
        super().__init__(per_page=per_page)
        self.api = api
        self.requests = 0

    def _fetch(self, cursor: str | None, on_data: object = None) -> Page[str]:
        self.requests += 1
        project = self.api.client.get_runs_light(
            entity=ENTITY, project=PROJECT, cursor=cursor, per_page=self.per_page
        ).project
        assert project is not None
        runs = project.runs
        assert runs is not None
        return Page(
            [edge.node.name for edge in runs.edges if edge.node is not None],
            end_cursor=runs.page_info.end_cursor,
            has_next=runs.page_info.has_next_page,
            total=project.run_count,
        )


@pytest.fixture(scope="module")
def seeded(local_server: RunningServer) -> RunningServer:
    seed_runs(
        local_server.base_url, local_server.api_key, ENTITY, PROJECT, [SeedRun(n) for n in NAMES]
    )
    return local_server


@pytest.fixture
def api(seeded: RunningServer) -> Iterator[Api]:
    with Api(api_key=seeded.api_key, overrides={"base_url": seeded.base_url}) as api:
        yield api


@pytest.mark.parametrize("per_page", [1, 3, 7, 1000])
def test_every_run_once_in_order(api: Api, per_page: int) -> None:
    names = RunNames(api, per_page=per_page)
    assert list(names) == NAMES
    assert names.requests == -(-len(NAMES) // per_page)


def test_len_index_and_slices_over_real_cursors(api: Api) -> None:
    names = RunNames(api, per_page=3)
    assert len(names) == 7
    assert repr(names) == "<RunNames loaded=3 total=7>", "len() needs only the first page"
    assert names[-1] == "run-6"
    assert names[2:5] == NAMES[2:5]
    assert names[::-2] == NAMES[::-2]


def test_pages_follow_the_server_page_size(api: Api) -> None:
    pages = list(RunNames(api, per_page=3).pages())
    assert [len(page.items) for page in pages] == [3, 3, 1]
    assert [page.has_next for page in pages] == [True, True, False]
