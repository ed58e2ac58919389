"""The teams methods of ``AsyncApi`` (the async source of ``Api``'s)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wandb_typed._async.session import AsyncSessionHolder
from wandb_typed.errors import InvalidResponseError

if TYPE_CHECKING:
    from wandb_typed.teams._async.team import AsyncTeam

# A team's module loads with the first teams call, not with every Api.

__all__ = ["AsyncTeamsApi"]


class AsyncTeamsApi(AsyncSessionHolder):
    """``team`` and ``create_team``."""

    async def team(self, team: str) -> AsyncTeam:
        """The team called ``team``, with its members.

        Raises:
            NotFoundError: No such team (or not visible with this key).

        Example:
            >>> [member.username for member in (await api.team("vision")).members]  # doctest: +SKIP
            ['alice', 'bob']
        """
        from wandb_typed.teams._async.team import fetch_team

        return await fetch_team(self._session, team)

    async def create_team(self, team: str, admin_username: str | None = None) -> AsyncTeam:
        """Create a team administered by ``admin_username`` (default: you) and return it.

        Example:
            >>> (await api.create_team("vision")).members[0].admin  # doctest: +SKIP
            True
        """
        from wandb_typed.teams._async.team import AsyncTeam

        reply = await self._session.client.create_team(team, team_admin_user_name=admin_username)
        result = reply.create_team
        if result is None or result.entity is None:
            raise InvalidResponseError(f"createTeam for {team!r} returned no team.")
        return AsyncTeam._from_fragment(result.entity, self._session)
