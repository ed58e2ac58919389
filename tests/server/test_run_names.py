"""Runs created without a display name get W&B-style ``adjective-noun-N`` names."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from wandb_typed_server.storage.run_names import ADJECTIVES, NOUNS


def test_unnamed_runs_are_numbered_in_their_project(
    upsert: Callable[..., dict[str, Any]], project_name: str
) -> None:
    names = [
        upsert(entityName="admin", modelName=project_name, name=f"r{i}")["bucket"]["displayName"]
        for i in range(3)
    ]
    for number, name in enumerate(names, start=1):
        adjective, noun, index = name.split("-")
        assert adjective in ADJECTIVES
        assert noun in NOUNS
        assert index == str(number)


def test_a_given_display_name_wins_and_is_kept_on_update(
    upsert: Callable[..., dict[str, Any]], project_name: str
) -> None:
    created = upsert(entityName="admin", modelName=project_name, name="x", displayName="mine")
    assert created["bucket"]["displayName"] == "mine"
    again = upsert(entityName="admin", modelName=project_name, name="x", notes="n")
    assert again["bucket"]["displayName"] == "mine"


def test_numbering_is_per_project(upsert: Callable[..., dict[str, Any]], project_name: str) -> None:
    first = upsert(entityName="admin", modelName=project_name + "-a", name="r")
    other = upsert(entityName="admin", modelName=project_name + "-b", name="r")
    for payload in (first, other):
        assert re.fullmatch(r"[a-z]+-[a-z]+-1", payload["bucket"]["displayName"])
