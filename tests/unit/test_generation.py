"""`make check-generated` catches a hand edit or an orphan; `make generate` refuses a schema
whose sha256 is not the recorded one. Runs the real driver on a copy of the inputs (a full
code generation is ``slow``; the refused schema stops before generating)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    for folder in ("codegen", "schema", "queries", "docs"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copytree(
        ROOT / "src" / "wandb_typed" / "_generated",
        tmp_path / "src" / "wandb_typed" / "_generated",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def driver(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(workspace / "codegen" / "generate.py"), *args],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_check_reports_a_hand_edited_file_and_an_orphan(workspace: Path) -> None:
    generated = workspace / "src" / "wandb_typed" / "_generated"
    with (generated / "get_run.py").open("a") as handle:
        handle.write("# edited by hand\n")
    (generated / "orphan.py").write_text("# left over from a removed operation\n")
    result = driver(workspace, "--check")
    assert result.returncode == 1
    assert "src/wandb_typed/_generated/get_run.py" in result.stderr
    assert "src/wandb_typed/_generated/orphan.py" in result.stderr
    assert "orphan.py" in {p.name for p in generated.iterdir()}, "--check writes nothing"


@pytest.mark.slow
def test_generate_regenerates_from_scratch(workspace: Path) -> None:
    generated = workspace / "src" / "wandb_typed" / "_generated"
    (generated / "orphan.py").write_text("# left over\n")
    (generated / "get_run.py").write_text("# clobbered\n")
    assert driver(workspace).returncode == 0
    assert not (generated / "orphan.py").exists()
    assert (generated / "get_run.py").read_bytes() == (
        ROOT / "src" / "wandb_typed" / "_generated" / "get_run.py"
    ).read_bytes()


def test_generate_refuses_a_schema_that_does_not_match_its_record(workspace: Path) -> None:
    schema = workspace / "schema" / "schema.graphql"
    schema.write_text(schema.read_text() + "\nscalar Sneaky\n")
    result = driver(workspace)
    assert result.returncode == 2
    assert "schema/schema.graphql has sha256" in result.stderr
    assert "schema/SOURCE.toml records" in result.stderr


@pytest.mark.parametrize(
    ("source", "twin"),
    [
        ("f: Callable[[X], Awaitable[None]]", "f: Callable[[X], None]"),
        ("f: Callable[[], Awaitable[list[Row]]]", "f: Callable[[], list[Row]]"),
        ("x: dict[str, Awaitable[int]]", "x: dict[str, int]"),
    ],
)
def test_unasync_unwraps_awaitables_with_one_level_of_nesting(source: str, twin: str) -> None:
    sys.path.insert(0, str(ROOT / "codegen"))
    try:
        from unasync import unasync_text
    finally:
        sys.path.remove(str(ROOT / "codegen"))
    assert unasync_text(source + "\n") == twin + "\n"
