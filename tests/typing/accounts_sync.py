"""What a user's program gets from projects, sweeps, users and teams (sync flavour)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime

from typing_extensions import assert_type

from wandb_typed import (
    ApiKey,
    Member,
    Page,
    Project,
    ProjectPath,
    Projects,
    Runs,
    Sweep,
    SweepPath,
    Sweeps,
    Team,
    User,
    UserApiKey,
)
from wandb_typed._json import JSONValue


def check_project(project: Project, path: ProjectPath) -> None:
    assert_type(project.id, str)
    assert_type(project.name, str)
    assert_type(project.entity, str)
    assert_type(project.description, str | None)
    assert_type(project.created_at, datetime)
    assert_type(project.is_benchmark, bool)
    assert_type(project.read_only, bool)
    assert_type(project.url, str)
    assert_type(project.path, ProjectPath)
    assert_type(project.runs(filters={"state": "running"}, per_page=10), Runs)
    assert_type(project.sweeps(per_page=10), Sweeps)
    assert_type(path.entity, str)
    assert_type(path.project, str)


def check_projects(projects: Projects) -> None:
    for project in projects:
        assert_type(project, Project)
    assert_type(projects[0], Project)
    assert_type(len(projects), int)
    assert_type(projects.total, int | None)
    assert_type(projects.total_count(), int)
    assert_type(projects.is_empty(), bool)
    assert_type(projects.pages(), Iterator[Page[Project]])
    assert_type(projects.per_page, int)
    assert_type(projects.connection_path, Sequence[str])
    assert_type(projects.entity, str)
    assert_type(projects.close(), None)


def check_sweeps(sweeps: Sweeps, sweep: Sweep, path: SweepPath) -> None:
    for each in sweeps:
        assert_type(each, Sweep)
    assert_type(sweeps[0], Sweep)
    assert_type(len(sweeps), int)
    assert_type(sweeps.total, int | None)
    assert_type(sweeps.total_count(), int)
    assert_type(sweeps.is_empty(), bool)
    assert_type(sweeps.pages(), Iterator[Page[Sweep]])
    assert_type(sweeps.per_page, int)
    assert_type(sweeps.connection_path, Sequence[str])
    assert_type(sweeps.project, ProjectPath)
    assert_type(sweeps.close(), None)
    assert_type(sweep.id, str)
    assert_type(sweep.name, str)
    assert_type(sweep.display_name, str | None)
    assert_type(sweep.description, str | None)
    assert_type(sweep.method, str)
    assert_type(sweep.state, str)
    assert_type(sweep.best_loss, float | None)
    assert_type(sweep.config_yaml, str)
    assert_type(sweep.run_count, int)
    assert_type(sweep.expected_run_count, int | None)
    assert_type(sweep.created_at, datetime)
    assert_type(sweep.updated_at, datetime | None)
    assert_type(sweep.project, str)
    assert_type(sweep.path, SweepPath)
    assert_type(path.entity, str)
    assert_type(path.project, str)
    assert_type(path.sweep_id, str)
    assert_type(path.project_path, ProjectPath)


def check_user(user: User, key: UserApiKey, secret: ApiKey) -> None:
    assert_type(user.id, str)
    assert_type(user.name, str)
    assert_type(user.username, str | None)
    assert_type(user.email, str | None)
    assert_type(user.admin, bool)
    assert_type(user.entity, str | None)
    assert_type(user.flags, Mapping[str, JSONValue])
    assert_type(user.deleted_at, datetime | None)
    assert_type(user.teams, tuple[str, ...])
    assert_type(user.api_keys, tuple[UserApiKey, ...])
    assert_type(user.generate_api_key(description="ci"), UserApiKey)
    assert_type(user.delete_api_key(key), bool)
    assert_type(key.id, str)
    assert_type(key.description, str | None)
    assert_type(key.key, ApiKey)
    assert_type(secret.reveal(), str)


def check_team(team: Team, member: Member) -> None:
    assert_type(team.id, str)
    assert_type(team.name, str)
    assert_type(team.is_team, bool)
    assert_type(team.available, bool | None)
    assert_type(team.photo_url, str | None)
    assert_type(team.private_only, bool)
    assert_type(team.read_only, bool)
    assert_type(team.members, tuple[Member, ...])
    assert_type(team.invite("bob@example.com", admin=False), bool)
    assert_type(team.create_service_account("ci bot"), Member)
    assert_type(member.id, str | None)
    assert_type(member.name, str)
    assert_type(member.username, str | None)
    assert_type(member.email, str | None)
    assert_type(member.admin, bool)
    assert_type(member.pending, bool)
    assert_type(member.account_type, str | None)
    assert_type(member.photo_url, str | None)
    assert_type(member.team, str)
    assert_type(member.api_key, ApiKey | None)
    assert_type(member.delete(), bool)
