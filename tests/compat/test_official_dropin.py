"""Drop-in: one script written for ``wandb.Api`` (``dropin_script.py``) runs as it is and
with ``import wandb`` changed to ``import wandb_typed as wandb`` (no other change), against
the same local server holding runs the official SDK logged. Every row must print the
official client's value, except the rows ``docs/migrating.md`` lists as deliberate
differences, which must differ (so that list cannot go stale).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from wandb_typed_server import RunningServer
from wandb_typed_server.testing.sdk_env import sdk_environment

pytestmark = [pytest.mark.official, pytest.mark.slow]

HERE = Path(__file__).parent
SCRIPT = HERE / "dropin_script.py"
LOGGER = HERE / "dropin_log.py"
MIGRATING = HERE.parents[1] / "docs" / "migrating.md"
ENTITY = "admin"
PROJECT = "compat-dropin"
OFFICIAL_IMPORT = "import wandb\n"
OUR_IMPORT = "import wandb_typed as wandb\n"


def listed_differences() -> set[str]:
    """The script rows ``docs/migrating.md`` lists (its table's ``row`` column)."""
    return set(re.findall(r"^\| `([a-z0-9-]+)` \|", MIGRATING.read_text(), flags=re.MULTILINE))


def run_script(script: Path, env: dict[str, str], workdir: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(script), ENTITY, PROJECT, str(workdir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=workdir,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    rows: dict[str, Any] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("ROW "):
            name, value = line.removeprefix("ROW ").split(" ", 1)
            rows[name] = json.loads(value)
    return rows


@pytest.fixture(scope="module")
def both(
    local_server: RunningServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(official rows, our rows)."""
    workdir = tmp_path_factory.mktemp("dropin")
    env = sdk_environment(local_server.base_url, local_server.api_key, workdir)
    logged = subprocess.run(
        [sys.executable, str(LOGGER), ENTITY, PROJECT, str(workdir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert logged.returncode == 0, logged.stdout[-3000:] + logged.stderr[-6000:]
    source = SCRIPT.read_text()
    assert source.count(OFFICIAL_IMPORT) == 1
    ported = workdir / "dropin_ported.py"
    ported.write_text(source.replace(OFFICIAL_IMPORT, OUR_IMPORT))
    official_dir, our_dir = workdir / "official", workdir / "ours"
    official_dir.mkdir()
    our_dir.mkdir()
    return run_script(SCRIPT, env, official_dir), run_script(ported, env, our_dir)


def test_every_row_ran_in_both(both: tuple[dict[str, Any], dict[str, Any]]) -> None:
    official, ours = both
    rows = re.findall(r'^\s*row\(\s*"([a-z0-9-]+)"', SCRIPT.read_text(), flags=re.MULTILINE)
    assert len(rows) >= 30
    assert set(official) == set(ours) == set(rows)


def test_rows_not_listed_in_migrating_agree(both: tuple[dict[str, Any], dict[str, Any]]) -> None:
    official, ours = both
    listed = listed_differences()
    differing = {name: (official[name], ours[name]) for name in official if name not in listed}
    differing = {name: pair for name, pair in differing.items() if pair[0] != pair[1]}
    assert differing == {}, json.dumps(differing, indent=1, default=repr)[:6000]
    # not vacuous: the official client read real values, no row of theirs failed
    failed = sorted(
        name
        for name, value in official.items()
        if name not in listed and isinstance(value, dict) and set(value) == {"error"}
    )
    assert failed == []
    assert official["config-json"] == {"lr": 0.01, "layers": 3, "opt": "adam"}
    assert official["per-page-2000"] == ["dropin-a", "dropin-b"]
    assert official["artifacts-types"] == ["dataset"]


def test_rows_listed_in_migrating_differ(both: tuple[dict[str, Any], dict[str, Any]]) -> None:
    official, ours = both
    listed = listed_differences()
    assert listed, "docs/migrating.md lists no script row"
    assert listed <= set(official), sorted(listed - set(official))
    same = sorted(name for name in listed if official[name] == ours[name])
    assert same == [], f"listed in docs/migrating.md but the clients agree: {same}"
