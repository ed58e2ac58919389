"""Teams: ``createTeam``, ``createInvite``, ``deleteInvite``, ``createServiceAccount`` and
``Entity.members`` (members, then pending invites)."""

from __future__ import annotations

from ariadne import MutationType, ObjectType, SchemaBindable
from graphql import GraphQLResolveInfo

from wandb_typed_server.graphql.context import request_context
from wandb_typed_server.graphql.ids import MalformedIdError, decode_node_id, encode_node_id
from wandb_typed_server.graphql.nodes import Node, node_pk
from wandb_typed_server.graphql.viewer import entity_node, user_node
from wandb_typed_server.storage import teams as team_store
from wandb_typed_server.storage.entities import user_row

mutation = MutationType()
entity = ObjectType("Entity")


def member_node(member: team_store.MemberRecord) -> Node:
    """A Member object: a user of the team, or a pending invite (id = the invite's id)."""
    node_id = (
        encode_node_id("Invite", member.invite_pk)
        if member.invite_pk is not None
        else encode_node_id("User", member.user_pk or 0)
    )
    return {
        "id": node_id,
        "username": member.username,
        "name": member.name,
        "email": member.email,
        "admin": member.admin,
        "role": "admin" if member.admin else "member",
        "pending": member.pending,
        "accountType": member.account_type,
        "photoUrl": None,
        "apiKey": None,
    }


@entity.field("members")
def resolve_members(obj: Node, info: GraphQLResolveInfo) -> list[Node]:
    """A team's members and pending invites (the owner, for a personal entity)."""
    owner = obj.get("_user_pk")
    records = team_store.team_members(
        request_context(info).conn, node_pk(obj), owner if isinstance(owner, int) else None
    )
    return [member_node(record) for record in records]


@entity.field("memberCount")
def resolve_member_count(obj: Node, info: GraphQLResolveInfo) -> int:
    """How many members (pending invites included) a team has."""
    return len(resolve_members(obj, info))


@mutation.field("createTeam")
def resolve_create_team(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """A new team; its admin is ``teamAdminUserName`` (admins only) or the caller."""
    ctx = request_context(info)
    admin_username = input.get("teamAdminUserName")
    team = team_store.create_team(
        ctx.conn,
        ctx.principal,
        str(input["teamName"]),
        None if admin_username is None else str(admin_username),
    )
    return {"entity": entity_node(team), "clientMutationId": input.get("clientMutationId")}


@mutation.field("createInvite")
def resolve_create_invite(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Invite a user (added at once) or an email (pending) to a team (team admins only)."""
    ctx = request_context(info)
    name = input.get("entityName")
    if not name:
        raise ValueError("createInvite needs entityName (the team)")
    team = team_store.team_for_write(ctx.conn, ctx.principal, str(name), "createInvite")
    email, username = input.get("email"), input.get("username")
    user_pk, invite_pk = team_store.invite(
        ctx.conn,
        ctx.principal,
        team,
        email=None if email is None else str(email),
        username=None if username is None else str(username),
        admin=bool(input.get("admin")) or input.get("role") == "admin",
    )
    invited = None if user_pk is None else user_row(ctx.conn, user_pk)
    invite: Node = {
        "id": encode_node_id("Invite", invite_pk)
        if invite_pk is not None
        else encode_node_id("User", user_pk or 0),
        "name": invited["username"] if invited is not None else str(email),
        "email": invited["email"] if invited is not None else email,
        "createdAt": None,
        "accepted": invited is not None,
        "toUser": None if invited is None else user_node(invited),
        "entity": entity_node(team),
    }
    return {
        "success": True,
        "invite": invite,
        "entity": entity_node(team),
        "clientMutationId": input.get("clientMutationId"),
    }


@mutation.field("deleteInvite")
def resolve_delete_invite(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """Withdraw a pending invite, or remove a member (by their user id) from a team."""
    ctx = request_context(info)
    raw_id = input.get("id")
    if not raw_id:
        raise ValueError("deleteInvite needs the id of the invite or member")
    try:
        invite_pk = decode_node_id("Invite", str(raw_id))
    except MalformedIdError:
        invite_pk = None
    if invite_pk is not None:
        row = team_store.invite_row(ctx.conn, invite_pk)
        if row is None:
            return {"success": False, "clientMutationId": input.get("clientMutationId")}
        team_store.team_for_write(ctx.conn, ctx.principal, row["entity_name"], "deleteInvite")
        deleted = team_store.delete_invite(ctx.conn, invite_pk)
        return {"success": deleted, "clientMutationId": input.get("clientMutationId")}
    name = input.get("entityName")
    if not name:
        raise ValueError("deleteInvite with a member's user id needs entityName (the team)")
    team = team_store.team_for_write(ctx.conn, ctx.principal, str(name), "deleteInvite")
    removed = team_store.remove_member(
        ctx.conn, int(team["pk"]), decode_node_id("User", str(raw_id))
    )
    return {"success": removed, "clientMutationId": input.get("clientMutationId")}


@mutation.field("createServiceAccount")
def resolve_create_service_account(_obj: object, info: GraphQLResolveInfo, input: Node) -> Node:
    """A service user of the team with its own API key (``user.apiKey``, shown once)."""
    ctx = request_context(info)
    name = input.get("entityName")
    if not name:
        raise ValueError("createServiceAccount needs entityName (the team)")
    team = team_store.team_for_write(ctx.conn, ctx.principal, str(name), "createServiceAccount")
    user_pk, key = team_store.create_service_account(
        ctx.conn, team, str(input.get("description") or "")
    )
    node = user_node(user_row(ctx.conn, user_pk))
    node["apiKey"] = key.secret
    node["accountType"] = team_store.SERVICE_ACCOUNT_TYPE
    return {"user": node, "clientMutationId": input.get("clientMutationId")}


BINDABLES: list[SchemaBindable] = [mutation, entity]
