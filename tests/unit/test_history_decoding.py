"""Decoding a page of history lines at once gives what decoding each line alone gives:
the same rows, and the same errors naming a bad line."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wandb_typed._json import JSONObject, decode_object
from wandb_typed.errors import InvalidResponseError
from wandb_typed.runs.history_spec import decode_history_lines

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
rows = st.dictionaries(st.text(max_size=6), values, max_size=5)


def one_by_one(lines: list[str | None]) -> list[JSONObject]:
    return [decode_object(line, what="a history row") for line in lines if line]


def same(left: object, right: object) -> bool:
    """Equality that takes NaN as equal to NaN."""
    if isinstance(left, float) and isinstance(right, float):
        return (math.isnan(left) and math.isnan(right)) or left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(same, left, right))
    return type(left) is type(right) and left == right


@given(st.lists(st.one_of(st.none(), rows.map(json.dumps)), max_size=12))
def test_a_page_decodes_as_its_lines_do(lines: list[str | None]) -> None:
    assert same(decode_history_lines(lines, what="history"), one_by_one(lines))


@pytest.mark.parametrize(
    "lines",
    [
        ['{"_step": 0, "loss": NaN, "x": -Infinity}'],
        ['{"_step": 0, "note": "a\tb"}'],  # a raw control character (not strict JSON)
        ["null", '{"_step": 1}'],  # a JSON null row reads as an empty row
        ["", None, '{"_step": 2}'],
    ],
)
def test_unusual_lines_decode_as_their_lines_do(lines: list[str | None]) -> None:
    assert same(decode_history_lines(lines, what="history"), one_by_one(lines))


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"_step": 0}', "[1, 2]"], "history row as JSON list, expected an object"),
        (['{"_step": 0}, {"_step": 1}'], "history row that is not JSON"),
        (['{"_step": 0}', "{"], "history row that is not JSON"),
        (["1, 2", '{"_step": 0}'], "history row that is not JSON"),
    ],
)
def test_a_bad_line_is_named_as_before(lines: list[str | None], message: str) -> None:
    with pytest.raises(InvalidResponseError, match=message):
        decode_history_lines(lines, what="history")
