"""Decoding W&B's JSON-in-a-string fields, config (un)wrapping, and data frame building."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wandb_typed._json import decode, decode_object, unwrap_config, wrap_config
from wandb_typed.dataframes import columns_of, to_pandas, to_polars
from wandb_typed.errors import InvalidResponseError


def test_decode_reads_non_finite_tokens() -> None:
    row = decode_object('{"a": NaN, "b": Infinity, "c": -Infinity}', what="a history row")
    assert math.isnan(row["a"])  # type: ignore[arg-type]
    assert row["b"] == math.inf
    assert row["c"] == -math.inf


def test_decode_tolerates_control_characters_like_wandb() -> None:
    assert decode('{"note": "line\tbreak"}', what="notes") == {"note": "line\tbreak"}


@pytest.mark.parametrize("text", [None, "", "null"])
def test_nothing_yet_reads_as_empty_object(text: str | None) -> None:
    assert decode_object(text, what="summary") == {}


def test_errors_name_what_was_malformed() -> None:
    with pytest.raises(InvalidResponseError, match="summary that is not JSON"):
        decode_object("{not json", what="summary")
    with pytest.raises(InvalidResponseError, match="config as JSON list"):
        decode_object("[1, 2]", what="config")


def test_unwrap_config_separates_sdk_keys() -> None:
    stored = {
        "lr": {"value": 0.1, "desc": None},
        "opt": {"value": {"name": "adam"}, "desc": None},
        "_wandb": {"value": {"t": {"1": [1]}}},
        "wandb_version": {"value": "0.31.0"},
        "legacy": 3,
    }
    config, raw = unwrap_config(stored)
    assert config == {"lr": 0.1, "opt": {"name": "adam"}, "legacy": 3}
    assert set(raw) == {"_wandb", "wandb_version"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@given(
    st.dictionaries(st.text().filter(lambda k: k not in {"_wandb", "wandb_version"}), json_values)
)
def test_wrap_then_unwrap_is_identity(config: dict[str, object]) -> None:
    unwrapped, raw = unwrap_config(wrap_config(config, {}))  # type: ignore[arg-type]
    assert unwrapped == config
    assert raw == {}


ROWS = [{"_step": 0, "loss": 1.0}, {"_step": 1, "acc": 0.5}, {"_step": 2, "loss": 0.5, "tag": "x"}]


def test_columns_in_order_of_first_appearance() -> None:
    assert columns_of(ROWS) == ["_step", "loss", "acc", "tag"]


def test_pandas_frame_fills_missing_with_nan() -> None:
    frame = to_pandas(ROWS)
    assert list(frame.columns) == ["_step", "loss", "acc", "tag"]
    assert frame["_step"].tolist() == [0, 1, 2]
    assert math.isnan(frame["loss"][1])
    assert frame["tag"].tolist()[2] == "x"


def test_polars_frame_widens_mixed_columns() -> None:
    frame = to_polars([{"x": 1}, {"x": 2.5}, {"y": "s"}])
    assert frame.columns == ["x", "y"]
    assert frame["x"].to_list() == [1.0, 2.5, None]
    assert frame["y"].to_list() == [None, None, "s"]


def test_empty_frames_keep_the_requested_columns() -> None:
    assert list(to_pandas([], columns=["_step", "loss"]).columns) == ["_step", "loss"]
    assert to_polars([], columns=["_step"]).columns == ["_step"]
