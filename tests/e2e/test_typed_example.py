"""``examples/typed_reads.py``: ``mypy --strict`` passes on it and fails on the same code
with one wrong type; and it reads the right values from a local server (both flavours)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from runs_support import ENTITY

from wandb_typed import Api
from wandb_typed_server import RunningServer
from wandb_typed_server.testing.seed import SeedRun, seed_runs

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "typed_reads.py"
PROJECT = "e2e-typed-example"


def mypy_strict(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=ROOT,  # the project's mypy cache
    )


@pytest.mark.slow
def test_mypy_strict_passes_on_the_example_and_fails_on_a_wrong_type(tmp_path: Path) -> None:
    passed = mypy_strict(EXAMPLE)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    source = EXAMPLE.read_text()
    wrong = source.replace(
        'loss: float = run.summary.number("loss")', 'loss: str = run.summary.number("loss")'
    )
    assert wrong != source
    wrong_file = tmp_path / "typed_reads_wrong.py"
    wrong_file.write_text(wrong)
    failed = mypy_strict(wrong_file)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert (
        'Incompatible types in assignment (expression has type "float", variable has type "str")'
        in failed.stdout
    )


@pytest.fixture(scope="module")
def example() -> Iterator[ModuleType]:
    sys.path.insert(0, str(EXAMPLE.parent))
    try:
        import typed_reads

        yield typed_reads
    finally:
        sys.path.remove(str(EXAMPLE.parent))


@pytest.fixture(scope="module")
def project_path(local_server: RunningServer) -> str:
    seed_runs(
        local_server.base_url,
        local_server.api_key,
        ENTITY,
        PROJECT,
        [
            SeedRun("slow", config={"lr": 0.01, "epochs": 3}, summary={"loss": 0.4}),
            SeedRun("fast", config={"lr": 0.1}, summary={"loss": 0.2}),
            SeedRun("unfinished", config={"lr": 0.5}, summary={}),
        ],
    )
    return f"{ENTITY}/{PROJECT}"


def test_the_example_reads_typed_values(api: Api, example: ModuleType, project_path: str) -> None:
    assert example.best_run(api, project_path) == ("fast", 0.2)
    assert example.learning_rates(api, project_path) == [0.01, 0.1, 0.5]
    assert example.scaled_lr(api, f"{project_path}/fast", 10.0) == 1.0
