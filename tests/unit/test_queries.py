"""Every operation in queries/ is valid against schema/, follows the house conventions, and
the client never introspects the server at run time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import (
    GraphQLSchema,
    OperationDefinitionNode,
    build_schema,
    parse,
    validate,
)

ROOT = Path(__file__).resolve().parents[2]
QUERY_FILES = sorted((ROOT / "queries").glob("*.graphql"))


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(
        "\n".join(
            (ROOT / "schema" / name).read_text() for name in ("schema.graphql", "patches.graphql")
        )
    )


def all_documents() -> str:
    return "\n".join(path.read_text() for path in QUERY_FILES)


def operations() -> list[OperationDefinitionNode]:
    document = parse(all_documents())
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def test_there_are_operations_in_every_domain_file() -> None:
    names = {path.stem for path in QUERY_FILES}
    assert {
        "fragments",
        "viewer",
        "users",
        "teams",
        "projects",
        "runs",
        "history",
        "files",
    } <= names
    for path in QUERY_FILES:
        if path.stem != "fragments":
            assert re.search(r"^(query|mutation) ", path.read_text(), re.M), path.name


def test_all_operations_validate_against_the_schema(schema: GraphQLSchema) -> None:
    errors = validate(schema, parse(all_documents()))
    assert errors == [], "\n".join(str(e) for e in errors)


def test_an_invalid_operation_is_caught(schema: GraphQLSchema) -> None:
    """The validation above can fail: a field the schema lacks is reported by name."""
    errors = validate(schema, parse("query Bad { viewer { noSuchField } }"))
    assert errors
    assert "noSuchField" in str(errors[0])


def test_operation_names_are_unique_pascal_case() -> None:
    names = [op.name.value for op in operations() if op.name]
    assert len(names) == len(operations()), "every operation is named"
    assert len(names) == len(set(names))
    for name in names:
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", name), name


def test_paginated_queries_follow_the_cursor_convention() -> None:
    for op in operations():
        text = all_documents()
        variables = {v.variable.name.value: v for v in op.variable_definitions}
        body = text[op.loc.start : op.loc.end] if op.loc else ""
        if "pageInfo" not in body:
            continue
        assert "cursor" in variables, f"{op.name.value} pages without $cursor"
        assert "perPage" in variables, f"{op.name.value} pages without $perPage"
        assert "...PageInfoFragment" in body, f"{op.name.value} does not use PageInfoFragment"


def test_client_code_never_introspects() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "src" / "wandb_typed").rglob("*.py")
        if "server" not in path.parts and re.search(r"__schema|__type\s*\(", path.read_text())
    ]
    assert offenders == []
