"""The artifacts the download benchmark reads, logged by the OFFICIAL SDK (``wandb.init``,
``Artifact.add_dir``, ``log_artifact(...).wait()``, ``finish``) in a subprocess pointed at the
local server, the way a user's training script would have logged them.

Each artifact is ``megabytes`` of seeded random bytes (incompressible) in ``files`` files of
equal size, in folders of 100. What the contenders must find afterwards (file count, total
bytes, the sha256 of a sample of files) is returned as benchmark parameters.

Nothing here fakes support: if the server cannot take or serve an artifact, seeding fails
and :func:`seed_artifacts` raises :class:`ArtifactsUnsupported` with the reason, which the
report prints instead of a table.

    >>> spec = ArtifactSpec("bench-data", megabytes=2, files=10)
    >>> spec.file_sizes()[:2], sum(spec.file_sizes()) == spec.total_bytes
    ([200000, 200000], True)
"""

from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from dataset import ENTITY

PROJECT = "artifacts"
SAMPLE_SIZE = 20
"""Files whose sha256 every contender checks (spread over the artifact)."""

SEED_SCRIPT = """
import sys
import wandb

entity, project, *pairs = sys.argv[1:]
run = wandb.init(entity=entity, project=project, job_type="bench-seed")
try:
    for name, folder in zip(pairs[::2], pairs[1::2]):
        artifact = wandb.Artifact(name, type="dataset")
        artifact.add_dir(folder)
        run.log_artifact(artifact).wait()
except Exception as exc:
    lines = str(exc).strip().splitlines() or [type(exc).__name__]
    print("SEED-ERROR " + type(exc).__name__ + ": " + lines[0][:400], flush=True)
    run.finish(exit_code=1)
    sys.exit(1)
run.finish()
"""


class ArtifactsUnsupported(RuntimeError):
    """The artifacts could not be logged or read back: the benchmark is skipped."""


@dataclass(frozen=True)
class ArtifactSpec:
    """One artifact to log: its name, total size (decimal MB) and number of files."""

    name: str
    megabytes: float
    files: int

    @property
    def total_bytes(self) -> int:
        return int(self.megabytes * 1_000_000)

    @property
    def path(self) -> str:
        """``entity/project/name:latest``."""
        return f"{ENTITY}/{PROJECT}/{self.name}:latest"

    def file_sizes(self) -> list[int]:
        """Equal sizes, the remainder on the last file."""
        each = self.total_bytes // self.files
        return [each] * (self.files - 1) + [self.total_bytes - each * (self.files - 1)]

    def file_name(self, index: int) -> str:
        return f"shard-{index // 100:03d}/part-{index:05d}.bin"


def write_files(spec: ArtifactSpec, folder: Path, seed: int) -> dict[str, object]:
    """Write the artifact's files under ``folder``; return what a download must hold."""
    generator = random.Random(seed)
    step = max(1, spec.files // SAMPLE_SIZE)
    sample: dict[str, str] = {}
    for index, size in enumerate(spec.file_sizes()):
        content = generator.randbytes(size)
        name = spec.file_name(index)
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        if index % step == 0 or index == spec.files - 1:
            sample[name] = hashlib.sha256(content).hexdigest()
    return {
        "artifact": spec.path,
        "files": spec.files,
        "bytes": spec.total_bytes,
        "sample": sample,
        "spy": True,
    }


def _log_with_sdk(
    specs: list[tuple[ArtifactSpec, Path]], env: dict[str, str], timeout: float
) -> None:
    arguments = [str(part) for spec, folder in specs for part in (spec.name, folder)]
    command = [sys.executable, "-c", SEED_SCRIPT, ENTITY, PROJECT, *arguments]
    try:
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise ArtifactsUnsupported(
            f"the official SDK did not log the artifacts within {timeout:.0f} s"
        ) from exc
    if proc.returncode != 0:
        errors = [line for line in proc.stdout.splitlines() if line.startswith("SEED-ERROR ")]
        tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        reason = errors[-1].removeprefix("SEED-ERROR ") if errors else tail[0][:400]
        raise ArtifactsUnsupported(
            f"the official SDK failed to log an artifact (exit {proc.returncode}): {reason}"
        )


def _check_logged(base_url: str, api_key: str, specs: list[ArtifactSpec]) -> None:
    """Read each artifact back with our client: it exists with the right file count."""
    import wandb_typed

    with wandb_typed.Api(api_key=api_key, overrides={"base_url": base_url}) as api:
        for spec in specs:
            try:
                artifact = api.artifact(spec.path)
            except Exception as exc:
                raise ArtifactsUnsupported(
                    f"{spec.path} cannot be read back after logging: {type(exc).__name__}: "
                    f"{str(exc).splitlines()[0] if str(exc) else ''}"
                ) from exc
            if artifact.file_count != spec.files:
                raise ArtifactsUnsupported(
                    f"{spec.path} holds {artifact.file_count} files, {spec.files} were logged"
                )


def seed_artifacts(
    base_url: str,
    api_key: str,
    specs: list[ArtifactSpec],
    workdir: Path,
    env: dict[str, str],
    *,
    timeout: float = 900.0,
) -> tuple[dict[str, dict[str, object]], float]:
    """Log every artifact of ``specs`` in one SDK run (``env``: an SDK environment whose
    folders are not the contenders'); return each one's benchmark parameters, by name, and
    the seconds it took.

    Raises:
        ArtifactsUnsupported: Logging or reading back failed (the reason says how).
    """
    started = time.perf_counter()
    sources = workdir / "artifact-sources"
    params: dict[str, dict[str, object]] = {}
    folders: list[tuple[ArtifactSpec, Path]] = []
    try:
        for seed, spec in enumerate(specs):
            folder = sources / spec.name
            params[spec.name] = write_files(spec, folder, seed)
            folders.append((spec, folder))
        _log_with_sdk(folders, env, timeout)
    finally:
        shutil.rmtree(sources, ignore_errors=True)
    _check_logged(base_url, api_key, specs)
    return params, time.perf_counter() - started
