"""The ASGI application and the state it serves from one data dir."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette

from wandb_typed_server.graphql.context import ServerState
from wandb_typed_server.graphql.endpoint import GraphQLExecutor, build_schema
from wandb_typed_server.http.reaper import DEFAULT_HEARTBEAT_TIMEOUT_SECONDS, CrashReaper
from wandb_typed_server.http.routes import Handlers
from wandb_typed_server.storage.blobs import BlobStore
from wandb_typed_server.storage.db import Database
from wandb_typed_server.storage.signing import UrlSigner

DATABASE_FILE = "server.sqlite3"


def open_state(data_dir: Path) -> ServerState:
    """Open (creating if needed) the database, files folder and signing key in ``data_dir``.

    >>> state = open_state(Path("/tmp/wandb-data"))  # doctest: +SKIP
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    return ServerState(
        data_dir=data_dir,
        db=Database(data_dir / DATABASE_FILE),
        blobs=BlobStore(data_dir / "files"),
        signer=UrlSigner.load_or_create(data_dir),
    )


def create_app(
    state: ServerState, *, heartbeat_timeout_seconds: float = DEFAULT_HEARTBEAT_TIMEOUT_SECONDS
) -> Starlette:
    """The W&B-compatible ASGI app serving ``state``.

    >>> app = create_app(open_state(Path("/tmp/wandb-data")))  # doctest: +SKIP
    """
    handlers = Handlers(state, GraphQLExecutor(build_schema()))
    reaper = CrashReaper(state.db, heartbeat_timeout_seconds)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        reaper.start()
        try:
            yield
        finally:
            reaper.stop()

    return Starlette(routes=handlers.routes(), lifespan=lifespan)
