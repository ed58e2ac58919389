"""The executable schema: the shared SDL (``schema/*.graphql``) bound to the resolvers.

The SDL is the one the client is generated from: the vendored W&B schema, then our recorded
additions to it (``patches.graphql``). A wheel ships copies beside this module
(``[tool.hatch.build.targets.wheel.force-include]`` in pyproject.toml); a source checkout
reads the repository's ``schema/``. :data:`BINDABLES` lists every resolver module's
bindables, one module per domain.
"""

from __future__ import annotations

import os
from pathlib import Path

from ariadne import SchemaBindable, make_executable_schema
from graphql import GraphQLSchema

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

SCHEMA_ENV_VAR = "WANDB_TYPED_SCHEMA"
SCHEMA_FILES = ("schema.graphql", "patches.graphql")

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


def schema_paths() -> list[Path]:
    """The SDL files: ``$WANDB_TYPED_SCHEMA`` (one file, used alone), else the copies shipped
    in the package, else the repository's ``schema/`` (the files the client is generated from):
    the vendored W&B schema, then our recorded additions to it."""
    override = os.environ.get(SCHEMA_ENV_VAR)
    if override:
        return [Path(override)]
    packaged = Path(__file__).parent
    folder = (
        packaged
        if (packaged / SCHEMA_FILES[0]).exists()
        else Path(__file__).resolve().parents[3] / "schema"
    )
    return [folder / name for name in SCHEMA_FILES]


def build_schema() -> GraphQLSchema:
    """The executable schema: the shared SDL bound to this server's resolvers."""
    sdl = "\n".join(path.read_text(encoding="utf-8") for path in schema_paths())
    return make_executable_schema(sdl, *BINDABLES)
