"""Render the API reference in docs/api/ from the handwritten public classes (jinja2).

One page per public class of ``wandb_typed`` (every public method and property with its
signature and docstring), plus an index whose coverage table walks every method of the
official ``wandb.Api`` reference (codegen/reference_surface.json) and says whether
``wandb_typed.Api`` has it, with the same parameters and defaults.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).with_name("templates")
SURFACE = Path(__file__).with_name("reference_surface.json")


@dataclass(frozen=True)
class Member:
    name: str
    kind: str  # "method" | "property"
    signature: str
    doc: str


@dataclass(frozen=True)
class ClassPage:
    name: str
    module: str
    doc: str
    members: list[Member]


@dataclass(frozen=True)
class Coverage:
    method: str
    status: str  # "implemented" | "differs: ..." | "not yet"


def _members(cls: type) -> list[Member]:
    out: list[Member] = []
    for name, value in sorted(vars(cls).items()):
        if name.startswith("_") and name not in ("__getitem__", "__iter__", "__len__"):
            continue
        if isinstance(value, property):
            out.append(Member(name, "property", "", inspect.getdoc(value) or ""))
        elif inspect.isfunction(value):
            signature = (
                str(inspect.signature(value)).replace("(self, ", "(").replace("(self)", "()")
            )
            out.append(Member(name, "method", signature, inspect.getdoc(value) or ""))
    return out


def public_classes() -> list[type]:
    import wandb_typed

    classes = [getattr(wandb_typed, name) for name in getattr(wandb_typed, "__all__", [])]
    return [c for c in classes if inspect.isclass(c) and not issubclass(c, BaseException)]


def coverage(api_class: type | None) -> list[Coverage]:
    surface = json.loads(SURFACE.read_text())
    rows: list[Coverage] = []
    for attribute in surface["attributes"]:
        ok = isinstance(getattr(api_class, attribute, None), property)
        rows.append(Coverage(attribute, "implemented" if ok else "not yet"))
    for method, params in surface["methods"].items():
        function = getattr(api_class, method, None)
        if function is None:
            rows.append(Coverage(method, "not yet"))
            continue
        ours = [p for p in inspect.signature(function).parameters.values() if p.name != "self"]
        theirs = {p["name"]: p for p in params}
        missing = [name for name in theirs if name not in {p.name for p in ours}]
        wrong_defaults = [
            p.name
            for p in ours
            if p.name in theirs
            and (theirs[p.name]["default"] or "<required>")
            != (repr(p.default) if p.default is not inspect.Parameter.empty else "<required>")
        ]
        if missing or wrong_defaults:
            detail = ", ".join(
                [f"missing {n}" for n in missing] + [f"default of {n}" for n in wrong_defaults]
            )
            rows.append(Coverage(method, f"differs: {detail}"))
        else:
            rows.append(Coverage(method, "implemented"))
    return rows


def render_docs(target: Path) -> None:
    """Write docs/api/*.md into ``target`` (a directory that may not exist yet)."""
    import wandb_typed

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    target.mkdir(parents=True, exist_ok=True)
    pages = [
        ClassPage(c.__name__, c.__module__, inspect.getdoc(c) or "", _members(c))
        for c in public_classes()
    ]
    for page in pages:
        text = env.get_template("class.md.j2").render(page=page)
        (target / f"{page.name}.md").write_text(text)
    rows = coverage(getattr(wandb_typed, "Api", None))
    index = env.get_template("index.md.j2").render(
        pages=pages,
        rows=rows,
        done=sum(r.status == "implemented" for r in rows),
        total=len(rows),
    )
    (target / "index.md").write_text(index)
