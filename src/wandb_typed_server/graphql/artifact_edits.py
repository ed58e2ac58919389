"""Changing logged artifacts: ``updateArtifact`` (description, metadata, TTL, tags),
``addAliases``/``deleteAliases``, ``linkArtifact``/``unlinkArtifact`` (portfolios),
``deleteArtifact``, and the collection mutations (rename, describe, change type, tag,
delete).

Deleting drops the version's files; content no version holds any more is removed from disk
once the transaction has committed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from ariadne import MutationType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.artifact_nodes import (
    ARTIFACT,
    COLLECTION,
    artifact_node,
    collection_node,
    membership_node,
    tag_node,
)
from wandb_typed_server.graphql.artifact_uploads import writable_artifact
from wandb_typed_server.graphql.context import RequestContext, request_context
from wandb_typed_server.graphql.ids import decode_node_id, encode_node_id
from wandb_typed_server.graphql.nodes import Node
from wandb_typed_server.storage.artifact_cleanup import forget_versions
from wandb_typed_server.storage.artifact_collections import (
    ArtifactError,
    collection_by_pk,
    find_collection,
    get_or_create_portfolio,
    move_sequence,
    update_collection,
)
from wandb_typed_server.storage.artifact_links import tag_collection, tag_version
from wandb_typed_server.storage.artifacts import (
    add_membership,
    aliases_of,
    artifact_by_client_id,
    committed_artifact,
    delete_collection,
    delete_version,
    membership_of,
    remove_alias,
    set_alias,
    set_description_metadata_ttl,
    unlink,
)
from wandb_typed_server.storage.entities import readable_entity, writable_entity
from wandb_typed_server.storage.projects import find_project, get_or_create_project
from wandb_typed_server.storage.registries import check_link_target

mutation = MutationType()


def _committed(ctx: RequestContext, artifact_id: str) -> sqlite3.Row:
    row = writable_artifact(ctx, artifact_id)
    if row["state"] != "COMMITTED":
        raise ArtifactError(f"artifact {artifact_id!r} is {row['state']}, not committed")
    return row


def _tags(values: object) -> list[str]:
    if not values:
        return []
    assert isinstance(values, list)
    return [str(value["tagName"]) for value in values]


def _node(ctx: RequestContext, pk: int) -> Node:
    row = committed_artifact(ctx.conn, pk)
    assert row is not None
    return artifact_node(row)


@mutation.field("updateArtifact")
def resolve_update_artifact(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Change a version's description, metadata, TTL and tags (and, as old clients do, its
    aliases: the list given replaces those in each collection it names)."""
    ctx = request_context(info)
    row = _committed(ctx, str(input["artifactID"]))
    pk = int(row["pk"])
    metadata = input.get("metadata")
    ttl = input.get("ttlDurationSeconds")
    set_description_metadata_ttl(
        ctx.conn,
        pk,
        description=None if input.get("description") is None else str(input["description"]),
        metadata=None if metadata is None else str(metadata),
        ttl_seconds=None if ttl is None else int(str(ttl)),
    )
    tag_version(ctx.conn, pk, _tags(input.get("tagsToAdd")), _tags(input.get("tagsToDelete")))
    aliases = input.get("aliases")
    if aliases is not None:
        assert isinstance(aliases, list)
        _replace_aliases(
            ctx, row, [(str(a["artifactCollectionName"]), str(a["alias"])) for a in aliases]
        )
    return {
        "artifact": _node(ctx, pk),
        "artifactActions": [],
        "clientMutationId": input.get("clientMutationId"),
    }


def _replace_aliases(ctx: RequestContext, row: sqlite3.Row, wanted: list[tuple[str, str]]) -> None:
    by_collection: dict[str, set[str]] = {}
    for collection_name, alias in wanted:
        by_collection.setdefault(collection_name, set()).add(alias)
    for name, aliases in by_collection.items():
        collection = _collection_holding(
            ctx, row, str(row["entity_name"]), str(row["project_name"]), name
        )
        pk, artifact_pk = int(collection["pk"]), int(row["pk"])
        for current in aliases_of(ctx.conn, pk, artifact_pk):
            if current["alias"] not in aliases:
                remove_alias(ctx.conn, pk, artifact_pk, str(current["alias"]))
        for alias in sorted(aliases):
            set_alias(ctx.conn, pk, artifact_pk, alias)


def _collection_holding(
    ctx: RequestContext, row: sqlite3.Row, entity: str, project: str, name: str
) -> sqlite3.Row:
    """The collection ``entity/project/name``, which must hold the version ``row``."""
    writable_entity(ctx.conn, ctx.principal, entity)
    project_row = find_project(ctx.conn, entity, project)
    collection = (
        None if project_row is None else find_collection(ctx.conn, int(project_row["pk"]), name)
    )
    if collection is None:
        raise LookupError(f"artifact collection {entity}/{project}/{name} not found")
    if membership_of(ctx.conn, int(collection["pk"]), int(row["pk"])) is None:
        raise ArtifactError(f"the artifact is not in collection {entity}/{project}/{name}")
    return collection


def _alias_inputs(input: Node) -> Iterable[tuple[str, str, str, str]]:
    aliases = input["aliases"]
    assert isinstance(aliases, list)
    for alias in aliases:
        yield (
            str(alias["entityName"]),
            str(alias["projectName"]),
            str(alias["artifactCollectionName"]),
            str(alias["alias"]),
        )


@mutation.field("addAliases")
def resolve_add_aliases(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Point aliases of collections the version is in at it (moving them if they were
    elsewhere)."""
    ctx = request_context(info)
    row = _committed(ctx, str(input["artifactID"]))
    added = []
    for entity, project, name, alias in _alias_inputs(input):
        collection = _collection_holding(ctx, row, entity, project, name)
        set_alias(ctx.conn, int(collection["pk"]), int(row["pk"]), alias)
        added.append(
            {
                "alias": alias,
                "artifactCollectionName": name,
                "entityName": entity,
                "projectName": project,
            }
        )
    return {
        "success": True,
        "aliases": added,
        "artifact": _node(ctx, int(row["pk"])),
        "clientMutationId": input.get("clientMutationId"),
    }


@mutation.field("deleteAliases")
def resolve_delete_aliases(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Remove aliases from the version; an alias it does not hold is an error naming it."""
    ctx = request_context(info)
    row = _committed(ctx, str(input["artifactID"]))
    for entity, project, name, alias in _alias_inputs(input):
        collection = _collection_holding(ctx, row, entity, project, name)
        if not remove_alias(ctx.conn, int(collection["pk"]), int(row["pk"]), alias):
            raise LookupError(
                f"alias {alias!r} is not on this version of {entity}/{project}/{name}"
            )
    return {"success": True, "clientMutationId": input.get("clientMutationId")}


@mutation.field("linkArtifact")
def resolve_link_artifact(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Link a committed version into a portfolio (made on first use) under the portfolio's
    next index; the aliases given are set there and ``latest`` moves to it."""
    ctx = request_context(info)
    artifact_id, client_id = input.get("artifactID"), input.get("clientID")
    if artifact_id:
        row = committed_artifact(ctx.conn, decode_node_id(ARTIFACT, str(artifact_id)))
    elif client_id:
        found = artifact_by_client_id(ctx.conn, str(client_id))
        row = None if found is None else committed_artifact(ctx.conn, int(found["pk"]))
    else:
        raise ArtifactError("linkArtifact needs artifactID or clientID")
    if row is None or readable_entity(ctx.conn, ctx.principal, row["entity_name"]) is None:
        raise LookupError(f"artifact {artifact_id or client_id!r} not found (or not committed)")
    portfolio = _link_target(ctx, input, str(row["type_name"]))
    pk, artifact_pk = int(portfolio["pk"]), int(row["pk"])
    index = add_membership(ctx.conn, pk, artifact_pk)
    aliases = input.get("aliases") or []
    assert isinstance(aliases, list)
    for alias in aliases:
        if alias["artifactCollectionName"] not in (portfolio["name"], row["sequence_name"]):
            raise ArtifactError(
                f"alias {alias['alias']!r} is for collection {alias['artifactCollectionName']!r},"
                f" not the portfolio {portfolio['name']!r}"
            )
        set_alias(ctx.conn, pk, artifact_pk, str(alias["alias"]))
    membership = membership_of(ctx.conn, pk, artifact_pk)
    assert membership is not None
    return {
        "versionIndex": index,
        "artifactID": encode_node_id(ARTIFACT, artifact_pk),
        "artifactCollectionID": encode_node_id(COLLECTION, pk),
        "createdAt": membership["created_at"],
        "aliases": [
            {
                "alias": alias["alias"],
                "artifactCollectionName": portfolio["name"],
                "entityName": portfolio["entity_name"],
                "projectName": portfolio["project_name"],
            }
            for alias in aliases_of(ctx.conn, pk, artifact_pk)
        ],
        "artifactMembership": membership_node(membership),
        "clientMutationId": input.get("clientMutationId"),
    }


def _link_target(ctx: RequestContext, input: Node, type_name: str) -> sqlite3.Row:
    portfolio_id = input.get("artifactPortfolioID")
    if portfolio_id:
        collection = _writable_collection(ctx, str(portfolio_id))
        if collection["kind"] != "PORTFOLIO":
            raise ArtifactError(
                f"{collection['name']!r} is a sequence, not a portfolio to link into"
            )
        if collection["type_name"] != type_name:
            raise ArtifactError(
                f"portfolio {collection['name']!r} holds artifacts of type"
                f" {collection['type_name']!r}, not {type_name!r}"
            )
        return collection
    name, entity, project = (
        input.get("artifactPortfolioName"),
        input.get("entityName"),
        input.get("projectName"),
    )
    if not (name and entity and project):
        raise ArtifactError(
            "linkArtifact needs artifactPortfolioID or artifactPortfolioName, entityName and projectName"
        )
    check_link_target(ctx.conn, ctx.principal, str(entity), str(project), type_name)
    project_row = get_or_create_project(ctx.conn, ctx.principal, str(entity), str(project))
    return get_or_create_portfolio(ctx.conn, int(project_row["pk"]), type_name, str(name))


def _writable_collection(ctx: RequestContext, collection_id: str) -> sqlite3.Row:
    row = collection_by_pk(ctx.conn, decode_node_id(COLLECTION, collection_id))
    if row is None or row["state"] != "READY":
        raise LookupError(f"artifact collection {collection_id!r} not found")
    writable_entity(ctx.conn, ctx.principal, row["entity_name"])
    return row


@mutation.field("unlinkArtifact")
def resolve_unlink_artifact(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Take a version out of a portfolio (its aliases there go with it)."""
    ctx = request_context(info)
    portfolio = _writable_collection(ctx, str(input["artifactPortfolioID"]))
    artifact_pk = decode_node_id(ARTIFACT, str(input["artifactID"]))
    unlink(ctx.conn, int(portfolio["pk"]), artifact_pk)
    return {
        "artifactID": input["artifactID"],
        "success": True,
        "clientMutationId": input.get("clientMutationId"),
    }


def _forget_versions(ctx: RequestContext, pks: Iterable[int]) -> None:
    """Drop deleted versions' files; bytes nothing holds any more go after the commit."""
    ctx.after_commit.append(forget_versions(ctx.conn, ctx.state.artifact_blobs, pks))


@mutation.field("deleteArtifact")
def resolve_delete_artifact(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Delete a version; one holding aliases needs ``deleteAliases: true`` (the error names
    them). ``latest`` moves back to the newest version left."""
    ctx = request_context(info)
    row = writable_artifact(ctx, str(input["artifactID"]))
    node = artifact_node(row)
    delete_version(ctx.conn, row, bool(input.get("deleteAliases")))
    _forget_versions(ctx, [int(row["pk"])])
    return {
        "artifact": node | {"state": "DELETED"},
        "clientMutationId": input.get("clientMutationId"),
    }


def _collection_payload(ctx: RequestContext, pk: int, input: Node) -> Node:
    row = collection_by_pk(ctx.conn, pk)
    assert row is not None
    return {
        "artifactCollection": collection_node(row),
        "clientMutationId": input.get("clientMutationId"),
    }


def _update_collection(info: GraphQLResolveInfo, input: Node, id_field: str, kind: str) -> Node:
    ctx = request_context(info)
    collection = _writable_collection(ctx, str(input[id_field]))
    if collection["kind"] != kind:
        raise ArtifactError(f"{collection['name']!r} is not an artifact {kind.lower()}")
    name, description = input.get("name"), input.get("description")
    update_collection(
        ctx.conn,
        int(collection["pk"]),
        name=None if name is None else str(name),
        description=None if description is None else str(description),
    )
    return _collection_payload(ctx, int(collection["pk"]), input)


@mutation.field("updateArtifactSequence")
def resolve_update_sequence(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Rename a sequence and/or change its description."""
    return _update_collection(info, input, "artifactSequenceID", "SEQUENCE")


@mutation.field("updateArtifactPortfolio")
def resolve_update_portfolio(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Rename a portfolio and/or change its description."""
    return _update_collection(info, input, "artifactPortfolioID", "PORTFOLIO")


@mutation.field("moveArtifactSequence")
def resolve_move_sequence(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Give a sequence (all its versions) another artifact type."""
    ctx = request_context(info)
    collection = _writable_collection(ctx, str(input["artifactSequenceID"]))
    move_sequence(ctx.conn, int(collection["pk"]), str(input["destinationArtifactTypeName"]))
    return _collection_payload(ctx, int(collection["pk"]), input)


def _delete_collection(info: GraphQLResolveInfo, input: Node, id_field: str, kind: str) -> Node:
    ctx = request_context(info)
    collection = _writable_collection(ctx, str(input[id_field]))
    if collection["kind"] != kind:
        raise ArtifactError(f"{collection['name']!r} is not an artifact {kind.lower()}")
    _forget_versions(ctx, delete_collection(ctx.conn, collection))
    return _collection_payload(ctx, int(collection["pk"]), input)


@mutation.field("deleteArtifactSequence")
def resolve_delete_sequence(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Delete a sequence with all its versions (out of every portfolio too)."""
    return _delete_collection(info, input, "artifactSequenceID", "SEQUENCE")


@mutation.field("deleteArtifactPortfolio")
def resolve_delete_portfolio(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Delete a portfolio (the linked versions stay in their sequences)."""
    return _delete_collection(info, input, "artifactPortfolioID", "PORTFOLIO")


def _named_collection(ctx: RequestContext, input: Node) -> sqlite3.Row:
    entity, project, name = (
        str(input["entityName"]),
        str(input["projectName"]),
        str(input["artifactCollectionName"]),
    )
    writable_entity(ctx.conn, ctx.principal, entity)
    project_row = find_project(ctx.conn, entity, project)
    collection = (
        None if project_row is None else find_collection(ctx.conn, int(project_row["pk"]), name)
    )
    if collection is None:
        raise LookupError(f"artifact collection {entity}/{project}/{name} not found")
    return collection


@mutation.field("createArtifactCollectionTagAssignments")
def resolve_add_collection_tags(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Tag a collection."""
    ctx = request_context(info)
    collection = _named_collection(ctx, input)
    added = tag_collection(ctx.conn, int(collection["pk"]), _tags(input["tags"]))
    return {
        "tags": [tag_node(row) for row in added],
        "clientMutationId": input.get("clientMutationId"),
    }


@mutation.field("deleteArtifactCollectionTagAssignments")
def resolve_delete_collection_tags(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Untag a collection."""
    ctx = request_context(info)
    collection = _named_collection(ctx, input)
    tag_collection(ctx.conn, int(collection["pk"]), [], _tags(input["tags"]))
    return {"success": True, "clientMutationId": input.get("clientMutationId")}


BINDABLES: list[SchemaBindable] = [mutation]
