"""Pure helpers of the reports domain: a report's run-set filter tree as a Mongo-style runs
filter, its sort key as a runs order, its URL and HTML, and the checks of a custom chart
preset (shared by both flavours).

A report's spec keeps, per section (panel group), run sets whose ``filters`` are a tree of
``{"op": "OR"|"AND", "filters": [...]}`` groups and ``{"key": {"section", "name"}, "op",
"value"}`` leaves; ``wandb`` turns it into the Mongo form ``Api.runs`` takes.

Example:
    >>> tree = {"op": "OR", "filters": [{"op": "AND", "filters": [
    ...     {"key": {"section": "run", "name": "state"}, "op": "=", "value": "finished"},
    ...     {"key": {"section": "config", "name": "lr"}, "op": ">=", "value": 0.01}]}]}
    >>> filter_to_mongo(tree)
    {'$or': [{'$and': [{'state': 'finished'}, {'config.lr': {'$gte': 0.01}}]}]}
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from wandb_typed.errors import InvalidArgumentError

__all__ = [
    "CHART_ACCESS",
    "CHART_SPEC_TYPES",
    "ReportUser",
    "chart_spec_text",
    "filter_to_mongo",
    "key_to_server_path",
    "report_html",
    "report_url",
    "run_set_query",
]

_LEAF_OPERATORS = {
    "!=": "$ne",
    ">": "$gt",
    ">=": "$gte",
    "<": "$lt",
    "<=": "$lte",
    "IN": "$in",
    "NIN": "$nin",
    "REGEX": "$regex",
}
_GROUP_OPERATORS = {"AND": "$and", "OR": "$or"}
_SECTION_PREFIXES = {
    "config": "config.",
    "summary": "summary_metrics.",
    "keys_info": "keys_info.keys.",
    "run": "",
    "tags": "tags.",
}
CHART_SPEC_TYPES = ("vega2",)
CHART_ACCESS = ("private", "public")


@dataclass(frozen=True)
class ReportUser:
    """Who saved a report."""

    username: str | None
    name: str | None
    email: str | None
    photo_url: str | None


def key_to_server_path(key: Mapping[str, Any]) -> str:
    """A run-set key (``{"section": "config", "name": "lr"}``) as a runs field path.

    Raises:
        InvalidArgumentError: an unknown section.

    Example:
        >>> key_to_server_path({"section": "summary", "name": "loss"})
        'summary_metrics.loss'
    """
    section = key.get("section")
    prefix = _SECTION_PREFIXES.get(str(section))
    if prefix is None:
        raise InvalidArgumentError(f"report run-set key has an unknown section: {key!r}")
    return f"{prefix}{key.get('name')}"


def _leaf_to_mongo(leaf: Mapping[str, Any]) -> dict[str, Any] | None:
    key = leaf["key"]
    op = leaf.get("op")
    value = leaf.get("value")
    if not key.get("name") or leaf.get("disabled"):
        return None
    if value is None and op not in ("=", "!="):
        return None
    if key.get("section") == "tags":
        if op == "IN":
            return {"tags": {"$in": value}}
        if value is False:
            return {"$or": [{"tags": None}, {"tags": {"$ne": key["name"]}}]}
        return {"tags": key["name"]}
    path = key_to_server_path(key)
    if op == "=":
        return {path: value}
    if op not in _LEAF_OPERATORS:
        raise InvalidArgumentError(f"report run-set filter has an unknown operator {op!r}")
    return {path: {_LEAF_OPERATORS[op]: value}}


def filter_to_mongo(tree: Mapping[str, Any]) -> dict[str, Any] | None:
    """A run-set filter tree in Mongo form (a leaf that filters nothing gives None)."""
    if tree.get("key") is not None:
        return _leaf_to_mongo(tree)
    if tree.get("filters") is not None:
        op = _GROUP_OPERATORS.get(str(tree.get("op")))
        if op is None:
            raise InvalidArgumentError(f"report run-set group has an unknown op {tree.get('op')!r}")
        return {op: [filter_to_mongo(child) for child in tree["filters"]]}
    return None


def run_set_query(section: Mapping[str, Any], only_selected: bool) -> tuple[dict[str, Any], str]:
    """``(filters, order)`` of a section's open run set, as ``BetaReport.runs`` queries.

    ``only_selected`` adds the run set's selected runs (``selections.tree``) to the first
    ``AND`` group, as ``wandb`` does.

    Raises:
        InvalidArgumentError: the section has no such run set, or its filter cannot convert.

    Example:
        >>> run_set_query({"runSets": [{"filters": {"op": "OR", "filters": [
        ...     {"op": "AND", "filters": []}]}, "sort": {"key": {"section": "run",
        ...     "name": "createdAt"}, "ascending": False}, "selections": {"tree": ["a"]}}]}, True)
        ({'$or': [{'$and': [{'name': {'$in': ['a']}}]}]}, '-createdAt')
    """
    found: object = section.get("runSets")
    index: object = section.get("openRunSet", 0)
    run_sets = cast("list[Mapping[str, Any]]", found) if isinstance(found, list) else None
    if run_sets is None or not isinstance(index, int) or index >= len(run_sets):
        raise InvalidArgumentError("the report section has no run set to read runs from")
    run_set = run_sets[index]
    sort: Mapping[str, Any] = run_set.get("sort") or {}
    sort_key: Mapping[str, Any] = sort.get("key") or {"section": "run", "name": "createdAt"}
    order = ("+" if sort.get("ascending") else "-") + key_to_server_path(sort_key)
    filters: dict[str, Any] = filter_to_mongo(run_set.get("filters") or {}) or {}
    if only_selected:
        try:
            first_group = filters["$or"][0]["$and"]
        except (KeyError, IndexError, TypeError) as exc:
            raise InvalidArgumentError(
                "the run set's filter has no OR/AND group to add its selected runs to"
            ) from exc
        selections: Mapping[str, Any] = run_set.get("selections") or {}
        selected: list[object] = list(selections.get("tree") or [])
        first_group.append({"name": {"$in": selected}})
    return filters, order


def report_url(app: str, entity: str, project: str, display_name: str | None, id: str) -> str:
    """A report's page: ``.../entity/project/reports/Title--ID`` (non-word characters of the
    title become ``-``; the id loses its base64 padding).

    Example:
        >>> report_url("https://wandb.ai", "team", "vision", "Loss: v2!", "Vmlldzox")
        'https://wandb.ai/team/vision/reports/Loss-v2--Vmlldzox'
    """
    slug = re.sub(r"-+", "-", re.sub(r"\W", "-", display_name or "")).strip("-")
    return f"{app}/{entity}/{project}/reports/{urllib.parse.quote(slug)}--{id.replace('=', '')}"


def report_html(url: str, height: int = 1024, hidden: bool = False) -> str:
    """An iframe showing the report (hidden: ``display:none``).

    Example:
        >>> report_html("https://wandb.ai/t/p/reports/X--V", height=10)
        "<iframe src='https://wandb.ai/t/p/reports/X--V?jupyter=true' style='border:none;width:100%;height:10px;'></iframe>"
    """
    style = f"border:none;width:100%;height:{height}px;"
    if hidden:
        style += "display:none;"
    return f"<iframe src={url + '?jupyter=true'!r} style={style!r}></iframe>"


def chart_spec_text(spec: str | Mapping[str, Any], spec_type: str, access: str) -> str:
    """A custom chart preset's spec as JSON text, after checking ``spec_type`` and ``access``.

    Raises:
        InvalidArgumentError: naming ``spec_type``, ``access`` or ``spec``.

    Example:
        >>> chart_spec_text({"mark": "bar"}, "vega2", "private")
        '{"mark": "bar"}'
    """
    if spec_type not in CHART_SPEC_TYPES:
        raise InvalidArgumentError(
            f"spec_type must be one of {', '.join(CHART_SPEC_TYPES)}, got {spec_type!r}"
        )
    if access.lower() not in CHART_ACCESS:
        raise InvalidArgumentError(f"access must be 'private' or 'public', got {access!r}")
    if isinstance(spec, str):
        try:
            json.loads(spec)
        except json.JSONDecodeError as exc:
            raise InvalidArgumentError(f"spec is not valid JSON: {exc}") from exc
        return spec
    try:
        return json.dumps(spec)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"spec cannot be written as JSON: {exc}") from exc
