"""GraphQL objects are plain dicts: public fields under their GraphQL names, private data
(primary keys, raw JSON) under keys starting with ``_``."""

from __future__ import annotations

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
