"""The pure helpers of the sweeps and reports domains: a sweep's YAML config and run order,
a report's run-set filter tree in Mongo form, its URL, and custom chart checks."""

from __future__ import annotations

from typing import Any

import pytest

from wandb_typed.errors import InvalidArgumentError, InvalidResponseError
from wandb_typed.reports.report_data import (
    chart_spec_text,
    filter_to_mongo,
    report_url,
    run_set_query,
)
from wandb_typed.sweeps.sweep_data import format_order_key, metric_order, parse_sweep_config


def leaf(section: str, name: str, op: str, value: Any, **extra: Any) -> dict[str, Any]:
    return {"key": {"section": section, "name": name}, "op": op, "value": value, **extra}


@pytest.mark.parametrize(
    ("tree", "mongo"),
    [
        (leaf("run", "state", "=", "finished"), {"state": "finished"}),
        (leaf("summary", "acc", ">", 0.9), {"summary_metrics.acc": {"$gt": 0.9}}),
        (leaf("config", "opt", "IN", ["adam"]), {"config.opt": {"$in": ["adam"]}}),
        (leaf("run", "displayName", "REGEX", "^a"), {"displayName": {"$regex": "^a"}}),
        (leaf("tags", "best", "=", True), {"tags": "best"}),
        (leaf("tags", "best", "=", False), {"$or": [{"tags": None}, {"tags": {"$ne": "best"}}]}),
        (leaf("tags", "x", "IN", ["a", "b"]), {"tags": {"$in": ["a", "b"]}}),
        (leaf("run", "state", "=", "x", disabled=True), None),
        (leaf("run", "", "=", "x"), None),
        (leaf("config", "lr", ">", None), None),
        (
            {"op": "AND", "filters": [leaf("run", "state", "!=", "crashed")]},
            {"$and": [{"state": {"$ne": "crashed"}}]},
        ),
    ],
)
def test_filter_to_mongo(tree: dict[str, Any], mongo: dict[str, Any] | None) -> None:
    assert filter_to_mongo(tree) == mongo


def test_filter_to_mongo_names_what_it_cannot_convert() -> None:
    with pytest.raises(InvalidArgumentError, match="unknown operator '~'"):
        filter_to_mongo(leaf("run", "state", "~", "x"))
    with pytest.raises(InvalidArgumentError, match="unknown section"):
        filter_to_mongo(leaf("media", "x", "=", 1))
    with pytest.raises(InvalidArgumentError, match="unknown op 'XOR'"):
        filter_to_mongo({"op": "XOR", "filters": []})


def test_run_set_query_needs_a_group_to_add_the_selection_to() -> None:
    section = {"runSets": [{"filters": leaf("run", "state", "=", "finished")}]}
    assert run_set_query(section, only_selected=False) == ({"state": "finished"}, "-createdAt")
    with pytest.raises(InvalidArgumentError, match="OR/AND group"):
        run_set_query(section, only_selected=True)
    with pytest.raises(InvalidArgumentError, match="no run set"):
        run_set_query({"runSets": [], "openRunSet": 0}, only_selected=False)


def test_report_url_quotes_the_title() -> None:
    url = report_url("http://h", "t", "p", "Ünïcode  report", "Vmlldzoy==")
    assert url == "http://h/t/p/reports/%C3%9Cn%C3%AFcode-report--Vmlldzoy"


@pytest.mark.parametrize(
    ("spec", "spec_type", "access", "named"),
    [
        ({}, "vega", "private", "spec_type"),
        ({}, "vega2", "team", "access"),
        ("[1,", "vega2", "public", "spec is not valid JSON"),
        ({"x": {1, 2}}, "vega2", "public", "spec cannot be written as JSON"),
    ],
)
def test_chart_checks_name_the_bad_argument(
    spec: Any, spec_type: str, access: str, named: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=named):
        chart_spec_text(spec, spec_type, access)


def test_chart_access_is_case_insensitive_and_a_text_spec_is_kept() -> None:
    assert chart_spec_text('{"mark":"bar"}', "vega2", "PUBLIC") == '{"mark":"bar"}'


@pytest.mark.parametrize(
    ("key", "order"),
    [
        ("loss", "-summary_metrics.loss"),
        ("+loss", "+summary_metrics.loss"),
        ("-config.lr", "-config.lr"),
        ("+createdAt", "+createdAt"),
        ("eval.acc", "-summary_metrics.eval.acc"),
        ("+tags.best", "+tags.best"),
    ],
)
def test_format_order_key(key: str, order: str) -> None:
    assert format_order_key(key) == order


def test_metric_order_and_config_parsing() -> None:
    assert metric_order({"method": "grid"}) is None
    assert metric_order({"metric": {"name": "loss"}}) == "+summary_metrics.loss"
    assert parse_sweep_config("") == {}
    with pytest.raises(InvalidResponseError, match="not a mapping"):
        parse_sweep_config("- a\n- b\n")
    with pytest.raises(InvalidResponseError, match="not valid YAML"):
        parse_sweep_config("a: [1,\n")
