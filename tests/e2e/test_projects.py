"""Projects end to end: create, look up, list (pagination boundaries, projects added while
paginating), a project's runs and sweeps, and the errors for missing or malformed names, in
both flavours."""

from __future__ import annotations

import pytest
from runs_support import ENTITY, api_for

from flavours import is_a, replace
from wandb_typed import Api
from wandb_typed.errors import InvalidArgumentError, InvalidPathError, NotFoundError
from wandb_typed_server import RunningServer
from wandb_typed_server.testing.seed import SeedRun, seed_runs


@pytest.fixture(scope="module")
def listed_team(local_server: RunningServer) -> str:
    """A team of its own holding exactly five projects, p0..p4."""
    with api_for(local_server) as api:
        team = api.create_team("e2e-projects-listed").name
        for index in range(5):
            api.create_project(f"p{index}", team)
    return team


def test_create_project_returns_it_and_project_reads_it_back(api: Api) -> None:
    created = api.create_project("e2e-created", ENTITY)
    assert is_a(created, "Project")
    assert (created.entity, created.name) == (ENTITY, "e2e-created")
    fetched = api.project("e2e-created", entity=ENTITY)
    assert fetched == created
    assert fetched.created_at == created.created_at
    assert str(fetched.path) == f"{ENTITY}/e2e-created"
    assert fetched.url.endswith(f"/{ENTITY}/e2e-created/workspace")


def test_create_project_twice_keeps_one_project(api: Api) -> None:
    first = api.create_project("e2e-twice", ENTITY)
    second = api.create_project("e2e-twice", ENTITY)
    assert first.id == second.id
    assert [p.name for p in api.projects(ENTITY)].count("e2e-twice") == 1


def test_project_without_entity_uses_the_default_entity(api: Api) -> None:
    api.create_project("e2e-default-entity", ENTITY)
    assert api.project("e2e-default-entity").entity == ENTITY


def test_project_path_form_is_accepted(api: Api) -> None:
    api.create_project("e2e-path-form", ENTITY)
    assert api.project(f"{ENTITY}/e2e-path-form").name == "e2e-path-form"


def test_missing_project_is_not_found(api: Api) -> None:
    with pytest.raises(NotFoundError, match="admin/no-such-project") as caught:
        api.project("no-such-project", entity=ENTITY)
    assert caught.value.kind == "project"


@pytest.mark.parametrize("name", ["", "a/b/c/d/e"])
def test_malformed_project_name_is_an_invalid_path(api: Api, name: str) -> None:
    with pytest.raises(InvalidPathError):
        api.project(name, entity=ENTITY)


# -- listing -------------------------------------------------------------------------------


@pytest.mark.parametrize("per_page", [1, 4, 5, 6, 200])
def test_projects_lists_every_project_once_in_name_order(
    api: Api, listed_team: str, per_page: int
) -> None:
    names = [p.name for p in api.projects(listed_team, per_page=per_page)]
    assert names == ["p0", "p1", "p2", "p3", "p4"]
    assert all(p.entity == listed_team for p in api.projects(listed_team, per_page=per_page))


def test_projects_of_an_entity_without_projects_is_empty(api: Api) -> None:
    team = api.create_team("e2e-projects-empty").name
    projects = api.projects(team, per_page=1)
    assert list(projects) == []
    assert not projects


def test_projects_has_no_length_like_wandb(api: Api, listed_team: str) -> None:
    with pytest.raises(TypeError, match="no total count"):
        len(api.projects(listed_team))


def test_projects_of_a_missing_entity_is_not_found(api: Api) -> None:
    with pytest.raises(NotFoundError, match="no-such-entity") as caught:
        list(api.projects("no-such-entity"))
    assert caught.value.kind == "entity"


def test_projects_defaults_to_the_viewer_entity(api: Api) -> None:
    api.create_project("e2e-default-listing", ENTITY)
    assert "e2e-default-listing" in [p.name for p in api.projects()]


def test_projects_added_while_paginating_are_seen_once(api: Api) -> None:
    team = api.create_team("e2e-projects-growing").name
    for name in ["b", "c", "d", "e", "f"]:
        api.create_project(name, team)
    projects = api.projects(team, per_page=2)
    seen = [p.name for p in projects[:2]]
    assert seen == ["b", "c"]
    api.create_project("a", team)  # before the cursor: not part of this listing
    api.create_project("z", team)  # after the cursor: reached on a later page
    seen = [p.name for p in projects]
    assert seen == ["b", "c", "d", "e", "f", "z"]


# -- a project's runs and sweeps -------------------------------------------------------------


def test_project_runs_delegates_to_api_runs(api: Api, local_server: RunningServer) -> None:
    project_name = "e2e-project-runs"
    seed_runs(
        local_server.base_url,
        local_server.api_key,
        ENTITY,
        project_name,
        [SeedRun(f"r{i}", config={"i": i}) for i in range(3)],
    )
    project = api.project(project_name, entity=ENTITY)
    runs = project.runs(order="-config.i", per_page=2)
    assert len(runs) == 3
    assert [run.id for run in runs] == ["r2", "r1", "r0"]
    filtered = project.runs(filters={"config.i": {"$gte": 1}})
    assert sorted(run.id for run in filtered) == ["r1", "r2"]


def test_project_sweeps_is_empty_until_the_server_has_sweeps(api: Api) -> None:
    project = api.create_project("e2e-project-sweeps", ENTITY)
    sweeps = project.sweeps()
    assert list(sweeps) == []
    assert len(sweeps) == 0


def test_sweeps_of_a_missing_project_is_not_found(api: Api) -> None:
    project = api.create_project("e2e-sweeps-gone", ENTITY)
    ghost = replace(project, name="never-created")
    with pytest.raises(NotFoundError, match="never-created"):
        list(ghost.sweeps())


def test_from_path_with_a_project_path_gives_the_project(api: Api) -> None:
    api.create_project("e2e-from-path", ENTITY)
    found = api.from_path(f"{ENTITY}/e2e-from-path")
    assert is_a(found, "Project")
    assert found.name == "e2e-from-path"


@pytest.mark.parametrize("per_page", [0, -3])
def test_projects_per_page_out_of_range_is_refused(api: Api, per_page: int) -> None:
    with pytest.raises(InvalidArgumentError, match="per_page must be a positive int"):
        api.projects(ENTITY, per_page=per_page)
