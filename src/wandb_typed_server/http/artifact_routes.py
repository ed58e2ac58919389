"""Artifact bytes over HTTP, beside GraphQL:

- ``PUT  /artifact-blobs/{md5}``        (signed) upload URL of createArtifactFiles: the body
  must have that md5 (hex), else 400 and nothing is kept; content already here is not
  written again
- ``GET  /artifact-blobs/{md5}``        (signed) ``File.directUrl`` of a stored file
- ``PUT  /artifact-manifests/{pk}``     (signed) a pending version's ``wandb_manifest.json``
  (must parse as a manifest)
- ``GET  /artifact-manifests/{pk}``     (signed) ``currentManifest.file.directUrl``
- ``PUT  /artifact-parts/{upload}/{n}`` (signed) one part of a multipart upload; answers the
  part's md5 as its ``ETag``
- ``GET  /artifacts/{entity}/{md5}``    (Basic auth) ``File.url`` and the W&B client's
  fallback when a direct URL fails (storage layout V1)
- ``GET  /artifactsV2/{region}/{entity}/{birth artifact id}/{md5}`` and
  ``/artifactsV2/{region}/{entity}/{project}/{collection}/{birth artifact id}/{md5}/{name}``
  (Basic auth) the same fallback for storage layout V2
"""

from __future__ import annotations

import json
import os
from email.utils import formatdate
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from wandb_typed_server.http.auth import authenticate
from wandb_typed_server.storage.artifact_blobs import (
    MalformedDigestError,
    check_md5_hex,
    md5_b64,
    md5_hex,
    multipart_upload,
    record_blob,
)
from wandb_typed_server.storage.artifact_files import (
    entity_holds_blob,
    manifest_by_pk,
    mark_manifest_uploaded,
)
from wandb_typed_server.storage.artifact_manifest import BadManifestError, parse_manifest
from wandb_typed_server.storage.blobs import AtomicWriter, DigestMismatchError
from wandb_typed_server.storage.entities import readable_entity
from wandb_typed_server.storage.state import ServerState

_UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Basic realm="wandb-typed"'}


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(message + "\n", status_code=status, media_type="text/plain", headers=headers)


class _BlobResponse(FileResponse):
    """A stored file, read in 1 MiB chunks (Starlette's 64 KiB cost a thread-pool hop each).

    A plain GET of a file of at most one chunk (most artifact files) is answered with one
    read (open, fstat and read together, on the event loop: a file of the page cache costs
    less to read than a thread-pool hop) and one body message, instead of Starlette's four
    thread-pool hops (stat, open, read, close) and its disconnect watcher; this halves the
    server's CPU for a download of many small files. A ranged request (a resumed download)
    and a larger file go through Starlette's own path.
    """

    chunk_size = 1 << 20

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = Path(self.path)
        if scope["method"] == "GET" and not any(name == b"range" for name, _ in scope["headers"]):
            try:
                read = _read_small(path, self.chunk_size)
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                await _text(404, "file not found")(scope, receive, send)
                return
            if read is not None:
                self.stat_result, body = read
                self.set_stat_headers(self.stat_result)
                start = {"type": "http.response.start", "status": 200, "headers": self.raw_headers}
                await send(start)
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
        if not path.is_file():
            await _text(404, "file not found")(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def set_stat_headers(self, stat_result: os.stat_result) -> None:
        """Length and date of the file; its ``ETag`` too unless one was given (a blob's md5:
        Starlette's is an md5 of the mtime and size, computed per request)."""
        if "etag" not in self.headers:
            super().set_stat_headers(stat_result)
            return
        self.headers.setdefault("content-length", str(stat_result.st_size))
        self.headers.setdefault("last-modified", formatdate(stat_result.st_mtime, usegmt=True))


def _read_small(path: Path, limit: int) -> tuple[os.stat_result, bytes] | None:
    """``path``'s status and whole content if it holds at most ``limit`` bytes, else None.

    Reads exactly the size ``fstat`` gives (a read of ``limit`` bytes allocates that much and
    shrinks it after: five times the cost of the read itself for a 200 KB file)."""
    with path.open("rb", buffering=0) as handle:
        status = os.fstat(handle.fileno())
        if status.st_size > limit:
            return None
        body = handle.read(status.st_size)
        return (status, body) if len(body) == status.st_size else None


def _file(path: Path, media_type: str | None = None, etag: str | None = None) -> Response:
    """``path``'s bytes (404 when there is no such file, found when the reply is sent).
    ``etag``: a strong validator of the content (a blob's md5), used for ``If-Range``
    instead of one made of the mtime."""
    headers = {"etag": f'"{etag}"'} if etag is not None else None
    return _BlobResponse(path, media_type=media_type or "application/octet-stream", headers=headers)


async def _receive(request: Request, writer: AtomicWriter) -> None:
    """Stream the request body into ``writer`` (discarded on any failure)."""
    try:
        async for chunk in request.stream():
            if chunk:
                await run_in_threadpool(writer.write, chunk)
    except BaseException:
        await run_in_threadpool(writer.discard)
        raise


class ArtifactHandlers:
    """Request handlers for artifact bytes, bound to one server's state."""

    def __init__(self, state: ServerState) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        """Starlette routes for these handlers."""
        return [
            Route("/artifact-blobs/{md5}", self.blob_get, methods=["GET"]),
            Route("/artifact-blobs/{md5}", self.blob_put, methods=["PUT"]),
            Route("/artifact-manifests/{pk:int}", self.manifest_get, methods=["GET"]),
            Route("/artifact-manifests/{pk:int}", self.manifest_put, methods=["PUT"]),
            Route("/artifact-parts/{upload}/{part:int}", self.part_put, methods=["PUT"]),
            Route("/artifacts/{entity}/{md5}", self.fallback_get, methods=["GET"]),
            Route(
                "/artifactsV2/{region}/{entity}/{birth}/{md5}", self.fallback_get, methods=["GET"]
            ),
            Route(
                "/artifactsV2/{region}/{entity}/{project}/{collection}/{birth}/{md5}/{name:path}",
                self.fallback_get,
                methods=["GET"],
            ),
        ]

    def _signature_ok(self, request: Request, method: str) -> bool:
        query = request.query_params
        return self.state.signer.verify(
            method, request.scope["path"], query.get("expires", ""), query.get("signature", "")
        )

    async def blob_get(self, request: Request) -> Response:
        """A stored file's bytes behind a signed URL."""
        if not self._signature_ok(request, "GET"):
            return _text(403, "invalid or expired signature")
        try:
            md5 = check_md5_hex(request.path_params["md5"])
        except MalformedDigestError as exc:
            return _text(400, str(exc))
        return _file(self.state.artifact_blobs.blob_path(md5), etag=md5)

    async def blob_put(self, request: Request) -> Response:
        """Store an uploaded file under its md5 if its bytes have that md5."""
        if not self._signature_ok(request, "PUT"):
            return _text(403, "invalid or expired signature")
        blobs = self.state.artifact_blobs
        try:
            md5 = check_md5_hex(request.path_params["md5"])
        except MalformedDigestError as exc:
            return _text(400, str(exc))
        writer = await run_in_threadpool(blobs.blob_writer, md5)
        await _receive(request, writer)
        if await run_in_threadpool(blobs.has_blob, md5):  # the bytes are here already
            await run_in_threadpool(writer.discard)
            if writer.md5_b64() != md5_b64(md5):
                return _text(400, f"upload refused: the bytes do not have md5 {md5}")
            await run_in_threadpool(self._record, md5, blobs.blob_path(md5).stat().st_size)
            return Response(status_code=200)
        try:
            blob = await run_in_threadpool(writer.commit, md5_b64(md5))
        except DigestMismatchError as exc:
            return _text(400, f"upload refused, nothing was kept: {exc}")
        await run_in_threadpool(self._record, md5, blob.size_bytes)
        return Response(status_code=200)

    def _record(self, md5: str, size_bytes: int) -> None:
        with self.state.db.transaction() as conn:
            record_blob(conn, md5, size_bytes)

    async def manifest_get(self, request: Request) -> Response:
        """A version's manifest JSON behind a signed URL."""
        if not self._signature_ok(request, "GET"):
            return _text(403, "invalid or expired signature")
        path = self.state.artifact_blobs.manifest_path(request.path_params["pk"])
        return _file(path, "application/json")

    async def manifest_put(self, request: Request) -> Response:
        """Store a pending version's manifest (it must parse as a manifest)."""
        if not self._signature_ok(request, "PUT"):
            return _text(403, "invalid or expired signature")
        pk = int(request.path_params["pk"])
        row = await run_in_threadpool(manifest_by_pk, self.state.db.connection(), pk)
        if row is None:
            return _text(404, f"artifact manifest {pk} not found")
        if row["artifact_state"] != "PENDING":
            return _text(409, "the artifact is committed: its manifest cannot change")
        target = self.state.artifact_blobs.manifest_path(pk)
        writer = await run_in_threadpool(AtomicWriter, target)
        data = bytearray()
        try:
            async for chunk in request.stream():
                data.extend(chunk)
                await run_in_threadpool(writer.write, chunk)
            parse_manifest(bytes(data))
        except BadManifestError as exc:
            await run_in_threadpool(writer.discard)
            return _text(400, f"manifest refused: {exc}")
        except BaseException:
            await run_in_threadpool(writer.discard)
            raise
        blob = await run_in_threadpool(writer.commit)

        def record() -> None:
            with self.state.db.transaction() as conn:
                mark_manifest_uploaded(conn, pk, md5_hex(blob.md5_b64))

        await run_in_threadpool(record)
        return Response(status_code=200)

    async def part_put(self, request: Request) -> Response:
        """Store one part of a multipart upload; its ``ETag`` is its md5 (hex)."""
        if not self._signature_ok(request, "PUT"):
            return _text(403, "invalid or expired signature")
        upload_id, number = request.path_params["upload"], int(request.path_params["part"])
        row = await run_in_threadpool(multipart_upload, self.state.db.connection(), upload_id)
        if row is None:
            return _text(404, f"multipart upload {upload_id!r} not found")
        expected = json.loads(row["parts"])
        if not 1 <= number <= len(expected):
            return _text(400, f"part {number} is not one of the {len(expected)} parts announced")
        try:
            target = self.state.artifact_blobs.part_path(upload_id, number)
        except MalformedDigestError as exc:
            return _text(400, str(exc))
        writer = await run_in_threadpool(AtomicWriter, target)
        await _receive(request, writer)
        try:
            await run_in_threadpool(writer.commit, md5_b64(expected[number - 1]))
        except DigestMismatchError as exc:
            return _text(400, f"part {number} refused, nothing was kept: {exc}")
        return Response(status_code=200, headers={"ETag": expected[number - 1]})

    async def fallback_get(self, request: Request) -> Response:
        """A stored file for a caller with an API key who may read an entity holding it."""

        def locate() -> Response | str:
            """The md5 (hex) of the blob asked for, or the refusal."""
            principal = authenticate(
                self.state.db.connection(), request.headers.get("authorization")
            )
            if principal is None:
                return _text(401, "unauthorized: missing or unknown API key", _UNAUTHORIZED_HEADERS)
            entity_name = request.path_params["entity"]
            try:
                md5 = check_md5_hex(request.path_params["md5"])
            except MalformedDigestError as exc:
                return _text(400, str(exc))
            conn = self.state.db.connection()
            entity = readable_entity(conn, principal, entity_name)
            if entity is None or not entity_holds_blob(conn, int(entity["pk"]), md5):
                return _text(404, "file not found")
            return md5

        located = await run_in_threadpool(locate)
        if isinstance(located, Response):
            return located
        return _file(self.state.artifact_blobs.blob_path(located), etag=located)
