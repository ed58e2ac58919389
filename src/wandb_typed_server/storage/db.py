"""SQLite storage: one WAL database per data dir, one connection per thread.

Reads run in autocommit mode; writes go through :meth:`Database.transaction`, which takes
the write lock up front (``BEGIN IMMEDIATE``) so that concurrent writers queue instead of
failing, and rolls back on any exception so a failed request leaves nothing half-written.
Writers of one process queue on a lock of their own first: SQLite's busy handler would have
them sleep and poll (up to 100 ms a try), this lock hands over the moment the writer before
commits. Other processes on the same file still meet SQLite's lock and its busy timeout.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from wandb_typed_server.storage.account_tables import ACCOUNT_DDL
from wandb_typed_server.storage.artifact_tables import ARTIFACT_DDL
from wandb_typed_server.storage.history import HISTORY_DDL
from wandb_typed_server.storage.launch import LAUNCH_DDL
from wandb_typed_server.storage.organization_tables import ORGANIZATION_DDL
from wandb_typed_server.storage.run_fields import RUN_INDEX_DDL, register_sql_functions

_CORE_DDL: list[str] = [
    """CREATE TABLE IF NOT EXISTS users (
        pk INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        email TEXT,
        is_admin INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS api_keys (
        pk INTEGER PRIMARY KEY,
        user_pk INTEGER NOT NULL REFERENCES users(pk),
        key_sha256 TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS entities (
        pk INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        is_team INTEGER NOT NULL,
        user_pk INTEGER REFERENCES users(pk),
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS team_members (
        entity_pk INTEGER NOT NULL REFERENCES entities(pk),
        user_pk INTEGER NOT NULL REFERENCES users(pk),
        PRIMARY KEY (entity_pk, user_pk)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS projects (
        pk INTEGER PRIMARY KEY,
        entity_pk INTEGER NOT NULL REFERENCES entities(pk),
        name TEXT NOT NULL,
        description TEXT,
        user_pk INTEGER REFERENCES users(pk),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (entity_pk, name)
    )""",
    """CREATE TABLE IF NOT EXISTS runs (
        pk INTEGER PRIMARY KEY,
        project_pk INTEGER NOT NULL REFERENCES projects(pk),
        name TEXT NOT NULL,
        display_name TEXT,
        state TEXT NOT NULL,
        group_name TEXT,
        job_type TEXT,
        created_at TEXT NOT NULL,
        heartbeat_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        host TEXT,
        user_pk INTEGER NOT NULL REFERENCES users(pk),
        username TEXT NOT NULL,
        sweep_name TEXT,
        notes TEXT,
        commit_hash TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        config TEXT NOT NULL DEFAULT '{}',
        summary TEXT NOT NULL DEFAULT '{}',
        duration REAL NOT NULL DEFAULT 0,
        exitcode INTEGER,
        UNIQUE (project_pk, name)
    )""",
    """CREATE TABLE IF NOT EXISTS console_lines (
        run_pk INTEGER NOT NULL,
        line_no INTEGER NOT NULL,
        content TEXT NOT NULL,
        PRIMARY KEY (run_pk, line_no)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS run_files (
        pk INTEGER PRIMARY KEY,
        run_pk INTEGER NOT NULL,
        name TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        md5 TEXT NOT NULL,
        mimetype TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (run_pk, name)
    )""",
    "CREATE INDEX IF NOT EXISTS runs_state_heartbeat ON runs (state, heartbeat_at)",
    # How many runs each project has ever created: numbers generated display names
    # ("eager-fox-7") without counting the project's runs on every insert.
    """CREATE TABLE IF NOT EXISTS project_run_counters (
        project_pk INTEGER PRIMARY KEY,
        created INTEGER NOT NULL
    )""",
]


class Database:
    """The server's SQLite database at ``path``; safe to share between threads.

    >>> db = Database(Path(tmp) / "server.sqlite3")  # doctest: +SKIP
    >>> with db.transaction() as conn:  # doctest: +SKIP
    ...     conn.execute("INSERT INTO ...")
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        with self.transaction() as conn:
            for ddl in [
                *_CORE_DDL,
                *ACCOUNT_DDL,
                *RUN_INDEX_DDL,
                *HISTORY_DDL,
                *ARTIFACT_DDL,
                *LAUNCH_DDL,
                *ORGANIZATION_DDL,
            ]:
                conn.execute(ddl)

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (created on first use)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=60.0
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            register_sql_functions(conn)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction on this thread's connection; joins one already open."""
        conn = self.connection()
        if conn.in_transaction:
            yield conn
            return
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees the same committed state."""
        conn = self.connection()
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.rollback()

    def close(self) -> None:
        """Close every connection this database opened."""
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()
