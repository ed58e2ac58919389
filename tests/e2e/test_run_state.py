"""``Run.update_state``: W&B's ``updateRunState`` transitions, in both flavours."""

from __future__ import annotations

from typing import Any

import pytest
from runs_support import ENTITY

from wandb_typed.errors import GraphQLError, InvalidArgumentError

PROJECT = "run-states"


def test_a_running_run_can_be_failed_then_requeued(api: Any) -> None:
    run = api.create_run(run_id="lost", project=PROJECT, entity=ENTITY)
    assert run.state == "running"
    assert run.update_state("failed") is True
    assert run.state == "failed"
    assert api.run(f"{ENTITY}/{PROJECT}/lost").state == "failed"
    assert run.update_state("pending") is True
    assert api.run(f"{ENTITY}/{PROJECT}/lost").state == "pending"


def test_a_refused_transition_is_named(api: Any) -> None:
    run = api.create_run(run_id="twice", project=PROJECT, entity=ENTITY)
    run.update_state("failed")
    with pytest.raises(GraphQLError, match=r"invalid state transition.*'failed' to 'failed'"):
        run.update_state("failed")
    assert api.run(f"{ENTITY}/{PROJECT}/twice").state == "failed"


def test_only_pending_and_failed_are_targets(api: Any) -> None:
    run = api.create_run(run_id="target", project=PROJECT, entity=ENTITY)
    with pytest.raises(InvalidArgumentError, match="'pending', 'failed'; got 'finished'"):
        run.update_state("finished")
    assert api.run(f"{ENTITY}/{PROJECT}/target").state == "running"
