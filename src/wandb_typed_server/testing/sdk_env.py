"""Environment that points the official ``wandb`` SDK at a local server, hermetically.

>>> env = sdk_environment("http://127.0.0.1:8080", "0" * 40, Path("/tmp/work"))  # doctest: +SKIP
>>> subprocess.run([sys.executable, "train.py"], env=env)  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def sdk_environment(
    base_url: str, api_key: str, workdir: Path, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``base`` (default: this process's environment) without any WANDB_* variable, plus the
    server's URL and key, and every SDK folder (and HOME, so no ~/.netrc is read) under
    ``workdir``."""
    source = os.environ if base is None else base
    env = {key: value for key, value in source.items() if not key.startswith("WANDB_")}
    folders = {name: workdir / name for name in ("home", "wandb", "cache", "config", "data")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(folders["home"]),
        WANDB_BASE_URL=base_url,
        WANDB_API_KEY=api_key,
        WANDB_DIR=str(folders["wandb"]),
        WANDB_CACHE_DIR=str(folders["cache"]),
        WANDB_CONFIG_DIR=str(folders["config"]),
        WANDB_DATA_DIR=str(folders["data"]),
        WANDB_SILENT="true",
        WANDB_DISABLE_GIT="true",
        WANDB_DISABLE_CODE="true",
        WANDB_ERROR_REPORTING="false",
    )
    return env
