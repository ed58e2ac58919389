"""Logging an artifact over the wire exactly as wandb 0.31.0's wandb-core does (documents
copied from its requests), for server tests that need artifacts without the SDK.

``ArtifactLogger.log(...)`` runs createArtifact, createArtifactManifest, createArtifactFiles,
the upload PUTs, createArtifactManifest again, the manifest PUT and commitArtifact, and
returns what happened (the artifact id and which files were uploaded).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import httpx

CREATE_ARTIFACT = """
mutation CreateArtifact ($input: CreateArtifactInput!) {
	createArtifact(input: $input) {
		... CreatedArtifact
	}
}
fragment CreatedArtifact on CreateArtifactPayload {
	artifact {
		id
		state
		artifactSequence {
			latestArtifact {
				id
			}
		}
	}
}
"""

CREATE_ARTIFACT_MANIFEST = """
mutation CreateArtifactManifest ($artifactID: ID!, $baseArtifactID: ID, $name: String!, $digest: String!, $entityName: String!, $projectName: String!, $runName: String!, $manifestType: ArtifactManifestType!, $includeUpload: Boolean!) {
	createArtifactManifest(input: {artifactID:$artifactID,baseArtifactID:$baseArtifactID,name:$name,digest:$digest,entityName:$entityName,projectName:$projectName,runName:$runName,type:$manifestType}) {
		artifactManifest {
			id
			file {
				id
				uploadUrl @include(if: $includeUpload)
				uploadHeaders @include(if: $includeUpload)
			}
		}
	}
}
"""

CREATE_ARTIFACT_FILES = """
mutation CreateArtifactFiles ($input: CreateArtifactFilesInput!) {
	createArtifactFiles(input: $input) {
		files {
			edges {
				node {
					storagePath
					uploadUrl
					uploadHeaders
					uploadMultipartUrls {
						uploadID
						uploadUrlParts {
							partNumber
							uploadUrl
						}
					}
					artifact {
						id
					}
				}
			}
		}
	}
}
"""

COMMIT_ARTIFACT = """
mutation CommitArtifact ($artifactID: ID!) {
	commitArtifact(input: {artifactID:$artifactID}) {
		artifact {
			id
			digest
		}
	}
}
"""

COMPLETE_MULTIPART = """
mutation CompleteMultipartUploadArtifact ($completeMultipartAction: CompleteMultipartAction!, $completedParts: [UploadPartsInput!]!, $artifactID: ID!, $storagePath: String!, $uploadID: String!) {
	completeMultipartUploadArtifact(input: {completeMultipartAction:$completeMultipartAction,completedParts:$completedParts,artifactID:$artifactID,storagePath:$storagePath,uploadID:$uploadID}) {
		digest
	}
}
"""


def md5_b64(data: bytes) -> str:
    """W&B's md5: base64 of the digest."""
    return base64.b64encode(hashlib.md5(data).digest()).decode()


@dataclass
class Logged:
    """What logging one artifact did."""

    artifact_id: str
    state: str
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


class GraphQLFailedError(AssertionError):
    """A GraphQL request answered errors."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(error["message"] for error in errors))
        self.errors = errors


class ArtifactLogger:
    """Logs artifacts into ``entity/project`` through one authenticated HTTP client."""

    def __init__(self, http: httpx.Client, entity: str, project: str) -> None:
        self.http = http
        self.entity = entity
        self.project = project
        self.uploads = httpx.Client(timeout=30)  # no auth: upload URLs authorise themselves

    def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        """``data`` of a GraphQL request; GraphQLFailedError for any error."""
        payload = self.http.post("/graphql", json={"query": query, "variables": variables}).json()
        if payload.get("errors"):
            raise GraphQLFailedError(payload["errors"])
        data: dict[str, Any] = payload["data"]
        return data

    def create(
        self,
        name: str,
        type_name: str,
        digest: str,
        *,
        aliases: tuple[str, ...] = (),
        tags: tuple[str, ...] = (),
        metadata: dict[str, Any] | None = None,
        run: str | None = None,
        description: str | None = None,
        ttl: int | None = None,
    ) -> dict[str, Any]:
        """createArtifact with every field wandb 0.31.0 sends."""
        artifact: dict[str, Any] = self.gql(
            CREATE_ARTIFACT,
            input={
                "aliases": [
                    {"alias": alias, "artifactCollectionName": name}
                    for alias in ("latest", *aliases)
                ],
                "artifactCollectionName": name,
                "artifactCollectionNames": None,
                "artifactTypeName": type_name,
                "clientID": f"client-{name}-{digest}",
                "clientMutationId": None,
                "description": description,
                "digest": digest,
                "digestAlgorithm": "MANIFEST_MD5",
                "distributedID": None,
                "enableDigestDeduplication": True,
                "entityName": self.entity,
                "historyStep": None,
                "labels": None,
                "metadata": None if metadata is None else json.dumps(metadata),
                "projectName": self.project,
                "runName": run,
                "sequenceClientID": f"sequence-{name}",
                "storageRegion": None,
                "tags": [
                    {"attributes": None, "tagCategoryName": None, "tagName": tag} for tag in tags
                ]
                or None,
                "ttlDurationSeconds": ttl,
            },
        )["createArtifact"]["artifact"]
        return artifact

    def manifest(self, artifact_id: str, digest: str, include_upload: bool) -> dict[str, Any]:
        """createArtifactManifest as wandb-core sends it (twice per version)."""
        manifest: dict[str, Any] = self.gql(
            CREATE_ARTIFACT_MANIFEST,
            artifactID=artifact_id,
            baseArtifactID=None,
            name="wandb_manifest.json",
            digest=digest,
            entityName=self.entity,
            projectName=self.project,
            runName="",
            manifestType="FULL",
            includeUpload=include_upload,
        )["createArtifactManifest"]["artifactManifest"]
        return manifest

    def request_files(
        self, artifact_id: str, manifest_id: str, files: dict[str, bytes], parts: int = 0
    ) -> list[dict[str, Any]]:
        """createArtifactFiles for these files (in parts when ``parts``)."""
        specs = []
        for path, data in files.items():
            upload_parts = None
            if parts:
                size = -(-len(data) // parts)
                upload_parts = [
                    {
                        "partNumber": number + 1,
                        "hexMD5": hashlib.md5(
                            data[number * size : (number + 1) * size]
                        ).hexdigest(),
                    }
                    for number in range(parts)
                ]
            specs.append(
                {
                    "artifactID": artifact_id,
                    "artifactManifestID": manifest_id,
                    "md5": md5_b64(data),
                    "mimetype": None,
                    "name": path,
                    "uploadPartsInput": upload_parts,
                }
            )
        edges = self.gql(
            CREATE_ARTIFACT_FILES, input={"artifactFiles": specs, "storageLayout": "V2"}
        )["createArtifactFiles"]["files"]["edges"]
        return [edge["node"] for edge in edges]

    def put(self, url: str, data: bytes) -> httpx.Response:
        """An upload PUT as the SDK makes it: no auth, raw bytes."""
        return self.uploads.put(url, content=data)

    def log(
        self,
        name: str,
        files: dict[str, bytes],
        *,
        type_name: str = "dataset",
        references: dict[str, str] | None = None,
        commit: bool = True,
        **create: Any,
    ) -> Logged:
        """Log a version of ``name`` with these files (and reference entries)."""
        contents: dict[str, Any] = {
            path: {"digest": md5_b64(data), "size": len(data)} for path, data in files.items()
        }
        for path, uri in (references or {}).items():
            contents[path] = {"digest": uri, "ref": uri, "size": 0}
        digest = hashlib.md5(json.dumps(contents, sort_keys=True).encode()).hexdigest()
        created = self.create(name, type_name, digest, **create)
        logged = Logged(created["id"], created["state"])
        if created["state"] == "COMMITTED":
            return logged
        manifest = self.manifest(created["id"], "", include_upload=False)
        nodes = self.request_files(created["id"], manifest["id"], files)
        for (path, data), node in zip(files.items(), nodes, strict=True):
            contents[path]["birthArtifactID"] = node["artifact"]["id"]
            if node["uploadUrl"] is None:
                logged.skipped.append(path)
                continue
            response = self.put(node["uploadUrl"], data)
            assert response.status_code == 200, response.text
            logged.uploaded.append(path)
        document = {
            "version": 1,
            "storagePolicy": "wandb-storage-policy-v1",
            "storagePolicyConfig": {"storageLayout": "V2"},
            "contents": contents,
        }
        body = json.dumps(document).encode()
        manifest = self.manifest(created["id"], hashlib.md5(body).hexdigest(), include_upload=True)
        response = self.put(manifest["file"]["uploadUrl"], body)
        assert response.status_code == 200, response.text
        if commit:
            self.gql(COMMIT_ARTIFACT, artifactID=created["id"])
            logged.state = "COMMITTED"
        return logged
