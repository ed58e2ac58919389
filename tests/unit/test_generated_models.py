"""Every generated model builds its validator from the names its own module holds.

Models are built on first use (``defer_build``), so a forward reference that its module
cannot resolve would only fail at the first request using it. The fragments are split one
module per fragment (codegen/split_fragments.py): each module must import what its classes,
and the fragment classes they inherit from, refer to by name.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pytest
from pydantic import BaseModel

import wandb_typed._generated
import wandb_typed._generated.fragments


def _modules(package: ModuleType) -> list[str]:
    return [f"{package.__name__}.{info.name}" for info in pkgutil.iter_modules(package.__path__)]


MODULES = _modules(wandb_typed._generated) + _modules(wandb_typed._generated.fragments)


def _models(module: ModuleType) -> list[type[BaseModel]]:
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, BaseModel)
        and value.__module__ == module.__name__
    ]


@pytest.mark.parametrize("name", MODULES)
def test_every_model_of_the_module_builds(name: str) -> None:
    module = importlib.import_module(name)
    for model in _models(module):
        assert model.model_rebuild(force=True, raise_errors=True) is not False, model


def test_the_fragments_package_exports_each_fragment_model_once() -> None:
    fragments = wandb_typed._generated.fragments
    defined = {
        model.__name__: module
        for module in map(importlib.import_module, _modules(fragments))
        for model in _models(module)
    }
    assert sorted(defined) == sorted(fragments.__all__)
    for name, module in defined.items():
        assert getattr(fragments, name) is getattr(module, name)
    with pytest.raises(AttributeError, match="NoSuchFragment"):
        print(fragments.NoSuchFragment)
