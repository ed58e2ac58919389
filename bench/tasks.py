"""What every contender computes from what it read, so the runner can tell that all of them
read the same data (a fast wrong answer is not a result).

>>> config_check({"index": 3}), summary_check({"loss": 0.5}), history_check({"_step": 2})
(3.0, 0.5, 2.0)
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value)


def config_check(config: Mapping[str, object]) -> float:
    """The run's ``index`` config value."""
    return _number(config.get("index"))


def summary_check(summary: Mapping[str, object]) -> float:
    """The run's final ``loss``."""
    return _number(summary.get("loss"))


def history_check(row: Mapping[str, object]) -> float:
    """The row's step."""
    return _number(row.get("_step"))


def file_check(content: bytes) -> float:
    """The file's size."""
    return float(len(content))


def download_root() -> Path:
    """A folder of this process's own under the measurement's scratch folder (the runner
    makes one per measurement and deletes it after, outside the measured time)."""
    return Path(os.environ["BENCH_SCRATCH"]) / f"root-{os.getpid()}"


class WrongData(RuntimeError):
    """A contender read data that is not what was seeded (its measurement must fail)."""


def artifact_check(root: Path, params: Mapping[str, object]) -> tuple[int, float]:
    """Check a downloaded artifact folder against what was seeded: the file count, the total
    size, and the sha256 of a sample of files (``params["sample"]``: ``{path: sha256 hex}``).
    Returns ``(files, total bytes)``; raises :class:`WrongData` on any difference."""
    files = [path for path in root.rglob("*") if path.is_file()]
    total = sum(path.stat().st_size for path in files)
    expected_files, expected_bytes = params["files"], params["bytes"]
    if len(files) != expected_files or total != expected_bytes:
        raise WrongData(
            f"{root}: {len(files)} files, {total} bytes; seeded {expected_files} files, "
            f"{expected_bytes} bytes"
        )
    sample = params["sample"]
    if not isinstance(sample, Mapping) or not sample:
        raise WrongData("no sample of files to check")
    for name, digest in sample.items():
        found = hashlib.sha256((root / str(name)).read_bytes()).hexdigest()
        if found != digest:
            raise WrongData(f"{root / str(name)}: sha256 {found}, seeded {digest}")
    return len(files), float(total)
