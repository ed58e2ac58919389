"""Registry scenarios run with the official ``wandb`` client in a subprocess (its Go sidecar
stays isolated). Usage: ``python official_registry_scenarios.py <step> <entity> <project>
<workdir> [<organization>]``; the result is printed as one JSON line prefixed with
``RESULT ``.

Steps, in order: ``create`` (the reference's ``create_registry`` example and two more
registries, one restricted, through ``wandb.Api``), ``log_and_link`` (a run logs models and a
dataset and links them into registries with ``run.link_artifact``; ``Artifact.link`` links
one more; collection tags are set), ``read`` (the reference's ``registries`` and ``registry``
examples and more searches, their results as plain data; also ``Api.artifact`` on
``<org>/wandb-registry-<name>/<collection>:<alias>``; :func:`read_with` runs them on any
``Api``, ours included), ``edit`` (the ``registry`` example's ``save``), ``outsider`` (with another user's
key: what that user sees and whether it can link into the restricted registry), and
``refused`` (a dataset linked into the registry that takes models only).

Environment (set by the test): WANDB_BASE_URL, WANDB_API_KEY, WANDB_DIR, ... .
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import wandb

MODEL_COLLECTION = "my_collection"
OTHER_COLLECTION = "detector"
DATA_COLLECTION = "mnist-golden"
SECRET_COLLECTION = "secret-models"
COLLECTION_TAG = "my_tag"


def create(entity: str, project: str, workdir: Path, organization: str) -> dict[str, Any]:
    """The reference's create_registry example, plus "model" (models only) and "datasets"
    (every type, organization-wide)."""
    api = wandb.Api(timeout=60)
    registry = api.create_registry(
        name="my-registry",
        visibility="restricted",
        organization=organization,
        description="This is a test registry",
        artifact_types=["model"],
    )
    model = api.create_registry(
        name="model",
        visibility="organization",
        description="models we trust",
        artifact_types=["model"],
    )
    datasets = api.create_registry(name="datasets", visibility="organization")
    try:
        api.create_registry(name="model", visibility="organization")
    except ValueError as exc:
        duplicate = str(exc)
    return {
        "created": [_registry(r) for r in (registry, model, datasets)],
        "duplicate": duplicate,
    }


def _files(workdir: Path, name: str, text: str) -> Path:
    folder = workdir / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "weights.txt").write_text(text)
    return folder


def log_and_link(entity: str, project: str, workdir: Path, organization: str) -> dict[str, Any]:
    """A run logs two model versions, another model and a dataset, and links them."""
    run = wandb.init(entity=entity, project=project, job_type="train", name="trainer")
    versions = []
    for index in range(2):
        model = wandb.Artifact("cnn", type="model", metadata={"accuracy": 0.8 + index / 10})
        model.add_dir(str(_files(workdir, f"cnn-{index}", f"weights {index}")))
        run.log_artifact(model, tags=["prod"] if index else ["candidate"])
        model.wait()
        versions.append(model)
    run.link_artifact(versions[0], f"wandb-registry-model/{MODEL_COLLECTION}")
    run.link_artifact(versions[1], f"wandb-registry-model/{MODEL_COLLECTION}", aliases=["best"])
    detector = wandb.Artifact("yolo", type="model", metadata={"accuracy": 0.5})
    detector.add_dir(str(_files(workdir, "yolo", "yolo weights")))
    run.log_artifact(detector, tags=["prod"])
    detector.wait()
    run.link_artifact(detector, f"wandb-registry-model/{OTHER_COLLECTION}", aliases=["staging"])
    dataset = wandb.Artifact("mnist", type="dataset")
    dataset.add_dir(str(_files(workdir, "mnist", "digits")))
    run.log_artifact(dataset)
    dataset.wait()
    run.link_artifact(dataset, f"wandb-registry-datasets/{DATA_COLLECTION}", aliases=["golden"])
    run.finish()
    api = wandb.Api(timeout=60)
    source = api.artifact(f"{entity}/{project}/cnn:v1")
    linked = source.link(
        f"{organization}/wandb-registry-my-registry/{SECRET_COLLECTION}", aliases=["best"]
    )
    collection = api.artifact_collection(
        "model", f"{organization}/wandb-registry-model/{MODEL_COLLECTION}"
    )
    collection.tags = [COLLECTION_TAG]
    collection.save()
    return {"linked": linked.qualified_name, "versions": [v.version for v in versions]}


def _registry(registry: Any) -> dict[str, Any]:
    return {
        "name": registry.name,
        "full_name": registry.full_name,
        "description": registry.description,
        "visibility": registry.visibility,
        "allow_all_artifact_types": registry.allow_all_artifact_types,
        "artifact_types": sorted(registry.artifact_types),
        "organization": registry.organization,
        "entity": registry.entity,
    }


def _collection(collection: Any) -> dict[str, Any]:
    # wandb's collection.project is the project's name; ours is the ProjectPath.
    project = collection.project
    return {
        "name": collection.name,
        "type": collection.type,
        "project": getattr(project, "project", project),
        "entity": getattr(project, "entity", None) or collection.entity,
        "description": collection.description,
        "tags": sorted(collection.tags),
    }


def _version(artifact: Any) -> dict[str, Any]:
    return {
        "name": artifact.name,
        "version": artifact.version,
        "project": artifact.project,
        "entity": artifact.entity,
        "type": artifact.type,
        "aliases": sorted(artifact.aliases),
        "tags": sorted(artifact.tags),
        "metadata": artifact.metadata,
    }


def read_with(api: Any, organization: str) -> dict[str, Any]:
    """The reference's registries/registry examples (and more searches), as plain data;
    ``api`` is ``wandb.Api()`` or ours."""
    result: dict[str, Any] = {}
    result["registries"] = [_registry(r) for r in api.registries()]
    result["registries_regex"] = [
        _registry(r) for r in api.registries(filter={"name": {"$regex": "model"}})
    ]
    result["registries_named"] = [
        _registry(r) for r in api.registries(organization, filter={"name": "datasets"})
    ]
    result["registries_described"] = [
        r.name for r in api.registries(filter={"description": {"$regex": "trust"}})
    ]
    result["collections_tagged"] = [
        _collection(c)
        for c in api.registries().collections(
            filter={"name": MODEL_COLLECTION, "tag": COLLECTION_TAG}
        )
    ]
    result["collections_all"] = [_collection(c) for c in api.registries().collections()]
    result["versions_best_in_regex_collections"] = [
        _version(v)
        for v in api.registries()
        .collections(filter={"name": {"$regex": MODEL_COLLECTION}})
        .versions(filter={"alias": "best"})
    ]
    result["versions_prod_or_best"] = [
        _version(v)
        for v in api.registries(filter={"name": {"$regex": "model"}}).versions(
            filter={"$or": [{"tag": "prod"}, {"alias": "best"}]}
        )
    ]
    result["versions_all"] = [_version(v) for v in api.registries().versions()]
    result["versions_metadata"] = [
        _version(v) for v in api.registries().versions(filter={"metadata.accuracy": {"$gt": 0.85}})
    ]
    registry = api.registry(name="my-registry", organization=organization)
    result["registry"] = _registry(registry)
    result["registry_collections"] = [_collection(c) for c in registry.collections()]
    result["registry_versions"] = [_version(v) for v in registry.versions()]
    by_alias = api.artifact(f"{organization}/wandb-registry-model/{MODEL_COLLECTION}:best")
    result["artifact_by_alias"] = _version(by_alias)
    no_org = api.artifact(f"wandb-registry-model/{OTHER_COLLECTION}:staging")
    result["artifact_without_org"] = _version(no_org)
    return result


def read(entity: str, project: str, workdir: Path, organization: str) -> dict[str, Any]:
    """The reads with ``wandb.Api``."""
    return read_with(wandb.Api(timeout=60), organization)


def edit(entity: str, project: str, workdir: Path, organization: str) -> dict[str, Any]:
    """The reference's registry example: fetch, describe, save."""
    api = wandb.Api(timeout=60)
    registry = api.registry(name="my-registry", organization=organization)
    registry.description = "This is an updated description"
    registry.save()
    return {"registry": _registry(api.registry("my-registry", organization))}


def ordered(entity: str, project: str, workdir: Path, organization: str) -> dict[str, Any]:
    """wandb 0.31.0's ``order=`` (not in the reference): registries and collections sorted
    by the server, cursors across pages of one."""
    api = wandb.Api(timeout=60)
    return {
        "registries_by_name_desc": [r.name for r in api.registries(order="-name")],
        "registries_by_creation": [r.name for r in api.registries(order="created_at")],
        "registries_paged": [r.name for r in api.registries(per_page=1)],
        "collections_by_name": [
            c.name for c in api.registries().collections(order="name", per_page=2)
        ],
    }


def outsider(entity: str, project: str, workdir: Path, organization: str) -> dict[str, Any]:
    """With the key of a user outside the restricted registry (``entity`` is its team):
    what it sees, and its own model linked there by a run and by ``Artifact.link``."""
    api = wandb.Api(timeout=60)
    result: dict[str, Any] = {"registries": sorted(r.name for r in api.registries())}
    result["versions"] = sorted(v.qualified_name for v in api.registries().versions())
    result["registry"] = _outcome(lambda: api.registry("my-registry", organization).name)
    result["artifact"] = _outcome(
        lambda: (
            api.artifact(
                f"{organization}/wandb-registry-my-registry/{SECRET_COLLECTION}:best"
            ).qualified_name
        )
    )
    run = wandb.init(entity=entity, project=project, job_type="train", name="outsider")
    model = wandb.Artifact("own-model", type="model")
    model.add_dir(str(_files(workdir, "own-model", "own weights")))
    run.log_artifact(model)
    model.wait()
    result["run_link"] = _outcome(
        lambda: run.link_artifact(model, f"wandb-registry-my-registry/{SECRET_COLLECTION}")
    )
    run.finish()
    own = api.artifact(f"{entity}/{project}/own-model:v0")
    result["api_link"] = _outcome(
        lambda: own.link(f"{organization}/wandb-registry-my-registry/{SECRET_COLLECTION}")
    )
    result["open_link"] = _outcome(
        lambda: own.link(f"{organization}/wandb-registry-model/{OTHER_COLLECTION}").version
    )
    return result


def _outcome(action: Any) -> str:
    try:
        return f"ok: {action()}"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def refused(entity: str, project: str, workdir: Path, organization: str) -> dict[str, Any]:
    """A dataset linked into the registry that takes models only."""
    api = wandb.Api(timeout=60)
    dataset = api.artifact(f"{entity}/{project}/mnist:v0")
    return {
        "link": _outcome(
            lambda: dataset.link(f"{organization}/wandb-registry-model/datasets-here")
        ),
        "unknown_registry": _outcome(lambda: api.registry("no-such-registry", organization).name),
        "unknown_organization": _outcome(lambda: api.registry("model", "no-such-org").name),
    }


STEPS = {
    "create": create,
    "log_and_link": log_and_link,
    "read": read,
    "edit": edit,
    "ordered": ordered,
    "outsider": outsider,
    "refused": refused,
}

if __name__ == "__main__":
    step, entity_name, project_name, work, org = sys.argv[1:6]
    output = STEPS[step](entity_name, project_name, Path(work), org)
    print("RESULT " + json.dumps(output, default=str), flush=True)
