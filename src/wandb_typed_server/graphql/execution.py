"""graphql-core execution tuned for this server's synchronous resolvers.

Two shapes dominate this server's answers, and graphql-core's general machinery (a resolve
info, an argument dict, a path and a completion per value) costs more than the data for both:

- lists of scalars: ``history`` and ``events`` (one ``JSONString`` per row, thousands per
  page) are serialised in one pass;
- objects built as dicts whose fields have no resolver (a run page is 1,000 runs of about
  20 such fields, in edges, with a user object each): each such field is read from the dict
  and serialised directly, or its object's fields executed at once.

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
    located_error,
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


@dataclass(frozen=True, slots=True)
class _PlainObject:
    """An object field read straight from a dict source, its own fields executed at once."""

    key: str
    object_type: GraphQLObjectType
    return_type: GraphQLOutputType
    non_null: bool


_Plan = _PlainLeaf | _PlainObject | None


def _plain_object_type(field_type: GraphQLOutputType) -> GraphQLObjectType | None:
    """The object type a field returns when completing it needs no per-value check."""
    named = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    if isinstance(named, GraphQLObjectType) and named.is_type_of is None:
        return named
    return None


def _plan(schema: GraphQLSchema, parent_type: GraphQLObjectType, field_node: FieldNode) -> _Plan:
    """How to read ``field_node`` of ``parent_type`` from a dict, or None when it needs the
    general path (its own resolver, a list type, an introspection field)."""
    field_def = get_field_def(schema, parent_type, field_node)
    if field_def is None or field_def.resolve is not None:
        return None
    field_type = field_def.type
    non_null = isinstance(field_type, GraphQLNonNull)
    named = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    key = field_node.name.value
    if is_leaf_type(named):
        return _PlainLeaf(key, named.serialize, non_null)  # type: ignore[union-attr]
    object_type = _plain_object_type(field_type)
    if object_type is not None:
        return _PlainObject(key, object_type, field_type, non_null)
    return None


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
    fields of dict objects (scalars, objects, lists of objects) completed without
    graphql-core's per-field machinery."""

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
        plans = self._plans(parent_type, fields)
        results: dict[str, Any] = {}
        for response_name, field_nodes in fields.items():
            plan = plans[response_name]
            field_path: Path | None = None
            if plan is None:
                value = _GENERAL
            elif isinstance(plan, _PlainLeaf):
                value = _plain_value(plan, source_value)
            else:
                field_path = Path(path, response_name, parent_type.name)
                value = self._plain_object(plan, source_value, field_nodes, field_path)
            if value is _GENERAL:
                field_path = field_path or Path(path, response_name, parent_type.name)
                value = self.execute_field(parent_type, source_value, field_nodes, field_path)
                if value is Undefined:
                    continue
            results[response_name] = value
        return results

    def _plain_object(
        self,
        plan: _PlainObject,
        source: dict[str, Any],
        field_nodes: list[FieldNode],
        path: Path,
    ) -> object:
        """An object field's value, completed as ``execute_field`` would (its errors too)."""
        value = source.get(plan.key)
        if value is None:
            return _GENERAL if plan.non_null else None
        if not isinstance(value, dict):
            return _GENERAL
        try:
            return self.execute_fields(
                plan.object_type, value, path, self.collect_subfields(plan.object_type, field_nodes)
            )
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, path.as_list())
            self.handle_field_error(error, plan.return_type, path)
            return None

    def _plans(
        self, parent_type: GraphQLObjectType, fields: dict[str, list[FieldNode]]
    ) -> dict[str, _Plan]:
        """Per selection (the same dict for every item of a list): each field's plan."""
        cache: dict[tuple[str, int], tuple[object, dict[str, _Plan]]]
        cache = self.__dict__.setdefault("_plan_cache", {})
        key = (parent_type.name, id(fields))
        cached = cache.get(key)
        if cached is not None:
            return cached[1]
        plans = {name: _plan(self.schema, parent_type, nodes[0]) for name, nodes in fields.items()}
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
        object_type = _plain_object_type(item_type)
        if (
            object_type is not None
            and isinstance(result, list | tuple)
            and all(isinstance(item, dict) for item in result)
        ):
            return self._complete_objects(object_type, item_type, field_nodes, path, result)
        return super().complete_list_value(return_type, field_nodes, info, path, result)

    def _complete_objects(
        self,
        object_type: GraphQLObjectType,
        item_type: GraphQLOutputType,
        field_nodes: list[FieldNode],
        path: Path,
        items: list[Any] | tuple[Any, ...],
    ) -> list[Any]:
        """A list of dict objects, each item's errors handled as graphql-core does."""
        sub_fields = self.collect_subfields(object_type, field_nodes)
        completed: list[Any] = []
        for index, item in enumerate(items):
            item_path = path.add_key(index, None)
            try:
                completed.append(self.execute_fields(object_type, item, item_path, sub_fields))
            except Exception as raw_error:
                error = located_error(raw_error, field_nodes, item_path.as_list())
                self.handle_field_error(error, item_type, item_path)
                completed.append(None)
        return completed
