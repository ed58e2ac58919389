"""Do the typing tests (``tests/typing/``) touch every member of the public surface?

The surface is ``Api`` and ``AsyncApi`` and, transitively, every public class of wandb_typed
that a member's annotation names (``Api.run -> Run``, ``Run.files -> Files``,
``Files(Paginator[File])`` -> ``File``...). A member is a public method, property or
attribute (``self.x = ...`` included) that a wandb_typed class defines or inherits from
another wandb_typed class, plus the protocol methods a user reaches by syntax (``for``,
``async for``, ``len()``, ``[i]``, ``in``, ``with``).

A typing test touches ``Run.files`` when a function of ``tests/typing/`` has a parameter (or
an annotated variable) of type ``Run`` and reads ``.files`` on it (``assert_type(run.files(),
Files)``), or reads it on the class (``RunConfig.from_stored``); protocol methods count when that name is iterated, measured, indexed, tested
with ``in`` or entered. The checkers (``make typecheck``) then check what the tests claim.

Exit 1 names every member no test touches::

    .venv/bin/python tools/typing_coverage.py          # what `make typecheck` runs
    .venv/bin/python tools/typing_coverage.py --list   # the whole surface, covered or not
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests" / "typing"
# Protocol methods a user reaches by syntax rather than by name.
PROTOCOL = ("__iter__", "__aiter__", "__len__", "__getitem__", "__contains__", "__enter__",
            "__aenter__")  # fmt: skip
# Not part of what a user calls: pydantic/dataclass machinery is typed by its library.
SKIPPED_MEMBERS = frozenset({"model_config", "model_fields", "model_computed_fields"})


def public_classes() -> dict[str, type]:
    """Every class exported by ``wandb_typed`` or one of its public packages, by name."""
    found: dict[str, type] = {}
    for module_name in ("wandb_typed", *_public_packages()):
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            value: object = getattr(module, name)
            if inspect.isclass(value) and not issubclass(value, BaseException):
                found.setdefault(name, value)
    return found


def _public_packages() -> Iterator[str]:
    package = ROOT / "src" / "wandb_typed"
    for child in sorted(package.iterdir()):
        if (child / "__init__.py").exists() and not child.name.startswith("_"):
            yield f"wandb_typed.{child.name}"


def members(cls: type) -> dict[str, str]:
    """Public member name -> the annotation text that says what it gives (may be empty)."""
    result: dict[str, str] = {}
    for owner in reversed(cls.__mro__):
        if not _ours(owner):
            continue
        for name, annotation in _own_members(owner).items():
            if name in SKIPPED_MEMBERS:
                continue
            if not name.startswith("_") or name in PROTOCOL:
                result[name] = annotation
    return result


def _ours(cls: type) -> bool:
    module = cls.__module__
    return module.startswith("wandb_typed") and not module.startswith("wandb_typed._generated")


def _own_members(owner: type) -> dict[str, str]:
    found: dict[str, str] = {}
    namespace: dict[str, object] = dict(vars(owner))
    # `__iter__ = None`: an operation the class declares it does not offer.
    absent = {name for name, value in namespace.items() if value is None and name in PROTOCOL}
    annotations = cast("dict[str, object]", namespace.get("__annotations__", {}))
    for name, annotation in annotations.items():
        if not _is_classvar(annotation) and name not in absent:
            found[name] = str(annotation)
    for name, value in namespace.items():
        if isinstance(value, property) and value.fget is not None:
            found[name] = _return_annotation(value.fget)
        elif isinstance(value, classmethod | staticmethod):
            found[name] = _return_annotation(getattr(cast(object, value), "__func__", None))
        elif inspect.isfunction(value):
            found[name] = _return_annotation(value)
    try:
        source = textwrap.dedent(inspect.getsource(owner))
    except (OSError, TypeError):
        return found
    for node in ast.walk(ast.parse(source)):
        target = node.target if isinstance(node, ast.AnnAssign) else None
        targets = node.targets if isinstance(node, ast.Assign) else [target] if target else []
        for each in targets:
            if (
                isinstance(each, ast.Attribute)
                and isinstance(each.value, ast.Name)
                and each.value.id == "self"
            ):
                annotation = ast.unparse(node.annotation) if isinstance(node, ast.AnnAssign) else ""
                found.setdefault(each.attr, annotation)
    return found


def _is_classvar(annotation: object) -> bool:
    return str(annotation).startswith(("ClassVar", "typing.ClassVar"))


def _return_annotation(function: object) -> str:
    annotations = getattr(function, "__annotations__", {})
    return str(annotations.get("return", ""))


def surface() -> dict[str, dict[str, str]]:
    """Class name -> its members, for every class reachable from ``Api`` and ``AsyncApi``."""
    classes = public_classes()
    reached: dict[str, dict[str, str]] = {}
    pending = ["Api", "AsyncApi"]
    while pending:
        name = pending.pop()
        if name in reached:
            continue
        cls = classes[name]
        reached[name] = members(cls)
        texts = list(reached[name].values())
        texts += [str(base) for base in getattr(cls, "__orig_bases__", ())]
        for text in texts:
            for word in re.findall(r"[A-Za-z_]\w*", text):
                if word in classes and word not in reached:
                    pending.append(word)
    return reached


def touched() -> set[tuple[str, str]]:
    """(class name, member) pairs that some typing test reaches on a value of that type."""
    pairs: set[tuple[str, str]] = set()
    for path in sorted(TESTS.glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                pairs |= _touched_in(function)
    return pairs


def _touched_in(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[tuple[str, str]]:
    typed: dict[str, str] = {}
    arguments = function.args
    for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
        if argument.annotation is not None:
            typed[argument.arg] = _type_name(argument.annotation)
    for node in ast.walk(function):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            typed[node.target.id] = _type_name(node.annotation)
    pairs: set[tuple[str, str]] = set()

    def of(node: ast.expr) -> str | None:
        return typed.get(node.id) if isinstance(node, ast.Name) else None

    for node in ast.walk(function):
        if isinstance(node, ast.Attribute) and (owner := of(node.value)):
            pairs.add((owner, node.attr))
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            pairs.add((node.value.id, node.attr))  # on the class itself: RunConfig.from_stored
        elif isinstance(node, ast.For) and (owner := of(node.iter)):
            pairs.add((owner, "__iter__"))
        elif isinstance(node, ast.AsyncFor) and (owner := of(node.iter)):
            pairs.add((owner, "__aiter__"))
        elif isinstance(node, ast.comprehension) and (owner := of(node.iter)):
            pairs.add((owner, "__aiter__" if node.is_async else "__iter__"))
        elif isinstance(node, ast.Subscript) and (owner := of(node.value)):
            pairs.add((owner, "__getitem__"))
        elif isinstance(node, ast.Compare) and any(isinstance(o, ast.In) for o in node.ops):
            for right in node.comparators:
                if owner := of(right):
                    pairs.add((owner, "__contains__"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "len" and node.args and (owner := of(node.args[0])):
                pairs.add((owner, "__len__"))
        elif isinstance(node, ast.With | ast.AsyncWith):
            entered = "__aenter__" if isinstance(node, ast.AsyncWith) else "__enter__"
            for item in node.items:
                context = item.context_expr
                if isinstance(context, ast.Call) and isinstance(context.func, ast.Name):
                    pairs.add((context.func.id, entered))  # with Api(...) as api:
                elif owner := of(context):
                    pairs.add((owner, entered))
    return pairs


def _type_name(annotation: ast.expr) -> str:
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return annotation.value
    if isinstance(annotation, ast.Subscript):  # Paginator[Run] is a Paginator
        return _type_name(annotation.value)
    if isinstance(annotation, ast.Attribute):
        return annotation.attr
    return ast.unparse(annotation)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print the whole surface")
    args = parser.parse_args(argv)
    reached = surface()
    seen = touched()
    missing: list[str] = []
    total = 0
    for name in sorted(reached):
        for member in sorted(reached[name]):
            total += 1
            covered = (name, member) in seen
            if args.list:
                print(f"{'ok  ' if covered else 'MISS'} {name}.{member}")
            if not covered:
                missing.append(f"{name}.{member}")
    for each in missing if not args.list else ():
        print(f"not covered by tests/typing: {each}")
    print(
        f"typing tests cover {total - len(missing)} of {total} members of {len(reached)} "
        f"classes reachable from Api and AsyncApi"
    )
    if missing:
        print(
            "FAILED: add an assert_type for each member above to tests/typing/ "
            "(on a parameter annotated with its class)"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
