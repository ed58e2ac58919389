"""Typed reads of config and summary values (``get_as``, ``number``, ``parse``), and the
dict behaviour of ``RunConfig``/``RunSummary``, without a server."""

from __future__ import annotations

import copy
import json
import pickle

import pydantic
import pytest
import yaml

from wandb_typed import RunConfig, RunSummary
from wandb_typed.errors import ValueTypeError, WandbTypedError


def test_numbers() -> None:
    config = RunConfig({"i": 3, "f": 0.5, "b": True, "s": "x"})
    assert config.number("i") == 3.0
    assert isinstance(config.number("i"), float)
    assert config.number("f") == 0.5
    with pytest.raises(ValueTypeError, match=r"config\['b'\] is a bool \(True\), not a float"):
        config.number("b")
    with pytest.raises(ValueTypeError, match="not an int"):
        config.integer("f")
    with pytest.raises(ValueTypeError, match="not an int"):
        config.integer("b")
    assert config.boolean("b") is True


def test_get_as_any_class_and_default() -> None:
    config = RunConfig({"layers": [1, 2], "net": {"depth": 2}, "none": None})
    assert config.get_as("layers", list) == [1, 2]
    assert config.get_as("net", dict) == {"depth": 2}
    assert config.get_as("missing", int, 7) == 7
    with pytest.raises(KeyError):
        config.get_as("missing", int)
    with pytest.raises(ValueTypeError) as raised:
        config.get_as("none", str, "default")  # present, but None: not the default
    assert isinstance(raised.value, TypeError)
    assert isinstance(raised.value, WandbTypedError)
    assert raised.value.key == "none"


def test_long_values_are_cut_in_the_message() -> None:
    with pytest.raises(ValueTypeError) as raised:
        RunConfig({"s": "x" * 100}).number("s")
    assert len(str(raised.value)) < 100
    assert "..." in str(raised.value)


class Train(pydantic.BaseModel):
    lr: float
    epochs: int = 1


def test_parse() -> None:
    assert RunConfig({"lr": 1, "other": "x"}).parse(Train) == Train(lr=1.0)
    with pytest.raises(pydantic.ValidationError, match="lr"):
        RunSummary({"lr": "high"}).parse(Train)


def test_dicts_for_json_yaml_copy_and_pickle() -> None:
    config = RunConfig({"lr": 0.1}, raw={"_wandb": {"value": {"t": 1}}})
    summary = RunSummary({"loss": 0.5})
    for mapping in (config, summary):
        assert isinstance(mapping, dict)
        assert json.loads(json.dumps(mapping)) == dict(mapping)
        assert yaml.safe_load(yaml.safe_dump(mapping)) == dict(mapping)
    assert repr(config) == "{'lr': 0.1}"
    assert copy.deepcopy(config).raw == config.raw
    again = pickle.loads(pickle.dumps(config))
    assert (again, again.raw) == (config, config.raw)
    assert config.to_stored() == {"lr": {"value": 0.1, "desc": None}, "_wandb": {"value": {"t": 1}}}


def test_summary_update_writes_once_with_every_key() -> None:
    saved: list[dict[str, object]] = []
    summary = RunSummary({"loss": 0.5}, save=saved.append)
    summary.update({"best": 0.4}, acc=0.9)
    assert saved == [{"loss": 0.5, "best": 0.4, "acc": 0.9}]
    assert summary == {"loss": 0.5, "best": 0.4, "acc": 0.9}
