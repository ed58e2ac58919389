"""The GraphQL documents our client sends, read out of the generated client's source (no
import of ``wandb_typed``), so the floor posts exactly the same text.

    >>> "query GetRunHistoryPage" in generated_document("get_run_history_page")
    True
"""

from __future__ import annotations

import ast
import textwrap
from functools import cache
from pathlib import Path

GENERATED_CLIENT = (
    Path(__file__).resolve().parents[1] / "src" / "wandb_typed" / "_generated" / "client.py"
)


@cache
def _documents() -> dict[str, str]:
    tree = ast.parse(GENERATED_CLIENT.read_text())
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        for call in ast.walk(node):
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id == "gql"
                and call.args
                and isinstance(call.args[0], ast.Constant)
                and isinstance(call.args[0].value, str)
            ):
                found[node.name] = textwrap.dedent(call.args[0].value).strip()
    return found


def generated_document(method: str) -> str:
    """The document the generated client's ``method`` sends (``KeyError`` names it if absent)."""
    documents = _documents()
    if method not in documents:
        raise KeyError(f"the generated client has no method {method!r} with a gql document")
    return documents[method]
