"""GraphQL resolvers, one module per concept; :data:`BINDABLES` wires them to the schema."""

from __future__ import annotations

from ariadne import SchemaBindable

from wandb_typed_server.graphql import (
    files,
    history,
    projects,
    runs,
    scalars,
    server_info,
    teams,
    users,
    viewer,
)

BINDABLES: list[SchemaBindable] = [
    *scalars.BINDABLES,
    *viewer.BINDABLES,
    *projects.BINDABLES,
    *runs.BINDABLES,
    *history.BINDABLES,
    *files.BINDABLES,
    *server_info.BINDABLES,
    *users.BINDABLES,
    *teams.BINDABLES,
]
