"""The teams domain: :class:`Team` and its :class:`Member` entries (and their async twins).

Example:
    >>> from wandb_typed.teams import AsyncMember, AsyncTeam, Member, Team
"""

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
