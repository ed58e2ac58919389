"""Read artifacts following a JSON plan, with any ``wandb.Api``-shaped client.

``read_plan(api, plan)`` returns a JSON-able dict of every value read, so two clients can be
compared field by field on the same server (``test_official_artifacts`` runs it with the
official ``wandb.Api``; our client's team can run it with ours and diff the two dicts).

The plan (all names relative to ``plan["path"]``, ``entity/project``)::

    {"path": "lab/artifacts",
     "types": ["dataset", "model"],                        # type -> its collections
     "collections": [["dataset", "mnist"], ...],           # collection details + versions
     "artifacts": ["mnist:latest", "mnist:v0", ...],       # every field of each version
     "downloads": {"mnist:v1": "data"},                    # download (path prefix) + md5s
     "file_downloads": {"cnn:best": "config.json"},        # File.download (authenticated url)
     "missing": ["mnist:v9", "nope:latest"],               # what the error looks like
     "runs": ["<run id>", ...]}                            # logged/used artifacts of runs

Usage: ``python official_read_artifacts.py <plan.json> <download dir>``; WANDB_BASE_URL and
WANDB_API_KEY point at the server. Prints one line ``RESULT <json>``.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any


def _md5s(root: str) -> dict[str, str]:
    base = Path(root)
    return {
        str(path.relative_to(base)): hashlib.md5(path.read_bytes()).hexdigest()
        for path in sorted(base.rglob("*"))
        if path.is_file()
    }


def _ttl(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _run_ref(run: Any) -> str | None:
    return None if run is None else f"{run.entity}/{run.project}/{run.id}"


def artifact_fields(artifact: Any) -> dict[str, Any]:
    """Every attribute of a logged version, its manifest, files, runs and links."""
    manifest = {
        path: {
            "digest": entry.digest,
            "size": entry.size,
            "ref": entry.ref,
            "birth_artifact_id": entry.birth_artifact_id,
        }
        for path, entry in sorted(artifact.manifest.entries.items())
    }
    files = artifact.files()
    return {
        "id": artifact.id,
        "name": artifact.name,
        "qualified_name": artifact.qualified_name,
        "version": artifact.version,
        "entity": artifact.entity,
        "project": artifact.project,
        "source_name": artifact.source_name,
        "source_qualified_name": artifact.source_qualified_name,
        "source_version": artifact.source_version,
        "source_entity": artifact.source_entity,
        "source_project": artifact.source_project,
        "collection": artifact.collection.name,
        "collection_is_sequence": artifact.collection.is_sequence(),
        "source_collection": artifact.source_collection.name,
        "is_link": artifact.is_link,
        "type": artifact.type,
        "description": artifact.description,
        "metadata": artifact.metadata,
        "aliases": sorted(artifact.aliases),
        "tags": sorted(artifact.tags),
        "state": artifact.state,
        "size": artifact.size,
        "digest": artifact.digest,
        "file_count": artifact.file_count,
        "commit_hash": artifact.commit_hash,
        "created_at": artifact.created_at,
        "updated_at": artifact.updated_at,
        "ttl_seconds": _ttl(artifact.ttl),
        "history_step": artifact.history_step,
        "manifest": manifest,
        "files_len": len(files),
        "files": [
            {
                "name": file.name,
                "size": file.size,
                "md5": file.md5,
                "mimetype": file.mimetype,
                "has_direct_url": bool(file.direct_url),
            }
            for file in files
        ],
        "logged_by": _run_ref(artifact.logged_by()),
        "used_by": sorted(_run_ref(run) or "" for run in artifact.used_by()),
        "linked_artifacts": sorted(linked.qualified_name for linked in artifact.linked_artifacts)
        if not artifact.is_link
        else None,
        "source_artifact": artifact.source_artifact.qualified_name if artifact.is_link else None,
    }


def collection_fields(api: Any, path: str, type_name: str, name: str) -> dict[str, Any]:
    """A collection's attributes and its versions (newest first, as listed)."""
    collection = api.artifact_collection(type_name, f"{path}/{name}")
    versions = api.artifacts(type_name, f"{path}/{name}")
    return {
        "name": collection.name,
        "type": collection.type,
        "description": collection.description,
        "is_sequence": collection.is_sequence(),
        "aliases": sorted(collection.aliases),
        "tags": sorted(collection.tags),
        "versions_len": len(versions),
        "versions": [
            {"version": version.version, "aliases": sorted(version.aliases)} for version in versions
        ],
    }


def read_plan(api: Any, plan: dict[str, Any], download_dir: Path | None = None) -> dict[str, Any]:
    """Every value the plan asks for, JSON-able."""
    path = plan["path"]
    downloads = Path(download_dir or tempfile.mkdtemp(prefix="read-artifacts-"))
    result: dict[str, Any] = {
        "types": sorted(artifact_type.name for artifact_type in api.artifact_types(path)),
        "type_collections": {},
        "collections": {},
        "artifacts": {},
        "downloads": {},
        "file_downloads": {},
        "missing": {},
        "runs": {},
    }
    for type_name in plan["types"]:
        collections = api.artifact_type(type_name, path).collections()
        result["type_collections"][type_name] = {
            "len": len(collections),
            "names": [collection.name for collection in collections],
        }
    for type_name, name in plan["collections"]:
        result["collections"][f"{type_name}/{name}"] = collection_fields(api, path, type_name, name)
    for name in plan["artifacts"]:
        result["artifacts"][name] = artifact_fields(api.artifact(f"{path}/{name}"))
    for index, (name, prefix) in enumerate(sorted(plan["downloads"].items())):
        artifact = api.artifact(f"{path}/{name}")
        root = artifact.download(str(downloads / f"a{index}"), path_prefix=prefix, skip_cache=True)
        result["downloads"][name] = _md5s(root)
    for index, (name, file_name) in enumerate(sorted(plan["file_downloads"].items())):
        (file,) = api.artifact(f"{path}/{name}").files(names=[file_name])
        handle = file.download(root=str(downloads / f"f{index}"), replace=True)
        handle.close()
        result["file_downloads"][name] = hashlib.md5(Path(handle.name).read_bytes()).hexdigest()
    for name in plan["missing"]:
        try:
            api.artifact(f"{path}/{name}")
        except Exception as exc:  # the official client raises CommError/ValueError here
            result["missing"][name] = {"error": type(exc).__name__, "message": str(exc)}
        else:
            result["missing"][name] = {"error": None, "message": None}
    for run_id in plan["runs"]:
        run = api.run(f"{path}/{run_id}")
        result["runs"][run_id] = {
            "logged": [artifact.qualified_name for artifact in run.logged_artifacts()],
            "used": [artifact.qualified_name for artifact in run.used_artifacts()],
        }
    return json.loads(json.dumps(result, default=str))


if __name__ == "__main__":
    import wandb

    loaded = json.loads(Path(sys.argv[1]).read_text())
    output = read_plan(wandb.Api(timeout=60), loaded, Path(sys.argv[2]))
    print("RESULT " + json.dumps(output), flush=True)
