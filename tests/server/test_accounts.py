"""The server's accounts over GraphQL: who may do what with users, keys, teams and invites,
what a key listing shows, project upserts, and that it all survives a restart."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from wandb_typed_server import RunningServer, start_in_thread

GraphQL = Callable[..., dict[str, Any]]

SERVICE_ACCOUNT = """
mutation ($team: String!) { createServiceAccount(input: {entityName: $team, description: "bot"})
  { user { id username apiKey } } }
"""


def post(server: RunningServer, key: str, query: str, **variables: object) -> dict[str, Any]:
    response = httpx.post(
        f"{server.base_url}/graphql",
        json={"query": query, "variables": variables},
        auth=("api", key),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    return payload


def error_messages(payload: dict[str, Any]) -> list[str]:
    return [str(error["message"]) for error in payload.get("errors", [])]


@pytest.fixture(scope="module")
def team_and_bot(local_server: RunningServer) -> tuple[str, str]:
    """A team with a (non-admin) service account; returns the team and the bot's key."""
    key = local_server.api_key
    post(
        local_server,
        key,
        'mutation { createTeam(input: {teamName: "acct-team"}) { entity { id } } }',
    )
    created = post(local_server, key, SERVICE_ACCOUNT, team="acct-team")
    return "acct-team", str(created["data"]["createServiceAccount"]["user"]["apiKey"])


def test_generated_secret_is_shown_once_and_listed_by_name(
    local_server: RunningServer, team_and_bot: tuple[str, str]
) -> None:
    _, bot_key = team_and_bot
    made = post(
        local_server,
        bot_key,
        'mutation { generateApiKey(input: {description: "d"}) { apiKey { id name } } }',
    )["data"]["generateApiKey"]["apiKey"]
    listed = post(local_server, bot_key, "{ viewer { apiKeys { edges { node { id name } } } } }")
    names = {
        e["node"]["id"]: e["node"]["name"] for e in listed["data"]["viewer"]["apiKeys"]["edges"]
    }
    assert len(made["name"]) == 40
    listed_name = names[made["id"]]
    assert made["name"].startswith(listed_name)  # named by a prefix of the key, as on W&B
    assert len(listed_name) < len(made["name"])  # the whole secret is never listed


def test_a_non_admin_may_not_delete_another_users_key(
    local_server: RunningServer, team_and_bot: tuple[str, str], gql: GraphQL
) -> None:
    _, bot_key = team_and_bot
    admin_keys = gql("{ viewer { apiKeys { edges { node { id } } } } }")["viewer"]["apiKeys"]
    admin_key_id = admin_keys["edges"][0]["node"]["id"]
    payload = post(
        local_server,
        bot_key,
        "mutation ($id: String!) { deleteApiKey(input: {id: $id}) { success } }",
        id=admin_key_id,
    )
    assert error_messages(payload) == [
        "deleteApiKey: user 'acct-team-service-1' may delete only their own API keys"
    ]
    assert gql("{ viewer { username } }")["viewer"]["username"] == "admin"


def test_deleting_an_unknown_key_reports_no_success(gql: GraphQL) -> None:
    result = gql('mutation { deleteApiKey(input: {id: "QXBpS2V5Ojk5OTk5"}) { success } }')
    assert result["deleteApiKey"]["success"] is False


def test_a_malformed_key_id_is_named(http: httpx.Client) -> None:
    payload = http.post(
        "/graphql", json={"query": 'mutation { deleteApiKey(input: {id: "nope"}) { success } }'}
    ).json()
    assert error_messages(payload) == ["malformed ApiKey id 'nope'"]


def test_only_admins_name_another_team_admin(
    local_server: RunningServer, team_and_bot: tuple[str, str]
) -> None:
    payload = post(
        local_server,
        team_and_bot[1],
        'mutation { createTeam(input: {teamName: "bot-team", teamAdminUserName: "admin"})'
        " { entity { id } } }",
    )
    assert "requires instance admin permission" in error_messages(payload)[0]


def test_a_non_admin_creates_a_team_it_administers(
    local_server: RunningServer, team_and_bot: tuple[str, str]
) -> None:
    payload = post(
        local_server,
        team_and_bot[1],
        'mutation { createTeam(input: {teamName: "bot-own-team"})'
        " { entity { name members { username admin } } } }",
    )
    entity = payload["data"]["createTeam"]["entity"]
    assert entity["members"] == [{"username": "acct-team-service-1", "admin": True}]


def test_inviting_an_unknown_username_is_an_error_naming_it(
    gql: GraphQL, http: httpx.Client
) -> None:
    gql('mutation { createTeam(input: {teamName: "invite-errors"}) { entity { id } } }')
    payload = http.post(
        "/graphql",
        json={
            "query": 'mutation { createInvite(input: {entityName: "invite-errors",'
            ' username: "ghost"}) { success } }'
        },
    ).json()
    assert error_messages(payload) == ["createInvite: no user named 'ghost'"]


def test_deleting_an_unknown_invite_reports_no_success(gql: GraphQL) -> None:
    result = gql('mutation { deleteInvite(input: {id: "SW52aXRlOjk5OTk5"}) { success } }')
    assert result["deleteInvite"]["success"] is False


def test_upsert_model_reports_inserted_and_updates_the_description(gql: GraphQL) -> None:
    query = (
        'mutation ($d: String) { upsertModel(input: {name: "acct-proj", entityName: "admin",'
        " description: $d}) { inserted project { name description } } }"
    )
    first = gql(query, d="first")["upsertModel"]
    second = gql(query, d="second")["upsertModel"]
    assert (first["inserted"], first["project"]["description"]) == (True, "first")
    assert (second["inserted"], second["project"]["description"]) == (False, "second")


def test_upsert_model_into_a_foreign_entity_is_refused(
    local_server: RunningServer, team_and_bot: tuple[str, str]
) -> None:
    payload = post(
        local_server,
        team_and_bot[1],
        'mutation { upsertModel(input: {name: "x", entityName: "admin"}) { inserted } }',
    )
    assert error_messages(payload) == ["user 'acct-team-service-1' may not write to entity 'admin'"]


def test_project_sweeps_is_an_empty_connection(gql: GraphQL) -> None:
    gql('mutation { upsertModel(input: {name: "acct-sweeps", entityName: "admin"}) { inserted } }')
    project = gql(
        '{ project(name: "acct-sweeps", entityName: "admin") { totalSweeps'
        " sweeps { edges { node { id } } pageInfo { hasNextPage } } } }"
    )["project"]
    assert project == {
        "totalSweeps": 0,
        "sweeps": {"edges": [], "pageInfo": {"hasNextPage": False}},
    }


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[tuple[RunningServer, Path]]:
    server = start_in_thread(tmp_path / "data")
    try:
        yield server, tmp_path / "data"
    finally:
        server.stop()


def test_keys_teams_and_invites_survive_a_restart(
    fresh_server: tuple[RunningServer, Path],
) -> None:
    server, data_dir = fresh_server
    admin_key = server.api_key
    post(server, admin_key, 'mutation { createTeam(input: {teamName: "kept"}) { entity { id } } }')
    post(
        server,
        admin_key,
        'mutation { createInvite(input: {entityName: "kept", email: "p@q.org"}) { success } }',
    )
    bot_key = post(server, admin_key, SERVICE_ACCOUNT, team="kept")["data"]["createServiceAccount"][
        "user"
    ]["apiKey"]
    members_query = '{ entity(name: "kept") { members { username pending accountType } } }'
    before = post(server, admin_key, members_query)["data"]
    server.stop()
    restarted = start_in_thread(data_dir, api_key=admin_key)
    try:
        assert post(restarted, admin_key, members_query)["data"] == before
        viewer = post(restarted, bot_key, "{ viewer { username } }")["data"]["viewer"]
        assert viewer == {"username": "kept-service-1"}
    finally:
        restarted.stop()
