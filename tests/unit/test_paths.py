"""The W&B path grammar: valid and invalid tables per kind, plus round-trip properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wandb_typed.errors import InvalidPathError
from wandb_typed.paths import (
    ArtifactPath,
    ProjectPath,
    ReportPath,
    RunPath,
    SweepPath,
    parse_any_path,
    parse_artifact_path,
    parse_project_path,
    parse_report_path,
    parse_run_path,
    parse_sweep_path,
)

DEFAULTS = {"default_entity": "dflt-entity", "default_project": "dflt-project"}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("e/p/runs/abc", RunPath("e", "p", "abc")),
        ("e/p/abc", RunPath("e", "p", "abc")),
        ("e/p:abc", RunPath("e", "p", "abc")),
        ("p/abc", RunPath("dflt-entity", "p", "abc")),
        ("p:abc", RunPath("dflt-entity", "p", "abc")),
        ("abc", RunPath("dflt-entity", "dflt-project", "abc")),
        ("p/runs/abc", RunPath("dflt-entity", "p", "abc")),
        ("  e/p/abc  ", RunPath("e", "p", "abc")),
        ("https://wandb.ai/e/p/runs/abc", RunPath("e", "p", "abc")),
        ("https://wandb.ai/e/p/runs/abc?nw=nwuser&workspace=x", RunPath("e", "p", "abc")),
        ("https://wandb.ai/e/p/runs/abc/overview#top", RunPath("e", "p", "abc")),
        ("http://localhost:8080/my%20team/p/runs/abc", RunPath("my team", "p", "abc")),
        ("e/runs/runs/abc", RunPath("e", "runs", "abc")),
    ],
)
def test_parse_run_path(path: str, expected: RunPath) -> None:
    assert parse_run_path(path, **DEFAULTS) == expected


@pytest.mark.parametrize(
    ("path", "defaults", "problem"),
    [
        ("", DEFAULTS, "the path is empty"),
        ("   ", DEFAULTS, "the path is empty"),
        ("/", DEFAULTS, "missing project"),
        ("/e/p/runs/abc", DEFAULTS, "expected at most"),
        ("e/p/runs/abc/", DEFAULTS, "expected at most"),
        ("e//abc", DEFAULTS, "missing project"),
        ("/p/abc", DEFAULTS, "missing entity"),
        ("e/p/x/abc", DEFAULTS, "the third part must be 'runs'"),
        ("e/p/", DEFAULTS, "missing run id"),
        ("e/p/runs/", DEFAULTS, "missing run id"),
        ("e/:abc", DEFAULTS, "missing project"),
        ("e/p:", DEFAULTS, "missing run id"),
        (":abc", DEFAULTS, "missing project"),
        ("e/p/sweeps/abc", DEFAULTS, "the third part must be 'runs'"),
        ("e/p/runs/abc/extra", DEFAULTS, "expected at most"),
        ("e/p/a:b", DEFAULTS, "must not contain ':'"),
        ("abc", {"default_project": "p"}, "missing entity"),
        ("abc", {"default_entity": "e"}, "missing project"),
        ("p/abc", {}, "missing entity"),
        ("https://wandb.ai/e/p", DEFAULTS, "expected an URL like"),
    ],
)
def test_parse_run_path_invalid(path: str, defaults: dict[str, str], problem: str) -> None:
    with pytest.raises(InvalidPathError) as info:
        parse_run_path(path, **defaults)
    message = str(info.value)
    assert problem in message
    assert repr(path) in message, "the message names the offending path"
    assert info.value.path == path
    assert isinstance(info.value, ValueError)


def test_default_entity_callable_is_called_only_when_needed() -> None:
    calls: list[str] = []

    def lookup() -> str:
        calls.append("called")
        return "looked-up"

    assert parse_run_path("e/p/abc", default_entity=lookup) == RunPath("e", "p", "abc")
    assert calls == []
    assert parse_run_path("p/abc", default_entity=lookup) == RunPath("looked-up", "p", "abc")
    assert calls == ["called"]


def test_default_entity_callable_returning_none_is_missing_entity() -> None:
    with pytest.raises(InvalidPathError, match="missing entity"):
        parse_project_path("p", default_entity=lambda: None)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("e/p/sweeps/sw1", SweepPath("e", "p", "sw1")),
        ("e/p/sw1", SweepPath("e", "p", "sw1")),
        ("p/sw1", SweepPath("dflt-entity", "p", "sw1")),
        ("sw1", SweepPath("dflt-entity", "dflt-project", "sw1")),
        ("https://wandb.ai/e/p/sweeps/sw1?workspace=w", SweepPath("e", "p", "sw1")),
    ],
)
def test_parse_sweep_path(path: str, expected: SweepPath) -> None:
    assert parse_sweep_path(path, **DEFAULTS) == expected


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("e/p/runs/sw1", "the third part must be 'sweeps'"),
        ("e/p/sweeps/", "missing sweep id"),
        ("", "the path is empty"),
    ],
)
def test_parse_sweep_path_invalid(path: str, problem: str) -> None:
    with pytest.raises(InvalidPathError, match=problem):
        parse_sweep_path(path, **DEFAULTS)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("e/p", ProjectPath("e", "p")),
        ("p", ProjectPath("dflt-entity", "p")),
        (" e / p ", ProjectPath("e", "p")),
        ("https://wandb.ai/e/p", ProjectPath("e", "p")),
        ("https://wandb.ai/e/p/workspace?nw=1", ProjectPath("e", "p")),
    ],
)
def test_parse_project_path(path: str, expected: ProjectPath) -> None:
    assert parse_project_path(path, default_entity="dflt-entity") == expected


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("", "the path is empty"),
        ("e/", "missing project"),
        ("p", "missing entity"),
        ("/p", "missing entity"),
        ("e/p/x", "got 3 parts"),
        ("e//", "got 3 parts"),
        ("/", "missing entity"),
    ],
)
def test_parse_project_path_invalid(path: str, problem: str) -> None:
    with pytest.raises(InvalidPathError, match=problem):
        parse_project_path(path)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("e/p/reports/Loss-curves--Vmlldzox", ReportPath("e", "p", "Vmlldzox", "Loss curves")),
        ("e/p/reports/--Vmlldzox", ReportPath("e", "p", "Vmlldzox", "")),
        ("e/p/reports/Vmlldzox", ReportPath("e", "p", "Vmlldzox", "")),
        ("p/reports/My-Report--ID9", ReportPath("dflt-entity", "p", "ID9", "My Report")),
        ("e/p/reports/50%25-done--ID9", ReportPath("e", "p", "ID9", "50% done")),
        (
            "https://wandb.ai/e/p/reports/Loss-curves--Vmlldzox?accessToken=t",
            ReportPath("e", "p", "Vmlldzox", "Loss curves"),
        ),
        ("e/p/reports/a--b--ID", ReportPath("e", "p", "ID", "a  b")),
    ],
)
def test_parse_report_path(path: str, expected: ReportPath) -> None:
    assert parse_report_path(path, default_entity="dflt-entity") == expected


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("e/p/reports/Loss-curves", "two dashes"),
        ("e/p/reports/Title--", "missing report id"),
        ("e/p/runs/x", "expected 'entity/project/reports/Title--ID'"),
        ("e/p", "expected 'entity/project/reports/Title--ID'"),
        ("/p/reports/T--ID", "missing entity"),
    ],
)
def test_parse_report_path_invalid(path: str, problem: str) -> None:
    with pytest.raises(InvalidPathError, match=problem):
        parse_report_path(path, default_entity="dflt-entity")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("e/p/model:v3", ArtifactPath("e", "p", "model", "v3")),
        ("e/p/model:latest", ArtifactPath("e", "p", "model", "latest")),
        ("p/model:v3", ArtifactPath("dflt-entity", "p", "model", "v3")),
        ("model:latest", ArtifactPath("dflt-entity", "dflt-project", "model", "latest")),
        ("e/p/model", ArtifactPath("e", "p", "model", None)),
        ("e/p/model:alias/with/slash", ArtifactPath("e", "p", "model", "alias/with/slash")),
        (
            "wandb-registry-model/resnet:v1",
            ArtifactPath("dflt-entity", "wandb-registry-model", "resnet", "v1"),
        ),
        (
            "org/wandb-registry-model/resnet:v1",
            ArtifactPath("org", "wandb-registry-model", "resnet", "v1"),
        ),
    ],
)
def test_parse_artifact_path(path: str, expected: ArtifactPath) -> None:
    assert parse_artifact_path(path, **DEFAULTS) == expected


def test_registry_paths_are_flagged() -> None:
    parsed = parse_artifact_path("wandb-registry-model/resnet:v1", default_entity="org")
    assert parsed.is_registry
    assert parsed.qualified_name == "resnet:v1"
    assert not parse_artifact_path("e/p/model:v1").is_registry


@pytest.mark.parametrize(
    ("path", "defaults", "problem"),
    [
        ("", DEFAULTS, "missing artifact name"),
        ("e/p/:v1", DEFAULTS, "missing artifact name"),
        ("e/p/model:", DEFAULTS, "missing version or alias"),
        ("e//model:v1", DEFAULTS, "missing project"),
        ("/p/model:v1", DEFAULTS, "missing entity"),
        ("a/b/c/model:v1", DEFAULTS, "expected at most"),
        ("model:v1", {"default_entity": "e"}, "missing project"),
        ("p/model:v1", {}, "missing entity"),
    ],
)
def test_parse_artifact_path_invalid(path: str, defaults: dict[str, str], problem: str) -> None:
    with pytest.raises(InvalidPathError, match=problem):
        parse_artifact_path(path, **defaults)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("p", ProjectPath("dflt-entity", "p")),
        ("e/p", ProjectPath("e", "p")),
        ("e/p/abc", RunPath("e", "p", "abc")),
        ("e/p/runs/abc", RunPath("e", "p", "abc")),
        ("e/p/sweeps/sw1", SweepPath("e", "p", "sw1")),
        ("e/p/reports/Title--ID", ReportPath("e", "p", "ID", "Title")),
        ("https://wandb.ai/e/p/runs/abc/logs", RunPath("e", "p", "abc")),
        ("https://wandb.ai/e/p/table?nw=1", ProjectPath("e", "p")),
    ],
)
def test_parse_any_path(path: str, expected: object) -> None:
    assert parse_any_path(path, default_entity="dflt-entity") == expected


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("e/p/artifacts/x", "expected 'project', 'entity/project'"),
        ("a/b/c/d/e", "expected 'project', 'entity/project'"),
        ("", "the path is empty"),
    ],
)
def test_parse_any_path_invalid(path: str, problem: str) -> None:
    with pytest.raises(InvalidPathError, match=problem):
        parse_any_path(path, default_entity="dflt-entity")


def test_non_string_path_is_an_invalid_path() -> None:
    with pytest.raises(InvalidPathError, match="must be a string"):
        parse_run_path(42, **DEFAULTS)  # type: ignore[arg-type]


# -- round trips: str() of a parsed path parses back to the same value ---------------------

NAME = st.text(
    alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Nd"), whitelist_characters="_-."),
    min_size=1,
    max_size=24,
).filter(lambda s: s.strip() == s and s not in (".",))
TITLE_WORD = st.text(
    alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Nd"), whitelist_characters="%&?"),
    min_size=1,
    max_size=10,
)


@given(NAME, NAME, NAME)
def test_run_path_round_trip(entity: str, project: str, run_id: str) -> None:
    path = RunPath(entity, project, run_id)
    assert parse_run_path(str(path)) == path
    assert parse_any_path(str(path)) == path


@given(NAME, NAME, NAME)
def test_sweep_path_round_trip(entity: str, project: str, sweep_id: str) -> None:
    path = SweepPath(entity, project, sweep_id)
    assert parse_sweep_path(str(path)) == path
    assert parse_any_path(str(path)) == path


@given(NAME, NAME)
def test_project_path_round_trip(entity: str, project: str) -> None:
    path = ProjectPath(entity, project)
    assert parse_project_path(str(path)) == path
    assert parse_any_path(str(path)) == path


@given(NAME, NAME, NAME.filter(lambda s: "-" not in s), st.lists(TITLE_WORD, max_size=4))
def test_report_path_round_trip(
    entity: str, project: str, report_id: str, words: list[str]
) -> None:
    path = ReportPath(entity, project, report_id, " ".join(w.replace("-", "") for w in words))
    assert parse_report_path(str(path)) == path


@given(NAME, NAME, NAME, st.one_of(st.none(), NAME))
def test_artifact_path_round_trip(
    entity: str, project: str, name: str, version: str | None
) -> None:
    path = ArtifactPath(entity, project, name, version)
    assert parse_artifact_path(str(path)) == path


@given(NAME, NAME)
def test_short_run_forms_agree(project: str, run_id: str) -> None:
    expected = RunPath("e", project, run_id)
    assert parse_run_path(f"{project}/{run_id}", default_entity="e") == expected
    assert parse_run_path(f"{project}:{run_id}", default_entity="e") == expected
    assert parse_run_path(f"e/{project}:{run_id}") == expected


def test_project_and_sweep_paths_unpack_index_and_equal_wandbs_lists() -> None:
    entity, project = parse_project_path("team/vision")
    assert (entity, project) == ("team", "vision")
    sweep = parse_sweep_path("team/vision/sweeps/abc")
    assert sweep == ["team", "vision", "abc"]
    assert sweep == ["team", "vision", "abc"]
    assert sweep != ["team", "vision"]
    assert (sweep[0], sweep[-1], len(sweep)) == ("team", "abc", 3)
    assert parse_project_path("team/vision") == ["team", "vision"]
    assert {parse_project_path("team/vision"): 1}[parse_project_path("team/vision")] == 1
