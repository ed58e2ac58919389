"""Each domain's client code on canned replies (``tests/fakes.py``), in both flavours: the
runs listing builds its pages and runs, the projects listing pages and refuses a missing
entity, user searches prefer the exact match, teams read their members and send invites.

What is checked here is the client's side: which operations and variables go out, and what
is built from a reply of the documented shape. The server's side is ``tests/server``; both
together are ``tests/e2e``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import pytest

from fakes import Call, FakeGraphQL
from flavours import is_a
from wandb_typed import Api, RunUser
from wandb_typed.errors import InvalidResponseError, NotFoundError

# -- canned shapes -------------------------------------------------------------------------


def light_run(name: str, **fields: object) -> dict[str, Any]:
    """A ``LightRunFragment`` as the server sends it."""
    run: dict[str, Any] = {
        "id": f"storage-{name}",
        "projectId": "project-1",
        "name": name,
        "displayName": None,
        "tags": ["t1"],
        "sweepName": None,
        "state": "finished",
        "group": None,
        "jobType": None,
        "commit": None,
        "readOnly": False,
        "createdAt": "2026-01-05T09:30:00",
        "heartbeatAt": None,
        "description": None,
        "notes": None,
        "historyLineCount": 3,
        "user": {"name": "Alice", "username": "alice"},
    }
    run.update(fields)
    return run


def connection(
    nodes: list[dict[str, Any]], *, end: str | None, has_next: bool, cursors: bool = True
) -> dict[str, Any]:
    """A Relay connection of ``nodes`` (edge cursors ``c-<node name>``)."""
    return {
        "edges": [
            {"node": node, **({"cursor": f"c-{node['name']}"} if cursors else {})} for node in nodes
        ],
        "pageInfo": {"endCursor": end, "hasNextPage": has_next},
    }


def project(name: str, entity: str = "team") -> dict[str, Any]:
    """A ``ProjectFragment``."""
    return {
        "id": f"id-{name}",
        "name": name,
        "entityName": entity,
        "description": None,
        "createdAt": "2026-01-05T09:30:00",
        "isBenchmark": False,
        "readOnly": None,
    }


def user(username: str, email: str, **fields: object) -> dict[str, Any]:
    """A ``UserFragment``."""
    found: dict[str, Any] = {
        "id": f"id-{username}",
        "name": username.title(),
        "username": username,
        "email": email,
        "admin": None,
        "entity": username,
        "flags": None,
        "deletedAt": None,
        "apiKeys": None,
        "teams": None,
    }
    found.update(fields)
    return found


def member(login: str, **fields: object) -> dict[str, Any]:
    """A member of a ``TeamFragment`` (``login``: its username)."""
    found: dict[str, Any] = {
        "id": f"id-{login}",
        "admin": False,
        "pending": False,
        "email": f"{login}@example.com",
        "username": login,
        "name": login.title(),
        "photoUrl": None,
        "accountType": "MEMBER",
    }
    found.update(fields)
    return found


def team(name: str, members: list[dict[str, Any]]) -> dict[str, Any]:
    """A ``TeamFragment``."""
    return {
        "id": f"id-{name}",
        "name": name,
        "available": None,
        "photoUrl": None,
        "readOnly": None,
        "isTeam": True,
        "privateOnly": False,
        "members": members,
    }


def operations(fake: FakeGraphQL) -> list[str]:
    return [call.operation for call in fake.calls]


# -- runs: the listing's pages -------------------------------------------------------------


def paged_runs(pages: Mapping[str | None, dict[str, Any]], total: int) -> Any:
    """A ``GetRunsLight``/``GetRuns`` answer: the connection for the request's cursor."""

    def answer(variables: Mapping[str, Any]) -> dict[str, Any]:
        return {"project": {"runCount": total, "runs": pages[variables.get("cursor")]}}

    return answer


def test_runs_pages_follow_the_end_cursor_and_count_from_run_count(
    api: Api, fake: FakeGraphQL
) -> None:
    fake.on(
        "GetRunsLight",
        paged_runs(
            {
                None: connection([light_run("a"), light_run("b")], end="after-b", has_next=True),
                "after-b": connection([light_run("c")], end="after-c", has_next=False),
            },
            total=3,
        ),
    )
    runs = api.runs("team/vision", filters={"config.lr": 0.1}, order="-created_at", per_page=2)
    assert [run.id for run in runs] == ["a", "b", "c"]
    assert len(runs) == 3
    first, second = fake.calls
    assert operations(fake) == ["GetRunsLight", "GetRunsLight"]
    assert json.loads(first.variables.pop("filters")) == {"config.lr": 0.1}
    assert first.variables == {
        "entity": "team",
        "project": "vision",
        "order": "-created_at",
        "cursor": None,
        "perPage": 2,
    }
    assert second.variables["cursor"] == "after-b"


def test_a_page_without_end_cursor_continues_after_its_last_edge(
    api: Api, fake: FakeGraphQL
) -> None:
    fake.on(
        "GetRunsLight",
        paged_runs(
            {
                None: connection([light_run("a"), light_run("b")], end=None, has_next=True),
                "c-b": connection([light_run("c")], end=None, has_next=False),
            },
            total=3,
        ),
    )
    assert [run.id for run in api.runs("team/vision", per_page=2)] == ["a", "b", "c"]


def test_a_cursor_that_does_not_advance_is_refused(api: Api, fake: FakeGraphQL) -> None:
    fake.on(
        "GetRunsLight",
        paged_runs(
            {
                None: connection([light_run("a")], end="same", has_next=True),
                "same": connection([light_run("b")], end="same", has_next=True),
            },
            total=9,
        ),
    )
    with pytest.raises(InvalidResponseError, match="does not advance"):
        list(api.runs("team/vision", per_page=1))


def test_a_listed_run_is_built_from_its_light_fields(api: Api, fake: FakeGraphQL) -> None:
    fake.on(
        "GetRunsLight",
        paged_runs(
            {None: connection([light_run("a", displayName="Run A")], end=None, has_next=False)},
            total=1,
        ),
    )
    (run,) = api.runs("team/vision")
    assert is_a(run, "Run")
    assert (run.id, run.name, run.entity, run.project) == ("a", "Run A", "team", "vision")
    assert run.storage_id == "storage-a"
    assert run.tags == ["t1"]
    assert run.created_at == datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)
    assert run.user == RunUser(name="Alice", username="alice")
    assert run.history_line_count == 3
    assert operations(fake) == ["GetRunsLight"]


def test_the_config_of_a_listed_run_loads_its_whole_page_once(api: Api, fake: FakeGraphQL) -> None:
    fake.on(
        "GetRunsLight",
        paged_runs(
            {None: connection([light_run("a"), light_run("b")], end=None, has_next=False)},
            total=2,
        ),
    )
    heavy = [
        {
            "name": name,
            "config": json.dumps({"lr": {"value": lr, "desc": None}}),
            "summaryMetrics": json.dumps({"loss": lr / 10}),
            "systemMetrics": "{}",
            "historyKeys": {"lastStep": 2},
        }
        for name, lr in (("a", 0.1), ("b", 0.2))
    ]
    fake.on("GetRunsHeavyFields", {"project": {"runs": {"edges": [{"node": h} for h in heavy]}}})
    a, b = api.runs("team/vision")
    assert a.config["lr"] == 0.1
    assert b.summary["loss"] == 0.02
    assert operations(fake) == ["GetRunsLight", "GetRunsHeavyFields"]
    assert json.loads(fake.calls[1].variables["filters"]) == {"name": {"$in": ["a", "b"]}}


def test_the_runs_of_a_missing_project_are_not_found(api: Api, fake: FakeGraphQL) -> None:
    fake.on("GetRunsLight", {"project": None})
    with pytest.raises(NotFoundError, match="project team/gone") as caught:
        list(api.runs("team/gone"))
    assert caught.value.kind == "project"


# -- projects: the listing -----------------------------------------------------------------


def test_projects_are_listed_page_by_page_without_a_length(api: Api, fake: FakeGraphQL) -> None:
    pages = {
        None: connection([project("a"), project("b")], end="after-b", has_next=True),
        "after-b": connection([project("c")], end=None, has_next=False),
    }
    fake.on("GetProjects", lambda variables: {"models": pages[variables.get("cursor")]})
    projects = api.projects("team", per_page=2)
    listed = list(projects)
    assert [(p.entity, p.name) for p in listed] == [("team", "a"), ("team", "b"), ("team", "c")]
    assert all(is_a(p, "Project") for p in listed)
    assert listed[0].created_at == datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)
    assert [call.variables for call in fake.calls] == [
        {"entity": "team", "cursor": None, "perPage": 2},
        {"entity": "team", "cursor": "after-b", "perPage": 2},
    ]
    with pytest.raises(TypeError, match="no total count"):
        len(projects)


def test_the_projects_of_a_missing_entity_are_not_found(api: Api, fake: FakeGraphQL) -> None:
    fake.on("GetProjects", {"models": None})
    with pytest.raises(NotFoundError, match="'ghost' not found") as caught:
        list(api.projects("ghost"))
    assert caught.value.kind == "entity"


def test_projects_without_entity_use_the_viewers_default(api: Api, fake: FakeGraphQL) -> None:
    fake.on("GetViewer", {"viewer": user("alice", "alice@example.com")})
    fake.on(
        "GetProjects", {"models": connection([project("p", "alice")], end=None, has_next=False)}
    )
    assert [p.name for p in api.projects()] == ["p"]
    assert operations(fake) == ["GetViewer", "GetProjects"]
    assert fake.calls[1].variables["entity"] == "alice"


# -- users ---------------------------------------------------------------------------------


def test_user_prefers_the_exact_match(api: Api, fake: FakeGraphQL) -> None:
    fake.on(
        "SearchUsers",
        {
            "users": {
                "edges": [
                    {"node": user("anna", "anna@example.com")},
                    {"node": user("ann", "ann@example.com")},
                    {"node": None},
                ]
            }
        },
    )
    found = api.user("ann")
    assert found is not None
    assert is_a(found, "User")
    assert found.username == "ann"
    assert [u.username for u in api.users("ann")] == ["anna", "ann"]
    assert fake.calls[0] == Call("SearchUsers", {"query": "ann"})


def test_user_is_none_when_nothing_matches(api: Api, fake: FakeGraphQL) -> None:
    fake.on("SearchUsers", {"users": {"edges": []}})
    assert api.user("nobody") is None
    assert api.users("nobody") == []


def test_the_viewer_is_fetched_once_and_decoded(api: Api, fake: FakeGraphQL) -> None:
    secret = "listed-key-0123456789abcdef0123456789abc"
    fake.on(
        "GetViewer",
        {
            "viewer": user(
                "alice",
                "alice@example.com",
                flags='{"beta": true}',
                deletedAt="2026-02-01T00:00:00Z",
                apiKeys={"edges": [{"node": {"id": "k1", "name": secret, "description": "ci"}}]},
                teams={"edges": [{"node": {"name": "vision"}}]},
            )
        },
    )
    viewer = api.viewer
    assert viewer is api.viewer
    assert (viewer.username, viewer.flags, viewer.teams) == ("alice", {"beta": True}, ("vision",))
    assert viewer.deleted_at == datetime(2026, 2, 1, tzinfo=timezone.utc)
    assert [(k.id, k.description) for k in viewer.api_keys] == [("k1", "ci")]
    assert secret not in repr(viewer)
    assert api.default_entity == "alice"
    assert operations(fake) == ["GetViewer"]


# -- teams ---------------------------------------------------------------------------------


def test_a_team_is_read_with_its_members_and_pending_invites(api: Api, fake: FakeGraphQL) -> None:
    fake.on(
        "GetTeam",
        {
            "entity": team(
                "vision",
                [
                    member("alice", admin=True),
                    member("vision-service-1", accountType="SERVICE"),
                    member("invited", pending=True, username=None, name="invited"),
                ],
            )
        },
    )
    found = api.team("vision")
    assert is_a(found, "Team")
    assert fake.calls == [Call("GetTeam", {"name": "vision"})]
    assert [(str(m), m.admin, m.pending, m.account_type) for m in found.members] == [
        ("alice", True, False, "MEMBER"),
        ("vision-service-1", False, False, "SERVICE"),
        ("invited", False, True, "MEMBER"),
    ]
    assert all(is_a(m, "Member") and m.team == "vision" for m in found.members)


def test_a_missing_team_is_not_found(api: Api, fake: FakeGraphQL) -> None:
    fake.on("GetTeam", {"entity": None})
    with pytest.raises(NotFoundError, match="'ghost' not found") as caught:
        api.team("ghost")
    assert caught.value.kind == "team"


def test_invites_go_by_username_or_by_email(api: Api, fake: FakeGraphQL) -> None:
    fake.on("GetTeam", {"entity": team("vision", [member("alice", admin=True)])})
    fake.on("CreateInvite", {"createInvite": {"success": True, "invite": None}})
    found = api.team("vision")
    assert found.invite("bob") is True
    assert found.invite("carol@example.com", admin=True) is True
    assert [call.variables for call in fake.calls[1:]] == [
        {"entityName": "vision", "email": None, "username": "bob", "admin": False},
        {"entityName": "vision", "email": "carol@example.com", "username": None, "admin": True},
    ]


def test_a_member_is_deleted_by_its_id(api: Api, fake: FakeGraphQL) -> None:
    fake.on("GetTeam", {"entity": team("vision", [member("alice"), member("bob")])})
    fake.on("DeleteInvite", {"deleteInvite": {"success": True}})
    bob = api.team("vision").members[1]
    assert bob.delete() is True
    assert fake.calls[-1] == Call("DeleteInvite", {"id": "id-bob", "entityName": "vision"})
