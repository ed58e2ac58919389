"""Artifact scenarios run with the official ``wandb`` client in a subprocess (its Go sidecar
stays isolated). Usage: ``python official_artifact_scenarios.py <step> <entity> <project>
<workdir>``; the result is printed as one JSON line prefixed with ``RESULT ``.

Steps, in order: ``log_v0`` (a dataset with nested folders and a reference, a model with
metadata, aliases, tags and a TTL), ``log_v1`` (the dataset again with one file changed),
``use_and_link`` (a run uses and downloads the dataset, uses the model, links it into a
portfolio and logs a ``wandb.Table``; then ``Artifact.link`` links the first dataset version
into another portfolio), ``edit`` (``Artifact.save`` adds an alias, a tag, a description);
after the reads, ``manage`` (collection edits, deletions, unlink).

Environment (set by the test): WANDB_BASE_URL, WANDB_API_KEY, WANDB_DIR, ... .
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import wandb

REFERENCE = "https://example.com/datasets/labels.csv"
CHANGED = "data/a.txt"
PORTFOLIO = "prod-models"
DATA_PORTFOLIO = "golden-data"
TABLE_COLUMNS = ["digit", "label"]
TABLE_ROWS = [[0, "zero"], [1, "one"], [2, "two"]]
MODEL_TTL_SECONDS = 30 * 24 * 3600
MODEL_METADATA = {"accuracy": 0.91, "layers": [32, 64], "optimizer": {"name": "adam", "lr": 0.001}}


def dataset_files(version: int) -> dict[str, bytes]:
    """The files of dataset version ``version`` (paths inside the artifact): nested folders,
    one file changed in v1."""
    files = {
        "data/a.txt": b"alpha\n" if version == 0 else b"alpha, changed in v1\n",
        "data/sub/b.txt": b"beta\n",
        "data/sub/deep/c.bin": bytes(range(256)) * 8,
    }
    for index in range(20):
        files[f"data/shards/part-{index:02}.txt"] = b"shard %d\n" % index * (index + 1)
    return files


def model_files() -> dict[str, bytes]:
    """The model artifact's files."""
    return {"model.bin": b"\x00weights\xff" * 300, "config.json": b'{"layers": [32, 64]}\n'}


def md5s(files: dict[str, bytes]) -> dict[str, str]:
    """Hex md5 of each file."""
    return {path: hashlib.md5(data).hexdigest() for path, data in files.items()}


def _write(root: Path, files: dict[str, bytes]) -> None:
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _dataset(workdir: Path, version: int) -> wandb.Artifact:
    source = workdir / f"dataset-v{version}"
    _write(source, dataset_files(version))
    artifact = wandb.Artifact(
        "mnist", type="dataset", description="handwritten digits", metadata={"source": "test"}
    )
    artifact.add_dir(str(source / "data"), name="data")
    artifact.add_reference(REFERENCE, name="refs/labels.csv", checksum=False)
    return artifact


def log_v0(entity: str, project: str, workdir: Path) -> dict[str, Any]:
    """A run logs dataset v0 (alias "raw") and model v0 (aliases, tags, metadata)."""
    run = wandb.init(entity=entity, project=project, job_type="upload", name="uploader")
    dataset = _dataset(workdir, 0)
    run.log_artifact(dataset, aliases=["raw"])
    dataset.wait()
    model_dir = workdir / "model"
    _write(model_dir, model_files())
    model = wandb.Artifact("cnn", type="model", metadata=MODEL_METADATA)
    model.add_dir(str(model_dir))
    model.ttl = timedelta(seconds=MODEL_TTL_SECONDS)
    run.log_artifact(model, aliases=["best", "prod"], tags=["tag-a", "tag b"])
    model.wait()
    result = {"run": run.id, "dataset": dataset.version, "model": model.version}
    run.finish()
    return result


def log_v1(entity: str, project: str, workdir: Path) -> dict[str, Any]:
    """Another run logs dataset v1 (one file changed)."""
    run = wandb.init(entity=entity, project=project, job_type="upload", name="updater")
    dataset = _dataset(workdir, 1)
    run.log_artifact(dataset)
    dataset.wait()
    result = {"run": run.id, "dataset": dataset.version}
    run.finish()
    return result


def _downloaded(root: str) -> dict[str, str]:
    base = Path(root)
    return {
        str(path.relative_to(base)): hashlib.md5(path.read_bytes()).hexdigest()
        for path in sorted(base.rglob("*"))
        if path.is_file()
    }


def use_and_link(entity: str, project: str, workdir: Path) -> dict[str, Any]:
    """A run uses and downloads the latest dataset (stored files only: the reference's host
    is not reachable here), uses the best model, links it into a portfolio and logs a
    table; then ``Artifact.link`` (from wandb.Api) links dataset v0 into another portfolio."""
    run = wandb.init(entity=entity, project=project, job_type="train", name="trainer")
    dataset = run.use_artifact("mnist:latest")
    root = dataset.download(str(workdir / "use-download"), path_prefix="data", skip_cache=True)
    model = run.use_artifact(f"{entity}/{project}/cnn:best")
    linked = run.link_artifact(model, f"{entity}/{project}/{PORTFOLIO}", aliases=["champion"])
    run.log({"predictions": wandb.Table(columns=TABLE_COLUMNS, data=TABLE_ROWS)})
    result: dict[str, Any] = {
        "run": run.id,
        "downloaded": _downloaded(root),
        "dataset": dataset.version,
        "linked": None if linked is None else linked.qualified_name,
    }
    run.finish()
    api = wandb.Api(timeout=60)
    first = api.artifact(f"{entity}/{project}/mnist:v0")
    data_link = first.link(f"{entity}/{project}/{DATA_PORTFOLIO}", aliases=["golden"])
    result["data_link"] = data_link.qualified_name
    return result


def edit(entity: str, project: str, workdir: Path) -> dict[str, Any]:
    """``Artifact.save`` on a logged version: one more alias and one more tag."""
    api = wandb.Api(timeout=60)
    artifact = api.artifact(f"{entity}/{project}/mnist:v0")
    artifact.aliases.append("reviewed")
    artifact.tags.append("checked")
    artifact.description = "handwritten digits, reviewed"
    artifact.save()
    return {"aliases": sorted(artifact.aliases), "tags": sorted(artifact.tags)}


def manage(entity: str, project: str, workdir: Path) -> dict[str, Any]:
    """After the reads: edit a collection, delete versions (refused while they hold aliases),
    unlink a version, delete a portfolio."""
    api = wandb.Api(timeout=60)
    path = f"{entity}/{project}"
    result: dict[str, Any] = {}
    collection = api.artifact_collection("dataset", f"{path}/mnist")
    collection.description = "all the digits"
    collection.tags = ["curated"]
    collection.save()
    again = api.artifact_collection("dataset", f"{path}/mnist")
    result["collection"] = {"description": again.description, "tags": sorted(again.tags)}
    try:
        api.artifact(f"{path}/cnn:v0").delete()
    except Exception as exc:  # the official client raises CommError
        result["delete_with_aliases"] = str(exc)
    api.artifact(f"{path}/{DATA_PORTFOLIO}:golden").unlink()
    result["golden_after_unlink"] = api.artifact_exists(f"{path}/{DATA_PORTFOLIO}:golden")
    api.artifact_collection("model", f"{path}/{PORTFOLIO}").delete()
    result["portfolio_after_delete"] = api.artifact_collection_exists(
        f"{path}/{PORTFOLIO}", "model"
    )
    result["model_after_portfolio_delete"] = api.artifact_exists(f"{path}/cnn:best")
    api.artifact(f"{path}/mnist:v0").delete(delete_aliases=True)
    result["v0_after_delete"] = api.artifact_exists(f"{path}/mnist:v0")
    result["versions_after_delete"] = [
        [version.version, sorted(version.aliases)]
        for version in api.artifacts("dataset", f"{path}/mnist")
    ]
    return result


STEPS = {
    "log_v0": log_v0,
    "log_v1": log_v1,
    "use_and_link": use_and_link,
    "edit": edit,
    "manage": manage,
}

if __name__ == "__main__":
    step, entity_name, project_name, work = sys.argv[1:5]
    output = STEPS[step](entity_name, project_name, Path(work))
    print("RESULT " + json.dumps(output), flush=True)
