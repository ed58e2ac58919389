"""Keep the machine's own W&B configuration out of a test (env, netrc, settings file)."""

from __future__ import annotations

from pathlib import Path

import pytest

WANDB_VARIABLES = ("WANDB_API_KEY", "WANDB_BASE_URL", "WANDB_ENTITY", "WANDB_PROJECT")


def isolate_from_machine_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Unset ``WANDB_*`` variables and point netrc and the settings dir at empty places."""
    for name in WANDB_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    monkeypatch.setenv("WANDB_CONFIG_DIR", str(tmp_path / "no-config"))
