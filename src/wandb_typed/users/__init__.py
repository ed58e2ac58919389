"""The users domain: :class:`User` and its :class:`UserApiKey` entries (and ``AsyncUser``).

Example:
    >>> from wandb_typed.users import AsyncUser, User, UserApiKey
"""

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
