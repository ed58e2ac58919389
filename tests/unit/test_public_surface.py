"""The public surface: exports, the drawn error tree, a cheap import, docstring examples."""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import wandb_typed
from wandb_typed import errors

ROOT = Path(__file__).resolve().parents[2]


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert wandb_typed.__all__ == sorted(wandb_typed.__all__)
    for name in wandb_typed.__all__:
        assert getattr(wandb_typed, name) is not None


def test_every_error_is_exported_at_the_top() -> None:
    assert set(errors.__all__) <= set(wandb_typed.__all__)


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        _ = wandb_typed.Nope


def test_every_error_class_is_drawn_in_the_tree_with_its_parent() -> None:
    tree = errors.__doc__ or ""
    classes = [getattr(errors, n) for n in errors.__all__ if n != "GraphQLErrorDetail"]
    for cls in classes:
        assert f"── {cls.__name__}" in tree or cls is errors.WandbTypedError
        assert issubclass(cls, errors.WandbTypedError)
    assert issubclass(errors.InvalidPathError, ValueError)
    assert issubclass(errors.InvalidArgumentError, ValueError)
    assert issubclass(errors.TimeoutError, errors.TransportError)
    for status_cls in (
        errors.AuthenticationError,
        errors.PermissionDeniedError,
        errors.HTTPNotFoundError,
        errors.RateLimitError,
        errors.ServerError,
    ):
        assert issubclass(status_cls, errors.HTTPStatusError)
    assert issubclass(errors.GraphQLValidationError, errors.GraphQLError)


def test_import_is_cheap_and_loads_no_http_or_models() -> None:
    code = (
        "import sys, wandb_typed; "
        "print(','.join(m for m in ('httpx', 'pydantic', 'wandb_typed._generated') "
        "if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert loaded == ""


def test_version_matches_the_installed_distribution() -> None:
    assert wandb_typed.__version__ == importlib.metadata.version("wandb-typed")
    assert f'version = "{wandb_typed.__version__}"' in (ROOT / "pyproject.toml").read_text()


def test_public_entry_points_have_docstrings() -> None:
    from wandb_typed.api import Api

    for name, member in inspect.getmembers(Api):
        if name.startswith("_"):
            continue
        doc = inspect.getdoc(member)
        assert doc, f"Api.{name} has no docstring"
