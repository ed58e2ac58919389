"""Drop-in members of ``Run`` and ``Project`` (issue 13) and the typed reads, end to end
against the local server, in both flavours. What the official client gives for the same
calls is compared in ``tests/compat/test_official_dropin.py``."""

from __future__ import annotations

import json
import warnings
from datetime import timezone
from pathlib import Path

import pandas
import pydantic
import pytest
import yaml
from runs_support import ENTITY

from flavours import is_a, unwrap
from wandb_typed import Api
from wandb_typed.errors import UnsupportedByServerError, ValueTypeError
from wandb_typed_server import RunningServer
from wandb_typed_server.testing.seed import SeedRun, seed_runs

PROJECT = "e2e-dropin"


class TrainConfig(pydantic.BaseModel):
    lr: float
    layers: int
    opt: str = "sgd"


class Scores(pydantic.BaseModel):
    loss: float


@pytest.fixture(scope="module")
def project_path(local_server: RunningServer) -> str:
    metadata = {"python": "3.11.7", "host": "box", "args": ["--lr", "0.1"]}
    seed_runs(
        local_server.base_url,
        local_server.api_key,
        ENTITY,
        PROJECT,
        [
            SeedRun(
                "full",
                config={"_wandb": {"t": 1}, "lr": 0.1, "layers": 3, "opt": "adam"},
                history=[{"loss": 1.0 / (step + 1)} for step in range(5)],
                files={"wandb-metadata.json": json.dumps(metadata).encode()},
            ),
            SeedRun("bare", config={"lr": "high", "layers": 2}, summary={"loss": "n/a"}),
        ],
    )
    return f"{ENTITY}/{PROJECT}"


def test_config_and_summary_are_dicts(api: Api, project_path: str) -> None:
    run = api.run(f"{project_path}/full")
    # unwrap: the async flavour's summary is seen through a proxy of the tests' bridge
    config, summary = run.config, unwrap(run.summary)
    assert isinstance(config, dict)
    assert isinstance(summary, dict)
    assert json.loads(json.dumps(config)) == {"lr": 0.1, "layers": 3, "opt": "adam"}
    assert yaml.safe_load(yaml.safe_dump(summary))["loss"] == 0.2
    assert pandas.DataFrame([run.config]).to_dict("records") == [
        {"lr": 0.1, "layers": 3, "opt": "adam"}
    ]


def test_summary_update_still_writes_back(api: Api, project_path: str) -> None:
    run = api.run(f"{project_path}/full")
    run.summary.update({"best": 0.5})
    assert api.run(f"{project_path}/full").summary["best"] == 0.5


def test_rawconfig_json_config_username(api: Api, project_path: str) -> None:
    run = api.run(f"{project_path}/full")
    assert run.rawconfig == {"_wandb": {"t": 1}, "lr": 0.1, "layers": 3, "opt": "adam"}
    assert json.loads(run.json_config)["lr"] == {"value": 0.1, "desc": None}
    assert json.loads(run.json_config)["_wandb"] == {"value": {"t": 1}, "desc": None}
    assert run.username == ENTITY


def test_metadata(api: Api, project_path: str) -> None:
    assert api.run(f"{project_path}/full").metadata == {
        "python": "3.11.7",
        "host": "box",
        "args": ["--lr", "0.1"],
    }
    assert api.run(f"{project_path}/bare").metadata is None


def test_load_full_data_of_a_lazily_listed_run(api: Api, project_path: str) -> None:
    listed = next(run for run in api.runs(project_path) if run.id == "full")
    data = listed.load_full_data()
    assert data["config"] == {"lr": 0.1, "layers": 3, "opt": "adam"}
    assert data["summaryMetrics"]["loss"] == 0.2
    assert data["name"] == "full"


def test_to_html(api: Api, project_path: str) -> None:
    run = api.run(f"{project_path}/full")
    html = run.to_html(height=300)
    assert html.startswith(f"<iframe src='{run.url}?jupyter=true'")
    assert "height:300px" in html
    assert "display:none" in run.to_html(hidden=True)


def test_beta_scan_history_warns_and_scans(api: Api, project_path: str) -> None:
    run = api.run(f"{project_path}/full")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows = list(run.beta_scan_history(keys=["loss"]))
    assert [row["loss"] for row in rows] == [1.0 / (step + 1) for step in range(5)]
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)


def test_download_history_exports_names_what_the_server_lacks(
    api: Api, project_path: str, tmp_path: Path
) -> None:
    with pytest.raises(UnsupportedByServerError, match="no Parquet history exports"):
        api.run(f"{project_path}/full").download_history_exports(tmp_path)
    empty = api.run(f"{project_path}/bare").download_history_exports(tmp_path)
    assert (empty.paths, empty.contains_live_data) == ([], False)


def test_timestamps_are_utc(api: Api, project_path: str) -> None:
    run = api.run(f"{project_path}/full")
    assert run.created_at.tzinfo is timezone.utc
    assert api.project(PROJECT, entity=ENTITY).created_at.tzinfo is timezone.utc


def test_project_path_url_owner_artifact_types(api: Api, project_path: str) -> None:
    project = api.project(PROJECT, entity=ENTITY)
    entity, name = project.path
    assert (entity, name, project.path[1]) == (ENTITY, PROJECT, PROJECT)
    assert project.path == [ENTITY, PROJECT]
    assert project.url.endswith(f"/{ENTITY}/{PROJECT}/workspace")
    assert project.to_html().startswith(f"<iframe src='{project.url}?jupyter=true'")
    owner = project.owner
    assert is_a(owner, "User")
    assert owner.username == ENTITY
    assert list(project.artifacts_types()) == []


# -- typed reads ---------------------------------------------------------------------------


def test_typed_reads(api: Api, project_path: str) -> None:
    run = api.run(f"{project_path}/full")
    assert run.summary.number("loss") == 0.2
    assert run.config.get_as("lr", float) == 0.1
    assert run.config.get_as("layers", float) == 3.0  # an int reads as a float
    assert run.config.integer("layers") == 3
    assert run.config.string("opt") == "adam"
    assert run.config.get_as("missing", float, None) is None
    with pytest.raises(KeyError):
        run.config.number("missing")


def test_typed_reads_name_the_wrong_type(api: Api, project_path: str) -> None:
    run = api.run(f"{project_path}/bare")
    with pytest.raises(ValueTypeError, match=r"config\['lr'\] is a str \('high'\), not a float"):
        run.config.get_as("lr", float)
    with pytest.raises(ValueTypeError, match=r"summary\['loss'\] is a str"):
        run.summary.number("loss")
    with pytest.raises(ValueTypeError, match="not an int"):
        run.config.integer("lr")


def test_parse_into_a_pydantic_model(api: Api, project_path: str) -> None:
    config = api.run(f"{project_path}/full").config.parse(TrainConfig)
    assert config == TrainConfig(lr=0.1, layers=3, opt="adam")
    with pytest.raises(pydantic.ValidationError, match="lr"):
        api.run(f"{project_path}/bare").config.parse(TrainConfig)


def test_parse_a_whole_listing(api: Api, project_path: str) -> None:
    runs = api.runs(project_path, filters={"config.opt": "adam"})
    assert runs.parse_configs(TrainConfig) == [TrainConfig(lr=0.1, layers=3, opt="adam")]
    assert runs.parse_summaries(Scores) == [Scores(loss=0.2)]
