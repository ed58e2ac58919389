"""The ``file_stream`` protocol: what one POST from the SDK does to a run.

Body: ``{"files": {name: {"offset": int, "content": [str, ...]}}, "uploaded": [...],
"preempting": bool, "complete": bool, "exitcode": int, "dropped": int}``, every field
optional (an empty body is a heartbeat). The body may be gzip-compressed
(``Content-Encoding: gzip``; the SDK compresses once ``FILESTREAM_GZIP`` is advertised).

- ``wandb-history.jsonl`` / ``wandb-events.jsonl``: lines appended at ``offset``
  (:mod:`wandb_typed_server.storage.history`).
- ``wandb-summary.json``: the whole latest summary; replaces the stored one.
- ``output.log``: console lines, written from line index ``offset``.
- ``complete``: the run ends: exit code 0 is "finished", anything else "failed".
  (W&B's "crashed" is for runs whose heartbeat stopped; see :mod:`wandb_typed_server.http.reaper`.)
- ``preempting``: the job is about to be preempted: state "preempting" (it becomes
  "preempted" if it then falls silent, see the reaper).
- any other request is a heartbeat; it also brings an ended run back to "running" (resume).
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic_core import from_json

from wandb_typed_server.storage.automation_events import on_history_lines
from wandb_typed_server.storage.console import console_line_count, write_console_lines
from wandb_typed_server.storage.history import (
    PreparedLines,
    Stream,
    prepare_lines,
    store_lines,
)
from wandb_typed_server.storage.runs import touch_heartbeat, update_run

HISTORY_FILE = "wandb-history.jsonl"
EVENTS_FILE = "wandb-events.jsonl"
SUMMARY_FILE = "wandb-summary.json"
CONSOLE_FILE = "output.log"
ENDED_STATES = frozenset({"finished", "failed", "crashed", "killed", "preempted", "preempting"})


class FileStreamError(ValueError):
    """A file_stream body that does not follow the protocol."""


@dataclass(frozen=True)
class FileChunk:
    """Lines for one file, starting at ``offset``."""

    offset: int
    content: list[str]


@dataclass(frozen=True)
class FileStreamRequest:
    """One parsed file_stream POST."""

    files: dict[str, FileChunk] = field(default_factory=dict)
    complete: bool = False
    exitcode: int | None = None
    preempting: bool = False


INT64_MAX = 2**63 - 1
"""Largest offset SQLite can store."""
INT32_RANGE = (-(2**31), 2**31 - 1)
"""Exit codes: W&B's ``exitcode`` is a GraphQL Int (32 bits)."""


def decode_body(raw: bytes, content_encoding: str | None, *, max_bytes: int | None = None) -> bytes:
    """The body's bytes, decompressed when ``content_encoding`` says gzip.

    >>> decode_body(gzip.compress(b'{"complete": true}'), "gzip")
    b'{"complete": true}'
    >>> decode_body(b"{}", None)
    b'{}'
    """
    encoding = (content_encoding or "identity").strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding not in ("gzip", "x-gzip"):
        raise FileStreamError(f"unsupported Content-Encoding {content_encoding!r}; use gzip")
    if max_bytes is None:
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise FileStreamError(f"the gzip body cannot be decompressed: {exc}") from exc
    # A bounded inflate: a small gzip body may expand a thousandfold (a "zip bomb").
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        body = inflater.decompress(raw, max_bytes + 1)
    except zlib.error as exc:
        raise FileStreamError(f"the gzip body cannot be decompressed: {exc}") from exc
    if len(body) > max_bytes:
        raise FileStreamError(
            f"the gzip body inflates to more than {max_bytes} bytes, over the limit"
            f" max_body_bytes={max_bytes} (server option --max-body-bytes)"
        )
    if not inflater.eof:
        raise FileStreamError("the gzip body cannot be decompressed: it is truncated")
    return body


def load_json(body: bytes) -> object:
    """A JSON body: pydantic-core's parser (several times the stdlib's on a body of history
    lines), the stdlib's for what it refuses (an escaped lone surrogate in a string).

    >>> load_json(b'{"files": {}, "complete": true}')
    {'files': {}, 'complete': True}
    """
    try:
        return from_json(body)
    except ValueError:
        return json.loads(body)


def _chunk(name: str, value: object) -> FileChunk:
    if not isinstance(value, Mapping):
        raise FileStreamError(f"files[{name!r}] must be an object")
    offset = value.get("offset", 0)
    content = value.get("content", [])
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise FileStreamError(f"files[{name!r}].offset must be a non-negative integer")
    if not isinstance(content, list) or not all(isinstance(line, str) for line in content):
        raise FileStreamError(f"files[{name!r}].content must be a list of strings")
    if offset + len(content) > INT64_MAX:
        raise FileStreamError(f"files[{name!r}].offset {offset} is beyond {INT64_MAX}")
    return FileChunk(offset=offset, content=content)


def parse_file_stream_body(body: object) -> FileStreamRequest:
    """Check a decoded JSON body and turn it into a request.

    >>> parse_file_stream_body({"complete": True, "exitcode": 1}).exitcode
    1
    """
    if not isinstance(body, Mapping):
        raise FileStreamError("file_stream body must be a JSON object")
    files = body.get("files")
    if files is None:
        files = {}
    if not isinstance(files, Mapping):
        raise FileStreamError("'files' must be an object")
    exitcode = body.get("exitcode")
    if exitcode is not None and (not isinstance(exitcode, int) or isinstance(exitcode, bool)):
        raise FileStreamError("'exitcode' must be an integer")
    if exitcode is not None and not INT32_RANGE[0] <= exitcode <= INT32_RANGE[1]:
        raise FileStreamError(
            f"'exitcode' {exitcode} is outside the 32-bit range {INT32_RANGE[0]}..{INT32_RANGE[1]}"
        )
    return FileStreamRequest(
        files={str(name): _chunk(str(name), value) for name, value in files.items()},
        complete=bool(body.get("complete", False)),
        exitcode=exitcode,
        preempting=bool(body.get("preempting", False)),
    )


def _summary_changes(chunk: FileChunk) -> dict[str, object]:
    if not chunk.content:
        return {}
    try:
        summary = json.loads(chunk.content[-1])
    except json.JSONDecodeError as exc:
        raise FileStreamError(f"{SUMMARY_FILE} content is not JSON: {exc}") from exc
    except RecursionError:
        raise FileStreamError(f"{SUMMARY_FILE} content nests too deeply") from None
    if not isinstance(summary, dict):
        raise FileStreamError(f"{SUMMARY_FILE} content must be a JSON object")
    changes: dict[str, object] = {"summary": json.dumps(summary, separators=(",", ":"))}
    runtime = summary.get("_runtime")
    if isinstance(runtime, int | float) and not isinstance(runtime, bool):
        changes["duration"] = float(runtime)
    return changes


_STREAM_FILES: dict[str, Stream] = {HISTORY_FILE: "history", EVENTS_FILE: "events"}


def prepare_streams(request: FileStreamRequest) -> dict[str, PreparedLines]:
    """The request's history and events lines parsed and checked, by file name: the CPU work
    of a request, done before its write transaction so that it never holds the write lock.

    Raises:
        ValueError: a line that is not a JSON object, named.
    """
    return {
        name: prepare_lines(_STREAM_FILES[name], chunk.offset, chunk.content)
        for name, chunk in request.files.items()
        if name in _STREAM_FILES
    }


def apply_file_stream(
    conn: sqlite3.Connection,
    run_pk: int,
    state: str,
    request: FileStreamRequest,
    prepared: Mapping[str, PreparedLines] | None = None,
) -> None:
    """Apply one request to the run inside the caller's transaction (``prepared``: what
    :func:`prepare_streams` made of it, if already done)."""
    streams = prepare_streams(request) if prepared is None else prepared
    touch_heartbeat(conn, run_pk)
    changes: dict[str, object] = {}
    for name, chunk in request.files.items():
        if name in _STREAM_FILES:
            store_lines(conn, run_pk, streams[name])
            if name == HISTORY_FILE:
                on_history_lines(conn, run_pk, chunk.offset, chunk.content)
        elif name == SUMMARY_FILE:
            changes.update(_summary_changes(chunk))
        elif name == CONSOLE_FILE:
            if chunk.content:
                expected = console_line_count(conn, run_pk)
                if chunk.offset > expected:
                    raise FileStreamError(
                        f"files[{CONSOLE_FILE!r}].offset {chunk.offset} leaves a gap:"
                        f" the next line is {expected}"
                    )
            write_console_lines(conn, run_pk, chunk.offset, chunk.content)
    if request.complete:
        exitcode = request.exitcode or 0
        changes["state"] = "finished" if exitcode == 0 else "failed"
        changes["exitcode"] = exitcode
    elif request.preempting:
        changes["state"] = "preempting"
    elif state in ENDED_STATES:
        changes["state"] = "running"
    if changes:
        update_run(conn, run_pk, changes)
