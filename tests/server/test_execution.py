"""The server's execution context gives exactly what graphql-core's default one gives:
same data, same errors (messages and paths), for lists of scalars, for the plain scalar
fields of dict objects, and for everything else."""

from __future__ import annotations

import pytest
from graphql import ExecutionResult, build_schema, execute, parse

from wandb_typed_server.graphql.execution import SyncExecutionContext

SCHEMA = build_schema(
    """
    enum Kind { A B }
    type Owner { name: String!, login: String }
    type Row {
      step: Int
      tags: [String!]
      name: String!
      kind: Kind
      id: ID!
      computed(x: Int): String
      upper: String
      owner: Owner
      mustOwner: Owner!
    }
    type Query {
      lines: [String]
      strictLines: [String!]
      numbers: [Int]
      strictNumbers: [Int!]!
      nested: [[Int]]
      rows: [Row]
      strictRows: [Row!]!
      owner: Owner
    }
    """
)
# A field with a resolver of its own (as the server's bound fields have).
SCHEMA.type_map["Row"].fields["upper"].resolve = (  # type: ignore[union-attr]
    lambda row, _info: str(row["name"]).upper()
)


class Attributes:
    """A non-dict source: graphql-core reads its attributes."""

    step = 4
    name = "attrs"
    id = "a-1"


def _computed(_info: object, x: int | None = None) -> str:
    return f"x={x}"


ROW = {"step": 1, "name": "n", "kind": "A", "id": "r-1", "tags": ["t"], "owner": {"name": "o"}}

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
    # plain scalar fields of dict objects
    ("{ rows { step name kind id tags } }", {"rows": [ROW, ROW]}),
    ("{ rows { step name } }", {"rows": [{"step": 1}]}),  # non-null name missing
    ("{ rows { name step } }", {"rows": [{"step": "x", "name": "n"}]}),  # not an Int
    ("{ rows { step } }", {"rows": [{"step": 2**40}]}),  # out of Int range
    ("{ rows { kind } }", {"rows": [{"kind": "C"}]}),  # not a Kind
    ("{ rows { id } }", {"rows": [{"id": 5}]}),  # an int ID is serialised as a string
    ("{ rows { step } }", {"rows": [{"step": True}]}),
    ("{ rows { computed(x: 3) } }", {"rows": [{"computed": _computed}]}),  # callable value
    ("{ rows { upper name } }", {"rows": [ROW]}),  # a field with its own resolver
    ("{ rows { owner { name } } }", {"rows": [ROW, {"owner": {}}]}),  # object fields
    ("{ rows { a: step b: step c: name } }", {"rows": [ROW]}),  # aliases
    ("{ rows { __typename step } }", {"rows": [ROW]}),
    ("{ rows { step @skip(if: true) name @include(if: true) } }", {"rows": [ROW]}),
    ("{ rows { ...F } } fragment F on Row { step name }", {"rows": [ROW]}),
    ("{ rows { step name id } }", {"rows": [Attributes()]}),  # not a dict
    ("{ rows { step } }", {"rows": [{}]}),
    # plain object fields and lists of objects, with errors at every depth
    ("{ owner { name login } }", {"owner": {"name": "o", "login": None}}),
    ("{ owner { name } }", {"owner": {}}),  # non-null name missing: owner is null
    ("{ owner { name } }", {"owner": "not an object"}),
    ("{ rows { mustOwner { name } } }", {"rows": [{"mustOwner": {}}, ROW]}),  # bubbles to row
    ("{ rows { mustOwner { name } } }", {"rows": [{"mustOwner": None}]}),
    ("{ strictRows { name } }", {"strictRows": [ROW, {"step": 1}]}),  # bubbles to the root
    ("{ strictRows { name } }", {"strictRows": [ROW, None]}),
    ("{ strictRows { step owner { name } } }", {"strictRows": [ROW, {"owner": {"name": 3}}]}),
    ("{ rows { owner { name } } }", {"rows": ({"owner": {"name": "t"}},)}),  # a tuple
    ("{ rows { step } }", {"rows": [ROW, Attributes()]}),  # a list mixing dicts and objects
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


def test_plain_fields_skip_graphql_cores_per_field_machinery() -> None:
    calls: list[str] = []

    class Counting(SyncExecutionContext):
        def execute_field(self, parent_type, source, field_nodes, path):  # type: ignore[no-untyped-def]
            calls.append(field_nodes[0].name.value)
            return super().execute_field(parent_type, source, field_nodes, path)

    rows = [{"step": i, "name": f"r{i}", "kind": "B", "owner": {"name": "o"}} for i in range(50)]
    query = "{ rows { step name kind upper owner { name } } }"
    result = execute(SCHEMA, parse(query), {"rows": rows}, execution_context_class=Counting)
    assert isinstance(result, ExecutionResult)
    assert result.errors is None
    assert result.data == {
        "rows": [
            {
                **{k: row[k] for k in ("step", "name", "kind")},
                "upper": f"R{i}",
                "owner": {"name": "o"},
            }
            for i, row in enumerate(rows)
        ]
    }
    # Only the root list and the resolver-bound field take the general path.
    assert sorted(set(calls)) == ["rows", "upper"]
    assert len(calls) == 1 + len(rows)
