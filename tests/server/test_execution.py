"""The server's execution context gives exactly what graphql-core's default one gives:
same data, same errors (messages and paths), for lists of scalars and everything else."""

from __future__ import annotations

import pytest
from graphql import ExecutionResult, build_schema, execute, parse

from wandb_typed.server.execution import SyncExecutionContext

SCHEMA = build_schema(
    """
    type Row { step: Int, tags: [String!] }
    type Query {
      lines: [String]
      strictLines: [String!]
      numbers: [Int]
      strictNumbers: [Int!]!
      nested: [[Int]]
      rows: [Row]
    }
    """
)

CASES = [
    ("{ lines }", {"lines": ["a", None, "c"]}),
    ("{ lines }", {"lines": []}),
    ("{ lines }", {"lines": None}),
    ("{ strictLines }", {"strictLines": ["a", "b"]}),
    ("{ strictLines }", {"strictLines": ["a", None]}),
    ("{ numbers }", {"numbers": [1, 2.0, None]}),
    ("{ numbers }", {"numbers": [1, "not a number"]}),
    ("{ numbers }", {"numbers": [1, 2**40]}),
    ("{ strictNumbers }", {"strictNumbers": [1, None]}),
    ("{ nested }", {"nested": [[1, None], None, [3]]}),
    ("{ rows { step tags } }", {"rows": [{"step": 1, "tags": ["x"]}, None]}),
    ("{ rows { step tags } }", {"rows": [{"step": 1, "tags": ["x", None]}]}),
    ("{ lines }", {"lines": ("a", "b")}),
]


def run(query: str, root: dict[str, object], fast: bool) -> ExecutionResult:
    if fast:
        result = execute(SCHEMA, parse(query), root, execution_context_class=SyncExecutionContext)
    else:
        result = execute(SCHEMA, parse(query), root)
    assert isinstance(result, ExecutionResult)
    return result


@pytest.mark.parametrize(("query", "root"), CASES)
def test_same_data_and_errors_as_graphql_core(query: str, root: dict[str, object]) -> None:
    expected = run(query, root, fast=False)
    actual = run(query, root, fast=True)
    assert actual.data == expected.data
    assert [error.formatted for error in actual.errors or []] == [
        error.formatted for error in expected.errors or []
    ]


def test_a_null_in_a_non_null_list_is_reported_with_its_index() -> None:
    result = run("{ strictLines }", {"strictLines": ["a", None]}, fast=True)
    assert result.data == {"strictLines": None}
    assert result.errors is not None
    assert result.errors[0].path == ["strictLines", 1]


def test_a_generator_is_completed_like_a_list() -> None:
    result = run("{ lines }", {"lines": (line for line in ["a", "b"])}, fast=True)
    assert result.data == {"lines": ["a", "b"]}
