"""W&B's run ``order`` strings, compiled to a sort over ``runs AS r``, and keyset pagination.

:func:`compile_order` turns an ``order`` string into a sort expression, and the cursor
helpers implement keyset pagination on ``(sort value, r.pk)`` so that a page costs the same
wherever the cursor is and rows inserted between pages are neither skipped nor repeated.

>>> order = compile_order("-summary_metrics.loss")
>>> order.order_by.endswith("DESC, r.pk DESC")
True
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from wandb_typed_server.storage.run_fields import (
    COLUMNS,
    CONFIG_PREFIX,
    SUMMARY_PREFIX,
    FilterError,
    SqlClause,
    config_parts,
    json_ref,
)

__all__ = [
    "DEFAULT_ORDER",
    "OrderSpec",
    "compile_order",
    "decode_cursor",
    "encode_cursor",
    "keyset_after",
]


@dataclass(frozen=True)
class OrderSpec:
    """How to sort runs: ``expr`` over ``runs AS r``, ties broken by ``r.pk``.

    ``key`` is the canonical name of the order (``"created_at"``, ``"config.lr.value"``, ...);
    cursors carry it so that a cursor from one order is refused by another. ``nullable`` is
    False only for columns the server declares NOT NULL (``created_at``, ``heartbeat_at``,
    ``name``, ``state``, ``duration``): their descending pages then seek in the index instead
    of also looking for NULLs.
    """

    key: str
    expr: str
    descending: bool
    nullable: bool = True

    @property
    def order_by(self) -> str:
        """The ``ORDER BY`` list matching :func:`keyset_after`, e.g. ``r.name DESC, r.pk DESC``."""
        direction = "DESC" if self.descending else "ASC"
        return f"{self.expr} {direction}, r.pk {direction}"


# Columns the server's runs table declares NOT NULL; every other order column may hold NULLs.
_NOT_NULL_COLUMNS = frozenset({"r.name", "r.state", "r.created_at", "r.heartbeat_at", "r.duration"})

DEFAULT_ORDER = "+created_at"


def compile_order(order: str | None) -> OrderSpec:
    """Compile W&B's ``order`` string (``+created_at``, ``-summary_metrics.loss``, ...).

    ``+`` or no prefix sorts ascending, ``-`` descending. Keys: any plain run field the
    filters know (``created_at``/``createdAt``, ``heartbeat_at``, ``name``, ``display_name``,
    ``state``, ``group``, ``sweep``, ``duration``, ...), ``config.<k>`` with or without
    ``.value``, and ``summary_metrics.<k>``. Ties (and NULLs, first ascending, last descending) fall back to ``r.pk``.

    Raises:
        FilterError: an order key the server cannot sort by.

    >>> compile_order("-heartbeat_at")
    OrderSpec(key='heartbeat_at', expr='r.heartbeat_at', descending=True, nullable=False)
    """
    text = (order or "").strip() or DEFAULT_ORDER
    descending = text.startswith("-")
    name = text[1:] if text[0] in "+-" else text
    column = COLUMNS.get(name)
    if column is not None:
        return OrderSpec(
            key=column.sql.removeprefix("r."),
            expr=column.sql,
            descending=descending,
            nullable=column.sql not in _NOT_NULL_COLUMNS,
        )
    if name.startswith(CONFIG_PREFIX):
        parts = config_parts(name[len(CONFIG_PREFIX) :])
        ref = json_ref("r.config", parts, name)
        return OrderSpec(key="config." + ".".join(parts), expr=ref.value, descending=descending)
    if name.startswith(SUMMARY_PREFIX):
        parts = name[len(SUMMARY_PREFIX) :].split(".")
        ref = json_ref("r.summary", parts, name)
        return OrderSpec(
            key="summary_metrics." + ".".join(parts), expr=ref.value, descending=descending
        )
    raise FilterError(f"unsupported order key {name!r}")


def keyset_after(order: OrderSpec, cursor: str) -> SqlClause:
    """The rows that come strictly after ``cursor`` in ``order.order_by``.

    NULL sort values come first ascending and last descending, as SQLite sorts them. The
    row-value comparison lets SQLite seek straight to the cursor in an index on
    ``(project_pk, column, pk)``, so a late page costs what the first one does.

    Raises:
        FilterError: a malformed cursor, or one made for another order.

    >>> order = compile_order("+name")
    >>> keyset_after(order, encode_cursor(order, "b", 7))
    SqlClause(sql='((r.name, r.pk) > (?, ?))', params=('b', 7))
    """
    value, pk = decode_cursor(order, cursor)
    expr = order.expr
    if value is None:
        if order.descending:
            return SqlClause(f"({expr} IS NULL AND r.pk < ?)", (pk,))
        return SqlClause(f"(({expr} IS NULL AND r.pk > ?) OR {expr} IS NOT NULL)", (pk,))
    sign = "<" if order.descending else ">"
    after = f"({expr}, r.pk) {sign} (?, ?)"
    if order.descending and order.nullable:
        # NULLs come last descending: they are all still ahead of a non-NULL cursor.
        return SqlClause(f"({after} OR {expr} IS NULL)", (value, pk))
    return SqlClause(f"({after})", (value, pk))


def encode_cursor(order: OrderSpec, value: object, pk: int) -> str:
    """An opaque, URL-safe cursor for the row with sort ``value`` and primary key ``pk``.

    >>> order = compile_order(None)
    >>> decode_cursor(order, encode_cursor(order, "2026-01-01T00:00:00.000000", 3))
    ('2026-01-01T00:00:00.000000', 3)
    """
    if isinstance(value, bytes):
        raise FilterError(f"cannot put a binary sort value in a cursor for order {order.key!r}")
    payload = json.dumps([order.key, order.descending, value, pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(order: OrderSpec, cursor: str) -> tuple[object, int]:
    """The ``(sort value, pk)`` inside a cursor made by :func:`encode_cursor` for ``order``.

    Raises:
        FilterError: the cursor is malformed or was made for another order.

    >>> cursor = encode_cursor(compile_order("+name"), "b", 7)
    >>> decode_cursor(compile_order("+name"), cursor)
    ('b', 7)
    >>> decode_cursor(compile_order("-name"), cursor)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    FilterError: cursor '...' belongs to order +name, not to the requested order
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
    except (ValueError, UnicodeError, binascii.Error):
        raise FilterError(f"malformed cursor {cursor!r}") from None
    if (
        not isinstance(payload, list)
        or len(payload) != 4
        or not isinstance(payload[1], bool)
        or not isinstance(payload[3], int)
        or isinstance(payload[3], bool)
        or isinstance(payload[2], (list, dict, bool))
    ):
        raise FilterError(f"malformed cursor {cursor!r}")
    key, descending, value, pk = payload
    if key != order.key or descending != order.descending:
        sign = "-" if descending else "+"
        raise FilterError(
            f"cursor {cursor!r} belongs to order {sign}{key}, not to the requested order"
        )
    return value, pk
