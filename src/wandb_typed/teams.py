"""Teams: :class:`Team` and its :class:`Member` entries (invites, service accounts).

Example:
    >>> team = api.create_team("vision")  # doctest: +SKIP
    >>> team.invite("alice@example.com")  # doctest: +SKIP
    True
    >>> bot = team.create_service_account("CI uploads")  # doctest: +SKIP
    >>> bot.username, bot.api_key  # doctest: +SKIP
    ('vision-service-1', ApiKey('********'))
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from wandb_typed.config import ApiKey
from wandb_typed.errors import InvalidResponseError, NotFoundError

if TYPE_CHECKING:
    from wandb_typed._generated import Client, TeamFragment
    from wandb_typed._generated.fragments import TeamFragmentMembers

__all__ = ["Member", "Team", "fetch_team"]


@dataclass(frozen=True)
class Member:
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
    _client: Client | None = field(default=None, repr=False, compare=False)

    @classmethod
    def _from_fragment(cls, fragment: TeamFragmentMembers, *, team: str, client: Client) -> Member:
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
            _client=client,
        )

    def delete(self) -> bool:
        """Remove the member from the team, or withdraw the pending invite.

        Returns whether the server removed something.

        Example:
            >>> api.team("vision").members[-1].delete()  # doctest: +SKIP
            True
        """
        if self._client is None or self.id is None:
            raise InvalidResponseError(f"member {self.name!r} of {self.team!r} has no id")
        result = self._client.delete_invite(id=self.id, entity_name=self.team).delete_invite
        return bool(result and result.success)

    def __str__(self) -> str:
        return self.username or self.name


@dataclass(frozen=True)
class Team:
    """A W&B team (an entity that is not a user's own), with its members."""

    id: str
    name: str
    available: bool | None
    photo_url: str | None
    read_only: bool
    is_team: bool
    private_only: bool
    members: tuple[Member, ...]
    """Members, then pending invitations, as the server listed them when fetched."""
    _client: Client = field(repr=False, compare=False)

    @classmethod
    def _from_fragment(cls, fragment: TeamFragment, client: Client) -> Team:
        return cls(
            id=fragment.id,
            name=fragment.name,
            available=fragment.available,
            photo_url=fragment.photo_url,
            read_only=bool(fragment.read_only),
            is_team=fragment.is_team,
            private_only=fragment.private_only,
            members=tuple(
                Member._from_fragment(member, team=fragment.name, client=client)
                for member in fragment.members
            ),
            _client=client,
        )

    def invite(self, username_or_email: str, admin: bool = False) -> bool:
        """Invite a user (by username) or anyone (by email, if it contains ``@``).

        Returns whether the server accepted the invitation. ``members`` of this object is
        not refreshed: fetch the team again (``api.team(name)``) to see the new member.

        Example:
            >>> team.invite("alice")  # doctest: +SKIP
            True
        """
        by_email = "@" in username_or_email
        result = self._client.create_invite(
            self.name,
            email=username_or_email if by_email else None,
            username=None if by_email else username_or_email,
            admin=admin,
        ).create_invite
        return bool(result and result.success)

    def create_service_account(self, description: str) -> Member:
        """Create a service account in the team and return it as a member with its API key.

        ``Member.api_key`` holds the new account's key; the server shows it only this once.

        Example:
            >>> bot = team.create_service_account("nightly evaluation")  # doctest: +SKIP
            >>> Api(api_key=bot.api_key.reveal()).viewer.username  # doctest: +SKIP
            'vision-service-1'
        """
        created = self._client.create_service_account(self.name, description)
        user = created.create_service_account.user if created.create_service_account else None
        if user is None:
            raise InvalidResponseError(
                f"createServiceAccount for team {self.name!r} returned no user."
            )
        refreshed = fetch_team(self._client, self.name)
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


def fetch_team(client: Client, name: str) -> Team:
    """The team called ``name``.

    Raises:
        NotFoundError: No such entity, or it is not visible with this API key.
    """
    fragment = client.get_team(name).entity
    if fragment is None:
        raise NotFoundError(
            f"Team {name!r} not found (or not visible with this API key).",
            kind="team",
            path=name,
        )
    return Team._from_fragment(fragment, client)
