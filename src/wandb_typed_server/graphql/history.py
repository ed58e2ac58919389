"""A run's history and events: ``history``, ``events``, ``sampledHistory``, ``historyKeys``,
``parquetHistory`` (storage and sampling are in :mod:`wandb_typed_server.storage.history`)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ariadne import ObjectType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.context import request_context
from wandb_typed_server.graphql.nodes import Node, node_pk
from wandb_typed_server.graphql.run_batch import run_batch
from wandb_typed_server.storage.history import history_page, sampled_history

DEFAULT_SAMPLES = 500

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
def resolve_parquet_history(obj: Node, _info: GraphQLResolveInfo, **_args: object) -> Node:
    """No parquet exports: empty lists, so clients page through ``history`` instead."""
    return {"parquetUrls": [], "liveData": []}


BINDABLES: list[SchemaBindable] = [run]
