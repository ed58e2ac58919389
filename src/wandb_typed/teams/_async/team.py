"""Teams: :class:`AsyncTeam` and its :class:`AsyncMember` entries (invites, service
accounts).

Example:
    >>> team = await api.create_team("vision")  # doctest: +SKIP
    >>> await team.invite("alice@example.com")  # doctest: +SKIP
    True
    >>> bot = await team.create_service_account("CI uploads")  # doctest: +SKIP
    >>> bot.username, bot.api_key  # doctest: +SKIP
    ('vision-service-1', ApiKey('********'))
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from wandb_typed.config import ApiKey
from wandb_typed.errors import InvalidResponseError, NotFoundError

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession
    from wandb_typed._generated.fragments import TeamFragment, TeamFragmentMembers

__all__ = ["AsyncMember", "AsyncTeam", "fetch_team"]


@dataclass(frozen=True)
class AsyncMember:
    """A member of a team, or a pending invitation (``pending``; then ``id`` is the invite's)."""

    id: str | None
    name: str
    username: str | None
    email: str | None
    admin: bool
    """Whether the member administers the team."""
    pending: bool
    account_type: str | None
    """``MEMBER``, or ``SERVICE`` for a service account."""
    photo_url: str | None
    team: str
    """The team's name."""
    api_key: ApiKey | None = None
    """A service account's key, known only right after :meth:`Team.create_service_account`."""
    _session: AsyncSession | None = field(default=None, repr=False, compare=False)

    @classmethod
    def _from_fragment(
        cls, fragment: TeamFragmentMembers, *, team: str, session: AsyncSession
    ) -> AsyncMember:
        return cls(
            id=fragment.id,
            name=fragment.name,
            username=fragment.username,
            email=fragment.email,
            admin=bool(fragment.admin),
            pending=bool(fragment.pending),
            account_type=fragment.account_type,
            photo_url=fragment.photo_url,
            team=team,
            _session=session,
        )

    async def delete(self) -> bool:
        """Remove the member from the team, or withdraw the pending invite.

        Returns whether the server removed something.

        Example:
            >>> await (await api.team("vision")).members[-1].delete()  # doctest: +SKIP
            True
        """
        if self._session is None or self.id is None:
            raise InvalidResponseError(f"member {self.name!r} of {self.team!r} has no id")
        reply = await self._session.client.delete_invite(id=self.id, entity_name=self.team)
        result = reply.delete_invite
        return bool(result and result.success)

    def __str__(self) -> str:
        return self.username or self.name


@dataclass(frozen=True)
class AsyncTeam:
    """A W&B team (an entity that is not a user's own), with its members."""

    id: str
    name: str
    available: bool | None
    photo_url: str | None
    read_only: bool
    is_team: bool
    private_only: bool
    members: tuple[AsyncMember, ...]
    """Members, then pending invitations, as the server listed them when fetched."""
    _session: AsyncSession = field(repr=False, compare=False)

    @classmethod
    def _from_fragment(cls, fragment: TeamFragment, session: AsyncSession) -> AsyncTeam:
        return cls(
            id=fragment.id,
            name=fragment.name,
            available=fragment.available,
            photo_url=fragment.photo_url,
            read_only=bool(fragment.read_only),
            is_team=fragment.is_team,
            private_only=fragment.private_only,
            members=tuple(
                AsyncMember._from_fragment(member, team=fragment.name, session=session)
                for member in fragment.members
            ),
            _session=session,
        )

    async def invite(self, username_or_email: str, admin: bool = False) -> bool:
        """Invite a user (by username) or anyone (by email, if it contains ``@``).

        Returns whether the server accepted the invitation. ``members`` of this object is
        not refreshed: fetch the team again (``api.team(name)``) to see the new member.

        Example:
            >>> await team.invite("alice")  # doctest: +SKIP
            True
        """
        by_email = "@" in username_or_email
        reply = await self._session.client.create_invite(
            self.name,
            email=username_or_email if by_email else None,
            username=None if by_email else username_or_email,
            admin=admin,
        )
        result = reply.create_invite
        return bool(result and result.success)

    async def create_service_account(self, description: str) -> AsyncMember:
        """Create a service account in the team and return it as a member with its API key.

        ``Member.api_key`` holds the new account's key; the server shows it only this once.

        Example:
            >>> bot = await team.create_service_account("nightly evaluation")  # doctest: +SKIP
            >>> bot.account_type  # doctest: +SKIP
            'SERVICE'
        """
        created = await self._session.client.create_service_account(self.name, description)
        user = created.create_service_account.user if created.create_service_account else None
        if user is None:
            raise InvalidResponseError(
                f"createServiceAccount for team {self.name!r} returned no user."
            )
        refreshed = await fetch_team(self._session, self.name)
        member = next(
            (m for m in refreshed.members if user.username and m.username == user.username),
            None,
        )
        if member is None:
            raise InvalidResponseError(
                f"service account {user.username!r} is not listed among {self.name!r}'s members."
            )
        return replace(member, api_key=ApiKey(user.api_key) if user.api_key else None)

    def __str__(self) -> str:
        return self.name


async def fetch_team(session: AsyncSession, name: str) -> AsyncTeam:
    """The team called ``name``.

    Raises:
        NotFoundError: No such entity, or it is not visible with this API key.
    """
    fragment = (await session.client.get_team(name)).entity
    if fragment is None:
        raise NotFoundError(
            f"Team {name!r} not found (or not visible with this API key).",
            kind="team",
            path=name,
        )
    return AsyncTeam._from_fragment(fragment, session)
