"""``updateRunState``: move a run to "pending" or "failed" (``Run.update_state``).

The rules are in :mod:`wandb_typed_server.storage.run_transitions`; a refused transition is a
GraphQL error whose message starts with "invalid state transition" (what W&B answers).
"""

from __future__ import annotations

from ariadne import MutationType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.context import request_context
from wandb_typed_server.graphql.ids import decode_node_id
from wandb_typed_server.graphql.nodes import Node
from wandb_typed_server.storage.entities import writable_entity
from wandb_typed_server.storage.run_transitions import check_transition
from wandb_typed_server.storage.runs import run_by_pk, update_run

mutation = MutationType()


@mutation.field("updateRunState")
def resolve_update_run_state(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Apply one allowed state transition to a run the caller may write."""
    ctx = request_context(info)
    run_id = str(input["id"])
    row = run_by_pk(ctx.conn, decode_node_id("Run", run_id))
    if row is None:
        raise LookupError(f"updateRunState: run with id {run_id!r} not found")
    writable_entity(ctx.conn, ctx.principal, row["entity_name"])
    target = str(input["state"])
    check_transition(str(row["state"]), target, sweep_name=row["sweep_name"])
    update_run(ctx.conn, int(row["pk"]), {"state": target})
    return {"success": True, "clientMutationId": input.get("clientMutationId")}


BINDABLES: list[SchemaBindable] = [mutation]
