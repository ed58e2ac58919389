"""Logging a new artifact version from a run, without the SDK (the async source).

The same pipeline the SDK drives: ``createArtifact`` (pending, deduplicated by digest),
``createArtifactFiles`` (the server answers an upload URL only for bytes it does not hold
yet), a PUT per new file, ``createArtifactManifest`` and a PUT of the manifest, then
``commitArtifact``; tags follow with ``updateArtifact``. The version becomes readable only
once committed.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING

from wandb_typed.artifacts.fields import tag_inputs
from wandb_typed.artifacts.manifest import ArtifactManifest
from wandb_typed.errors import InvalidArgumentError, InvalidResponseError
from wandb_typed.runs.file_names import upload_headers
from wandb_typed.runs.run_data import encode_json_document

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession
    from wandb_typed.artifacts.draft import ArtifactDraft
    from wandb_typed.paths import RunPath

__all__ = ["MANIFEST_NAME", "log_artifact"]

MANIFEST_NAME = "wandb_manifest.json"


async def log_artifact(
    session: AsyncSession,
    run: RunPath,
    draft: ArtifactDraft,
    *,
    aliases: list[str] | None = None,
    tags: list[str] | None = None,
) -> str:
    """Upload ``draft`` as a new version logged by ``run``; return the version's id.

    Raises:
        InvalidArgumentError: An alias is not a plain name.
        InvalidResponseError: The server left out what the pipeline needs (named).
    """
    from wandb_typed._generated.enums import (
        ArtifactDigestAlgorithm,
        ArtifactManifestType,
        ArtifactStorageLayout,
    )
    from wandb_typed._generated.input_types import (
        ArtifactAliasInput,
        CreateArtifactFilesInput,
        CreateArtifactFileSpecInput,
        CreateArtifactInput,
        CreateArtifactManifestInput,
    )

    wanted = ["latest", *(alias for alias in aliases or [] if alias != "latest")]
    for alias in wanted:
        if not alias or ":" in alias or "/" in alias:
            raise InvalidArgumentError(f"artifact alias {alias!r} is not a plain name")
    client = session.client
    manifest = draft.manifest()
    created = await client.create_artifact(
        CreateArtifactInput(
            artifact_type_name=draft.type,
            artifact_collection_names=[draft.name],
            entity_name=run.entity,
            project_name=run.project,
            run_name=run.run_id,
            digest=manifest.digest(),
            digest_algorithm=ArtifactDigestAlgorithm.MANIFEST_MD5,
            description=draft.description,
            metadata=encode_json_document(draft.metadata),
            aliases=[
                ArtifactAliasInput(artifact_collection_name=draft.name, alias=alias)
                for alias in wanted
            ],
            enable_digest_deduplication=True,
        )
    )
    artifact = created.create_artifact.artifact if created.create_artifact else None
    if artifact is None:
        raise InvalidResponseError(f"createArtifact for {draft.name!r} returned no artifact")
    if artifact.state.value != "COMMITTED":  # a committed one is an existing twin: done
        stored = [local for local in draft.entries.values() if local.local_path is not None]
        if stored:
            files = await client.create_artifact_files(
                CreateArtifactFilesInput(
                    storage_layout=ArtifactStorageLayout.V2,
                    artifact_files=[
                        CreateArtifactFileSpecInput(
                            artifact_id=artifact.id, name=local.entry.path, md5=local.entry.digest
                        )
                        for local in stored
                    ],
                )
            )
            edges = files.create_artifact_files.files.edges if files.create_artifact_files else []
            targets = {edge.node.name: edge.node for edge in edges if edge.node is not None}
            for local in stored:
                node = targets.get(local.entry.path)
                if node is None:
                    raise InvalidResponseError(
                        f"createArtifactFiles gave no entry for {local.entry.path!r}"
                    )
                if node.upload_url is not None and local.local_path is not None:
                    await session.transport.put(
                        node.upload_url,
                        local.local_path.read_bytes(),
                        headers=upload_headers(node.upload_headers),
                    )
        born = _with_birth(manifest, artifact.id)
        reply = await client.create_artifact_manifest(
            CreateArtifactManifestInput(
                artifact_id=artifact.id,
                name=MANIFEST_NAME,
                digest=born.digest(),
                entity_name=run.entity,
                project_name=run.project,
                run_name=run.run_id,
                type_=ArtifactManifestType.FULL,
            )
        )
        made = (
            reply.create_artifact_manifest.artifact_manifest
            if reply.create_artifact_manifest
            else None
        )
        if made is None or made.file.upload_url is None:
            raise InvalidResponseError(f"createArtifactManifest for {draft.name!r} gave no URL")
        await session.transport.put(
            made.file.upload_url,
            json.dumps(born.to_json()).encode(),
            headers=upload_headers(made.file.upload_headers),
        )
        await client.commit_artifact(artifact.id)
    if tags:
        await client.update_artifact(artifact.id, tags_to_add=tag_inputs(tags))
    return artifact.id


def _with_birth(manifest: ArtifactManifest, artifact_id: str) -> ArtifactManifest:
    """The manifest with this version as the birth artifact of entries that have none."""
    entries = {
        path: entry
        if entry.birth_artifact_id or entry.is_reference
        else replace(entry, birth_artifact_id=artifact_id)
        for path, entry in manifest.entries.items()
    }
    return replace(manifest, entries=entries)
