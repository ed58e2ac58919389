"""``serverInfo``: what this server supports. Features stay empty until really implemented."""

from __future__ import annotations

from ariadne import QueryType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.context import request_context

# Names of W&B server features (ServerFeaturesQuery) this server implements. Empty on
# purpose: the official client then uses its most conservative code paths.
SERVER_FEATURES: tuple[str, ...] = ()

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
