"""GraphQL objects are plain dicts: public fields under their GraphQL names, private data
(primary keys, raw JSON) under keys starting with ``_``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Node = dict[str, object]


def node_int(obj: Node, key: str) -> int:
    """An integer stored in a node (primary keys, foreign keys).

    >>> node_int({"_pk": 3}, "_pk")
    3
    """
    value = obj[key]
    if not isinstance(value, int):
        raise TypeError(f"node field {key!r} is not an integer: {value!r}")
    return value


def node_pk(obj: Node) -> int:
    """The primary key behind a node."""
    return node_int(obj, "_pk")


def page_info(edges: Sequence[Mapping[str, object]], has_next: bool, has_previous: bool) -> Node:
    """A Relay pageInfo for these edges: start and end cursors are the first and last edge's.

    >>> page_info([{"node": {}, "cursor": "c1"}], False, True)
    {'hasNextPage': False, 'hasPreviousPage': True, 'startCursor': 'c1', 'endCursor': 'c1'}
    """
    return {
        "hasNextPage": has_next,
        "hasPreviousPage": has_previous,
        "startCursor": edges[0]["cursor"] if edges else None,
        "endCursor": edges[-1]["cursor"] if edges else None,
    }


def connection_of(
    edges: Sequence[Mapping[str, object]],
    *,
    has_next_page: bool,
    has_previous_page: bool,
    **extra: object,
) -> Node:
    """A GraphQL connection of ``edges`` (each with its ``cursor``), with ``extra`` fields
    (``totalCount``, ...)."""
    return {"edges": edges, "pageInfo": page_info(edges, has_next_page, has_previous_page), **extra}
