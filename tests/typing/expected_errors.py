"""Mistakes a type checker must catch: each line below is an error, and its ``# type: ignore``
must be needed (mypy's warn_unused_ignores and pyright's reportUnnecessaryTypeIgnoreComment
fail the build if a line stops being an error, i.e. if a type got looser)."""

from __future__ import annotations

from wandb_typed import Api, AsyncApi, AsyncRuns, Run
from wandb_typed._json import JSONObject


def misuse_sync(api: Api, run: Run) -> None:
    api.run(123)  # type: ignore[arg-type]
    api.runs("team/vision", per_page="10")  # type: ignore[arg-type]
    print(run.no_such_field)  # type: ignore[attr-defined]
    run.id = "other"  # type: ignore[misc]
    rows: list[JSONObject] = run.history()  # type: ignore[assignment]
    print(rows)
    run.history(format="csv")  # type: ignore[call-overload]
    frame = run.history(pandas=False)
    frame.to_csv("out.csv")  # type: ignore[attr-defined]


async def misuse_async(api: AsyncApi, runs: AsyncRuns) -> None:
    listing: AsyncRuns = api.runs("team/vision")  # type: ignore[assignment]
    len(runs)  # type: ignore[arg-type]
    for _ in runs:  # type: ignore[misc]  # an async listing takes `async for`
        break
    run = await api.run("team/vision/abc123")
    run.config["lr"]  # type: ignore[index]
    print(listing, rows_of(run.history()))  # type: ignore[arg-type]


def rows_of(rows: list[JSONObject]) -> int:
    return len(rows)
