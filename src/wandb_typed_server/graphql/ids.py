"""Opaque GraphQL node ids and simple page cursors.

Node ids look like W&B's: base64 of ``"<Type>:<pk>"``.
"""

from __future__ import annotations

import base64
import binascii


class MalformedIdError(ValueError):
    """An id or cursor sent by a client could not be decoded."""


def encode_node_id(type_name: str, pk: int) -> str:
    """The public id of a stored object.

    >>> encode_node_id("Run", 7)
    'UnVuOjc='
    """
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode("ascii")


def decode_node_id(type_name: str, node_id: str) -> int:
    """The primary key inside a node id of the given type.

    >>> decode_node_id("Run", encode_node_id("Run", 7))
    7
    """
    try:
        prefix, _, pk = base64.b64decode(node_id, validate=True).decode().partition(":")
        if prefix != type_name:
            raise MalformedIdError(f"id {node_id!r} is not a {type_name} id")
        return int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise MalformedIdError(f"malformed {type_name} id {node_id!r}") from exc


def encode_name_cursor(name: str) -> str:
    """A cursor for lists ordered by a unique name (projects, files).

    >>> decode_name_cursor(encode_name_cursor("a/b.txt"))
    'a/b.txt'
    """
    return base64.urlsafe_b64encode(name.encode()).decode("ascii")


def decode_name_cursor(cursor: str) -> str:
    """The name a cursor from :func:`encode_name_cursor` points at."""
    try:
        return base64.urlsafe_b64decode(cursor.encode("ascii")).decode()
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise MalformedIdError(f"malformed cursor {cursor!r}") from exc
