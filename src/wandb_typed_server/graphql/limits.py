"""Limits on what one request may ask of the server, each configurable, each refused by name.

A request over a limit is refused before it costs much: the body by its size (read no
further), the JSON by its nesting, the GraphQL document by its depth, its number of fields
and aliases (counted on the parsed document, before validation, whose overlap check is
quadratic in same-named fields), and by a cost model checked once the document is valid:

- every field selection costs 1;
- a field with ``first``/``perPage`` multiplies the cost of what it selects by that count;
- ``history``/``events`` cost their ``samples`` (default 500), ``sampledHistory`` the
  ``samples`` of each of its specs (W&B's default 500).

The refusal names the limit and the server option that sets it:

>>> limits = RequestLimits(max_query_aliases=2)
>>> from graphql import parse
>>> document_errors(parse("{ a: viewer { id } b: viewer { id } c: viewer { id } }"), limits)
'the query has 3 aliases, over the limit max_query_aliases=2 (server option --max-query-aliases)'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
)

__all__ = [
    "LimitExceededError",
    "RequestLimits",
    "cost_error",
    "document_errors",
    "json_depth_error",
    "limit_message",
]

DEFAULT_SAMPLES = 500


@dataclass(frozen=True)
class RequestLimits:
    """What one request may ask; ``wandb-typed server --help`` lists the options setting them.

    >>> RequestLimits().max_body_bytes
    16777216
    """

    max_body_bytes: int = 16 << 20
    """Bytes in one request body (``/graphql``, ``file_stream``)."""
    max_json_depth: int = 64
    """Nesting of arrays and objects in a JSON body, its variables and file_stream lines."""
    max_query_depth: int = 32
    """Nesting of selection sets in a GraphQL document."""
    max_query_fields: int = 2000
    """Field selections in a GraphQL document."""
    max_query_aliases: int = 200
    """Aliased field selections in a GraphQL document."""
    max_query_cost: int = 1_000_000
    """The cost model of :mod:`wandb_typed_server.graphql.limits` (history samples count)."""

    @classmethod
    def option_names(cls) -> list[str]:
        """The limits' names, as ``RequestLimits`` fields (``--max-...`` options)."""
        return [field.name for field in fields(cls)]


class LimitExceededError(ValueError):
    """A request over one of the server's limits; the message names the limit."""


def limit_message(what: str, name: str, limit: int) -> str:
    """The refusal of a request over ``name``.

    >>> limit_message("a body of 9 bytes", "max_body_bytes", 8)
    'a body of 9 bytes, over the limit max_body_bytes=8 (server option --max-body-bytes)'
    """
    option = "--" + name.replace("_", "-")
    return f"{what}, over the limit {name}={limit} (server option {option})"


_CONTAINERS = (dict, list)


def json_depth_error(value: object, limit: int, what: str = "the JSON body") -> str | None:
    """The refusal of ``value`` if its arrays and objects nest deeper than ``limit``, else None
    (iterative: no recursion however deep the value).

    >>> json_depth_error([[[1]]], 2) is not None, json_depth_error([[1]], 2)
    (True, None)
    """
    if not isinstance(value, dict | list):
        return None
    # Only arrays and objects are stacked: a file_stream body's thousands of strings cost a
    # type check each, no more.
    stack: list[tuple[dict[object, object] | list[object], int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth + 1 > limit:
            return limit_message(f"{what} nests deeper than {limit}", "max_json_depth", limit)
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, _CONTAINERS))
    return None


def document_errors(document: DocumentNode, limits: RequestLimits) -> str | None:
    """The refusal of a parsed document over the depth, field or alias limit, else None.

    Counts the document as written (fragments once), before validation.
    """
    field_count = alias_count = 0
    deepest = 0
    stack: list[tuple[Node, int]] = [(definition, 0) for definition in document.definitions]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, FieldNode):
            field_count += 1
            alias_count += node.alias is not None
        selection_set = getattr(node, "selection_set", None)
        if isinstance(selection_set, SelectionSetNode):
            deepest = max(deepest, depth + 1)
            stack.extend((child, depth + 1) for child in selection_set.selections)
    if deepest > limits.max_query_depth:
        what = f"the query nests {deepest} selections deep"
        return limit_message(what, "max_query_depth", limits.max_query_depth)
    if field_count > limits.max_query_fields:
        what = f"the query has {field_count} fields"
        return limit_message(what, "max_query_fields", limits.max_query_fields)
    if alias_count > limits.max_query_aliases:
        what = f"the query has {alias_count} aliases"
        return limit_message(what, "max_query_aliases", limits.max_query_aliases)
    return None


def cost_error(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, object] | None,
    limit: int,
) -> str | None:
    """The refusal of ``operation`` (in a validated document) if its cost is over ``limit``.

    >>> from graphql import parse
    >>> doc = parse("{ a: run { history(samples: 20000) } b: run { history(samples: 20000) } }")
    >>> print(cost_error(doc, doc.definitions[0], None, 30000))
    the query costs 40004, over the limit max_query_cost=30000 (server option --max-query-cost)
    """
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    values = variables or {}
    cost = _selection_cost(operation.selection_set, fragments, values, limit, set())
    if cost > limit:
        return limit_message(f"the query costs {cost}", "max_query_cost", limit)
    return None


def _selection_cost(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, object],
    limit: int,
    spreading: set[str],
) -> int:
    # Recursion depth is bounded by max_query_depth (checked before); fragment cycles are
    # refused by validation, and ``spreading`` guards them anyway.
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            arguments = {arg.name.value: arg.value for arg in selection.arguments or ()}
            own = 1 + _samples_cost(selection.name.value, arguments, variables)
            multiplier = max(
                1,
                _int_argument(arguments.get("first"), variables),
                _int_argument(arguments.get("perPage"), variables),
            )
            inner = _selection_cost(selection.selection_set, fragments, variables, limit, spreading)
            total += own + multiplier * inner
        elif isinstance(selection, InlineFragmentNode):
            total += _selection_cost(
                selection.selection_set, fragments, variables, limit, spreading
            )
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in spreading:
                spreading.add(name)
                total += _selection_cost(
                    fragment.selection_set, fragments, variables, limit, spreading
                )
                spreading.discard(name)
        if total > limit:
            return total  # no need to count further
    return total


def _samples_cost(
    name: str, arguments: Mapping[str, ValueNode], variables: Mapping[str, object]
) -> int:
    if name in ("history", "events"):
        samples = arguments.get("samples")
        return _int_argument(samples, variables) if samples is not None else DEFAULT_SAMPLES
    if name == "sampledHistory":
        return sum(
            _spec_samples(spec) for spec in _list_argument(arguments.get("specs"), variables)
        )
    return 0


def _spec_samples(spec: object) -> int:
    if isinstance(spec, str):
        try:
            spec = json.loads(spec)
        except (ValueError, RecursionError):
            return 0
    if isinstance(spec, dict):
        samples = spec.get("samples", DEFAULT_SAMPLES)
        return samples if isinstance(samples, int) and samples > 0 else DEFAULT_SAMPLES
    return 0


def _int_argument(value: ValueNode | None, variables: Mapping[str, object]) -> int:
    if isinstance(value, IntValueNode):
        try:
            return max(0, int(value.value))
        except ValueError:
            return 0
    if isinstance(value, VariableNode):
        given = variables.get(value.name.value)
        return given if isinstance(given, int) and given > 0 else 0
    return 0


def _list_argument(value: ValueNode | None, variables: Mapping[str, object]) -> list[object]:
    if isinstance(value, ListValueNode):
        return [item.value for item in value.values if isinstance(item, StringValueNode)]
    if isinstance(value, StringValueNode):
        return [value.value]
    if isinstance(value, VariableNode):
        given = variables.get(value.name.value)
        if isinstance(given, list):
            return list(given)
        return [given] if given is not None else []
    return []
