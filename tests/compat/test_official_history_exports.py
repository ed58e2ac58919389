"""Parquet history exports seen by the official client: a run logged by the official SDK
(wandb 0.31.0) is scanned by the official ``Run.scan_history()`` (wandb-core reads the
exports) on a server with exports, and on the same data dir served without them (wandb-core
pages): the same rows, also after the run resumed and logged more (a second export segment;
wandb-core's cache of the first file is still right). Ours reads the same values both ways.

wandb-core's ``scan_history(keys=[...])`` reads every exported row of each page, holding the
keys or not (the last test pins that down: why exports are off by default).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from wandb_typed import Api
from wandb_typed_server import RunningServer, start_in_thread
from wandb_typed_server.testing.sdk_env import sdk_environment

pytestmark = [pytest.mark.official, pytest.mark.slow]

LOGGER = Path(__file__).with_name("official_log_history.py")
SCANNER = Path(__file__).with_name("official_scan_history.py")
ENTITY = "admin"
PROJECT = "compat-history-exports"
FIRST_ROWS = 1_200
MORE_ROWS = 300


def run_official(script: Path, args: Sequence[str], server: RunningServer, sdk: Path) -> object:
    """Run an official-client script against ``server`` and decode its ``RESULT``."""
    proc = subprocess.run(
        [sys.executable, str(script), *args],
        env=sdk_environment(server.base_url, server.api_key, sdk),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    line = next(line for line in proc.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def official_scan(server: RunningServer, sdk: Path, *args: str) -> list[dict[str, object]]:
    rows = run_official(SCANNER, [f"{ENTITY}/{PROJECT}/logged", *args], server, sdk)
    assert isinstance(rows, list)
    return rows


def ours(server: RunningServer) -> list[dict[str, object]]:
    with Api(api_key=server.api_key, overrides={"base_url": server.base_url}) as api:
        return list(api.run(f"{ENTITY}/{PROJECT}/logged").scan_history())


def canonical(rows: Sequence[Mapping[str, object]]) -> list[str]:
    """Rows as JSON texts with sorted keys: equal keys, values and JSON types."""
    return [json.dumps(row, sort_keys=True, allow_nan=True) for row in rows]


def comparable(value: object) -> object:
    """``value`` with NaN made equal to itself (1 and 1.0 stay equal: wandb-core writes whole
    floats as ints, on both of its paths)."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [comparable(item) for item in value]
    return value


def test_official_scan_history_reads_exports_as_it_pages(tmp_path: Path) -> None:
    data, sdk = tmp_path / "data", tmp_path / "sdk"
    with start_in_thread(data, history_exports=True) as server:
        key = server.api_key
        assert run_official(LOGGER, [ENTITY, PROJECT, "logged", str(FIRST_ROWS)], server, sdk) == (
            FIRST_ROWS - 1
        )
        first = official_scan(server, sdk, "250")
        ours_first = ours(server)
        assert run_official(
            LOGGER, [ENTITY, PROJECT, "logged", str(MORE_ROWS), str(FIRST_ROWS)], server, sdk
        ) == (FIRST_ROWS + MORE_ROWS - 1)
        # the same WANDB_CACHE_DIR: wandb-core takes the first file from its cache
        exported = official_scan(server, sdk, "250")
        ours_exported = ours(server)
        manifests = list(data.glob("history-exports/*/manifest.json"))
        assert len(manifests) == 1
        segments = json.loads(manifests[0].read_text())["segments"]
        assert [segment["lines"] for segment in segments] == [
            FIRST_ROWS,
            FIRST_ROWS + MORE_ROWS,
        ]
    with start_in_thread(data, api_key=key, history_exports=False) as plain:
        paged = official_scan(plain, tmp_path / "sdk-plain", "250")
        ours_paged = ours(plain)

    assert len(paged) == FIRST_ROWS + MORE_ROWS
    assert canonical(exported) == canonical(paged)
    assert canonical(first) == canonical(paged[:FIRST_ROWS])
    assert canonical(ours_exported) == canonical(ours_paged)
    assert canonical(ours_first) == canonical(ours_paged[:FIRST_ROWS])
    assert comparable(ours_exported) == comparable(exported)
    by_step = {row["_step"]: row for row in exported}
    assert json.dumps([by_step[7]["loss"], by_step[57]["loss"], by_step[107]["loss"]]) == (
        "[Infinity, NaN, -Infinity]"
    )
    assert by_step[10]["eval"] == {"acc": 0.01, "per_class": [1, 2, 3], "meta": {"split": "val"}}
    assert "eval" not in by_step[11]
    assert {"_runtime", "_timestamp"} <= set(by_step[FIRST_ROWS + 1])


def test_official_keyed_scan_reads_every_exported_row(tmp_path: Path) -> None:
    """What wandb-core does with ``keys`` (its own code, not ours): the rows holding the
    keys are the paged ones, and every other exported row of the window comes too, as
    ``{"_step": n}`` (from a file without the keys)."""
    data, sdk = tmp_path / "data", tmp_path / "sdk"
    with start_in_thread(data, history_exports=True) as server:
        key = server.api_key
        run_official(LOGGER, [ENTITY, PROJECT, "logged", "400"], server, sdk)
        keyed = official_scan(server, sdk, "100", "note")
    with start_in_thread(data, api_key=key, history_exports=False) as plain:
        paged = official_scan(plain, tmp_path / "sdk-plain", "100", "note")
    assert [row["_step"] for row in paged] == list(range(0, 400, 33))
    assert [row for row in keyed if "note" in row] == paged
    assert [row for row in keyed if "note" not in row] == [
        {"_step": step} for step in range(400) if step % 33
    ]
