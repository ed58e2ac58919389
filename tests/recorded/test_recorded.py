"""Replays of real exchanges with the local server (recorded by ``make record``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wandb_typed import Api
from wandb_typed.errors import GraphQLError

from .conftest import CASSETTES, RECORDING_KEY


@pytest.mark.vcr
def test_viewer_and_default_entity(recorded_api: Api) -> None:
    viewer = recorded_api.viewer
    assert viewer.username
    assert recorded_api.default_entity == viewer.entity
    assert viewer.admin is True


@pytest.mark.vcr
def test_server_rejects_an_unknown_filter_operator_by_name(recorded_api: Api) -> None:
    entity = recorded_api.default_entity
    assert entity is not None
    recorded_api.client.create_run(entity=entity, project="recorded", name="run-1")
    with pytest.raises(GraphQLError, match=r"\$foo"):
        recorded_api.client.get_runs(
            entity=entity, project="recorded", filters='{"state": {"$foo": 1}}'
        )


def test_cassettes_hold_no_key() -> None:
    cassettes = sorted(CASSETTES.glob("*.yaml"))
    assert cassettes, "no cassettes recorded: run `make record`"
    for cassette in cassettes:
        text = cassette.read_text()
        assert RECORDING_KEY not in text, cassette.name
        assert "authorization" not in text.lower(), cassette.name
        assert "Basic " not in text, cassette.name


def test_every_vcr_test_has_its_cassette() -> None:
    names = {path.stem for path in Path(CASSETTES).glob("*.yaml")}
    assert {
        "test_viewer_and_default_entity",
        "test_server_rejects_an_unknown_filter_operator_by_name",
    } <= names
