"""The ASGI application serving the state of one data dir."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from wandb_typed_server.graphql.endpoint import GraphQLExecutor
from wandb_typed_server.graphql.limits import RequestLimits
from wandb_typed_server.graphql.schema import build_schema
from wandb_typed_server.http.artifact_routes import ArtifactHandlers
from wandb_typed_server.http.automation_worker import DeliveryPolicy, DeliveryWorker
from wandb_typed_server.http.reaper import DEFAULT_HEARTBEAT_TIMEOUT_SECONDS, CrashReaper
from wandb_typed_server.http.routes import Handlers
from wandb_typed_server.storage.blobs import sweep_temporary_files
from wandb_typed_server.storage.state import ServerState


def create_app(
    state: ServerState,
    *,
    heartbeat_timeout_seconds: float = DEFAULT_HEARTBEAT_TIMEOUT_SECONDS,
    delivery_policy: DeliveryPolicy | None = None,
    limits: RequestLimits | None = None,
) -> Starlette:
    """The W&B-compatible ASGI app serving ``state`` under ``limits`` (defaults: see
    :class:`~wandb_typed_server.graphql.limits.RequestLimits`).

    At start, the temporary files of uploads a killed server left behind are removed.

    >>> app = create_app(open_state(Path("/tmp/wandb-data")))  # doctest: +SKIP
    """
    handlers = Handlers(state, GraphQLExecutor(build_schema(), limits or RequestLimits()))
    reaper = CrashReaper(state.db, heartbeat_timeout_seconds, artifact_blobs=state.artifact_blobs)
    deliveries = DeliveryWorker(state.db, delivery_policy)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        sweep_temporary_files(state.blobs.root)
        sweep_temporary_files(state.artifact_blobs.root)
        reaper.start()
        deliveries.start()
        try:
            yield
        finally:
            deliveries.stop()
            reaper.stop()

    routes = [*handlers.routes(), *ArtifactHandlers(state).routes()]
    return Starlette(routes=routes, lifespan=lifespan)
