"""W&B Launch: default resource configs, run queues, their items and launch agents (storage).

A queue lives in a project (the SDK uses ``model-registry``) and may point at a default
resource config of its entity: the resource type (``local-process``, ``kubernetes``...), the
resource arguments (a JSON object with ``{{variable}}`` placeholders) and the schemas of its
template variables. An item is a launch spec pushed onto a queue; its state goes
``PENDING`` -> ``LEASED`` (an agent popped it) -> ``CLAIMED`` (the agent acked it with the run
it started) or ``FAILED``. A queue in prioritization mode ``V0`` pops the item of lowest
priority number first (0 critical, 1 high, 2 medium, the default, 3 low); ``DISABLED``
pops in push order. A lease not acked within a minute ends: the item is pending again (what
wandb's agent counts on when it leaves an item it cannot run yet, a sweep scheduler over its
cap, unacked).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from wandb_typed_server.storage.clock import utc_now_iso

LAUNCH_DDL: list[str] = [
    """CREATE TABLE IF NOT EXISTS default_resource_configs (
        pk INTEGER PRIMARY KEY,
        entity_pk INTEGER NOT NULL REFERENCES entities(pk),
        resource TEXT NOT NULL,
        config TEXT NOT NULL,
        template_variables TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS run_queues (
        pk INTEGER PRIMARY KEY,
        project_pk INTEGER NOT NULL REFERENCES projects(pk),
        name TEXT NOT NULL,
        access TEXT NOT NULL,
        prioritization_mode TEXT NOT NULL DEFAULT 'DISABLED',
        resource_config_pk INTEGER REFERENCES default_resource_configs(pk),
        external_links TEXT,
        created_by INTEGER REFERENCES users(pk),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (project_pk, name)
    )""",
    """CREATE TABLE IF NOT EXISTS run_queue_items (
        pk INTEGER PRIMARY KEY,
        queue_pk INTEGER NOT NULL REFERENCES run_queues(pk) ON DELETE CASCADE,
        run_spec TEXT NOT NULL,
        template_values TEXT,
        priority INTEGER NOT NULL,
        state TEXT NOT NULL,
        associated_run_id TEXT,
        agent_pk INTEGER,
        error TEXT,
        warnings TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS run_queue_items_pending ON run_queue_items (queue_pk, state)",
    """CREATE TABLE IF NOT EXISTS launch_agents (
        pk INTEGER PRIMARY KEY,
        project_pk INTEGER NOT NULL REFERENCES projects(pk),
        name TEXT NOT NULL,
        hostname TEXT NOT NULL,
        agent_status TEXT NOT NULL,
        agent_config TEXT,
        version TEXT,
        run_queues TEXT NOT NULL,
        stop_polling INTEGER NOT NULL DEFAULT 0,
        heartbeat_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
]

RESOURCE_TYPES = ("local-container", "local-process", "kubernetes", "sagemaker", "gcp-vertex")
DEFAULT_PRIORITY = 2
PRIORITIES = range(0, 4)
PENDING, LEASED, CLAIMED, FAILED = "PENDING", "LEASED", "CLAIMED", "FAILED"
LEASE_SECONDS = 60.0
"""How long a popped item waits for its ack before it is pending again."""
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}")


class LaunchError(ValueError):
    """A launch request that cannot be carried out (the message says why)."""


def _json_object(what: str, text: str | None) -> dict[str, Any]:
    if text is None or text == "":
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LaunchError(f"{what} is not valid JSON: {exc}") from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise LaunchError(f"{what} must be a JSON object")
    return value


# -- default resource configs ------------------------------------------------------------


def config_problems(
    resource: str, config: Mapping[str, Any], template_variables: Mapping[str, Any]
) -> list[str]:
    """What is wrong with a queue's resource config, one sentence each (empty: valid).

    Checked: the resource type is known, ``resource_args`` is an object keyed by that type
    only, every ``{{variable}}`` is declared in the template variables, and each declared
    variable has a JSON-schema ``type``.

    >>> config_problems("local-process", {"resource_args": {"kubernetes": {}}}, {})
    ["resource_args.kubernetes: the queue's resource type is local-process"]
    """
    problems: list[str] = []
    if resource not in RESOURCE_TYPES:
        problems.append(f"resource type {resource!r} is not one of {', '.join(RESOURCE_TYPES)}")
    args = config.get("resource_args", {})
    if not isinstance(args, dict):
        problems.append("resource_args must be an object")
        args = {}
    for key, value in args.items():
        if key != resource:
            problems.append(f"resource_args.{key}: the queue's resource type is {resource}")
        elif not isinstance(value, dict):
            problems.append(f"resource_args.{key} must be an object")
    used = set(_PLACEHOLDER.findall(json.dumps(config)))
    for name in sorted(used - set(template_variables)):
        problems.append(f"template variable {{{{{name}}}}} is used but not declared")
    for name, spec in sorted(template_variables.items()):
        schema = spec.get("schema", spec) if isinstance(spec, dict) else None
        if not isinstance(schema, dict) or "type" not in schema:
            problems.append(f"template variable {name!r} needs a JSON schema with a 'type'")
    return problems


def create_resource_config(
    conn: sqlite3.Connection,
    entity_pk: int,
    resource: str,
    config_json: str,
    template_variables_json: str | None,
    *,
    check: bool = True,
) -> int:
    """Store a default resource config; with ``check``, refuse one with problems (the error
    lists them)."""
    config = _json_object("config", config_json)
    variables = _json_object("templateVariables", template_variables_json)
    problems = config_problems(resource, config, variables)
    if check and problems:
        raise LaunchError("createDefaultResourceConfig: " + "; ".join(problems))
    now = utc_now_iso()
    pk = conn.execute(
        "INSERT INTO default_resource_configs"
        " (entity_pk, resource, config, template_variables, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (entity_pk, resource, json.dumps(config), json.dumps(variables), now, now),
    ).lastrowid
    assert pk is not None
    return pk


def resource_config_row(conn: sqlite3.Connection, pk: int) -> sqlite3.Row | None:
    """A default resource config by primary key."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM default_resource_configs WHERE pk = ?", (pk,)
    ).fetchone()
    return row


# -- queues ----------------------------------------------------------------------------


def queue_by_name(conn: sqlite3.Connection, project_pk: int, name: str) -> sqlite3.Row | None:
    """The queue ``name`` of a project."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM run_queues WHERE project_pk = ? AND name = ?", (project_pk, name)
    ).fetchone()
    return row


def queue_by_pk(conn: sqlite3.Connection, pk: int) -> sqlite3.Row | None:
    """A queue by primary key."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM run_queues WHERE pk = ?", (pk,)
    ).fetchone()
    return row


def project_queues(conn: sqlite3.Connection, project_pk: int) -> list[sqlite3.Row]:
    """A project's queues in creation order."""
    return conn.execute(
        "SELECT * FROM run_queues WHERE project_pk = ? ORDER BY pk", (project_pk,)
    ).fetchall()


def create_queue(
    conn: sqlite3.Connection,
    project_pk: int,
    name: str,
    *,
    access: str,
    prioritization_mode: str | None,
    resource_config_pk: int | None,
    created_by: int,
    external_links: str | None = None,
) -> int:
    """A new queue; a queue of that name in the project already is an error."""
    if not name or len(name) > 64:
        raise LaunchError("a run queue name must have 1 to 64 characters")
    if queue_by_name(conn, project_pk, name) is not None:
        raise LaunchError(f"a run queue named {name!r} already exists in this project")
    now = utc_now_iso()
    pk = conn.execute(
        "INSERT INTO run_queues (project_pk, name, access, prioritization_mode,"
        " resource_config_pk, external_links, created_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            project_pk,
            name,
            access,
            prioritization_mode or "DISABLED",
            resource_config_pk,
            external_links,
            created_by,
            now,
            now,
        ),
    ).lastrowid
    assert pk is not None
    return pk


def upsert_queue(
    conn: sqlite3.Connection,
    project_pk: int,
    entity_pk: int,
    name: str,
    *,
    resource_type: str,
    resource_config_json: str,
    template_variables_json: str | None,
    prioritization_mode: str | None,
    external_links_json: str | None,
    created_by: int,
) -> tuple[int, list[str]]:
    """Create or update a queue with a new default resource config.

    Returns ``(queue pk, problems)``: a config with schema problems is still saved, and the
    problems are returned for the client to show (wandb warns once per problem). Only JSON
    that is not an object is refused.
    """
    config = _json_object("resourceConfig", resource_config_json)
    variables = _json_object("templateVariables", template_variables_json)
    _json_object("externalLinks", external_links_json)
    if resource_type not in RESOURCE_TYPES:
        raise LaunchError(
            f"resource type {resource_type!r} is not one of {', '.join(RESOURCE_TYPES)}"
        )
    problems = config_problems(resource_type, config, variables)
    config_pk = create_resource_config(
        conn, entity_pk, resource_type, json.dumps(config), json.dumps(variables), check=False
    )
    existing = queue_by_name(conn, project_pk, name)
    if existing is None:
        pk = create_queue(
            conn,
            project_pk,
            name,
            access="PROJECT",
            prioritization_mode=prioritization_mode,
            resource_config_pk=config_pk,
            created_by=created_by,
            external_links=external_links_json,
        )
        return pk, problems
    conn.execute(
        "UPDATE run_queues SET resource_config_pk = ?, prioritization_mode = ?,"
        " external_links = ?, updated_at = ? WHERE pk = ?",
        (
            config_pk,
            prioritization_mode or existing["prioritization_mode"],
            external_links_json,
            utc_now_iso(),
            existing["pk"],
        ),
    )
    return int(existing["pk"]), problems


def delete_queues(conn: sqlite3.Connection, pks: list[int]) -> int:
    """Delete queues with their items; how many queues there were."""
    deleted = 0
    for pk in pks:
        conn.execute("DELETE FROM run_queue_items WHERE queue_pk = ?", (pk,))
        deleted += conn.execute("DELETE FROM run_queues WHERE pk = ?", (pk,)).rowcount
    return deleted


# -- items -----------------------------------------------------------------------------


def _fill(value: Any, values: Mapping[str, Any]) -> Any:
    """``value`` with every ``{{name}}`` replaced (a whole-string placeholder keeps its type)."""
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole and whole.group(1) in values:
            return values[whole.group(1)]
        return _PLACEHOLDER.sub(
            lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), value
        )
    if isinstance(value, dict):
        return {key: _fill(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    return value


def effective_spec(
    conn: sqlite3.Connection, queue: sqlite3.Row, item: sqlite3.Row
) -> dict[str, Any]:
    """The launch spec an agent gets: the pushed spec, with the queue's resource type and its
    resource arguments (template variables filled from the item, else their defaults)."""
    spec = _json_object("runSpec", item["run_spec"])
    if queue["resource_config_pk"] is None:
        return spec
    config_row = resource_config_row(conn, int(queue["resource_config_pk"]))
    if config_row is None:
        return spec
    variables = json.loads(config_row["template_variables"])
    values: dict[str, Any] = {}
    for name, declared in variables.items():
        schema = declared.get("schema", declared) if isinstance(declared, dict) else {}
        if isinstance(schema, dict) and "default" in schema:
            values[name] = schema["default"]
    values.update(_json_object("templateVariableValues", item["template_values"]))
    config = _fill(json.loads(config_row["config"]), values)
    spec["resource"] = config_row["resource"]
    spec["resource_args"] = {**config.get("resource_args", {}), **spec.get("resource_args", {})}
    return spec


def push_item(
    conn: sqlite3.Connection,
    queue: sqlite3.Row,
    run_spec_json: str,
    *,
    template_values_json: str | None = None,
    priority: int | None = None,
) -> int:
    """Put a launch spec on a queue (state PENDING)."""
    _json_object("runSpec", run_spec_json)
    _json_object("templateVariableValues", template_values_json)
    if priority is not None and priority not in PRIORITIES:
        raise LaunchError(f"priority must be 0 (critical) to 3 (low), got {priority}")
    if priority is not None and queue["prioritization_mode"] != "V0":
        raise LaunchError(
            f"run queue {queue['name']!r} does not prioritize items (prioritizationMode V0)"
        )
    now = utc_now_iso()
    pk = conn.execute(
        "INSERT INTO run_queue_items (queue_pk, run_spec, template_values, priority, state,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            queue["pk"],
            run_spec_json,
            template_values_json,
            DEFAULT_PRIORITY if priority is None else priority,
            PENDING,
            now,
            now,
        ),
    ).lastrowid
    assert pk is not None
    return pk


def item_row(conn: sqlite3.Connection, pk: int) -> sqlite3.Row | None:
    """A queue item by primary key."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM run_queue_items WHERE pk = ?", (pk,)
    ).fetchone()
    return row


def queue_items(
    conn: sqlite3.Connection, queue_pk: int, after_pk: int, limit: int
) -> list[sqlite3.Row]:
    """A queue's items in push order, strictly after ``after_pk``."""
    return conn.execute(
        "SELECT * FROM run_queue_items WHERE queue_pk = ? AND pk > ? ORDER BY pk LIMIT ?",
        (queue_pk, after_pk, limit),
    ).fetchall()


def release_expired_leases(conn: sqlite3.Connection, queue_pk: int, now: datetime) -> int:
    """Make items leased more than :data:`LEASE_SECONDS` before ``now`` (naive UTC) and never
    acked pending again; how many there were."""
    expired = (now - timedelta(seconds=LEASE_SECONDS)).isoformat(timespec="microseconds")
    return conn.execute(
        "UPDATE run_queue_items SET state = ?, agent_pk = NULL, updated_at = ?"
        " WHERE queue_pk = ? AND state = ? AND updated_at < ?",
        (PENDING, now.isoformat(timespec="microseconds"), queue_pk, LEASED, expired),
    ).rowcount


def pop_item(
    conn: sqlite3.Connection,
    queue: sqlite3.Row,
    agent_pk: int | None,
    *,
    now: datetime | None = None,
) -> sqlite3.Row | None:
    """Lease the next pending item to an agent (None: the queue has nothing pending).
    Expired leases are released first; ``now`` (naive UTC) defaults to the clock."""
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    release_expired_leases(conn, int(queue["pk"]), now)
    order = "priority, pk" if queue["prioritization_mode"] == "V0" else "pk"
    row: sqlite3.Row | None = conn.execute(
        f"SELECT * FROM run_queue_items WHERE queue_pk = ? AND state = ? ORDER BY {order} LIMIT 1",
        (queue["pk"], PENDING),
    ).fetchone()
    if row is None:
        return None
    conn.execute(
        "UPDATE run_queue_items SET state = ?, agent_pk = ?, updated_at = ? WHERE pk = ?",
        (LEASED, agent_pk, now.isoformat(timespec="microseconds"), row["pk"]),
    )
    return item_row(conn, int(row["pk"]))


def ack_item(conn: sqlite3.Connection, pk: int, run_name: str) -> bool:
    """A leased item is claimed by the run the agent started (False: not leased)."""
    return (
        conn.execute(
            "UPDATE run_queue_items SET state = ?, associated_run_id = ?, updated_at = ?"
            " WHERE pk = ? AND state = ?",
            (CLAIMED, run_name, utc_now_iso(), pk, LEASED),
        ).rowcount
        == 1
    )


def fail_item(conn: sqlite3.Connection, pk: int, error: Mapping[str, Any]) -> bool:
    """An item failed (the error's message, stage and files are kept)."""
    return (
        conn.execute(
            "UPDATE run_queue_items SET state = ?, error = ?, updated_at = ? WHERE pk = ?",
            (FAILED, json.dumps(dict(error)), utc_now_iso(), pk),
        ).rowcount
        == 1
    )


def add_item_warning(conn: sqlite3.Connection, pk: int, warning: Mapping[str, Any]) -> bool:
    """Record a warning an agent raised for an item."""
    row = item_row(conn, pk)
    if row is None:
        return False
    warnings = [*json.loads(row["warnings"]), dict(warning)]
    conn.execute(
        "UPDATE run_queue_items SET warnings = ?, updated_at = ? WHERE pk = ?",
        (json.dumps(warnings), utc_now_iso(), pk),
    )
    return True


def delete_item(conn: sqlite3.Connection, queue_pk: int, pk: int) -> bool:
    """Remove an item from its queue."""
    return (
        conn.execute(
            "DELETE FROM run_queue_items WHERE queue_pk = ? AND pk = ?", (queue_pk, pk)
        ).rowcount
        == 1
    )


# -- agents ----------------------------------------------------------------------------


def create_agent(
    conn: sqlite3.Connection,
    project_pk: int,
    *,
    hostname: str,
    queue_ids: list[str],
    agent_config: str | None,
    version: str | None,
) -> int:
    """Register an agent polling ``queue_ids`` (status POLLING); its name is derived from its pk."""
    now = utc_now_iso()
    pk = conn.execute(
        "INSERT INTO launch_agents (project_pk, name, hostname, agent_status, agent_config,"
        " version, run_queues, heartbeat_at, created_at, updated_at)"
        " VALUES (?, '', ?, 'POLLING', ?, ?, ?, ?, ?, ?)",
        (project_pk, hostname, agent_config, version, json.dumps(queue_ids), now, now, now),
    ).lastrowid
    assert pk is not None
    conn.execute("UPDATE launch_agents SET name = ? WHERE pk = ?", (f"agent-{pk:08x}", pk))
    return pk


def agent_row(conn: sqlite3.Connection, pk: int) -> sqlite3.Row | None:
    """A launch agent by primary key."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM launch_agents WHERE pk = ?", (pk,)
    ).fetchone()
    return row


def update_agent(
    conn: sqlite3.Connection,
    pk: int,
    *,
    status: str | None = None,
    name: str | None = None,
    queue_ids: list[str] | None = None,
    stop_polling: bool | None = None,
) -> bool:
    """A heartbeat, with whatever changed (status, name, queues, stop flag)."""
    row = agent_row(conn, pk)
    if row is None:
        return False
    now = utc_now_iso()
    conn.execute(
        "UPDATE launch_agents SET agent_status = ?, name = ?, run_queues = ?, stop_polling = ?,"
        " heartbeat_at = ?, updated_at = ? WHERE pk = ?",
        (
            status or row["agent_status"],
            name or row["name"],
            json.dumps(queue_ids) if queue_ids is not None else row["run_queues"],
            int(stop_polling) if stop_polling is not None else row["stop_polling"],
            now,
            now,
            pk,
        ),
    )
    return True
