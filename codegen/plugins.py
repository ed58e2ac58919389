"""ariadne-codegen plugins: what we change in its output, each with the reason.

Plugins are the only way generated code changes (nobody edits ``_generated/`` by hand).
"""

from __future__ import annotations

import ast
import re

from ariadne_codegen.plugins.base import Plugin
from graphql import (
    ExecutableDefinitionNode,
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLSchema,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    visit,
)

# The JSON scalar's type (ariadne-codegen.toml). Results hold it under pydantic's
# SkipValidation: a page of sampled history is 30,000 rows, and validating them as JsonValue
# costs ~220 ms where the JSON decoder already guarantees the shape.
JSON_VALUE = "JsonValue"
SKIP_VALIDATION = "SkipValidation"


class WandbTypedPlugin(Plugin):
    """What we change in ariadne-codegen 0.19.0 output.

    1. Names: its snake_case conversion puts an underscore before digits, so W&B's ``md5``
       field becomes ``md_5``. We never want that underscore (``md5``, ``sha256``).
    2. Results are immutable: the copied ``base_model.py`` turns on ``validate_assignment``
       (for mutable models); we make every model ``frozen`` instead, so a ``Run`` can hand out
       the data it was built from without anyone changing it behind its back.
    3. Each method passes ``operation_kind="query"|"mutation"|...`` to ``execute``: the
       generator knows the kind, so the transport need not read the document at run time to
       decide whether a retry is safe.
    4. Types users can rely on (``pyright --verifytypes``, tools/verify_types.py): every
       generated class and method gets a docstring (the GraphQL type or operation it stands
       for), ``model_config`` is a ``ClassVar``, JSON values are ``JsonValue`` (not ``Any``)
       without paying for their validation, and input fields take their Python names in
       ``__init__`` for every type checker (``validation_alias``/``serialization_alias``:
       pyright reads a plain ``alias`` as the only constructor keyword).
    """

    _DIGIT_AFTER_UNDERSCORE = re.compile(r"(?<=[a-z])_(?=\d)")

    def __init__(self, schema: GraphQLSchema, config_dict: dict[str, object]) -> None:
        super().__init__(schema, config_dict)
        self._types: dict[int, dict[int, GraphQLNamedType]] = {}

    def process_name(self, name: str, node: Node | None = None) -> str:
        return self._DIGIT_AFTER_UNDERSCORE.sub("", name)

    def copy_code(self, copied_code: str) -> str:
        if "class BaseModel(PydanticBaseModel)" not in copied_code:
            return copied_code
        replacements = {
            "validate_assignment=True,": "frozen=True,",
            "from pydantic import ConfigDict\n": (
                "from pydantic import ConfigDict\nfrom typing import ClassVar\n"
            ),
            "class UnsetType:\n": (
                "class UnsetType:\n"
                '    """The type of ``UNSET``: an argument left out of the request (not null)."""\n'
                "\n"
            ),
            "    def __bool__(self) -> bool:\n": (
                '    def __bool__(self) -> bool:\n        """``UNSET`` is falsy."""\n'
            ),
            "class BaseModel(PydanticBaseModel):\n    model_config = ConfigDict(": (
                "class BaseModel(PydanticBaseModel):\n"
                '    """The base of every generated model: frozen, built on first use."""\n'
                "\n"
                "    model_config: ClassVar[ConfigDict] = ConfigDict("
            ),
        }
        for old, new in replacements.items():
            if old not in copied_code:
                raise RuntimeError(
                    f"ariadne-codegen's base_model.py changed shape (no {old!r}); "
                    "revisit WandbTypedPlugin.copy_code"
                )
            copied_code = copied_code.replace(old, new)
        return copied_code

    # --- docstrings ---------------------------------------------------------------------

    def generate_client_class(self, class_def: ast.ClassDef) -> ast.ClassDef:
        _set_docstring(
            class_def,
            "The GraphQL operations of ``queries/*.graphql``, one method each.\n\n"
            "Generated: each method sends its operation and validates the reply into the "
            "operation's result model. Reach it as ``Api.client``.",
        )
        return class_def

    def generate_gql_function(self, function_def: ast.FunctionDef) -> ast.FunctionDef:
        _set_docstring(function_def, "Mark a string as a GraphQL document (returned as is).")
        return function_def

    def generate_enum(self, class_def: ast.ClassDef, enum_type: GraphQLEnumType) -> ast.ClassDef:
        _set_docstring(class_def, _described(f"The GraphQL enum ``{enum_type.name}``.", enum_type))
        return class_def

    def generate_input_class(
        self, class_def: ast.ClassDef, input_type: GraphQLInputObjectType
    ) -> ast.ClassDef:
        _set_docstring(
            class_def, _described(f"The GraphQL input ``{input_type.name}``.", input_type)
        )
        return class_def

    def generate_input_field(
        self,
        field_implementation: ast.AnnAssign,
        input_field: GraphQLInputField,
        field_name: str,
    ) -> ast.AnnAssign:
        value = field_implementation.value
        if isinstance(value, ast.Call) and _called(value) == "Field":
            for keyword in list(value.keywords):
                if keyword.arg == "alias":
                    value.keywords.remove(keyword)
                    value.keywords[0:0] = [
                        ast.keyword(arg="validation_alias", value=keyword.value),
                        ast.keyword(arg="serialization_alias", value=keyword.value),
                    ]
        return field_implementation

    def generate_result_class(
        self,
        class_def: ast.ClassDef,
        operation_definition: ExecutableDefinitionNode,
        selection_set: SelectionSetNode,
    ) -> ast.ClassDef:
        name = operation_definition.name.value if operation_definition.name else "?"
        selected = self._selected_types(operation_definition).get(id(selection_set))
        if isinstance(operation_definition, OperationDefinitionNode):
            owner = f"the ``{name}`` {operation_definition.operation.value}"
            is_top = selection_set is operation_definition.selection_set
        else:
            owner, is_top = f"the ``{name}`` fragment", False
        if is_top:
            text = f"The data {owner} returns."
        elif selected is not None:
            text = _described(
                f"The fields of a ``{selected.name}`` that {owner} selects.", selected
            )
        else:
            text = f"A part of what {owner} selects."
        _set_docstring(class_def, text)
        return class_def

    def generate_result_types_module(
        self, module: ast.Module, operation_definition: ExecutableDefinitionNode
    ) -> ast.Module:
        return _json_values_unvalidated(module)

    def generate_fragments_module(
        self,
        module: ast.Module,
        fragments_definitions: dict[str, FragmentDefinitionNode],
    ) -> ast.Module:
        return _json_values_unvalidated(module)

    def _selected_types(self, definition: ExecutableDefinitionNode) -> dict[int, GraphQLNamedType]:
        """The GraphQL type each selection set of ``definition`` selects from, by node id."""
        cache = self._types
        if id(definition) not in cache:
            found: dict[int, GraphQLNamedType] = {}
            type_info = TypeInfo(self.schema)

            class Collect(Visitor):
                def enter_selection_set(self, node: SelectionSetNode, *_: object) -> None:
                    parent = type_info.get_parent_type()
                    if parent is not None:
                        found[id(node)] = get_named_type(parent)

            visit(definition, TypeInfoVisitor(type_info, Collect()))
            cache[id(definition)] = found
        return cache[id(definition)]

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
        name = operation_definition.name.value if operation_definition.name else method_def.name
        _set_docstring(method_def, _method_docstring(name, kind))
        return method_def

    def generate_client_code(self, generated_code: str) -> str:
        # ariadne-codegen's forward-references plugin runs after ours and puts each method's
        # lazy result import first, before the docstring: put the docstring back on top.
        return _IMPORT_BEFORE_DOCSTRING.sub(
            lambda match: "\n" + match["docstring"] + match["imports"], generated_code
        )


def _method_docstring(operation: str, kind: str) -> str:
    return f"Send the ``{operation}`` {kind} and return its data."


# A method's lazy import (one or more lines), then its docstring as _method_docstring writes it.
_IMPORT_BEFORE_DOCSTRING = re.compile(
    r"\n(?P<imports>(?: +from \.[\w.]+ import [^\n]+\n)+\n?)"
    r"(?P<docstring> +\"Send the ``\w+`` \w+ and return its data\.\"\n)"
)


def _set_docstring(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef, text: str) -> None:
    docstring = ast.Expr(ast.Constant(text))
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body[0] = docstring
    else:
        body.insert(0, docstring)


def _described(text: str, graphql_type: GraphQLNamedType) -> str:
    description = " ".join((graphql_type.description or "").split())
    return f"{text}\n\n{description}" if description else text


def _called(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else ""


def _json_values_unvalidated(module: ast.Module) -> ast.Module:
    """Wrap each annotation holding a ``JsonValue`` in ``SkipValidation[...]`` (see above)."""
    wrapped = False
    for node in ast.walk(module):
        if not isinstance(node, ast.AnnAssign):
            continue
        names = {n.id for n in ast.walk(node.annotation) if isinstance(n, ast.Name)}
        if JSON_VALUE in names and SKIP_VALIDATION not in names:
            node.annotation = ast.Subscript(
                value=ast.Name(SKIP_VALIDATION), slice=node.annotation, ctx=ast.Load()
            )
            wrapped = True
    if wrapped:
        module.body.insert(
            0, ast.ImportFrom(module="pydantic", names=[ast.alias(SKIP_VALIDATION)], level=0)
        )
    return module
