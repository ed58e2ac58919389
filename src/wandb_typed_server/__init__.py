"""A local, W&B-compatible server (``pip install 'wandb-typed[server]'``).

Start it with ``wandb-typed server --data-dir DIR`` or, in Python::

    from wandb_typed_server import start_in_thread
    with start_in_thread("/tmp/wandb-data") as server:
        print(server.base_url, server.api_key)

Point the official SDK at it with ``WANDB_BASE_URL`` and ``WANDB_API_KEY``.

Layers, each importing only those below it: :mod:`~wandb_typed_server.storage` (SQLite and
files), :mod:`~wandb_typed_server.graphql` (schema, execution, resolvers),
:mod:`~wandb_typed_server.http` (the Starlette app and REST routes); on top,
:mod:`~wandb_typed_server.testing` (helpers for tests, benchmarks and examples).
"""

from __future__ import annotations

from wandb_typed_server.graphql.limits import RequestLimits
from wandb_typed_server.http.app import create_app
from wandb_typed_server.storage.state import open_state
from wandb_typed_server.testing.threaded import RunningServer, start_in_thread

__all__ = ["RequestLimits", "RunningServer", "create_app", "open_state", "start_in_thread"]
