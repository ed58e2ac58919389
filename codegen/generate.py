"""Regenerate everything derived from schema/ + queries/ (and the API docs), or check it.

    .venv/bin/python codegen/generate.py           # make generate
    .venv/bin/python codegen/generate.py --check   # make check-generated

Everything is generated into a temporary directory first: ariadne-codegen output (then
``ruff format``) and the jinja2-rendered API reference. Without ``--check`` the committed
trees are replaced whole, so a removed operation leaves no orphan module; with ``--check``
nothing is written and any difference fails the run.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the dev environment is 3.11, but stay importable on 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "codegen" / "ariadne-codegen.toml"
SCHEMA_SOURCE = ROOT / "schema" / "SOURCE.toml"
GENERATED = ROOT / "src" / "wandb_typed" / "_generated"
DOCS = ROOT / "docs" / "api"


class GenerationError(Exception):
    """The inputs are not fit to generate from (for example a schema hash mismatch)."""


def verify_schema() -> None:
    """Refuse to generate from a schema whose sha256 is not the one recorded in SOURCE.toml."""
    record = tomllib.loads(SCHEMA_SOURCE.read_text())["schema"]
    schema_file = SCHEMA_SOURCE.parent / record["file"]
    actual = hashlib.sha256(schema_file.read_bytes()).hexdigest()
    if actual != record["sha256"]:
        raise GenerationError(
            f"{schema_file.relative_to(ROOT)} has sha256 {actual}, but schema/SOURCE.toml "
            f"records {record['sha256']}. Update the provenance record with the schema."
        )


def generate_client(target_root: Path) -> Path:
    """Run ariadne-codegen into ``target_root`` and format the result; return the package."""
    from ariadne_codegen.main import client  # imported here: only the driver needs it

    target_root.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = tomllib.loads(CONFIG.read_text())
    config["tool"]["ariadne-codegen"]["target_package_path"] = str(target_root)
    log = io.StringIO()
    try:
        with contextlib.redirect_stdout(log):
            client(config)  # type: ignore[no-untyped-call]  # ariadne-codegen is untyped here
    except Exception:
        print(log.getvalue(), file=sys.stderr)
        raise
    package = target_root / str(config["tool"]["ariadne-codegen"]["target_package_name"])
    from codegen.split_fragments import fragment_names, split_fragments

    queries = ROOT / str(config["tool"]["ariadne-codegen"]["queries_path"])
    split_fragments(package, fragment_names(queries))
    ruff = Path(sys.executable).with_name("ruff")
    settings = ["--config", str(ROOT / "pyproject.toml")]
    subprocess.run(  # the split modules' imports, grouped as everywhere else
        [str(ruff), "check", "--quiet", "--no-cache", "--fix", "--select", "I", *settings],
        cwd=package / "fragments",
        check=True,
    )
    subprocess.run([str(ruff), "format", "--quiet", *settings, str(package)], check=True)
    from codegen.unasync import generated_twins, write_twins

    write_twins(generated_twins(package), label_root=target_root)
    return package


def generate_sync_twins(target_root: Path) -> dict[Path, Path]:
    """Write the sync twin of every handwritten ``_async/`` module under ``target_root``;
    return ``{fresh file: committed file}``."""
    from codegen.unasync import handwritten_twins, write_twins

    pairs = handwritten_twins()
    write_twins(
        {source: target_root / target.relative_to(ROOT) for source, target in pairs.items()}
    )
    return {target_root / target.relative_to(ROOT): target for target in pairs.values()}


def committed_sync_files() -> set[Path]:
    """Every module in a ``_sync/`` package today (a twin whose source is gone is stale)."""
    from codegen.unasync import PACKAGE

    return {
        path
        for folder in PACKAGE.rglob("_sync")
        if folder.is_dir() and "_generated" not in folder.parts
        for path in folder.glob("*.py")
    }


def generate_docs(target: Path) -> None:
    from codegen.docs import render_docs  # imports wandb_typed: keep it out of the hot path

    render_docs(target)


def differences(expected: Path, actual: Path) -> list[str]:
    """Relative paths that differ byte for byte between two trees, or exist in only one."""

    def files(root: Path) -> dict[str, bytes]:
        return {
            str(path.relative_to(root)): path.read_bytes()
            for path in sorted(root.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts
        }

    left, right = files(expected), files(actual) if actual.exists() else {}
    return sorted(name for name in left.keys() | right.keys() if left.get(name) != right.get(name))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    try:
        verify_schema()
    except GenerationError as exc:
        print(f"generate: {exc}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        fresh_code = generate_client(Path(tmp) / "code")
        twins = generate_sync_twins(Path(tmp) / "twins")
        orphans = committed_sync_files() - set(twins.values())
        if not args.check:  # the docs import the package: its sync twins must be current
            for path in orphans:
                path.unlink()
            for fresh_twin, committed in twins.items():
                committed.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(fresh_twin, committed)
        fresh_docs = Path(tmp) / "docs"
        generate_docs(fresh_docs)
        pairs = [(fresh_code, GENERATED), (fresh_docs, DOCS)]
        if args.check:
            stale = [
                f"{committed.relative_to(ROOT)}/{name}"
                for fresh, committed in pairs
                for name in differences(fresh, committed)
            ]
            stale += [
                str(committed.relative_to(ROOT))
                for fresh_twin, committed in twins.items()
                if not committed.exists() or committed.read_bytes() != fresh_twin.read_bytes()
            ]
            stale += [f"{path.relative_to(ROOT)} (its async source is gone)" for path in orphans]
            if stale:
                print("generated files are stale (run `make generate`):", file=sys.stderr)
                print("\n".join(f"  {name}" for name in stale), file=sys.stderr)
                return 1
            print("generated code and docs are fresh")
            return 0
        for fresh, committed in pairs:
            shutil.rmtree(committed, ignore_errors=True)
            shutil.copytree(fresh, committed, ignore=shutil.ignore_patterns("__pycache__"))
    print(
        f"regenerated {GENERATED.relative_to(ROOT)}, {len(twins)} sync twins and "
        f"{DOCS.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
