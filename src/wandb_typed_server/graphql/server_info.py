"""``serverInfo``: what this server supports. Features stay empty until really implemented."""

from __future__ import annotations

from ariadne import QueryType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.context import request_context

# Names of W&B server features (ServerFeaturesQuery) this server implements, each added only
# once it works end to end with wandb 0.31.0 (what the client changes with it in brackets):
SERVER_FEATURES: tuple[str, ...] = (
    # tags of artifact versions (createArtifact/updateArtifact tags, Artifact.tags)
    "ARTIFACT_TAGS",
    # Project.artifactCollectionMembership(name) (how Api.artifact() reads a version)
    "PROJECT_ARTIFACT_COLLECTION_MEMBERSHIP",
    # ArtifactCollectionMembership.files (artifact.files() and downloads list files there)
    "ARTIFACT_COLLECTION_MEMBERSHIP_FILES",
    # /artifactsV2/{region}/{entity}/{project}/{collection}/{birth id}/{md5}/{name}: the
    # authenticated fallback when a file's directUrl fails
    "ARTIFACT_COLLECTION_MEMBERSHIP_FILE_DOWNLOAD_HANDLER",
    # linkArtifact answers the new membership (no re-fetch of the linked version)
    "ARTIFACT_MEMBERSHIP_IN_LINK_ARTIFACT_RESPONSE",
    # FileConnection.totalCount (len(artifact.files()))
    "TOTAL_COUNT_IN_FILE_CONNECTION",
    # useArtifact accepts artifactEntityName/artifactProjectName (ids are global here)
    "USE_ARTIFACT_WITH_ENTITY_AND_PROJECT_INFORMATION",
    # organizations and registries: organization(name).orgEntity.projects(filters) and the
    # collections/versions searches across them (api.registries(), api.registry())
    "ARTIFACT_REGISTRY_SEARCH",
    # upsertModel takes a registry's access and artifact types (api.create_registry(),
    # Registry.save())
    "INCLUDE_ARTIFACT_TYPES_IN_REGISTRY_CREATION",
    # file_stream bodies may be gzip-compressed (Content-Encoding: gzip; wandb-core compresses
    # them when the run's x_file_stream_no_gzip setting is False)
    "FILESTREAM_GZIP",
    # the updateRunState mutation (Run.update_state(); the SDK's tests probe this name)
    "UPDATE_RUN_STATE",
)

query = QueryType()


@query.field("serverInfo")
def resolve_server_info(_obj: object, info: GraphQLResolveInfo) -> dict[str, object]:
    """Server capabilities."""
    return {
        "features": [{"name": name, "isEnabled": True} for name in SERVER_FEATURES],
        "frontendHost": request_context(info).base_url,
        "cliVersionInfo": {},
        "availableBucketProviders": [],
        "availableCloudRegions": [],
        "licenseFlags": [],
        "pollingOK": True,
        "hasLocalLicense": False,
        "isGoogleIap": False,
        "exposesExplicitRunQueueAckPath": False,
        "secureStorageConnectorEnabled": False,
        "slackClientID": "",
        "userLimitReached": False,
        "viewOnlyUserLimitReached": False,
    }


BINDABLES: list[SchemaBindable] = [query]
