"""The users domain: :class:`User` and its :class:`UserApiKey` entries (and ``AsyncUser``).

Example:
    >>> from wandb_typed.users import AsyncUser, User, UserApiKey
"""

from typing import TYPE_CHECKING

from wandb_typed._lazy import ModuleDir, ModuleGetattr, lazy_attributes

if TYPE_CHECKING:
    from wandb_typed.users._async.methods import AsyncUsersApi
    from wandb_typed.users._async.user import AsyncUser
    from wandb_typed.users._sync.methods import UsersApi
    from wandb_typed.users._sync.user import User
    from wandb_typed.users.api_key import UserApiKey

__all__ = [
    "AsyncUser",
    "AsyncUsersApi",
    "User",
    "UserApiKey",
    "UsersApi",
]

__getattr__: ModuleGetattr
__dir__: ModuleDir
__getattr__, __dir__ = lazy_attributes(
    __name__,
    {
        "AsyncUser": "wandb_typed.users._async.user",
        "AsyncUsersApi": "wandb_typed.users._async.methods",
        "User": "wandb_typed.users._sync.user",
        "UserApiKey": "wandb_typed.users.api_key",
        "UsersApi": "wandb_typed.users._sync.methods",
    },
)
