"""Users, API keys and teams end to end against the local server: admin-only searches and
creation, keys generated and deleted (a generated key logs in, a deleted one no longer
does), teams with invites, pending members and service accounts that authenticate; in
both flavours."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from runs_support import api_for

from flavours import is_a
from wandb_typed import Api
from wandb_typed.config import ApiKey
from wandb_typed.errors import AuthenticationError, ConfigError, GraphQLError, NotFoundError
from wandb_typed_server import RunningServer

MakeApi = Callable[..., Api]


def api_with_key(make_api: MakeApi, key: ApiKey) -> Api:
    """An Api (of the test's flavour) on the server authenticated with ``key``."""
    return make_api(api_key=key.reveal())


@pytest.fixture(scope="module")
def robot_team(local_server: RunningServer) -> Iterator[tuple[str, ApiKey]]:
    """A team with a service account; yields the team name and that account's key."""
    with api_for(local_server) as api:
        team = api.create_team("e2e-robots")
        robot = team.create_service_account("robot for tests")
        assert robot.api_key is not None
        yield team.name, robot.api_key


# -- users -----------------------------------------------------------------------------------


def test_create_user_then_find_it_by_username_and_by_email(api: Api) -> None:
    created = api.create_user("dana.e2e@example.com")
    assert is_a(created, "User")
    assert created.email == "dana.e2e@example.com"
    assert created.username == "dana-e2e"
    assert created.admin is False
    by_username = api.user("dana-e2e")
    by_email = api.user("dana.e2e@example.com")
    assert by_username is not None
    assert by_email is not None
    assert by_username.id == by_email.id == created.id


def test_create_admin_user(api: Api) -> None:
    created = api.create_user("root.e2e@example.com", admin=True)
    assert created.admin is True


def test_create_user_twice_for_one_email_is_an_error(api: Api) -> None:
    api.create_user("twice.e2e@example.com")
    with pytest.raises(GraphQLError, match="already exists"):
        api.create_user("twice.e2e@example.com")


def test_create_user_with_a_malformed_email_is_an_error_naming_it(api: Api) -> None:
    with pytest.raises(GraphQLError, match="'not-an-email' is not an email address"):
        api.create_user("not-an-email")


def test_users_finds_every_partial_match(api: Api) -> None:
    for name in ("ann", "anna", "bert"):
        api.create_user(f"{name}@search-e2e.org")
    found = api.users("search-e2e.org")
    assert sorted(u.username or "" for u in found) == ["ann", "anna", "bert"]
    assert [u.username for u in api.users("anna@search-e2e")] == ["anna"]


def test_user_prefers_the_exact_match_and_none_when_nothing_matches(api: Api) -> None:
    api.create_user("exact@prefix-e2e.org")
    api.create_user("exactly@prefix-e2e.org")
    found = api.user("exact")
    assert found is not None
    assert found.username == "exact"
    assert api.user("nobody-has-this-name") is None
    assert api.users("nobody-has-this-name") == []


def test_searching_and_creating_users_need_an_admin_key(
    make_api: MakeApi, robot_team: tuple[str, ApiKey]
) -> None:
    robot = api_with_key(make_api, robot_team[1])
    with pytest.raises(GraphQLError, match="users requires instance admin permission"):
        robot.users("a")
    with pytest.raises(GraphQLError, match="createUser requires instance admin permission"):
        robot.create_user("sneaky@example.com")


# -- API keys ----------------------------------------------------------------------------------


def test_generated_key_logs_in_as_that_user_and_deleting_it_locks_it_out(
    make_api: MakeApi, robot_team: tuple[str, ApiKey]
) -> None:
    robot = api_with_key(make_api, robot_team[1])
    me = robot.viewer
    new = me.generate_api_key("second key")
    assert new.description == "second key"
    as_new = api_with_key(make_api, new.key)
    assert as_new.viewer.id == me.id

    robot.flush()
    listed = robot.viewer.api_keys
    assert [k.description for k in listed] == ["robot for tests", "second key"]
    assert all(k.key != new.key for k in listed), "listings show names, never the secret"
    entry = next(k for k in listed if k.id == new.id)
    assert robot.viewer.delete_api_key(entry) is True

    locked_out = api_with_key(make_api, new.key)
    with pytest.raises(AuthenticationError):
        _ = locked_out.viewer
    robot.flush()
    assert [k.description for k in robot.viewer.api_keys] == ["robot for tests"]


def test_delete_api_key_accepts_the_listed_name(api: Api) -> None:
    api.viewer.generate_api_key("by name")
    api.flush()
    entry = next(k for k in api.viewer.api_keys if k.description == "by name")
    assert api.viewer.delete_api_key(entry.key.reveal()) is True


def test_deleting_a_key_the_user_does_not_have_is_not_found(api: Api) -> None:
    with pytest.raises(NotFoundError, match="no API key with that name"):
        api.viewer.delete_api_key("key-unknown")


def test_generate_api_key_for_another_user_needs_their_credentials(
    api: Api, robot_team: tuple[str, ApiKey]
) -> None:
    robot = api.users(f"{robot_team[0]}-service")[0]
    with pytest.raises(ConfigError, match="acts as user e2e-robots-service-1"):
        robot.generate_api_key()


def test_an_admin_sees_other_users_keys_by_name_only(
    api: Api, robot_team: tuple[str, ApiKey]
) -> None:
    robot = api.user(f"{robot_team[0]}-service-1")
    assert robot is not None
    assert robot.api_keys
    assert all(k.key != robot_team[1] for k in robot.api_keys)
    assert robot_team[1].reveal() not in repr(robot)


# -- teams -------------------------------------------------------------------------------------


def test_create_team_makes_the_caller_its_admin(api: Api) -> None:
    team = api.create_team("e2e-team-created")
    assert is_a(team, "Team")
    assert team.is_team is True
    assert [(m.username, m.admin) for m in team.members] == [("admin", True)]
    api.flush()
    assert "e2e-team-created" in api.viewer.teams


def test_create_team_with_another_admin(api: Api) -> None:
    api.create_user("lead@teams-e2e.org")
    team = api.create_team("e2e-team-led", admin_username="lead")
    assert {(m.username, m.admin) for m in team.members} == {("lead", True)}


def test_team_reads_back_and_a_missing_team_is_not_found(api: Api) -> None:
    api.create_team("e2e-team-read")
    assert api.team("e2e-team-read").name == "e2e-team-read"
    with pytest.raises(NotFoundError, match="no-such-team") as caught:
        api.team("no-such-team")
    assert caught.value.kind == "team"


def test_creating_a_team_whose_name_is_taken_is_an_error(api: Api) -> None:
    api.create_team("e2e-team-taken")
    with pytest.raises(GraphQLError, match="already exists"):
        api.create_team("e2e-team-taken")


def test_invite_by_username_adds_the_member(api: Api) -> None:
    api.create_user("invitee@teams-e2e.org")
    team = api.create_team("e2e-team-invite-user")
    assert team.invite("invitee") is True
    members = {m.username: m for m in api.team(team.name).members}
    assert members["invitee"].pending is False
    assert members["invitee"].admin is False
    invitee = api.user("invitee")
    assert invitee is not None
    assert team.name in invitee.teams


def test_invite_by_email_without_a_user_is_pending_and_can_be_withdrawn(api: Api) -> None:
    team = api.create_team("e2e-team-invite-email")
    assert team.invite("stranger@elsewhere.org", admin=True) is True
    pending = [m for m in api.team(team.name).members if m.pending]
    assert [(m.email, m.admin) for m in pending] == [("stranger@elsewhere.org", True)]
    assert pending[0].delete() is True
    assert [m for m in api.team(team.name).members if m.pending] == []


def test_member_delete_removes_a_member(api: Api) -> None:
    api.create_user("leaver@teams-e2e.org")
    team = api.create_team("e2e-team-leave")
    team.invite("leaver@teams-e2e.org")
    leaver = next(m for m in api.team(team.name).members if m.username == "leaver")
    assert leaver.delete() is True
    assert [m.username for m in api.team(team.name).members] == ["admin"]


def test_service_account_is_a_member_whose_key_authenticates(
    make_api: MakeApi, api: Api, robot_team: tuple[str, ApiKey]
) -> None:
    team_name, key = robot_team
    members = api.team(team_name).members
    robot = next(m for m in members if m.account_type == "SERVICE")
    assert is_a(robot, "Member")
    assert robot.username == f"{team_name}-service-1"
    assert robot.api_key is None, "the key is shown only when the account is created"
    as_robot = api_with_key(make_api, key)
    assert as_robot.viewer.username == robot.username
    assert team_name in as_robot.viewer.teams


def test_service_account_key_is_hidden_in_reprs(api: Api) -> None:
    team = api.create_team("e2e-team-hidden-key")
    robot = team.create_service_account("hidden")
    assert robot.api_key is not None
    assert robot.api_key.reveal() not in repr(robot)
    assert robot.api_key.reveal() not in str(robot)


def test_team_admin_operations_need_team_admin_permission(
    make_api: MakeApi, api: Api, robot_team: tuple[str, ApiKey]
) -> None:
    as_robot = api_with_key(make_api, robot_team[1])
    team = as_robot.team(robot_team[0])
    with pytest.raises(GraphQLError, match="createInvite requires team admin permission"):
        team.invite("someone@example.com")
    with pytest.raises(GraphQLError, match="createServiceAccount requires team admin"):
        team.create_service_account("nope")


def test_a_team_the_caller_is_not_in_is_not_visible(
    make_api: MakeApi, api: Api, robot_team: tuple[str, ApiKey]
) -> None:
    api.create_team("e2e-team-private")
    as_robot = api_with_key(make_api, robot_team[1])
    with pytest.raises(NotFoundError):
        as_robot.team("e2e-team-private")


def test_the_team_setup_example_runs(api: Api) -> None:
    path = Path(__file__).resolve().parents[2] / "examples" / "team_setup.py"
    spec = importlib.util.spec_from_file_location("team_setup_example", path)
    assert spec is not None
    assert spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    lines = example.set_up_team(api, "e2e-example-team", "mnist", ["x@example-e2e.org"])
    assert lines[0] == "team e2e-example-team: 3 members and invites"
    assert lines[2] == "project e2e-example-team/mnist: ['mnist']"
    assert lines[3].startswith("uploaded README.txt (")
