"""REST beside GraphQL, as W&B has it: file_stream, authenticated downloads, signed storage.

- ``POST /graphql``                                         (Basic auth)
- ``POST /files/{entity}/{project}/{run}/file_stream``      (Basic auth)
- ``GET  /files/{entity}/{project}/{run}/{name}``           (Basic auth) = File.url
- ``GET|PUT /storage/{entity}/{project}/{run}/{name}``      (signed, expiring URL; no auth)
  = File.directUrl and the upload URLs of createRunFiles
- ``GET  /history-exports/{run pk}/{name}``                 (signed, expiring URL; no auth)
  = a history Parquet export (``Run.parquetHistory.parquetUrls``); HEAD and Range requests
  too (wandb-core reads an export's footer and columns by ranges when it scans some keys)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

from pydantic_core import to_json
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from wandb_typed_server.graphql.context import RequestContext
from wandb_typed_server.graphql.endpoint import GraphQLExecutor
from wandb_typed_server.graphql.limits import RequestLimits, json_depth_error, limit_message
from wandb_typed_server.http.auth import authenticate
from wandb_typed_server.http.file_stream import (
    FileStreamError,
    apply_file_stream,
    decode_body,
    load_json,
    parse_file_stream_body,
    prepare_streams,
)
from wandb_typed_server.storage.blobs import UnsafeFileNameError, check_segment
from wandb_typed_server.storage.entities import readable_entity
from wandb_typed_server.storage.principal import Principal
from wandb_typed_server.storage.run_files import record_file
from wandb_typed_server.storage.runs import find_run_by_path
from wandb_typed_server.storage.state import ServerState
from wandb_typed_server.work_slots import WorkSlots

logger = logging.getLogger(__name__)

MAX_PATH_CHARACTERS = 1024
"""Longest URL path a file route serves (W&B run file names are far shorter)."""

UNAUTHORIZED = Response(
    "unauthorized: missing or unknown API key\n",
    status_code=401,
    media_type="text/plain",
    headers={"WWW-Authenticate": 'Basic realm="wandb-typed"'},
)


def _text(status: int, message: str) -> Response:
    if 400 <= status < 500 and status not in (401, 403, 404):
        logger.info("request refused (%d): %s", status, message)
    return Response(message + "\n", status_code=status, media_type="text/plain")


INGEST_CONCURRENCY = 2
"""How many file_stream requests are worked on at once (the others wait, without a thread).

Their work is CPU-bound Python (parsing, under the interpreter lock) and SQLite (under the
write lock, the interpreter lock released during each statement): two at a time keeps one
parsing while the other writes. With more, the request holding the write lock waits for the
interpreter lock after every statement while the others parse, and holds the write lock
twice as long (measured: 8 concurrent 2,000-row requests, median 3 -> 6-8 ms)."""

GRAPHQL_CONCURRENCY = 2
"""How many GraphQL requests are executed at once (the others wait, without a thread).

Execution is CPU-bound Python: started together, requests share the interpreter lock and all
answer late (5 requests for 10 runs' sampled histories each: 0.27-0.29 s until the last
reply, against 0.17-0.23 s two at a time, measured on loopback), where one after another the
client decodes a reply while the server works on the next. A resolver that waits on another
thread gives its slot back meanwhile (:func:`wandb_typed_server.work_slots.slot_given_back`)."""


class _BodyTooLarge(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, or :class:`_BodyTooLarge` as soon as it is known to be over
    ``limit`` bytes (by its Content-Length, or while reading it: no more is read)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _BodyTooLarge(
            limit_message(f"a body of {int(declared)} bytes", "max_body_bytes", limit)
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge(
                limit_message(f"a body of more than {limit} bytes", "max_body_bytes", limit)
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _decode_json(
    raw: bytes, limit: int, what: str, load: Callable[[bytes], object] = json.loads
) -> object:
    """``raw`` decoded by ``load``, or ValueError naming what is wrong (not JSON, nested too
    deep)."""
    try:
        value: object = load(raw)
    except RecursionError:
        raise ValueError(
            limit_message(f"{what} nests too deep to decode", "max_json_depth", limit)
        ) from None
    except ValueError as exc:
        raise ValueError(f"{what} is not JSON ({exc})") from None
    refusal = json_depth_error(value, limit, what)
    if refusal is not None:
        raise ValueError(refusal)
    return value


def encode_json(body: dict[str, object]) -> bytes:
    """A reply body as UTF-8 JSON, ``NaN``/``Infinity`` as tokens (inside W&B's JSONStrings
    they are already text): pydantic-core's encoder (about 3x faster than the stdlib's on a
    page of runs), or the stdlib's for what it cannot write (a lone surrogate).

    >>> encode_json({"data": {"loss": float("nan"), "name": "é"}})
    b'{"data":{"loss":NaN,"name":"\\xc3\\xa9"}}'
    """
    try:
        return to_json(body, inf_nan_mode="constants")
    except ValueError:
        return json.dumps(body, separators=(",", ":"), allow_nan=True).encode()


def _json(status: int, body: dict[str, object]) -> Response:
    return Response(encode_json(body), status_code=status, media_type="application/json")


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _principal(state: ServerState, request: Request) -> Principal | None:
    return authenticate(state.db.connection(), request.headers.get("authorization"))


def _run_path(request: Request) -> tuple[str, str, str]:
    params = request.path_params
    return (
        check_segment("entity", params["entity"]),
        check_segment("project", params["project"]),
        check_segment("run", params["run"]),
    )


class Handlers:
    """Request handlers bound to one server's state."""

    def __init__(
        self, state: ServerState, executor: GraphQLExecutor, limits: RequestLimits | None = None
    ) -> None:
        self.state = state
        self.executor = executor
        self.limits = limits or executor.limits
        self._ingest = WorkSlots(INGEST_CONCURRENCY)
        self._graphql = WorkSlots(GRAPHQL_CONCURRENCY)

    def routes(self) -> list[Route]:
        """Starlette routes for these handlers."""
        return [
            Route("/graphql", self.graphql, methods=["POST"]),
            Route(
                "/files/{entity}/{project}/{run}/file_stream", self.file_stream, methods=["POST"]
            ),
            Route("/files/{entity}/{project}/{run}/{name:path}", self.download, methods=["GET"]),
            Route(
                "/storage/{entity}/{project}/{run}/{name:path}", self.storage_get, methods=["GET"]
            ),
            Route(
                "/storage/{entity}/{project}/{run}/{name:path}", self.storage_put, methods=["PUT"]
            ),
            Route("/history-exports/{run_pk:int}/{name}", self.history_export, methods=["GET"]),
        ]

    async def graphql(self, request: Request) -> Response:
        """Execute a GraphQL request for an authenticated caller."""
        if _principal(self.state, request) is None:
            return UNAUTHORIZED
        try:
            raw = await _read_body(request, self.limits.max_body_bytes)
        except _BodyTooLarge as exc:
            logger.info("GraphQL request refused: %s", exc.message)
            return _json(413, {"errors": [{"message": exc.message}]})
        base_url = _base_url(request)

        def work() -> Response:
            principal = _principal(self.state, request)
            if principal is None:
                return UNAUTHORIZED
            try:
                body = _decode_json(raw, self.limits.max_json_depth, "the request body")
            except ValueError as exc:
                logger.info("GraphQL request refused: %s", exc)
                return _json(400, {"errors": [{"message": str(exc)}]})
            ctx = RequestContext(state=self.state, principal=principal, base_url=base_url)
            result = self.executor.run(ctx, body)
            return _json(result.status, result.body)

        return await self._graphql.run(work)

    async def file_stream(self, request: Request) -> Response:
        """Apply one file_stream POST to a run (history, events, summary, console, end)."""
        if _principal(self.state, request) is None:
            return UNAUTHORIZED
        try:
            raw = await _read_body(request, self.limits.max_body_bytes)
        except _BodyTooLarge as exc:
            return _text(413, f"bad file_stream request: {exc.message}")
        depth, max_bytes = self.limits.max_json_depth, self.limits.max_body_bytes

        def work() -> Response:
            principal = _principal(self.state, request)
            if principal is None:
                return UNAUTHORIZED
            try:
                entity, project, run = _run_path(request)
                body = decode_body(
                    raw, request.headers.get("content-encoding"), max_bytes=max_bytes
                )
                decoded = (
                    _decode_json(body, depth, "the file_stream body", load_json) if body else {}
                )
                stream_request = parse_file_stream_body(decoded)
                prepared = prepare_streams(stream_request)
            except (ValueError, FileStreamError) as exc:
                return _text(400, f"bad file_stream request: {exc}")
            try:
                with self.state.db.transaction() as conn:
                    row = find_run_by_path(conn, entity, project, run)
                    if row is None or readable_entity(conn, principal, entity) is None:
                        return _text(404, f"run {entity}/{project}/{run} not found")
                    apply_file_stream(conn, int(row["pk"]), row["state"], stream_request, prepared)
            except ValueError as exc:
                return _text(400, f"bad file_stream request: {exc}")
            return _json(200, {})

        return await self._ingest.run(work)

    async def download(self, request: Request) -> Response:
        """``File.url``: a run file for a caller with a valid API key."""
        if len(request.scope["path"]) > MAX_PATH_CHARACTERS:
            return _text(414, f"the URL path is longer than {MAX_PATH_CHARACTERS} characters")

        def locate() -> Response | Path:
            principal = _principal(self.state, request)
            if principal is None:
                return UNAUTHORIZED
            try:
                entity, project, run = _run_path(request)
                conn = self.state.db.connection()
                if readable_entity(conn, principal, entity) is None:
                    return _text(404, "file not found")
                return self.state.blobs.path_for(entity, project, run, request.path_params["name"])
            except UnsafeFileNameError as exc:
                return _text(400, str(exc))

        located = await run_in_threadpool(locate)
        return located if isinstance(located, Response) else _file_response(located)

    def _signature_ok(self, request: Request, method: str) -> bool:
        query = request.query_params
        return self.state.signer.verify(
            method, request.scope["path"], query.get("expires", ""), query.get("signature", "")
        )

    async def storage_get(self, request: Request) -> Response:
        """``File.directUrl``: a run file behind a signed, expiring URL."""
        if len(request.scope["path"]) > MAX_PATH_CHARACTERS:
            return _text(414, f"the URL path is longer than {MAX_PATH_CHARACTERS} characters")
        if not self._signature_ok(request, "GET"):
            return _text(403, "invalid or expired signature")
        try:
            entity, project, run = _run_path(request)
            path = self.state.blobs.path_for(entity, project, run, request.path_params["name"])
        except UnsafeFileNameError as exc:
            return _text(400, str(exc))
        return _file_response(path)

    async def history_export(self, request: Request) -> Response:
        """A history Parquet export behind a signed, expiring URL."""
        if not self._signature_ok(request, "GET"):
            return _text(403, "invalid or expired signature")
        path = self.state.history_exports.file_path(
            int(request.path_params["run_pk"]), request.path_params["name"]
        )
        if path is None:
            return _text(404, "history export not found")
        return _ExportResponse(path, media_type="application/vnd.apache.parquet")

    async def storage_put(self, request: Request) -> Response:
        """Upload URL from createRunFiles: store the body atomically and record the file."""
        if not self._signature_ok(request, "PUT"):
            return _text(403, "invalid or expired signature")
        try:
            entity, project, run = _run_path(request)
            name = request.path_params["name"]
            target = self.state.blobs.path_for(entity, project, run, name)
        except UnsafeFileNameError as exc:
            return _text(400, str(exc))
        conflict = await run_in_threadpool(self.state.blobs.conflict, target)
        if conflict is not None:
            return _text(409, f"file name {name!r} cannot be stored: {conflict}")
        run_pk = await run_in_threadpool(self._run_pk, entity, project, run)
        if run_pk is None:
            return _text(404, f"run {entity}/{project}/{run} not found")
        writer = await run_in_threadpool(self.state.blobs.writer, target)
        try:
            async for chunk in request.stream():
                if chunk:
                    await run_in_threadpool(writer.write, chunk)
        except BaseException:
            await run_in_threadpool(writer.discard)
            raise
        blob = await run_in_threadpool(writer.commit)

        def record() -> None:
            with self.state.db.transaction() as conn:
                record_file(conn, run_pk, name, blob)

        await run_in_threadpool(record)
        return Response(status_code=200)

    def _run_pk(self, entity: str, project: str, run: str) -> int | None:
        row = find_run_by_path(self.state.db.connection(), entity, project, run)
        return None if row is None else int(row["pk"])


class _ExportResponse(FileResponse):
    """A history export, sent in 1 MiB chunks: Starlette's 64 KiB cost a thread-pool hop
    each, about 600 for the 40 MB export of a million-row run."""

    chunk_size = 1 << 20


def _file_response(path: Path) -> Response:
    if not path.is_file():
        return _text(404, "file not found")
    return FileResponse(path)
