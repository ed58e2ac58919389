"""Package attributes imported on first use (PEP 562), so importing a package costs only
what is used: ``wandb_typed.Api`` loads the sync client and not the async one.

Example:
    >>> getattr_, dir_ = lazy_attributes("demo", {"sqrt": "math"})
    >>> getattr_("sqrt")(9.0)
    3.0
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping

__all__ = ["ModuleDir", "ModuleGetattr", "lazy_attributes"]

# What a package declares its lazy ``__getattr__``/``__dir__`` as (an unannotated tuple
# assignment leaves their types to inference, which pyright --verifytypes counts as ambiguous).
ModuleGetattr = Callable[[str], object]
ModuleDir = Callable[[], list[str]]


def lazy_attributes(
    package: str, exports: Mapping[str, str], renamed: Mapping[str, str] | None = None
) -> tuple[ModuleGetattr, ModuleDir]:
    """``(__getattr__, __dir__)`` for ``package``: ``exports`` maps each public name to the
    module that defines it (``renamed``: to the name it has there, when it differs); the first
    access imports that module and keeps the value."""
    original = dict(renamed or {})

    def __getattr__(name: str) -> object:
        module_name = exports.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module_name), original.get(name, name))
        module = sys.modules.get(package)
        if module is not None:
            setattr(module, name, value)
        return value

    def __dir__() -> list[str]:
        module = sys.modules.get(package)
        return sorted(set(vars(module) if module else ()) | set(exports))

    return __getattr__, __dir__
