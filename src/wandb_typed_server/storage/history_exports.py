"""A run's history exported to Parquet (``Run.parquetHistory``), built on request and cached.

Exports live under ``<data dir>/history-exports/<run pk>/``: ``manifest.json`` and the files
of each *segment*. The first request exports every row (segment 0); a later request after
rows were appended with higher steps exports only those (the next segment), so a file once
handed out never changes: wandb-core caches downloaded exports by their position in the
list (``<entity>_<project>_<run>_<i>.runhistory.parquet``). The files of one segment are
its rows grouped by shape (see :mod:`wandb_typed_server.storage.history_parquet`).

The whole export is made again (and so the positions change content) only when the rows
already exported changed: a line re-sent with another body (the ingest calls
:func:`forget_history_exports`), rows appended with steps not above the last exported one,
more than :data:`MAX_SEGMENTS` segments, or another run now holding the primary key.

Every request brings the export up to date before it answers (one background thread builds;
a request waits for it up to :data:`BUILD_WAIT_SECONDS`, and answers no export when the build
takes longer: the client pages this time), so ``liveData`` is empty:
wandb-core asks ``history`` for a whole page once a page reaches the first live step, and
would read the page's exported rows twice.

A history Parquet cannot hold as logged (see ``NotExportable``) has no export: the
resolver answers no URLs and no live rows, and clients page through ``history``.

Exports are off unless the server is started with them (``--history-exports``): wandb
0.31.0's ``scan_history()`` reads them and gets exactly the rows it pages, but its
``scan_history(keys=[...])`` reads every exported row in the window, holding the keys or not
(a row of a file without the keys comes back as ``{"_step": n}``; against W&B's own exports it
comes back with the keys set to None), where paging returns only the rows holding them.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pydantic_core import from_json

from wandb_typed_server.storage.history_parquet import NotExportable, ShapeWriter
from wandb_typed_server.work_slots import slot_given_back

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

__all__ = [
    "HISTORY_EXPORT_DDL",
    "MAX_SEGMENTS",
    "HistoryExports",
    "RunIdentity",
    "Snapshots",
    "forget_history_exports",
]


class Snapshots(Protocol):
    """What an export build reads from (the server's ``Database``): read transactions, each
    seeing one committed state of the rows (the database imports this module for its
    tables, so this module names only what it uses of the database)."""

    def snapshot(self) -> AbstractContextManager[sqlite3.Connection]:
        """A read transaction."""
        ...


MAX_SEGMENTS = 32
"""Segments kept before the export is made again as one."""

BUILD_WAIT_SECONDS = 10.0
"""How long a request waits for its export (less than clients' request timeouts: ours 19 s,
wandb-core's 30 s); past it the request answers no export and the build goes on."""

_FETCH_ROWS = 10_000

HISTORY_EXPORT_DDL: list[str] = [
    # Bumped by the ingest when rows already stored change (a line re-sent with another
    # body): an export made before no longer holds the run's rows.
    """CREATE TABLE IF NOT EXISTS history_export_generations (
        run_pk INTEGER PRIMARY KEY,
        generation INTEGER NOT NULL
    )""",
]


def forget_history_exports(conn: sqlite3.Connection, run_pk: int) -> None:
    """Mark the run's exports stale (its stored history rows changed); one small write.

    >>> conn = sqlite3.connect(":memory:")
    >>> for ddl in HISTORY_EXPORT_DDL:
    ...     _ = conn.execute(ddl)
    >>> forget_history_exports(conn, 1); forget_history_exports(conn, 1)
    >>> conn.execute("SELECT generation FROM history_export_generations").fetchone()
    (2,)
    """
    conn.execute(
        "INSERT INTO history_export_generations (run_pk, generation) VALUES (?, 1)"
        " ON CONFLICT (run_pk) DO UPDATE SET generation = generation + 1",
        (run_pk,),
    )


@dataclass(frozen=True)
class RunIdentity:
    """What tells a run apart from one that later holds the same primary key."""

    pk: int
    name: str
    created_at: str


EXPORT_FORMAT = 2
"""The files' format, in the manifest: an export written in another (by an older server; 1
had no ``wandb_typed.first_row_keys``) is made again."""


@dataclass(frozen=True)
class _Segment:
    lines: int
    last_step: int
    files: list[str]


@dataclass(frozen=True)
class _Manifest:
    run: str
    generation: int
    exportable: bool
    segments: list[_Segment]

    @property
    def lines(self) -> int:
        return self.segments[-1].lines if self.segments else 0

    @property
    def last_step(self) -> int | None:
        return self.segments[-1].last_step if self.segments else None

    @property
    def files(self) -> list[str]:
        return [name for segment in self.segments for name in segment.files]

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": EXPORT_FORMAT,
                "run": self.run,
                "generation": self.generation,
                "exportable": self.exportable,
                "segments": [
                    {"lines": s.lines, "last_step": s.last_step, "files": s.files}
                    for s in self.segments
                ],
            }
        )

    @classmethod
    def from_json(cls, text: str) -> _Manifest:
        data = json.loads(text)
        if data.get("format") != EXPORT_FORMAT:
            raise ValueError(f"an export in format {data.get('format', 1)}")
        return cls(
            run=str(data["run"]),
            generation=int(data["generation"]),
            exportable=bool(data["exportable"]),
            segments=[
                _Segment(int(s["lines"]), int(s["last_step"]), [str(f) for f in s["files"]])
                for s in data["segments"]
            ],
        )


class HistoryExports:
    """The Parquet exports of every run's history under ``root`` (when not ``enabled``, the
    default: none, every run is read by paging).

    >>> exports = HistoryExports(Path("/tmp/wandb-data/history-exports"))  # doctest: +SKIP
    >>> exports.export(db, RunIdentity(1, "abc", "2026-01-01"))  # doctest: +SKIP
    ['s0000-000.parquet']
    """

    def __init__(
        self, root: Path, *, enabled: bool = False, wait_seconds: float = BUILD_WAIT_SECONDS
    ) -> None:
        self.root = root
        self.enabled = enabled
        self.wait_seconds = wait_seconds
        self._locks: dict[int, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self._builds: dict[int, Future[list[str]]] = {}
        self._builder: ThreadPoolExecutor | None = None

    def file_path(self, run_pk: int, name: str) -> Path | None:
        """The export file ``name`` of the run, or None when ``name`` is not one."""
        if not name.endswith(".parquet") or "/" in name or name.startswith("."):
            return None
        path = self.root / str(run_pk) / name
        return path if path.is_file() else None

    def _lock(self, run_pk: int) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(run_pk, threading.Lock())

    def export(self, db: Snapshots, run: RunIdentity) -> list[str]:
        """The names of the run's export files once they hold every row (see
        :meth:`export_now`), brought up to date by one background thread: when that takes
        more than ``wait_seconds`` (a first export of a long run), none for now (the caller
        pages) while the build goes on for the next request."""
        if not self.enabled:
            return []
        with self._locks_lock:
            build = self._builds.get(run.pk)
            if build is None or build.done():
                if self._builder is None:
                    self._builder = ThreadPoolExecutor(1, thread_name_prefix="history-exports")
                build = self._builder.submit(self._export_in_snapshot, db, run)
                self._builds[run.pk] = build
        try:
            with slot_given_back():  # the build runs on another thread: let others work
                return build.result(timeout=self.wait_seconds)
        except FutureTimeoutError:
            return []

    def _export_in_snapshot(self, db: Snapshots, run: RunIdentity) -> list[str]:
        with db.snapshot() as conn:
            return self.export_now(conn, run)

    def export_now(self, conn: sqlite3.Connection, run: RunIdentity) -> list[str]:
        """The names of the run's export files, in order, once they hold every row ``conn``
        sees (call it inside a read snapshot); empty when the run has no history or its
        history cannot be exported as logged."""
        if not self.enabled:
            return []
        with self._lock(run.pk):
            return self._export(conn, run)

    def _export(self, conn: sqlite3.Connection, run: RunIdentity) -> list[str]:
        folder = self.root / str(run.pk)
        identity = f"{run.name}@{run.created_at}"
        found = conn.execute(
            "SELECT generation FROM history_export_generations WHERE run_pk = ?", (run.pk,)
        ).fetchone()
        generation = int(found[0]) if found else 0
        counted = conn.execute(
            "SELECT line_count FROM history_streams WHERE run_pk = ? AND stream = 'history'",
            (run.pk,),
        ).fetchone()
        lines = int(counted[0]) if counted else 0
        manifest = _read_manifest(folder)
        if manifest is not None and (manifest.run != identity or manifest.generation != generation):
            manifest = None
        if manifest is not None and not manifest.exportable:
            return []
        if manifest is not None and manifest.lines == lines:
            return manifest.files
        if lines == 0:
            return []
        if manifest is None or len(manifest.segments) >= MAX_SEGMENTS:
            return self._rebuild(conn, run, folder, identity, generation, lines)
        last_step = manifest.last_step
        assert last_step is not None
        newer = conn.execute(
            "SELECT COUNT(*) FROM history_lines"
            " WHERE run_pk = ? AND stream = 'history' AND step > ?",
            (run.pk, last_step),
        ).fetchone()[0]
        if int(newer) != lines - manifest.lines:  # some new rows went below the exported ones
            return self._rebuild(conn, run, folder, identity, generation, lines)
        prefix = f"s{len(manifest.segments):04d}"
        try:
            segment = _write_segment(conn, run.pk, folder, prefix, lines, after_step=last_step)
        except NotExportable:
            _write_manifest(folder, _Manifest(identity, generation, False, []))
            return []
        updated = _Manifest(identity, generation, True, [*manifest.segments, segment])
        _write_manifest(folder, updated)
        return updated.files

    def _rebuild(
        self,
        conn: sqlite3.Connection,
        run: RunIdentity,
        folder: Path,
        identity: str,
        generation: int,
        lines: int,
    ) -> list[str]:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            segment = _write_segment(conn, run.pk, folder, "s0000", lines, after_step=None)
        except NotExportable:
            _write_manifest(folder, _Manifest(identity, generation, False, []))
            return []
        manifest = _Manifest(identity, generation, True, [segment])
        _write_manifest(folder, manifest)
        return manifest.files


def _write_segment(
    conn: sqlite3.Connection,
    run_pk: int,
    folder: Path,
    prefix: str,
    lines: int,
    *,
    after_step: int | None,
) -> _Segment:
    """Export the run's rows with a step above ``after_step`` (all when None) as the files
    ``<prefix>-NNN.parquet``; raises NotExportable (nothing left behind) when they cannot be."""
    sql = "SELECT step, line_no, body FROM history_lines WHERE run_pk = ? AND stream = 'history'"
    params: tuple[object, ...] = (run_pk,)
    if after_step is not None:
        sql += " AND step > ?"
        params = (run_pk, after_step)
    cursor = conn.execute(sql + " ORDER BY step, line_no", params)
    writer = ShapeWriter(folder, prefix=prefix)
    last_step = after_step if after_step is not None else -1
    try:
        while batch := cursor.fetchmany(_FETCH_ROWS):
            for step, line_no, body in batch:
                try:
                    row = from_json(body)
                except ValueError:
                    row = json.loads(body)  # what pydantic-core refuses (a lone surrogate)
                if type(row) is not dict:  # pragma: no cover - the ingest stores objects only
                    raise NotExportable(f"history line {line_no} is not an object")
                writer.add(int(step), int(line_no), row)
                last_step = int(step)
        paths = writer.close()
    except BaseException:
        writer.discard()
        raise
    finally:
        cursor.close()
    return _Segment(lines, last_step, [path.name for path in paths])


def _read_manifest(folder: Path) -> _Manifest | None:
    try:
        return _Manifest.from_json((folder / "manifest.json").read_text())
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_manifest(folder: Path, manifest: _Manifest) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "manifest.json"
    temporary = folder / "manifest.json.tmp"
    temporary.write_text(manifest.to_json())
    os.replace(temporary, target)
