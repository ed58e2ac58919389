"""The registries domain: an organization's :class:`Registry` objects and the searches across
them (:class:`Registries` -> :class:`RegistryCollections` -> :class:`RegistryVersions`), and
their async twins.

Example:
    >>> from wandb_typed.registries import AsyncRegistry, Registry
"""

from typing import TYPE_CHECKING

from wandb_typed._lazy import ModuleDir, ModuleGetattr, lazy_attributes

if TYPE_CHECKING:
    from wandb_typed.registries._async.listing import AsyncRegistries
    from wandb_typed.registries._async.methods import AsyncRegistriesApi
    from wandb_typed.registries._async.registry import AsyncRegistry
    from wandb_typed.registries._async.search import (
        AsyncRegistryCollections,
        AsyncRegistryVersions,
    )
    from wandb_typed.registries._sync.listing import Registries
    from wandb_typed.registries._sync.methods import RegistriesApi
    from wandb_typed.registries._sync.registry import Registry
    from wandb_typed.registries._sync.search import (
        RegistryCollections,
        RegistryVersions,
    )

__all__ = [
    "AsyncRegistries",
    "AsyncRegistriesApi",
    "AsyncRegistry",
    "AsyncRegistryCollections",
    "AsyncRegistryVersions",
    "Registries",
    "RegistriesApi",
    "Registry",
    "RegistryCollections",
    "RegistryVersions",
]

__getattr__: ModuleGetattr
__dir__: ModuleDir
__getattr__, __dir__ = lazy_attributes(
    __name__,
    {
        "AsyncRegistries": "wandb_typed.registries._async.listing",
        "AsyncRegistriesApi": "wandb_typed.registries._async.methods",
        "AsyncRegistry": "wandb_typed.registries._async.registry",
        "AsyncRegistryCollections": "wandb_typed.registries._async.search",
        "AsyncRegistryVersions": "wandb_typed.registries._async.search",
        "Registries": "wandb_typed.registries._sync.listing",
        "RegistriesApi": "wandb_typed.registries._sync.methods",
        "Registry": "wandb_typed.registries._sync.registry",
        "RegistryCollections": "wandb_typed.registries._sync.search",
        "RegistryVersions": "wandb_typed.registries._sync.search",
    },
)
