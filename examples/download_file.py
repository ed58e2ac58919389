"""Download every file of a run into a folder (atomic writes, md5-verified).

Usage: ``python download_file.py ENTITY/PROJECT/RUN_ID DEST``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from wandb_typed import Api


def download_files(api: Api, path: str, dest: Path) -> list[str]:
    """Download the run's files into ``dest``; return a line per file."""
    lines = []
    for file in api.run(path).files():
        local = file.download(root=str(dest), replace=True)
        lines.append(f"  {file.name:<24} {file.size:>8} bytes -> {local}")
    return lines


if __name__ == "__main__":
    with Api() as api:
        print("\n".join(download_files(api, sys.argv[1], Path(sys.argv[2]))))
