"""The demo's examples (examples/*.py) against a local server of their own, seeded through
the wire once, read by both flavours (the examples take an ``Api``; the async flavour gives
them an ``AsyncApi`` seen through the bridge)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from runs_support import api_for

from wandb_typed import Api
from wandb_typed_server import RunningServer, start_in_thread

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def demo() -> Iterator[ModuleType]:
    sys.path.insert(0, str(EXAMPLES))
    try:
        import demo

        yield demo
    finally:
        sys.path.remove(str(EXAMPLES))


@pytest.fixture(scope="module")
def demo_server(
    demo: ModuleType, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[RunningServer, str]]:
    """A server of its own filled by the demo; yields it and the demo project's path."""
    with start_in_thread(tmp_path_factory.mktemp("demo-data")) as server:
        with api_for(server) as api:
            entity = api.default_entity
        assert entity is not None
        demo.log_through_the_wire(server.base_url, server.api_key, entity)
        yield server, f"{entity}/{demo.PROJECT}"


@pytest.fixture(scope="module")
def local_server(demo_server: tuple[RunningServer, str]) -> RunningServer:
    """The ``api`` fixture of either flavour reads the demo's server."""
    return demo_server[0]


@pytest.fixture
def path(demo_server: tuple[RunningServer, str]) -> str:
    return demo_server[1]


def test_runs_table_lists_every_run_lowest_loss_first(api: Api, path: str) -> None:
    from runs_table import runs_table

    header, *rows = runs_table(api, path)
    assert header.split() == ["run", "state", "optimizer", "lr", "loss"]
    assert [row.split()[0] for row in rows] == ["demo-run-2", "demo-run-1", "demo-run-0"]
    assert [row.split()[1] for row in rows] == ["failed", "finished", "finished"]
    losses = [float(row.split()[-1]) for row in rows]
    assert losses == sorted(losses)


def test_history_example_samples_and_scans(api: Api, path: str) -> None:
    from read_history import describe_history

    first, curve, scanned = describe_history(api, f"{path}/demo-run-0")
    assert first.endswith(": 300 history rows")
    points = curve.split(": ", 1)[1].split(", ")
    assert len(points) == 10
    assert points[0].startswith("0:")
    assert points[-1].startswith("299:")
    assert scanned.strip() == "rows with val_loss: 3"


def test_download_example_writes_the_run_files(api: Api, path: str, tmp_path: Path) -> None:
    from download_file import download_files

    lines = download_files(api, f"{path}/demo-run-1", tmp_path)
    assert len(lines) == 1
    assert (tmp_path / "notes.txt").read_text() == "lr=0.3 optimizer=sgd\n"
