"""The demo's examples (examples/*.py) against a fresh local server, seeded through the wire."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from wandb_typed import Api
from wandb_typed_server import RunningServer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def demo() -> Iterator[ModuleType]:
    sys.path.insert(0, str(EXAMPLES))
    try:
        import demo

        yield demo
    finally:
        sys.path.remove(str(EXAMPLES))


@pytest.fixture
def seeded(
    demo: ModuleType, server_factory: Callable[[], RunningServer]
) -> Iterator[tuple[Api, str]]:
    server = server_factory()
    with Api(api_key=server.api_key, overrides={"base_url": server.base_url}) as api:
        entity = api.default_entity
        assert entity is not None
        demo.log_through_the_wire(server.base_url, server.api_key, entity)
        yield api, f"{entity}/{demo.PROJECT}"


def test_runs_table_lists_every_run_lowest_loss_first(seeded: tuple[Api, str]) -> None:
    from runs_table import runs_table

    api, path = seeded
    header, *rows = runs_table(api, path)
    assert header.split() == ["run", "state", "optimizer", "lr", "loss"]
    assert [row.split()[0] for row in rows] == ["demo-run-2", "demo-run-1", "demo-run-0"]
    assert [row.split()[1] for row in rows] == ["failed", "finished", "finished"]
    losses = [float(row.split()[-1]) for row in rows]
    assert losses == sorted(losses)


def test_history_example_samples_and_scans(seeded: tuple[Api, str]) -> None:
    from read_history import describe_history

    api, path = seeded
    first, curve, scanned = describe_history(api, f"{path}/demo-run-0")
    assert first.endswith(": 300 history rows")
    points = curve.split(": ", 1)[1].split(", ")
    assert len(points) == 10
    assert points[0].startswith("0:")
    assert points[-1].startswith("299:")
    assert scanned.strip() == "rows with val_loss: 3"


def test_download_example_writes_the_run_files(seeded: tuple[Api, str], tmp_path: Path) -> None:
    from download_file import download_files

    api, path = seeded
    lines = download_files(api, f"{path}/demo-run-1", tmp_path)
    assert len(lines) == 1
    assert (tmp_path / "notes.txt").read_text() == "lr=0.3 optimizer=sgd\n"
