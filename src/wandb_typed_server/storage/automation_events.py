"""The event engine: which enabled triggers a write matches, and the deliveries it owes.

Every hook runs inside the transaction of the write that caused the event (a file_stream
batch, a run's state change, an artifact mutation). It finds the enabled triggers of that
event type whose scope holds the object, evaluates their filters, renders the action's
payload with the event's variables, and records one ``automation_deliveries`` row per
match, keyed ``(trigger, event key)`` so a re-sent file_stream batch or a retried request
never owes the same delivery twice. Nothing is sent here: the delivery worker
(:mod:`wandb_typed_server.http.automation_worker`) sends committed deliveries off the
request path, so a slow or failing receiver never slows or fails the write.

Payload variables are written ``${name}`` in a webhook's ``requestPayload`` (a JSON text);
each is replaced by its value, JSON-escaped, so ``"${run_name}"`` becomes a JSON string.
Names that are not variables stay for the worker, which substitutes team secrets.
"""

from __future__ import annotations

import json
import math
import re
import secrets
import sqlite3
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from wandb_typed_server.storage.clock import utc_now_iso
from wandb_typed_server.storage.mongo_match import MatchError, matches

METRIC_EVENTS: Final = ("RUN_METRIC", "RUN_METRIC_CHANGE", "RUN_METRIC_ZSCORE")
_VARIABLE: Final = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_HISTORY_LOOKBACK: Final = 1000
# Every payload variable some event fills; those an event does not have become "".
STANDARD_VARIABLES: Final = (
    "event_type",
    "event_author",
    "entity_name",
    "project_name",
    "run_id",
    "run_name",
    "run_state",
    "metric_name",
    "metric_value",
    "step",
    "alias",
    "tag",
    "artifact_version",
    "artifact_version_string",
    "artifact_collection_name",
)

Variables = Mapping[str, object]


def render(template: str, variables: Variables, *, escape: bool = True) -> str:
    """Fill ``${name}`` placeholders of a JSON template (values JSON-escaped; ``escape=False``
    for plain text); unknown names stay as they are.

    >>> render('{"run": "${run_name}", "k": "${SECRET}"}', {"run_name": 'a"b'})
    '{"run": "a\\\\"b", "k": "${SECRET}"}'
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            return match.group(0)
        value = variables[name]
        text = value if isinstance(value, str) else json.dumps(value)
        return json.dumps(text)[1:-1] if escape else text

    return _VARIABLE.sub(replace, template)


def _event_key(prefix: str) -> str:
    return f"{prefix}:{secrets.token_hex(8)}"


def _triggers(
    conn: sqlite3.Connection,
    event_types: Sequence[str],
    project_pk: int,
    collection_pks: Iterable[int],
) -> list[sqlite3.Row]:
    collections = sorted(set(collection_pks))
    marks = ", ".join("?" for _ in event_types)
    in_collections = ", ".join("?" for _ in collections) or "NULL"
    return conn.execute(
        f"SELECT * FROM triggers WHERE enabled = 1 AND event_type IN ({marks}) AND ("
        "(scope_type = 'PROJECT' AND scope_pk = ?) OR "
        f"(scope_type = 'ARTIFACT_COLLECTION' AND scope_pk IN ({in_collections}))) ORDER BY pk",
        (*event_types, project_pk, *collections),
    ).fetchall()


def _any_enabled(conn: sqlite3.Connection, event_types: Sequence[str]) -> bool:
    """Whether any enabled trigger waits for one of these events (the cheap check every hook
    makes first, so a server without automations does no more work per write)."""
    marks = ", ".join("?" for _ in event_types)
    return (
        conn.execute(
            f"SELECT 1 FROM triggers WHERE enabled = 1 AND event_type IN ({marks}) LIMIT 1",
            tuple(event_types),
        ).fetchone()
        is not None
    )


def _owe(conn: sqlite3.Connection, trigger: sqlite3.Row, key: str, variables: Variables) -> None:
    """Record the delivery a matched trigger owes for one event (once per event key)."""
    config = json.loads(trigger["action_config"])
    action = str(trigger["action_type"])
    variables = {name: "" for name in STANDARD_VARIABLES} | dict(variables)
    integration_pk: int | None = None
    payload: dict[str, object] | str
    if action == "GENERIC_WEBHOOK":
        spec = config.get("genericWebhookActionInput") or {}
        integration_pk = _integration_pk(spec.get("integrationID"))
        payload = render(str(spec.get("requestPayload") or "{}"), variables)
    elif action == "NOTIFICATION":
        spec = config.get("notificationActionInput") or {}
        integration_pk = _integration_pk(spec.get("integrationID"))
        payload = {
            "title": render(str(spec.get("title") or ""), variables, escape=False),
            "text": render(str(spec.get("message") or ""), variables, escape=False),
            "severity": spec.get("severity") or "INFO",
            "variables": dict(variables),
        }
    elif action == "QUEUE_JOB":
        spec = config.get("queueJobActionInput") or {}
        payload = {
            "queueID": spec.get("queueID"),
            "template": render(str(spec.get("template") or "{}"), variables),
        }
    else:
        payload = {"noOp": True, "variables": dict(variables)}
    now = utc_now_iso()
    conn.execute(
        "INSERT INTO automation_deliveries (trigger_pk, event_key, event_type, action_type,"
        " integration_pk, payload, status, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (trigger_pk, event_key) DO NOTHING",
        (
            trigger["pk"],
            key,
            trigger["event_type"],
            action,
            integration_pk,
            payload if isinstance(payload, str) else json.dumps(payload),
            # a no-op is done once recorded; the rest waits for the worker
            "DELIVERED" if action == "NO_OP" else "PENDING",
            now,
            now,
        ),
    )


def _integration_pk(node_id: object) -> int | None:
    import base64
    import binascii

    if not isinstance(node_id, str):
        return None
    try:
        prefix, _, pk = base64.b64decode(node_id, validate=True).decode().partition(":")
        return int(pk) if prefix == "Integration" else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def _safe_match(document: Mapping[str, object], filters: object) -> bool:
    """Mongo-style match; ``$contains`` is a literal substring; a bad filter matches nothing."""
    try:
        return matches(document, _contains_as_regex(filters) if filters else None)  # type: ignore[arg-type]
    except MatchError:
        return False


def _contains_as_regex(value: object) -> object:
    if isinstance(value, list):
        return [_contains_as_regex(item) for item in value]
    if isinstance(value, Mapping):
        return {
            ("$regex" if key == "$contains" else key): (
                re.escape(str(item)) if key == "$contains" else _contains_as_regex(item)
            )
            for key, item in value.items()
        }
    return value


# --- run events -----------------------------------------------------------------------------


def _run_document(run: sqlite3.Row) -> dict[str, object]:
    return {
        "name": run["name"],
        "display_name": run["display_name"] or run["name"],
        "displayName": run["display_name"] or run["name"],
        "state": run["state"],
        "tags": json.loads(run["tags"] or "[]"),
        "group": run["group_name"],
        "job_type": run["job_type"],
        "username": run["username"],
    }


def _run_context(
    conn: sqlite3.Connection, run_pk: int
) -> tuple[sqlite3.Row, dict[str, object]] | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT r.*, p.name AS project_name, e.name AS entity_name FROM runs r"
        " JOIN projects p ON p.pk = r.project_pk JOIN entities e ON e.pk = p.entity_pk"
        " WHERE r.pk = ?",
        (run_pk,),
    ).fetchone()
    if row is None:
        return None
    variables: dict[str, object] = {
        "entity_name": row["entity_name"],
        "project_name": row["project_name"],
        "run_id": row["name"],
        "run_name": row["display_name"] or row["name"],
        "run_state": row["state"],
        "event_author": row["username"],
    }
    return row, variables


def _run_filter(parsed: Mapping[str, object]) -> object:
    run_filter = parsed.get("run_filter")
    if isinstance(run_filter, str):
        try:
            return json.loads(run_filter)
        except json.JSONDecodeError:
            return None
    return run_filter


def on_run_state(conn: sqlite3.Connection, run_pk: int, old_state: str, new_state: str) -> None:
    """A run's state changed: RUN_STATE triggers whose states include the new one."""
    if old_state == new_state or not _any_enabled(conn, ("RUN_STATE",)):
        return
    context = _run_context(conn, run_pk)
    if context is None:
        return
    run, variables = context
    for trigger in _triggers(conn, ("RUN_STATE",), int(run["project_pk"]), ()):
        parsed = json.loads(trigger["event_filter"] or "{}")
        states = (parsed.get("run_state_filter") or {}).get("states") or []
        if new_state.upper() not in {str(s).upper() for s in states}:
            continue
        if not _safe_match(_run_document(run), _run_filter(parsed)):
            continue
        event = {**variables, "run_state": new_state, "event_type": "RUN_STATE"}
        _owe(conn, trigger, f"state:{run_pk}:{new_state}", event)


def _size(spec: Mapping[str, object], key: str) -> int:
    """A window size of a metric filter (checked positive when the trigger was saved)."""
    value = spec.get(key)
    return int(value) if isinstance(value, int | float) and value >= 1 else 1


def _aggregate(values: Sequence[float], agg: object) -> float:
    if agg == "MAX":
        return max(values)
    if agg == "MIN":
        return min(values)
    if agg == "AVERAGE":
        return sum(values) / len(values)
    return values[-1]


def _threshold_met(series: Sequence[float], spec: Mapping[str, object]) -> bool:
    window = _size(spec, "window_size")
    value = _aggregate(series[-window:], spec.get("agg_op"))
    threshold = float(spec["threshold"])  # type: ignore[arg-type]
    return {
        "$gt": value > threshold,
        "$gte": value >= threshold,
        "$lt": value < threshold,
        "$lte": value <= threshold,
    }.get(str(spec.get("cmp_op")), False)


def _change_met(series: Sequence[float], spec: Mapping[str, object]) -> bool:
    current_n = _size(spec, "current_window_size")
    prior_n = _size(spec, "prior_window_size")
    if len(series) < current_n + prior_n:
        return False
    current = _aggregate(series[-current_n:], spec.get("agg_op"))
    prior = _aggregate(series[-current_n - prior_n : -current_n], spec.get("agg_op"))
    diff = current - prior
    if spec.get("change_type") == "RELATIVE":
        if prior == 0:
            return False
        diff = diff / abs(prior)
    amount = float(spec["change_amount"])  # type: ignore[arg-type]
    direction = spec.get("change_dir")
    if direction == "INCREASE":
        return diff >= amount
    if direction == "DECREASE":
        return -diff >= amount
    return abs(diff) >= amount


def _zscore_met(series: Sequence[float], spec: Mapping[str, object]) -> bool:
    window = _size(spec, "window_size")
    prior = series[-window - 1 : -1]
    if len(prior) < 2:
        return False
    spread = statistics.pstdev(prior)
    if spread == 0:
        return False
    z = (series[-1] - statistics.fmean(prior)) / spread
    threshold = float(spec["threshold"])  # type: ignore[arg-type]
    direction = spec.get("change_dir")
    if direction == "INCREASE":
        return z > threshold
    if direction == "DECREASE":
        return z < -threshold
    return abs(z) > threshold


_METRIC_TESTS: Final = {
    "RUN_METRIC": ("threshold_filter", _threshold_met),
    "RUN_METRIC_CHANGE": ("change_filter", _change_met),
    "RUN_METRIC_ZSCORE": ("zscore_filter", _zscore_met),
}


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def on_history_lines(
    conn: sqlite3.Connection, run_pk: int, offset: int, lines: Sequence[str]
) -> None:
    """History lines ``offset, offset + 1, ...`` were stored: RUN_METRIC* triggers fire when
    their condition turns true at one of them (a crossing, not every row past it)."""
    if not lines or not _any_enabled(conn, METRIC_EVENTS):
        return
    context = _run_context(conn, run_pk)
    if context is None:
        return
    run, variables = context
    triggers = _triggers(conn, METRIC_EVENTS, int(run["project_pk"]), ())
    if not triggers:
        return
    earlier = conn.execute(
        "SELECT body FROM history_lines WHERE run_pk = ? AND stream = 'history' AND line_no < ?"
        " ORDER BY line_no DESC LIMIT ?",
        (run_pk, offset, _HISTORY_LOOKBACK),
    ).fetchall()
    rows: list[tuple[int | None, Mapping[str, object]]] = []
    for body in reversed(earlier):
        rows.append((None, _row(str(body[0]))))
    rows.extend((offset + i, _row(line)) for i, line in enumerate(lines))
    run_document = _run_document(run)
    for trigger in triggers:
        parsed = json.loads(trigger["event_filter"] or "{}")
        kind, test = _METRIC_TESTS[str(trigger["event_type"])]
        spec = (parsed.get("run_metric_filter") or {}).get(kind)
        if not isinstance(spec, Mapping) or not _safe_match(run_document, _run_filter(parsed)):
            continue
        metric = str(spec.get("name"))
        series: list[float] = []
        was_met = False
        for line_no, row in rows:
            value = _number(row.get(metric))
            if value is None:
                continue
            series.append(value)
            met = test(series, spec)
            if met and not was_met and line_no is not None:
                event = {
                    **variables,
                    "event_type": trigger["event_type"],
                    "metric_name": metric,
                    "metric_value": value,
                    "step": row.get("_step", line_no),
                }
                _owe(conn, trigger, f"metric:{run_pk}:{line_no}", event)
            was_met = met


def _row(line: str) -> Mapping[str, object]:
    try:
        parsed = json.loads(line)
    except json.JSONDecodeError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


# --- artifact events ------------------------------------------------------------------------


def _artifact_context(
    conn: sqlite3.Connection, collection_pk: int, artifact_pk: int
) -> tuple[int, dict[str, object]] | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT c.name AS collection_name, c.project_pk, p.name AS project_name,"
        " e.name AS entity_name, m.version_index, a.user_pk, u.username,"
        " s.name AS sequence_name"
        " FROM artifact_collections c JOIN projects p ON p.pk = c.project_pk"
        " JOIN entities e ON e.pk = p.entity_pk"
        " LEFT JOIN artifacts a ON a.pk = ?"
        " LEFT JOIN artifact_collections s ON s.pk = a.sequence_pk"
        " LEFT JOIN users u ON u.pk = a.user_pk"
        " LEFT JOIN artifact_memberships m ON m.collection_pk = c.pk AND m.artifact_pk = a.pk"
        " WHERE c.pk = ?",
        (artifact_pk, collection_pk),
    ).fetchone()
    if row is None:
        return None
    version = f"v{row['version_index']}" if row["version_index"] is not None else ""
    path = f"{row['entity_name']}/{row['project_name']}/{row['collection_name']}:{version}"
    return int(row["project_pk"]), {
        "entity_name": row["entity_name"],
        "project_name": row["project_name"],
        "artifact_collection_name": row["collection_name"],
        "artifact_version": version,
        "artifact_version_string": path,
        "event_author": row["username"] or row["entity_name"],
    }


def _artifact_event(
    conn: sqlite3.Connection,
    event_type: str,
    collection_pk: int,
    artifact_pk: int,
    subject: Mapping[str, object],
) -> None:
    if not _any_enabled(conn, (event_type,)):
        return
    context = _artifact_context(conn, collection_pk, artifact_pk)
    if context is None:
        return
    project_pk, variables = context
    triggers = _triggers(conn, (event_type,), project_pk, (collection_pk,))
    if not triggers:
        return
    key = _event_key(f"{event_type}:{collection_pk}:{artifact_pk}")
    document = {**variables, **subject}
    for trigger in triggers:
        if not _safe_match(document, json.loads(trigger["event_filter"] or "{}")):
            continue
        _owe(conn, trigger, key, {**variables, **subject, "event_type": event_type})


def on_membership_added(
    conn: sqlite3.Connection, collection_pk: int, artifact_pk: int, kind: str
) -> None:
    """A version entered a collection: CREATE_ARTIFACT in its sequence, LINK_MODEL in a
    portfolio."""
    event = "CREATE_ARTIFACT" if kind == "SEQUENCE" else "LINK_MODEL"
    _artifact_event(conn, event, collection_pk, artifact_pk, {})


def on_unlinked(conn: sqlite3.Connection, collection_pk: int, artifact_pk: int) -> None:
    """A version left a portfolio."""
    _artifact_event(conn, "UNLINK_ARTIFACT", collection_pk, artifact_pk, {})


def on_alias_added(
    conn: sqlite3.Connection, collection_pk: int, artifact_pk: int, alias: str
) -> None:
    """An alias now points at a version (newly, or moved from another version)."""
    _artifact_event(conn, "ADD_ARTIFACT_ALIAS", collection_pk, artifact_pk, {"alias": alias})


def on_version_tags(
    conn: sqlite3.Connection, artifact_pk: int, added: Iterable[str], removed: Iterable[str]
) -> None:
    """Tags of a version changed (in its birth sequence)."""
    row = conn.execute("SELECT sequence_pk FROM artifacts WHERE pk = ?", (artifact_pk,)).fetchone()
    if row is None:
        return
    for tag in added:
        _artifact_event(conn, "ADD_ARTIFACT_TAG", int(row[0]), artifact_pk, {"tag": tag})
    for tag in removed:
        _artifact_event(conn, "REMOVE_ARTIFACT_TAG", int(row[0]), artifact_pk, {"tag": tag})


def on_collection_tags(
    conn: sqlite3.Connection, collection_pk: int, added: Iterable[str], removed: Iterable[str]
) -> None:
    """Tags of a collection changed (the event names its newest version, if any)."""
    newest = conn.execute(
        "SELECT artifact_pk FROM artifact_memberships WHERE collection_pk = ?"
        " ORDER BY version_index DESC LIMIT 1",
        (collection_pk,),
    ).fetchone()
    artifact_pk = int(newest[0]) if newest is not None else 0
    for tag in added:
        _artifact_event(conn, "ADD_COLLECTION_TAG", collection_pk, artifact_pk, {"tag": tag})
    for tag in removed:
        _artifact_event(conn, "REMOVE_COLLECTION_TAG", collection_pk, artifact_pk, {"tag": tag})
