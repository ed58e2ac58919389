"""What every resolver can reach: the request's caller, server state and base URL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from graphql import GraphQLResolveInfo

from wandb_typed_server.storage.principal import Principal
from wandb_typed_server.storage.state import ServerState


@dataclass(frozen=True)
class RequestContext:
    """One authenticated request: the GraphQL ``context_value``."""

    state: ServerState
    principal: Principal
    base_url: str  # as the client addressed us, no trailing slash
    # Work that must wait until the request's transaction has committed (deleting files).
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's database connection."""
        return self.state.db.connection()


def request_context(info: GraphQLResolveInfo) -> RequestContext:
    """The request context of a resolver call."""
    return cast(RequestContext, info.context)
