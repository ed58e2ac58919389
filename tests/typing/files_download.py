"""``Files.download``: every file of a run's listing downloaded, the local paths returned
(both flavours)."""

from __future__ import annotations

from pathlib import Path

from typing_extensions import assert_type

from wandb_typed import AsyncFiles, Files


def check_files_download(files: Files) -> None:
    assert_type(files.download(), list[Path])
    assert_type(files.download(Path("out"), replace=True, exist_ok=False), list[Path])


async def check_files_download_async(files: AsyncFiles) -> None:
    assert_type(await files.download(), list[Path])
    assert_type(await files.download("out", replace=False, exist_ok=True), list[Path])
