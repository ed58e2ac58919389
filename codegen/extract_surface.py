"""Extract the `wandb.Api` surface (methods, parameters, defaults) from the reference page.

Run once when the reference changes; the output, ``codegen/reference_surface.json``, is
checked in so that builds and tests do not depend on the reference folder:

    .venv/bin/python codegen/extract_surface.py ../shared/reference/wandb-api-reference.md
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import sys
from pathlib import Path

OUTPUT = Path(__file__).with_name("reference_surface.json")
_METHOD = re.compile(r"### `(\w+)`\n.*?```python\n(.*?)```", re.S)
_ATTRIBUTE = re.compile(r"^\|\s+`(\w+)`\s+\|", re.M)


def _parameters(signature: str) -> list[dict[str, str | None]]:
    head = signature.rsplit(")", 1)[0] + ")"  # drop the return annotation
    function = ast.parse(f"def {head}: pass").body[0]
    assert isinstance(function, ast.FunctionDef)
    args = function.args
    out: list[dict[str, str | None]] = []
    positional_defaults = [None] * (len(args.args) - len(args.defaults)) + list(args.defaults)
    for arg, default in zip(args.args, positional_defaults, strict=True):
        out.append({"name": arg.arg, "kind": "POSITIONAL_OR_KEYWORD", "default": _text(default)})
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        out.append({"name": arg.arg, "kind": "KEYWORD_ONLY", "default": _text(kw_default)})
    if args.kwarg:
        out.append({"name": args.kwarg.arg, "kind": "VAR_KEYWORD", "default": None})
    return out


def _text(node: ast.expr | None) -> str | None:
    return None if node is None else repr(ast.literal_eval(node))


def main(reference: Path) -> None:
    text = reference.read_text()
    attributes_table = text.split("## Methods", 1)[0]
    surface = {
        "source": "wandb-api-reference.md (wandb v0.22.1 Api reference page)",
        "source_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "attributes": _ATTRIBUTE.findall(attributes_table),
        "methods": {
            name: _parameters(signature.strip()) for name, signature in _METHOD.findall(text)
        },
    }
    OUTPUT.write_text(json.dumps(surface, indent=2) + "\n")
    print(f"{len(surface['methods'])} methods, {len(surface['attributes'])} attributes -> {OUTPUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
