"""Integrations, team secrets and triggers (automations): storage and input checks.

A trigger's event filter is stored as the client sent it (a JSON string); it is checked on
the way in so that a trigger the event engine (:mod:`automation_events`) could not evaluate
is refused when it is created, naming what is wrong. Secrets are write-only: nothing here
returns a secret's value except :func:`secret_values`, used by the delivery worker.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Final

from wandb_typed_server.storage.clock import utc_now_iso

RUN_EVENTS: Final = frozenset({"RUN_METRIC", "RUN_METRIC_CHANGE", "RUN_METRIC_ZSCORE", "RUN_STATE"})
ARTIFACT_EVENTS: Final = frozenset(
    {
        "CREATE_ARTIFACT",
        "LINK_MODEL",
        "UNLINK_ARTIFACT",
        "ADD_ARTIFACT_ALIAS",
        "ADD_ARTIFACT_TAG",
        "REMOVE_ARTIFACT_TAG",
        "ADD_COLLECTION_TAG",
        "REMOVE_COLLECTION_TAG",
    }
)
EVENT_TYPES: Final = RUN_EVENTS | ARTIFACT_EVENTS
ACTION_TYPES: Final = frozenset({"GENERIC_WEBHOOK", "NOTIFICATION", "NO_OP"})
SCOPE_TYPES: Final = frozenset({"PROJECT", "ARTIFACT_COLLECTION"})
RUN_STATES: Final = frozenset({"RUNNING", "FINISHED", "FAILED", "CRASHED", "KILLED", "PREEMPTED"})

_CMP_OPS: Final = frozenset({"$gt", "$gte", "$lt", "$lte"})
_AGG_OPS: Final = frozenset({None, "MAX", "MIN", "AVERAGE"})
_CHANGE_TYPES: Final = frozenset({"ABSOLUTE", "RELATIVE"})
_CHANGE_DIRS: Final = frozenset({"INCREASE", "DECREASE", "ANY"})
_MONGO_OPS: Final = frozenset(
    {
        "$and",
        "$or",
        "$nor",
        "$eq",
        "$ne",
        "$gt",
        "$gte",
        "$lt",
        "$lte",
        "$in",
        "$nin",
        "$regex",
        "$options",
        "$exists",
        "$not",
        "$all",
        "$contains",
    }
)


class AutomationInputError(ValueError):
    """A trigger or integration input the server cannot take (HTTP 400)."""

    http_status = 400


class AutomationConflictError(ValueError):
    """An automation or integration of that name exists already (HTTP 409)."""

    http_status = 409


class AutomationNotFoundError(LookupError):
    """No automation with that id (HTTP 404)."""

    http_status = 404


# --- integrations and secrets ---------------------------------------------------------------


def create_webhook_integration(
    conn: sqlite3.Connection,
    entity_pk: int,
    *,
    name: str,
    url: str,
    secret_ref: str | None,
    access_token_ref: str | None,
) -> sqlite3.Row:
    """A new generic webhook integration of an entity (409 when the name is taken)."""
    if not url.startswith(("http://", "https://")):
        raise AutomationInputError(f"webhook URL must be http(s), got {url!r}")
    if not name.strip():
        raise AutomationInputError("webhook integration name must not be empty")
    if conn.execute(
        "SELECT 1 FROM integrations WHERE entity_pk = ? AND kind = 'GENERIC_WEBHOOK' AND name = ?",
        (entity_pk, name),
    ).fetchone():
        raise AutomationConflictError(f"webhook integration {name!r} already exists")
    for ref in (secret_ref, access_token_ref):
        if ref and not secret_exists(conn, entity_pk, _secret_name(ref)):
            raise AutomationInputError(f"team secret {_secret_name(ref)!r} does not exist")
    row: sqlite3.Row = conn.execute(
        "INSERT INTO integrations (entity_pk, kind, name, url, secret_ref, access_token_ref,"
        " created_at) VALUES (?, 'GENERIC_WEBHOOK', ?, ?, ?, ?, ?) RETURNING *",
        (entity_pk, name, url, secret_ref or None, access_token_ref or None, utc_now_iso()),
    ).fetchone()
    return row


def create_slack_integration(
    conn: sqlite3.Connection, entity_pk: int, *, team_name: str, channel_name: str
) -> sqlite3.Row:
    """A new Slack integration (a channel of a Slack team) of an entity."""
    if not team_name.strip() or not channel_name.strip():
        raise AutomationInputError("a Slack integration needs a team name and a channel name")
    row: sqlite3.Row = conn.execute(
        "INSERT INTO integrations (entity_pk, kind, name, team_name, channel_name, created_at)"
        " VALUES (?, 'SLACK', ?, ?, ?, ?) RETURNING *",
        (entity_pk, f"{team_name}/{channel_name}", team_name, channel_name, utc_now_iso()),
    ).fetchone()
    return row


def list_integrations(
    conn: sqlite3.Connection, entity_pk: int, after_pk: int, limit: int
) -> list[sqlite3.Row]:
    """An entity's integrations, oldest first."""
    return conn.execute(
        "SELECT * FROM integrations WHERE entity_pk = ? AND pk > ? ORDER BY pk LIMIT ?",
        (entity_pk, after_pk, limit),
    ).fetchall()


def integration_by_pk(conn: sqlite3.Connection, pk: int) -> sqlite3.Row | None:
    """The integration with this pk, or None."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM integrations WHERE pk = ?", (pk,)
    ).fetchone()
    return row


def _secret_name(ref: str) -> str:
    """``secret_name`` from a reference (``${secret_name}`` or the bare name)."""
    ref = ref.strip()
    if ref.startswith("${") and ref.endswith("}"):
        return ref[2:-1]
    return ref


def insert_secret(conn: sqlite3.Connection, entity_pk: int, name: str, value: str) -> None:
    """Store (or replace) a team secret."""
    if not name or not name.replace("_", "").isalnum():
        raise AutomationInputError(
            f"secret name must be letters, digits and underscores, got {name!r}"
        )
    conn.execute(
        "INSERT INTO team_secrets (entity_pk, name, value, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (entity_pk, name) DO UPDATE SET value = excluded.value",
        (entity_pk, name, value, utc_now_iso()),
    )


def secret_exists(conn: sqlite3.Connection, entity_pk: int, name: str) -> bool:
    """Whether an entity has a secret of that name."""
    return (
        conn.execute(
            "SELECT 1 FROM team_secrets WHERE entity_pk = ? AND name = ?", (entity_pk, name)
        ).fetchone()
        is not None
    )


def secret_names(conn: sqlite3.Connection, entity_pk: int) -> list[str]:
    """The names (never the values) of an entity's secrets."""
    rows = conn.execute(
        "SELECT name FROM team_secrets WHERE entity_pk = ? ORDER BY name", (entity_pk,)
    ).fetchall()
    return [str(row[0]) for row in rows]


def secret_values(conn: sqlite3.Connection, entity_pk: int) -> dict[str, str]:
    """An entity's secrets by name: for the delivery worker only, never for a read."""
    rows = conn.execute(
        "SELECT name, value FROM team_secrets WHERE entity_pk = ?", (entity_pk,)
    ).fetchall()
    return {str(row[0]): str(row[1]) for row in rows}


def secret_ref_name(ref: str | None) -> str | None:
    """The secret name an integration's ``secretRef``/``accessTokenRef`` points at."""
    return _secret_name(ref) if ref else None


# --- triggers -------------------------------------------------------------------------------


def check_scope_event(scope_type: str, event_type: str) -> None:
    """Refuse an event the scope cannot have (run events happen in projects only)."""
    if scope_type not in SCOPE_TYPES:
        raise AutomationInputError(f"unsupported automation scope {scope_type!r}")
    if event_type not in EVENT_TYPES:
        raise AutomationInputError(f"unsupported automation event {event_type!r}")
    if event_type in RUN_EVENTS and scope_type != "PROJECT":
        raise AutomationInputError(
            f"event {event_type} happens to runs, which a {scope_type} scope cannot have:"
            " use a PROJECT scope"
        )


def _check_mongo(value: object, where: str) -> None:
    if isinstance(value, list):
        for item in value:
            _check_mongo(item, where)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key.startswith("$") and key not in _MONGO_OPS:
                raise AutomationInputError(f"unknown filter operator {key!r} in {where}")
            _check_mongo(item, where)


def _number(spec: Mapping[str, object], key: str, where: str, *, positive: bool = False) -> float:
    value = spec.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise AutomationInputError(f"{where}.{key} must be a number, got {value!r}")
    if positive and value <= 0:
        raise AutomationInputError(f"{where}.{key} must be positive, got {value!r}")
    return float(value)


def _check_metric_filter(event_type: str, spec: object) -> None:
    if not isinstance(spec, Mapping):
        raise AutomationInputError("run_metric_filter must be an object")
    kinds = {
        "RUN_METRIC": "threshold_filter",
        "RUN_METRIC_CHANGE": "change_filter",
        "RUN_METRIC_ZSCORE": "zscore_filter",
    }
    kind = kinds[event_type]
    inner = spec.get(kind)
    if not isinstance(inner, Mapping):
        raise AutomationInputError(f"a {event_type} automation needs run_metric_filter.{kind}")
    where = f"run_metric_filter.{kind}"
    if not isinstance(inner.get("name"), str) or not inner.get("name"):
        raise AutomationInputError(f"{where}.name must name a metric")
    if kind == "threshold_filter":
        if inner.get("cmp_op") not in _CMP_OPS:
            raise AutomationInputError(
                f"unknown metric filter operator {inner.get('cmp_op')!r} in {where}"
                f" (one of {sorted(_CMP_OPS)})"
            )
        _number(inner, "threshold", where)
        _number(inner, "window_size", where, positive=True)
    elif kind == "change_filter":
        if inner.get("change_type") not in _CHANGE_TYPES:
            raise AutomationInputError(
                f"unknown change_type {inner.get('change_type')!r} in {where}"
            )
        if inner.get("change_dir") not in _CHANGE_DIRS:
            raise AutomationInputError(f"unknown change_dir {inner.get('change_dir')!r} in {where}")
        _number(inner, "change_amount", where, positive=True)
        _number(inner, "current_window_size", where, positive=True)
        _number(inner, "prior_window_size", where, positive=True)
    else:
        if inner.get("change_dir") not in _CHANGE_DIRS:
            raise AutomationInputError(f"unknown change_dir {inner.get('change_dir')!r} in {where}")
        _number(inner, "threshold", where, positive=True)
        _number(inner, "window_size", where, positive=True)
    if kind != "zscore_filter" and inner.get("agg_op") not in _AGG_OPS:
        raise AutomationInputError(f"unknown aggregation {inner.get('agg_op')!r} in {where}")


def parse_event_filter(event_type: str, raw: str) -> dict[str, object]:
    """The event filter of a trigger, checked for what the event engine evaluates."""
    try:
        parsed = json.loads(raw) if raw else {}
    except json.JSONDecodeError as exc:
        raise AutomationInputError(f"eventFilter is not JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise AutomationInputError("eventFilter must be a JSON object")
    if event_type in RUN_EVENTS:
        run_filter = parsed.get("run_filter")
        if isinstance(run_filter, str):
            try:
                run_filter = json.loads(run_filter)
            except json.JSONDecodeError as exc:
                raise AutomationInputError(f"run_filter is not JSON: {exc}") from exc
        _check_mongo(run_filter, "run_filter")
        if event_type == "RUN_STATE":
            states = parsed.get("run_state_filter", {})
            names = states.get("states") if isinstance(states, Mapping) else None
            if not isinstance(names, list) or not names:
                raise AutomationInputError("a RUN_STATE automation needs run_state_filter.states")
            unknown = [s for s in names if str(s).upper() not in RUN_STATES]
            if unknown:
                raise AutomationInputError(f"unknown run states {unknown} in run_state_filter")
        else:
            _check_metric_filter(event_type, parsed.get("run_metric_filter"))
    else:
        _check_mongo(parsed, "eventFilter")
    return parsed


def check_action(action_type: str, config: Mapping[str, object]) -> None:
    """Refuse an action type or config the server cannot run."""
    if action_type not in ACTION_TYPES:
        raise AutomationInputError(f"unsupported automation action {action_type!r}")
    field = {
        "GENERIC_WEBHOOK": "genericWebhookActionInput",
        "NOTIFICATION": "notificationActionInput",
        "NO_OP": "noOpActionInput",
        "QUEUE_JOB": "queueJobActionInput",
    }[action_type]
    if not isinstance(config.get(field), Mapping):
        raise AutomationInputError(f"a {action_type} action needs triggeredActionConfig.{field}")
    payload = config[field]
    assert isinstance(payload, Mapping)
    raw = payload.get("requestPayload")
    if action_type == "GENERIC_WEBHOOK" and raw is not None:
        try:
            json.loads(str(raw))
        except json.JSONDecodeError as exc:
            raise AutomationInputError(f"requestPayload is not JSON: {exc}") from exc


def trigger_by_pk(conn: sqlite3.Connection, pk: int) -> sqlite3.Row | None:
    """The trigger with this pk, or None."""
    row: sqlite3.Row | None = conn.execute("SELECT * FROM triggers WHERE pk = ?", (pk,)).fetchone()
    return row


def _name_taken(conn: sqlite3.Connection, entity_pk: int, name: str, but: int = 0) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM triggers WHERE entity_pk = ? AND name = ? AND pk != ?",
            (entity_pk, name, but),
        ).fetchone()
        is not None
    )


def insert_trigger(conn: sqlite3.Connection, values: Mapping[str, object]) -> sqlite3.Row:
    """A new trigger (``values``: the columns); 409 when the entity has one of that name."""
    if _name_taken(conn, int(str(values["entity_pk"])), str(values["name"])):
        raise AutomationConflictError(f"automation {values['name']!r} already exists")
    now = utc_now_iso()
    columns = [*values, "created_at", "updated_at"]
    row: sqlite3.Row = conn.execute(
        f"INSERT INTO triggers ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        " RETURNING *",
        (*values.values(), now, now),
    ).fetchone()
    return row


def update_trigger(conn: sqlite3.Connection, pk: int, changes: Mapping[str, object]) -> sqlite3.Row:
    """Change columns of a trigger; 404 when it does not exist, 409 on a taken name."""
    current = trigger_by_pk(conn, pk)
    if current is None:
        raise AutomationNotFoundError("automation not found")
    name = changes.get("name")
    if isinstance(name, str) and _name_taken(conn, int(current["entity_pk"]), name, but=pk):
        raise AutomationConflictError(f"automation {name!r} already exists")
    assignments = "".join(f"{column} = ?, " for column in changes)
    row: sqlite3.Row = conn.execute(
        f"UPDATE triggers SET {assignments}updated_at = ? WHERE pk = ? RETURNING *",
        (*changes.values(), utc_now_iso(), pk),
    ).fetchone()
    return row


def delete_trigger(conn: sqlite3.Connection, pk: int) -> bool:
    """Delete a trigger (its pending deliveries are dropped); False when it did not exist."""
    conn.execute(
        "DELETE FROM automation_deliveries WHERE trigger_pk = ? AND status = 'PENDING'", (pk,)
    )
    return conn.execute("DELETE FROM triggers WHERE pk = ?", (pk,)).rowcount > 0


def project_triggers(conn: sqlite3.Connection, project_pk: int) -> list[sqlite3.Row]:
    """Triggers scoped to a project or to one of its live artifact collections, oldest first
    (a deleted collection's triggers are kept but neither listed nor fired)."""
    return conn.execute(
        "SELECT * FROM triggers WHERE (scope_type = 'PROJECT' AND scope_pk = ?)"
        " OR (scope_type = 'ARTIFACT_COLLECTION' AND scope_pk IN"
        " (SELECT pk FROM artifact_collections WHERE project_pk = ? AND state = 'READY'))"
        " ORDER BY pk",
        (project_pk, project_pk),
    ).fetchall()


def deliveries_of(conn: sqlite3.Connection, trigger_pk: int) -> list[sqlite3.Row]:
    """Every delivery of a trigger, oldest first (status, attempts, last error)."""
    return conn.execute(
        "SELECT * FROM automation_deliveries WHERE trigger_pk = ? ORDER BY pk", (trigger_pk,)
    ).fetchall()
