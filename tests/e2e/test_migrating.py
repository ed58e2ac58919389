"""``docs/migrating.md`` against the code: every deliberate difference it lists has a check
here that our client behaves as the document says (and every check is listed), in both
flavours. That the official client differs on those rows is checked by
``tests/compat/test_official_dropin.py``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from runs_support import ENTITY

from flavours import unwrap
from wandb_typed import Api
from wandb_typed.errors import (
    InvalidPathError,
    NotFoundError,
    UnsupportedByServerError,
    WandbTypedError,
)
from wandb_typed_server import RunningServer
from wandb_typed_server.testing.seed import SeedRun, seed_runs

MIGRATING = Path(__file__).parents[2] / "docs" / "migrating.md"
PROJECT = "e2e-migrating"
RUN = f"{ENTITY}/{PROJECT}/logged"


def listed_rows() -> list[str]:
    return re.findall(r"^\| `([a-z0-9-]+)` \|", MIGRATING.read_text(), flags=re.MULTILINE)


def created_at(api: Api, tmp_path: Path) -> None:
    run = api.run(RUN)
    assert isinstance(run.created_at, datetime)
    assert run.created_at.tzinfo is timezone.utc
    assert run.created_at.strftime("%Y-%m-%dT%H:%M:%S")  # the documented port


def file_download(api: Api, tmp_path: Path) -> None:
    written = api.run(RUN).file("notes.txt").download(tmp_path)
    assert isinstance(written, Path)
    with open(written) as handle:  # the documented port
        assert handle.read() == "ported\n"


def missing_run(api: Api, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=f"{ENTITY}/{PROJECT}/runs/nope") as found:
        api.run(f"{ENTITY}/{PROJECT}/nope")
    assert isinstance(found.value, WandbTypedError)
    with pytest.raises(InvalidPathError) as bad:
        api.run("a/b/c/d/e")
    assert isinstance(bad.value, ValueError)


def summary_json(api: Api, tmp_path: Path) -> None:
    summary = unwrap(api.run(RUN).summary)
    assert isinstance(summary, dict)
    assert json.loads(json.dumps(summary))["best"] == 0.9


def summary_yaml(api: Api, tmp_path: Path) -> None:
    summary = unwrap(api.run(RUN).summary)
    assert yaml.safe_load(yaml.safe_dump(summary))["best"] == 0.9
    assert yaml.safe_load(yaml.safe_dump(dict(summary)))["best"] == 0.9  # the port


def download_history_exports(api: Api, tmp_path: Path) -> None:
    run = api.run(RUN)
    with pytest.raises(UnsupportedByServerError, match="Parquet") as raised:
        run.download_history_exports(tmp_path)
    assert raised.value.feature == "parquet history exports"
    assert [row["loss"] for row in run.scan_history(keys=["loss"])] == [1.0, 0.5]  # the port


CHECKS: dict[str, Callable[[Api, Path], None]] = {
    "created-at": created_at,
    "file-download": file_download,
    "missing-run": missing_run,
    "summary-json": summary_json,
    "summary-yaml": summary_yaml,
    "download-history-exports": download_history_exports,
}


@pytest.fixture(scope="module")
def logged(local_server: RunningServer) -> None:
    seed_runs(
        local_server.base_url,
        local_server.api_key,
        ENTITY,
        PROJECT,
        [
            SeedRun(
                "logged",
                config={"lr": 0.1},
                history=[{"loss": 1.0}, {"loss": 0.5}],
                summary={"best": 0.9},
                files={"notes.txt": b"ported\n"},
            )
        ],
    )


def test_every_listed_difference_has_a_check() -> None:
    assert sorted(listed_rows()) == sorted(CHECKS)


@pytest.mark.parametrize("row", sorted(CHECKS))
def test_listed_difference_holds(logged: None, api: Api, tmp_path: Path, row: str) -> None:
    CHECKS[row](api, tmp_path)
