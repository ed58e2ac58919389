"""Reports and custom charts end to end: reports saved through GraphQL (``upsertView``, as
the app saves them), listed and read with ``Api.reports``, found with ``from_path``, their
run sets turned into runs queries, deleted; chart presets created with
``Api.create_custom_chart``. Both flavours.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sweeps_support import ENTITY, UPSERT_BUCKET, UPSERT_VIEW, graphql

from flavours import is_a
from wandb_typed import Api
from wandb_typed.errors import GraphQLError, InvalidArgumentError, NotFoundError
from wandb_typed_server import RunningServer

PROJECT = "reports"


def run_set(selected: list[str]) -> dict[str, Any]:
    """A run set: finished runs with ``config.lr >= 0.01``, sorted by loss ascending."""
    return {
        "filters": {
            "op": "OR",
            "filters": [
                {
                    "op": "AND",
                    "filters": [
                        {
                            "key": {"section": "run", "name": "state"},
                            "op": "=",
                            "value": "finished",
                        },
                        {"key": {"section": "config", "name": "lr"}, "op": ">=", "value": 0.01},
                    ],
                }
            ],
        },
        "sort": {"key": {"section": "summary", "name": "loss"}, "ascending": True},
        "selections": {"root": 1, "bounds": [], "tree": selected},
    }


SPEC = {
    "version": 5,
    "blocks": [{"type": "paragraph", "children": [{"text": "Loss went down."}]}],
    "panelGroups": [{"name": "Runs", "openRunSet": 0, "runSets": [run_set(["r1", "r3"])]}],
}


@pytest.fixture(scope="module")
def saved(local_server: RunningServer) -> dict[str, str]:
    """Four runs and three reports (the newest first when listed): their ids by name."""
    for name, lr, loss, state in [
        ("r1", 0.1, 0.3, "finished"),
        ("r2", 0.05, 0.2, "finished"),
        ("r3", 0.02, 0.1, "finished"),
        ("r4", 0.001, 0.05, "finished"),
    ]:
        graphql(
            local_server,
            UPSERT_BUCKET,
            name=name,
            project=PROJECT,
            entity=ENTITY,
            config=json.dumps({"lr": {"value": lr}}),
            summary=json.dumps({"loss": loss}),
            state=state,
        )
    ids = {}
    for name, title in [("first", "First look"), ("loss", "Loss: curves!"), ("third", "Third")]:
        data = graphql(
            local_server,
            UPSERT_VIEW,
            entityName=ENTITY,
            projectName=PROJECT,
            name=name,
            displayName=title,
            description=f"about {name}",
            type="runs",
            spec=json.dumps(SPEC),
        )
        assert data["upsertView"]["inserted"] is True
        ids[name] = data["upsertView"]["view"]["id"]
    return ids


def test_reports_are_listed_newest_first_across_pages(api: Api, saved: dict[str, str]) -> None:
    reports = list(api.reports(f"{ENTITY}/{PROJECT}", per_page=2))
    assert [report.name for report in reports] == ["third", "loss", "first"]
    assert all(is_a(report, "BetaReport") for report in reports)


def test_a_report_reads_its_fields(api: Api, saved: dict[str, str]) -> None:
    (report,) = api.reports(f"{ENTITY}/{PROJECT}", name="loss")
    assert (report.id, report.name, report.display_name, report.description) == (
        saved["loss"],
        "loss",
        "Loss: curves!",
        "about loss",
    )
    assert report.spec == SPEC
    assert report.sections == SPEC["panelGroups"]
    assert report.user is not None
    assert report.user.username == "admin"
    assert report.created_at <= report.updated_at
    assert report.url.endswith(f"/{ENTITY}/{PROJECT}/reports/Loss-curves--{saved['loss']}")
    assert report.to_html(height=300) == (
        f"<iframe src='{report.url}?jupyter=true' "
        "style='border:none;width:100%;height:300px;'></iframe>"
    )


def test_runs_of_a_section_follow_its_run_set(api: Api, saved: dict[str, str]) -> None:
    (report,) = api.reports(f"{ENTITY}/{PROJECT}", name="first")
    section = report.sections[0]
    assert [run.id for run in report.runs(section)] == ["r3", "r1"]
    assert [run.id for run in report.runs(section, only_selected=False)] == ["r3", "r2", "r1"]
    with pytest.raises(InvalidArgumentError, match="no run set"):
        report.runs({"runSets": []})


def test_from_path_finds_a_report_by_its_url_path(api: Api, saved: dict[str, str]) -> None:
    path = f"{ENTITY}/{PROJECT}/reports/Third--{saved['third']}"
    found = api.from_path(path)
    assert is_a(found, "BetaReport")
    assert (found.id, found.display_name, found.spec) == (saved["third"], "Third", SPEC)
    missing = f"{ENTITY}/{PROJECT}/reports/Gone--Vmlldzo5OTk5"
    with pytest.raises(NotFoundError, match=f"report {missing} not found"):
        api.from_path(missing)
    elsewhere = f"{ENTITY}/other-project/reports/Third--{saved['third']}"
    with pytest.raises(NotFoundError):
        api.from_path(elsewhere)


def test_a_deleted_report_is_gone(api: Api, local_server: RunningServer) -> None:
    data = graphql(
        local_server,
        UPSERT_VIEW,
        entityName=ENTITY,
        projectName="reports-delete",
        name="temp",
        displayName="Temp",
        type="runs",
        spec="{}",
    )
    report_id = data["upsertView"]["view"]["id"]
    (report,) = api.reports(f"{ENTITY}/reports-delete")
    report.delete()
    assert list(api.reports(f"{ENTITY}/reports-delete")) == []
    with pytest.raises(NotFoundError):
        api.from_path(f"{ENTITY}/reports-delete/reports/Temp--{report_id}")


def test_a_report_spec_must_be_json(local_server: RunningServer) -> None:
    with pytest.raises(AssertionError, match="'spec' is not valid JSON"):
        graphql(local_server, UPSERT_VIEW, entityName=ENTITY, projectName=PROJECT, spec="{oops")


def test_reports_of_a_missing_project(api: Api) -> None:
    with pytest.raises(NotFoundError, match="no-such-reports-project"):
        list(api.reports(f"{ENTITY}/no-such-reports-project"))


def test_create_custom_chart(api: Api, request: pytest.FixtureRequest) -> None:
    name = f"bars-{request.node.callspec.id.split('-')[0]}"
    spec = {"mark": "bar", "data": {"name": "wandb"}}
    chart_id = api.create_custom_chart(ENTITY, name, "Bars", "vega2", "private", spec)
    assert chart_id == f"{ENTITY}/{name}"
    with pytest.raises(GraphQLError, match=f"'name': {ENTITY}/{name} already exists"):
        api.create_custom_chart(ENTITY, name, "Bars", "vega2", "public", json.dumps(spec))


@pytest.mark.parametrize(
    ("spec_type", "access", "spec", "named"),
    [
        ("vega3", "private", {}, "spec_type"),
        ("vega2", "secret", {}, "access"),
        ("vega2", "public", "{not json", "spec"),
    ],
)
def test_a_bad_custom_chart_is_refused_naming_it(
    api: Api, spec_type: str, access: str, spec: Any, named: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=named):
        api.create_custom_chart(ENTITY, "bad-chart", "Bad", spec_type, access, spec)


CREATE_CHART = """
mutation CreateCustomChart($entity: String!, $name: String!, $displayName: String!,
                           $type: String!, $access: String!, $spec: JSONString!) {
  createCustomChart(input: {entity: $entity, name: $name, displayName: $displayName,
                            type: $type, access: $access, spec: $spec}) { chart { id } }
}"""


@pytest.mark.parametrize(
    ("name", "chart_type", "access", "spec", "named"),
    [
        ("ok-name", "vega3", "PRIVATE", "{}", "'type'"),
        ("ok-name", "vega2", "SECRET", "{}", "'access'"),
        # Refused by the JSONString scalar before the resolver runs, naming the variable.
        ("ok-name", "vega2", "PUBLIC", "{not json", r"Variable '\$spec'.*not JSON"),
        ("bad name!", "vega2", "PUBLIC", "{}", "'name'"),
    ],
)
def test_the_server_refuses_a_bad_custom_chart_naming_it(
    local_server: RunningServer, name: str, chart_type: str, access: str, spec: str, named: str
) -> None:
    with pytest.raises(AssertionError, match=named):
        graphql(
            local_server,
            CREATE_CHART,
            entity=ENTITY,
            name=name,
            displayName="X",
            type=chart_type,
            access=access,
            spec=spec,
        )
