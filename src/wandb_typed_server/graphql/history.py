"""A run's history and events: ``history``, ``events``, ``sampledHistory``, ``historyKeys``,
``parquetHistory`` (storage and sampling are in :mod:`wandb_typed_server.storage.history`),
and the per-run values of a listed page, read for the whole page at once (:class:`RunBatch`).

A page of 1,000 runs asking each run's history line count, last system metrics and history
keys one by one is thousands of queries; here the first run that asks reads the value for
every run of its page in one statement (each run an index seek), and the others find it.
A run resolved on its own (``project.run(name)``) is a page of one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from ariadne import ObjectType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.artifact_nodes import signed_url
from wandb_typed_server.graphql.context import request_context
from wandb_typed_server.graphql.nodes import Node, node_pk
from wandb_typed_server.storage.history import (
    Stream,
    history_keys_of_runs,
    history_page,
    last_lines,
    line_counts,
    sampled_history,
)
from wandb_typed_server.storage.history_exports import RunIdentity

DEFAULT_SAMPLES = 500

BATCH_KEY = "_batch"
"""Where a run node keeps the :class:`RunBatch` of its page."""


class RunBatch:
    """The runs of one page (by primary key) and what was read for all of them so far.

    >>> import sqlite3
    >>> from wandb_typed_server.storage.history import HISTORY_DDL, append_rows
    >>> conn = sqlite3.connect(":memory:")
    >>> for ddl in HISTORY_DDL:
    ...     _ = conn.execute(ddl)
    >>> _ = append_rows(conn, 2, "history", 0, ['{"_step": 0}', '{"_step": 1}'])
    >>> batch = RunBatch([1, 2])
    >>> batch.line_count(conn, 2, "history"), batch.line_count(conn, 1, "history")
    (2, 0)
    """

    def __init__(self, run_pks: Sequence[int]) -> None:
        self._run_pks = list(run_pks)
        self._line_counts: dict[str, dict[int, int]] = {}
        self._last_events: dict[int, str | None] | None = None
        self._history_keys: dict[int, dict[str, object]] | None = None

    def line_count(self, conn: sqlite3.Connection, run_pk: int, stream: Stream) -> int:
        """How many lines of ``stream`` the run has."""
        counts = self._line_counts.get(stream)
        if counts is None:
            counts = self._line_counts[stream] = line_counts(conn, self._run_pks, stream)
        return counts[run_pk]

    def last_event(self, conn: sqlite3.Connection, run_pk: int) -> str | None:
        """The run's last system-metrics (events) line, if it has one."""
        if self._last_events is None:
            self._last_events = last_lines(conn, self._run_pks, "events")
        return self._last_events[run_pk]

    def history_keys(self, conn: sqlite3.Connection, run_pk: int) -> dict[str, object]:
        """The run's ``historyKeys``."""
        if self._history_keys is None:
            self._history_keys = history_keys_of_runs(conn, self._run_pks)
        return self._history_keys[run_pk]


def run_batch(obj: Node) -> RunBatch:
    """The batch of a run node's page (a page of one for a run resolved on its own)."""
    batch = obj.get(BATCH_KEY)
    return batch if isinstance(batch, RunBatch) else RunBatch([node_pk(obj)])


run = ObjectType("Run")


@run.field("history")
def resolve_history(
    obj: Node,
    info: GraphQLResolveInfo,
    samples: int | None = None,
    minStep: int | None = None,
    maxStep: int | None = None,
) -> list[str]:
    """History rows as JSON strings: sampled over the run, or a step window (scan_history)."""
    if samples is None and minStep is None and maxStep is None:
        samples = DEFAULT_SAMPLES
    return history_page(
        request_context(info).conn,
        node_pk(obj),
        samples=samples,
        min_step=minStep,
        max_step=maxStep,
    )


@run.field("events")
def resolve_events(obj: Node, info: GraphQLResolveInfo, samples: int | None = None) -> list[str]:
    """System-metrics rows as JSON strings, sampled like history."""
    return history_page(
        request_context(info).conn,
        node_pk(obj),
        samples=samples or DEFAULT_SAMPLES,
        min_step=None,
        max_step=None,
        stream="events",
    )


@run.field("sampledHistory")
def resolve_sampled_history(
    obj: Node, info: GraphQLResolveInfo, specs: Sequence[str], **_args: object
) -> list[list[dict[str, object]]]:
    """One list of rows per spec ``{"keys": [...], "samples": N, "minStep"?, "maxStep"?}``."""
    conn = request_context(info).conn
    decoded = [json.loads(spec) for spec in specs]
    for spec in decoded:
        if not isinstance(spec, dict):
            raise ValueError(f"sampledHistory spec must be a JSON object, got {spec!r}")
    return [sampled_history(conn, node_pk(obj), spec) for spec in decoded]


@run.field("historyKeys")
def resolve_history_keys(obj: Node, info: GraphQLResolveInfo, **_args: object) -> dict[str, object]:
    """``{"lastStep": N, "keys": {k: {"typeCounts": [...]}}}``."""
    return run_batch(obj).history_keys(request_context(info).conn, node_pk(obj))


@run.field("parquetHistory")
def resolve_parquet_history(
    obj: Node, info: GraphQLResolveInfo, liveKeys: Sequence[str] = (), **_args: object
) -> Node:
    """Signed URLs of the run's history exported to Parquet, brought up to date first (see
    :mod:`wandb_typed_server.storage.history_exports`); no URLs when exports are off or the
    history cannot be exported as logged (clients then page through ``history``).

    ``liveData`` (rows not exported yet, reduced to ``liveKeys``) is always empty: every
    request exports what was logged before it.
    """
    ctx = request_context(info)
    identity = RunIdentity(node_pk(obj), str(obj["name"]), str(obj.get("createdAt") or ""))
    names = ctx.state.history_exports.export(ctx.state.db, identity)
    return {
        "parquetUrls": [
            signed_url(ctx, "GET", history_export_path(identity.pk, name)) for name in names
        ],
        "liveData": [],
    }


def history_export_path(run_pk: int, name: str) -> str:
    """The URL path of one history export file behind a signed URL."""
    return f"/history-exports/{run_pk}/{name}"


BINDABLES: list[SchemaBindable] = [run]
