"""The users methods of ``AsyncApi`` (the async source of ``Api``'s)."""

from __future__ import annotations

from wandb_typed._async.session import AsyncSessionHolder
from wandb_typed.errors import InvalidResponseError
from wandb_typed.users._async.user import AsyncUser

__all__ = ["AsyncUsersApi"]


class AsyncUsersApi(AsyncSessionHolder):
    """``user``, ``users`` and ``create_user`` (the viewer is ``AsyncApi.viewer``)."""

    async def user(self, username_or_email: str) -> AsyncUser | None:
        """The user with this username or email (instance admins only), or ``None``.

        When the search matches several users, the exact username/email match wins, else
        the first. Use :attr:`viewer` for your own user.

        Raises:
            GraphQLError: The key is not an instance admin's (the message names it).

        Example:
            >>> (await api.user("alice@example.com")).username  # doctest: +SKIP
            'alice'
        """
        found = await self.users(username_or_email)
        exact = [u for u in found if username_or_email in (u.username, u.email)]
        matches = exact or found
        return matches[0] if matches else None

    async def users(self, username_or_email: str) -> list[AsyncUser]:
        """Users whose username, name or email contains the text (instance admins only).

        Example:
            >>> [user.username for user in await api.users("example.com")]  # doctest: +SKIP
            ['alice', 'bob']
        """
        session = self._session
        result = (await session.client.search_users(query=username_or_email)).users
        return [
            AsyncUser._from_fragment(edge.node, session=session)
            for edge in (result.edges if result is not None else [])
            if edge.node is not None
        ]

    async def create_user(self, email: str, admin: bool = False) -> AsyncUser:
        """Create a user for ``email`` (instance admins only); ``admin`` makes an instance admin.

        Example:
            >>> (await api.create_user("carol@example.com")).username  # doctest: +SKIP
            'carol'
        """
        result = (await self._session.client.create_user(email, admin=admin)).create_user
        if result is None or result.user is None:
            raise InvalidResponseError(f"createUser for {email!r} returned no user.")
        return AsyncUser._from_fragment(result.user, session=self._session)
