"""The executable schema: the shared SDL (``schema/*.graphql``) bound to the resolvers.

The SDL is the one the client is generated from: the vendored W&B schema, then our recorded
additions to it (``patches.graphql``). A wheel ships copies beside this module
(``[tool.hatch.build.targets.wheel.force-include]`` in pyproject.toml); a source checkout
reads the repository's ``schema/``. :data:`BINDABLES` lists every resolver module's
bindables, one module per domain.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ariadne import SchemaBindable, make_executable_schema
from graphql import GraphQLEnumType, GraphQLResolveInfo, GraphQLSchema

from wandb_typed_server.graphql import (
    artifact_collections,
    artifact_edits,
    artifact_uploads,
    artifacts,
    files,
    history,
    launch,
    organizations,
    projects,
    run_state,
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
    *run_state.BINDABLES,
    *history.BINDABLES,
    *files.BINDABLES,
    *server_info.BINDABLES,
    *users.BINDABLES,
    *teams.BINDABLES,
    *artifact_collections.BINDABLES,
    *artifacts.BINDABLES,
    *artifact_uploads.BINDABLES,
    *artifact_edits.BINDABLES,
    *launch.BINDABLES,
    *organizations.BINDABLES,
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
    schema = make_executable_schema(sdl, *BINDABLES)
    accept_enum_parse_hints(schema)
    refuse_unimplemented_mutations(schema)
    return schema


class UnimplementedMutationError(LookupError):
    """A mutation of the schema this server has no resolver for."""


def refuse_unimplemented_mutations(schema: GraphQLSchema) -> None:
    """Give every mutation without a resolver one that fails naming it.

    Without it graphql-core's default resolver answers ``null``, which a client takes for
    success (wandb-core even panics on a null ``createArtifact``)."""
    mutation_type = schema.mutation_type
    if mutation_type is None:
        return
    for name, field in mutation_type.fields.items():
        if field.resolve is None:

            def refuse(
                _obj: object, _info: GraphQLResolveInfo, _name: str = name, **_: object
            ) -> None:
                raise UnimplementedMutationError(
                    f"mutation {_name!r} is not implemented by this server"
                )

            field.resolve = refuse


def accept_enum_parse_hints(schema: GraphQLSchema) -> None:
    """Let every enum's ``parse_value`` take graphql-core's second argument again.

    ariadne (1.1.1) replaces each enum's ``parse_value`` with a one-argument function, while
    graphql-core 3.2.14 calls enums' ``parse_value(value, hide_suggestions)`` when it coerces
    variables. Without this every enum in a variable (``digestAlgorithm: MANIFEST_MD5`` in
    wandb's ``CreateArtifactInput``) fails with "takes 1 positional argument but 2 were given".
    The wrapper drops the hint (it only shortens error messages) and calls ariadne's function.
    """
    for type_def in schema.type_map.values():
        if not isinstance(type_def, GraphQLEnumType) or type_def.name.startswith("__"):
            continue
        parse_one = type_def.parse_value

        def parse_value(
            value: object, hide_suggestions: bool = False, _parse: Callable[..., object] = parse_one
        ) -> object:
            return _parse(value)

        type_def.parse_value = parse_value  # type: ignore[method-assign,assignment]
