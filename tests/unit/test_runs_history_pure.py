"""The pure parts of runs/history: docstring examples, filter encoding, scan windows,
config/summary mappings (no server needed)."""

from __future__ import annotations

import threading

import pytest
from thread_support import join_threads

from wandb_typed._json import JSONObject
from wandb_typed.errors import InvalidArgumentError
from wandb_typed.pagination import raw_next_cursor
from wandb_typed.paths import app_url
from wandb_typed.runs import RunConfig, RunSummary
from wandb_typed.runs._sync.history import WINDOWS_IN_FLIGHT, stream_windows
from wandb_typed.runs.filters import encode_filters
from wandb_typed.runs.history_spec import scan_bounds, scan_spec, scan_windows


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://api.wandb.ai", "https://wandb.ai"),
        ("https://api.wandb.ai/", "https://wandb.ai"),
        ("https://wandb.mycorp.com", "https://wandb.mycorp.com"),
        ("https://api.example.com", "https://api.example.com"),
        ("http://localhost:8080/wandb", "http://localhost:8080/wandb"),
    ],
)
def test_app_url(base_url: str, expected: str) -> None:
    assert app_url(base_url) == expected


def test_filters_are_compact_json() -> None:
    assert encode_filters(None) == "{}"
    assert encode_filters({"$and": [{"tags": None}]}) == '{"$and":[{"tags":null}]}'


@pytest.mark.parametrize("bad", [float("inf"), {1, 2}, b"x", {"k": object()}])
def test_non_json_filter_values(bad: object) -> None:
    with pytest.raises(InvalidArgumentError, match=r"filters\['x'\]"):
        encode_filters({"x": bad})


@pytest.mark.parametrize(
    ("last", "low", "high", "expected"),
    [
        (-1, None, None, (0, 0)),
        (0, None, None, (0, 1)),
        (9, 3, 5, (3, 5)),
        (9, 3, 50, (3, 10)),
        (9, 20, None, (20, 20)),
        (9, 6, 2, (6, 6)),
    ],
)
def test_scan_bounds(
    last: int, low: int | None, high: int | None, expected: tuple[int, int]
) -> None:
    assert scan_bounds(last, low, high) == expected


def test_windows_cover_the_range_once() -> None:
    windows = list(scan_windows(5, 27, 10))
    assert windows == [(5, 15), (15, 25), (25, 27)]
    assert list(scan_windows(5, 5, 10)) == []


def test_scan_spec_keeps_step_first_once() -> None:
    spec = scan_spec(["_step", "a"], min_step=10, max_step=20, samples=10)
    assert spec == '{"keys":["_step","a"],"minStep":10,"maxStep":19,"samples":10}'


def test_stream_windows_holds_no_more_than_it_must() -> None:
    fetched: list[tuple[int, int]] = []

    def fetch(begin: int, end: int) -> list[JSONObject]:
        fetched.append((begin, end))
        return [{"_step": step} for step in range(begin, end)]

    rows = stream_windows(fetch, scan_windows(0, 100, 10), prefetch=False)
    assert next(rows) == {"_step": 0}
    assert fetched == [(0, 10)]
    assert [row["_step"] for row in rows] == list(range(1, 100))
    assert len(fetched) == 10


def test_stream_windows_keeps_a_bounded_number_of_windows_in_flight() -> None:
    assert WINDOWS_IN_FLIGHT < 9  # the scan below has 10 windows
    fetched: list[int] = []
    lock = threading.Lock()

    def fetch(begin: int, end: int) -> list[JSONObject]:
        with lock:
            fetched.append(begin)
        return [{"_step": step} for step in range(begin, end)]

    rows = stream_windows(fetch, scan_windows(0, 100, 10))
    assert next(rows) == {"_step": 0}
    join_threads("-read-ahead")
    # Window 0 is being consumed; WINDOWS_IN_FLIGHT more are requested or held; the next
    # waits for the consumer to take window 1.
    assert sorted(fetched) == [10 * window for window in range(WINDOWS_IN_FLIGHT + 1)]
    assert [row["_step"] for row in rows] == list(range(1, 100))
    assert sorted(fetched) == list(range(0, 100, 10))


def test_stream_windows_surfaces_prefetch_errors() -> None:
    def fetch(begin: int, end: int) -> list[JSONObject]:
        if begin:
            raise RuntimeError(f"window {begin} failed")
        return [{"_step": 0}]

    rows = stream_windows(fetch, scan_windows(0, 2, 1))
    assert next(rows) == {"_step": 0}
    with pytest.raises(RuntimeError, match="window 1 failed"):
        next(rows)


def test_config_round_trip_keeps_raw_entries() -> None:
    stored: JSONObject = {
        "lr": {"value": 0.1, "desc": None},
        "_wandb": {"value": {"t": 1}},
        "plain": 3,
    }
    config = RunConfig.from_stored(stored)
    assert dict(config) == {"lr": 0.1, "plain": 3}
    config["lr"] = 0.2
    del config["plain"]
    assert config.to_stored() == {"lr": {"value": 0.2, "desc": None}, "_wandb": {"value": {"t": 1}}}


def test_summary_writes_whole_document() -> None:
    saved: list[JSONObject] = []
    summary = RunSummary({"a": 1}, save=saved.append)
    summary["b"] = 2
    assert saved == []
    summary.update(c=3)
    assert saved == [{"a": 1, "b": 2, "c": 3}]


def test_detached_summary_cannot_be_saved() -> None:
    with pytest.raises(RuntimeError, match="not attached to a run"):
        RunSummary({"a": 1}).save()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"project": {"runs": {"pageInfo": {"hasNextPage": True, "endCursor": "c9"}}}}, "c9"),
        (
            {
                "project": {
                    "runs": {
                        "pageInfo": {"hasNextPage": True, "endCursor": None},
                        "edges": [{"cursor": "c1"}, {"cursor": "c2"}],
                    }
                }
            },
            "c2",
        ),
        ({"project": {"runs": {"pageInfo": {"hasNextPage": False, "endCursor": "c9"}}}}, None),
        ({"project": None}, None),
        ({"project": {"runs": None}}, None),
        ({"project": {"runs": {"pageInfo": "not an object"}}}, None),
        ({"project": {"runs": {"pageInfo": {"hasNextPage": True, "endCursor": 7}}}}, None),
        ({}, None),
    ],
)
def test_next_cursor_reads_a_raw_reply_and_never_raises(
    data: dict[str, object], expected: str | None
) -> None:
    # A reply of an unexpected shape gives no cursor; validating it reports the problem.
    assert raw_next_cursor(data, ("project", "runs")) == expected
