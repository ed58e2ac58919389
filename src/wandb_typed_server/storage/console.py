"""Console output (``output.log``) stored line by line, so progress bars can rewrite lines."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence


def write_console_lines(
    conn: sqlite3.Connection, run_pk: int, offset: int, lines: Sequence[str]
) -> None:
    """(Over)write lines starting at line index ``offset``."""
    conn.executemany(
        "INSERT OR REPLACE INTO console_lines (run_pk, line_no, content) VALUES (?, ?, ?)",
        [(run_pk, offset + index, line) for index, line in enumerate(lines)],
    )


def console_line_count(conn: sqlite3.Connection, run_pk: int) -> int:
    """Number of console lines (one past the highest line index written)."""
    row = conn.execute(
        "SELECT MAX(line_no) FROM console_lines WHERE run_pk = ?", (run_pk,)
    ).fetchone()
    return 0 if row[0] is None else int(row[0]) + 1


def console_text(conn: sqlite3.Connection, run_pk: int) -> str:
    """The whole console output as text, one line per stored line."""
    rows = conn.execute(
        "SELECT content FROM console_lines WHERE run_pk = ? ORDER BY line_no", (run_pk,)
    ).fetchall()
    return "".join(f"{row[0]}\n" for row in rows)
