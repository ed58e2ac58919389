"""graphql-core execution tuned for this server's synchronous resolvers.

W&B answers history as lists of scalars (``history``, ``events``: one ``JSONString`` per
row, thousands per page). graphql-core completes a list item by item through its general
machinery; for a list of leaf values that is most of a history request's CPU. Here a list of
scalars is serialised in one pass, and the general path (which also builds the errors)
is taken whenever an item is null where it may not be or cannot be serialised.

Example:
    >>> from graphql import build_schema, execute, parse
    >>> schema = build_schema("type Query { rows: [String] }")
    >>> document = parse("{ rows }")
    >>> execute(schema, document, {"rows": ["a", None]},
    ...         execution_context_class=SyncExecutionContext).data
    {'rows': ['a', None]}
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from typing import Any

from graphql import (
    ExecutionContext,
    FieldNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLResolveInfo,
    Undefined,
    is_leaf_type,
)
from graphql.pyutils import AwaitableOrValue, Path

__all__ = ["SyncExecutionContext"]


def _never_awaitable(value: object) -> bool:
    return False


class _NotSerialisable(Exception):
    """An item the fast path leaves to graphql-core (which reports it properly)."""


class SyncExecutionContext(ExecutionContext):
    """An execution context for synchronous resolvers only: no per-value awaitable checks
    (about 20% of a 1,000-run page), and lists of scalars serialised in one pass."""

    is_awaitable = staticmethod(_never_awaitable)

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        path: Path,
        result: AsyncIterable[Any] | Iterable[Any],
    ) -> AwaitableOrValue[list[Any]]:
        item_type = return_type.of_type
        non_null = isinstance(item_type, GraphQLNonNull)
        leaf = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if isinstance(result, list | tuple) and is_leaf_type(leaf):
            serialize = leaf.serialize  # type: ignore[union-attr]

            def complete(item: object) -> object:
                if item is None:
                    if non_null:
                        raise _NotSerialisable
                    return None
                value = serialize(item)
                if value is None or value is Undefined:
                    raise _NotSerialisable
                return value

            try:
                return [complete(item) for item in result]
            except Exception:  # graphql-core completes the list again and reports the item
                pass
        return super().complete_list_value(return_type, field_nodes, info, path, result)
