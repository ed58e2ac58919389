"""graphql-core execution tuned for this server's synchronous resolvers.

Two shapes dominate this server's answers, and graphql-core's general machinery (a resolve
info, an argument dict, a path and a completion per value) costs more than the data for both:

- lists of scalars: ``history`` and ``events`` (one ``JSONString`` per row, thousands per
  page) are serialised in one pass;
- objects built as dicts whose scalar fields have no resolver (a run page is 1,000 runs of
  about 20 such fields): each such field is read from the dict and serialised directly.

Whenever a value is not the plain case (null where it may not be, not serialisable, a
callable, a field with a resolver or an object type) the general path takes over, so errors
are built and reported exactly as graphql-core does.

Example:
    >>> from graphql import build_schema, execute, parse
    >>> schema = build_schema("type Query { rows: [String] }")
    >>> document = parse("{ rows }")
    >>> execute(schema, document, {"rows": ["a", None]},
    ...         execution_context_class=SyncExecutionContext).data
    {'rows': ['a', None]}
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from graphql import (
    ExecutionContext,
    FieldNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    Undefined,
    default_field_resolver,
    is_leaf_type,
)
from graphql.execution.execute import get_field_def
from graphql.pyutils import AwaitableOrValue, Path

__all__ = ["SyncExecutionContext"]


def _never_awaitable(value: object) -> bool:
    return False


class _NotSerialisable(Exception):
    """An item the fast path leaves to graphql-core (which reports it properly)."""


@dataclass(frozen=True, slots=True)
class _PlainLeaf:
    """A scalar field read straight from a dict source (no resolver of its own)."""

    key: str
    serialize: Callable[[Any], Any]
    non_null: bool


def _plain_leaf(
    schema: GraphQLSchema, parent_type: GraphQLObjectType, field_node: FieldNode
) -> _PlainLeaf | None:
    """How to read ``field_node`` of ``parent_type`` from a dict, or None when it needs the
    general path (its own resolver, an object or list type, an introspection field)."""
    field_def = get_field_def(schema, parent_type, field_node)
    if field_def is None or field_def.resolve is not None:
        return None
    field_type = field_def.type
    non_null = isinstance(field_type, GraphQLNonNull)
    named = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    if not is_leaf_type(named):
        return None
    return _PlainLeaf(field_node.name.value, named.serialize, non_null)  # type: ignore[union-attr]


_GENERAL = object()
"""A field value the fast path leaves to :meth:`ExecutionContext.execute_field`."""


def _plain_value(leaf: _PlainLeaf, source: dict[str, Any]) -> object:
    value = source.get(leaf.key)
    if value is None:
        return _GENERAL if leaf.non_null else None
    if callable(value):  # the default resolver would call it
        return _GENERAL
    try:
        serialized = leaf.serialize(value)
    except Exception:  # graphql-core reports it, located at the field
        return _GENERAL
    return _GENERAL if serialized is None or serialized is Undefined else serialized


class SyncExecutionContext(ExecutionContext):
    """An execution context for synchronous resolvers only: no per-value awaitable checks
    (about 20% of a 1,000-run page), lists of scalars serialised in one pass, and the plain
    scalar fields of dict objects read without graphql-core's per-field machinery."""

    is_awaitable = staticmethod(_never_awaitable)

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        fields: dict[str, list[FieldNode]],
    ) -> AwaitableOrValue[dict[str, Any]]:
        if (
            not isinstance(source_value, dict)
            or self.middleware_manager is not None
            or self.field_resolver is not default_field_resolver
        ):
            return super().execute_fields(parent_type, source_value, path, fields)
        plans = self._plain_leaves(parent_type, fields)
        results: dict[str, Any] = {}
        for response_name, field_nodes in fields.items():
            leaf = plans[response_name]
            value = _GENERAL if leaf is None else _plain_value(leaf, source_value)
            if value is _GENERAL:
                field_path = Path(path, response_name, parent_type.name)
                value = self.execute_field(parent_type, source_value, field_nodes, field_path)
                if value is Undefined:
                    continue
            results[response_name] = value
        return results

    def _plain_leaves(
        self, parent_type: GraphQLObjectType, fields: dict[str, list[FieldNode]]
    ) -> dict[str, _PlainLeaf | None]:
        """Per selection (the same dict for every item of a list): each field's plan."""
        cache: dict[tuple[str, int], tuple[object, dict[str, _PlainLeaf | None]]]
        cache = self.__dict__.setdefault("_plain_leaf_cache", {})
        key = (parent_type.name, id(fields))
        cached = cache.get(key)
        if cached is not None:
            return cached[1]
        plans = {
            name: _plain_leaf(self.schema, parent_type, nodes[0]) for name, nodes in fields.items()
        }
        cache[key] = (fields, plans)  # holding ``fields`` keeps its id from being reused
        return plans

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
