"""ariadne-codegen plugins: what we change in its output, each with the reason.

Plugins are the only way generated code changes (nobody edits ``_generated/`` by hand).
"""

from __future__ import annotations

import ast
import re

from ariadne_codegen.plugins.base import Plugin
from graphql import Node, OperationDefinitionNode


class WandbTypedPlugin(Plugin):
    """Three changes to ariadne-codegen 0.19.0 output.

    1. Names: its snake_case conversion puts an underscore before digits, so W&B's ``md5``
       field becomes ``md_5``. We never want that underscore (``md5``, ``sha256``).
    2. Results are immutable: the copied ``base_model.py`` turns on ``validate_assignment``
       (for mutable models); we make every model ``frozen`` instead, so a ``Run`` can hand out
       the data it was built from without anyone changing it behind its back.
    3. Each method passes ``operation_kind="query"|"mutation"|...`` to ``execute``: the
       generator knows the kind, so the transport need not read the document at run time to
       decide whether a retry is safe.
    """

    _DIGIT_AFTER_UNDERSCORE = re.compile(r"(?<=[a-z])_(?=\d)")

    def process_name(self, name: str, node: Node | None = None) -> str:
        return self._DIGIT_AFTER_UNDERSCORE.sub("", name)

    def copy_code(self, copied_code: str) -> str:
        if "class BaseModel(PydanticBaseModel)" not in copied_code:
            return copied_code
        if "validate_assignment=True," not in copied_code:
            raise RuntimeError(
                "ariadne-codegen's base_model.py changed shape; revisit WandbTypedPlugin.copy_code"
            )
        return copied_code.replace("validate_assignment=True,", "frozen=True,")

    def generate_client_method(
        self,
        method_def: ast.FunctionDef | ast.AsyncFunctionDef,
        operation_definition: OperationDefinitionNode,
    ) -> ast.FunctionDef | ast.AsyncFunctionDef:
        kind = operation_definition.operation.value  # "query", "mutation", "subscription"
        calls = [
            node
            for node in ast.walk(method_def)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "execute"
        ]
        if len(calls) != 1:
            raise RuntimeError(
                f"expected one self.execute(...) call in {method_def.name}, found {len(calls)}; "
                "revisit WandbTypedPlugin.generate_client_method"
            )
        call = calls[0]
        position = next(
            (i for i, keyword in enumerate(call.keywords) if keyword.arg is None), None
        )  # before **kwargs
        keyword = ast.keyword(arg="operation_kind", value=ast.Constant(kind))
        call.keywords.insert(len(call.keywords) if position is None else position, keyword)
        return method_def
