"""The teams domain: :class:`Team` and its :class:`Member` entries (and their async twins).

Example:
    >>> from wandb_typed.teams import AsyncMember, AsyncTeam, Member, Team
"""

from typing import TYPE_CHECKING

from wandb_typed._lazy import ModuleDir, ModuleGetattr, lazy_attributes

if TYPE_CHECKING:
    from wandb_typed.teams._async.methods import AsyncTeamsApi
    from wandb_typed.teams._async.team import AsyncMember, AsyncTeam
    from wandb_typed.teams._sync.methods import TeamsApi
    from wandb_typed.teams._sync.team import Member, Team

__all__ = [
    "AsyncMember",
    "AsyncTeam",
    "AsyncTeamsApi",
    "Member",
    "Team",
    "TeamsApi",
]

__getattr__: ModuleGetattr
__dir__: ModuleDir
__getattr__, __dir__ = lazy_attributes(
    __name__,
    {
        "AsyncMember": "wandb_typed.teams._async.team",
        "AsyncTeam": "wandb_typed.teams._async.team",
        "AsyncTeamsApi": "wandb_typed.teams._async.methods",
        "Member": "wandb_typed.teams._sync.team",
        "Team": "wandb_typed.teams._sync.team",
        "TeamsApi": "wandb_typed.teams._sync.methods",
    },
)
