"""``Run.history`` (W&B's server-side sampling, keys, x axis, system metrics, frames) and
``Runs.histories``, end to end against history logged through file_stream, in both flavours."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import httpx
import pytest
from runs_support import ENTITY, OperationSpy

from wandb_typed import Api
from wandb_typed.errors import InvalidArgumentError, NotFoundError
from wandb_typed_server import RunningServer
from wandb_typed_server.testing.seed import SeedRun, seed_runs

PROJECT = "e2e-history-read"
SHARED_API = True  # one client per flavour: no test here needs a fresh one (conftest.api)
STEPS = 1000
SPARSE_EVERY = 10


def logged_row(step: int) -> dict[str, object]:
    row: dict[str, object] = {"loss": 1.0 / (step + 1), "epoch": step // 100}
    if step % SPARSE_EVERY == 0:
        row["val_acc"] = step / STEPS
    if step == 500:
        row["loss"] = float("nan")
    return row


@pytest.fixture(scope="module", autouse=True)
def seeded(local_server: RunningServer) -> None:
    """The runs every test reads: ``long`` (with system metrics), ``short`` and ``empty``."""
    seed_runs(
        local_server.base_url,
        local_server.api_key,
        ENTITY,
        PROJECT,
        [
            SeedRun("long", history=[logged_row(step) for step in range(STEPS)]),
            SeedRun("short", history=[{"loss": 0.5}, {"loss": 0.25}]),
            SeedRun("empty"),
        ],
    )
    events = [json.dumps({"_runtime": t, "system.cpu": 10.0 + t}) for t in range(30)]
    httpx.post(
        f"{local_server.base_url}/files/{ENTITY}/{PROJECT}/long/file_stream",
        json={"files": {"wandb-events.jsonl": {"offset": 0, "content": events}}},
        auth=("api", local_server.api_key),
    ).raise_for_status()


def test_all_rows_when_samples_exceed_them(api: Api) -> None:
    rows = api.run(f"{ENTITY}/{PROJECT}/short").history(pandas=False)
    assert rows == [{"_step": 0, "loss": 0.5}, {"_step": 1, "loss": 0.25}]


def test_samples_spread_over_the_run(api: Api) -> None:
    rows = api.run(f"{ENTITY}/{PROJECT}/long").history(samples=10, pandas=False)
    steps = [row["_step"] for row in rows]
    assert len(rows) == 10
    assert steps[0] == 0
    assert steps[-1] == STEPS - 1
    assert steps == sorted(set(steps))  # type: ignore[type-var]
    for row in rows:
        assert row["epoch"] == int(str(row["_step"])) // 100


def test_default_samples_is_500(api: Api) -> None:
    rows = api.run(f"{ENTITY}/{PROJECT}/long").history(pandas=False)
    assert len(rows) == 500


def test_nan_survives(api: Api) -> None:
    rows = api.run(f"{ENTITY}/{PROJECT}/long").history(samples=STEPS, pandas=False)
    assert math.isnan(float(rows[500]["loss"]))  # type: ignore[arg-type]


def test_keys_keep_only_rows_with_them(api: Api) -> None:
    rows = api.run(f"{ENTITY}/{PROJECT}/long").history(samples=1000, keys=["val_acc"], pandas=False)
    assert len(rows) == STEPS // SPARSE_EVERY
    assert rows[0] == {"_step": 0, "val_acc": 0.0}
    assert all(set(row) == {"_step", "val_acc"} for row in rows)


def test_keys_are_sampled_too(api: Api) -> None:
    rows = api.run(f"{ENTITY}/{PROJECT}/long").history(samples=7, keys=["val_acc"], pandas=False)
    assert len(rows) == 7
    assert rows[0]["_step"] == 0
    assert rows[-1]["_step"] == STEPS - SPARSE_EVERY


def test_x_axis(api: Api) -> None:
    rows = api.run(f"{ENTITY}/{PROJECT}/long").history(
        samples=5, keys=["val_acc"], x_axis="epoch", pandas=False
    )
    assert all(set(row) == {"epoch", "val_acc"} for row in rows)
    assert rows[-1] == {"epoch": 9, "val_acc": 0.99}


def test_system_stream(api: Api) -> None:
    rows = api.run(f"{ENTITY}/{PROJECT}/long").history(samples=5, stream="system", pandas=False)
    assert len(rows) == 5
    assert rows[0]["system.cpu"] == 10.0
    assert rows[-1]["system.cpu"] == 39.0


def test_keys_with_system_stream_is_an_error(api: Api) -> None:
    run = api.run(f"{ENTITY}/{PROJECT}/long")
    with pytest.raises(InvalidArgumentError, match="keys can only be given with stream='default'"):
        run.history(keys=["loss"], stream="system")


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"samples": 0}, "samples"),
        ({"keys": "loss"}, "keys must be a list"),
        ({"stream": "gpu"}, "stream must be"),
        ({"x_axis": ""}, "x_axis"),
    ],
)
def test_bad_history_arguments(api: Api, kwargs: dict[str, object], named: str) -> None:
    run = api.run(f"{ENTITY}/{PROJECT}/short")
    with pytest.raises(InvalidArgumentError, match=named):
        run.history(**kwargs)  # type: ignore[call-overload]


def test_empty_run_has_no_history(api: Api) -> None:
    run = api.run(f"{ENTITY}/{PROJECT}/empty")
    assert run.history(pandas=False) == []
    assert run.lastHistoryStep == -1
    assert list(run.scan_history()) == []


def test_pandas_and_polars_frames(api: Api) -> None:
    run = api.run(f"{ENTITY}/{PROJECT}/long")
    frame = run.history(samples=10, keys=["val_acc"])
    assert list(frame.columns) == ["_step", "val_acc"]
    assert len(frame) == 10
    polars_frame = run.history(samples=10, keys=["val_acc"], format="polars")
    assert polars_frame.columns == ["_step", "val_acc"]
    assert polars_frame["_step"].to_list() == list(frame["_step"])
    # Compared as JSON text: the rows hold NaN, and a NaN equals no other NaN object.
    default_rows = json.dumps(run.history(samples=3, format="default"))
    assert default_rows == json.dumps(run.history(samples=3, pandas=False))


def test_history_of_a_deleted_run(local_server: RunningServer, api: Api) -> None:
    run = api.create_run(run_id="gone", project=PROJECT, entity=ENTITY)
    api.run(f"{ENTITY}/{PROJECT}/gone").delete()
    with pytest.raises(NotFoundError, match="gone"):
        run.history()


def test_histories_of_runs(make_api: Callable[..., Api]) -> None:
    spy = OperationSpy()
    with make_api(spy) as api:
        runs = api.runs(
            f"{ENTITY}/{PROJECT}", filters={"name": {"$in": ["long", "short"]}}, per_page=1
        )
        rows = runs.histories(samples=3, keys=["loss"])
        # Both runs' histories in one request (tests/e2e/test_histories_batched.py).
        assert spy.count("GetRunsSampledHistory") == 1
        assert spy.count("GetRunSampledHistory") == 0
        assert [(row["run_id"], row["_step"]) for row in rows] == [
            ("long", 0),
            ("long", 500),
            ("long", 999),
            ("short", 0),
            ("short", 1),
        ]
        frame = runs.histories(samples=3, keys=["loss"], format="pandas")
        assert list(frame["run_id"]) == ["long"] * 3 + ["short"] * 2
        polars_frame = runs.histories(samples=3, format="polars")
        assert polars_frame["run_id"].to_list() == ["long"] * 3 + ["short"] * 2
