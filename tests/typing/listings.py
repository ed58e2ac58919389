"""The generic listing types, as a user's own helper functions would take them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence

from typing_extensions import assert_type

from wandb_typed import AsyncPaginator, AsyncRun, Page, Paginator, Run


def first_names(listing: Paginator[Run], limit: int) -> list[str]:
    names = [run.name for run in listing]
    assert_type(listing[0], Run)
    assert_type(listing[0:limit], list[Run])
    assert_type(len(listing), int)
    assert_type(listing.total, int | None)
    assert_type(listing.total_count(), int)
    assert_type(listing.is_empty(), bool)
    assert_type(listing.pages(), Iterator[Page[Run]])
    assert_type(listing.per_page, int)
    assert_type(listing.connection_path, Sequence[str])
    assert_type(listing.close(), None)
    return names[:limit]


async def first_names_async(listing: AsyncPaginator[AsyncRun], limit: int) -> list[str]:
    names = [run.name async for run in listing]
    assert_type(await listing[0], AsyncRun)
    assert_type(await listing[0:limit], list[AsyncRun])
    assert_type(listing.total, int | None)
    assert_type(await listing.total_count(), int)
    assert_type(await listing.is_empty(), bool)
    assert_type(listing.pages(), AsyncIterator[Page[AsyncRun]])
    assert_type(listing.per_page, int)
    assert_type(listing.connection_path, Sequence[str])
    assert_type(listing.close(), None)
    return names[:limit]


def page_items(page: Page[Run]) -> Sequence[Run]:
    assert_type(page.end_cursor, str | None)
    assert_type(page.has_next, bool)
    assert_type(page.total, int | None)
    assert_type(page.items, Sequence[Run])
    return page.items
