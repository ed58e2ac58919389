"""Listings: automations (collected from every project page of the viewer or an entity) and
integrations of an entity."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from wandb_typed._async.pagination import AsyncPaginator, OnData
from wandb_typed._async.session import AsyncSession
from wandb_typed.automations.models import (
    Automation,
    SlackIntegration,
    WebhookIntegration,
    automation_from_wire,
    integration_from_wire,
)
from wandb_typed.errors import NotFoundError
from wandb_typed.pagination import Page, page_of

if TYPE_CHECKING:
    from wandb_typed._generated.fragments import ProjectTriggersFragment

__all__ = ["AsyncAutomations", "AsyncIntegrations"]

IntegrationT = TypeVar(
    "IntegrationT", WebhookIntegration, SlackIntegration, WebhookIntegration | SlackIntegration
)


class AsyncAutomations(AsyncPaginator[Automation]):
    """Automations of the projects of ``entity`` (every project the key may read when None),
    optionally only those called ``name``."""

    connection_path: Sequence[str] = ("searchScope", "projects")

    def __init__(
        self, session: AsyncSession, entity: str | None, name: str | None, per_page: int
    ) -> None:
        super().__init__(per_page=per_page)
        self._session = session
        self.entity = entity
        """The entity whose projects are searched (None: every project the key may read)."""
        self.name = name
        """Only automations of this name (None: all)."""

    async def _fetch(self, cursor: str | None, on_data: OnData | None) -> Page[Automation]:
        client = self._session.client
        connection: ProjectTriggersFragment | None
        if self.entity is None:
            reply = await client.get_automations(
                cursor=cursor, per_page=self.per_page, on_data=on_data
            )
            scope = reply.search_scope
            connection = None if scope is None else scope.projects
        else:
            by_entity = await client.get_automations_by_entity(
                self.entity, cursor=cursor, per_page=self.per_page, on_data=on_data
            )
            if by_entity.search_scope is None:
                raise NotFoundError(
                    f"entity {self.entity!r} not found", kind="entity", path=self.entity
                )
            connection = by_entity.search_scope.projects
        if connection is None:
            return Page([], end_cursor=None, has_next=False)
        items = [
            automation_from_wire(trigger)
            for edge in connection.edges
            if edge.node is not None
            for trigger in edge.node.triggers
            if self.name is None or trigger.name == self.name
        ]
        end = connection.page_info.end_cursor
        if end is None and connection.edges:
            end = connection.edges[-1].cursor
        return Page(items, end_cursor=end, has_next=connection.page_info.has_next_page)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} entity={self.entity!r} name={self.name!r}>"


class AsyncIntegrations(AsyncPaginator[IntegrationT]):
    """Integrations of an entity, oldest first, optionally of one kind only."""

    connection_path: Sequence[str] = ("entity", "integrations")

    def __init__(
        self, session: AsyncSession, entity: str, kind: type | tuple[type, ...], per_page: int
    ) -> None:
        super().__init__(per_page=per_page)
        self._session = session
        self.entity = entity
        """The entity whose integrations are listed."""
        self._kind = kind

    async def _fetch(self, cursor: str | None, on_data: OnData | None) -> Page[IntegrationT]:
        reply = await self._session.client.integrations_by_entity(
            self.entity, cursor=cursor, per_page=self.per_page, on_data=on_data
        )
        if reply.entity is None:
            raise NotFoundError(
                f"entity {self.entity!r} not found", kind="entity", path=self.entity
            )
        kind = self._kind

        def convert(node: object) -> IntegrationT | None:
            found = integration_from_wire(node)
            return found if isinstance(found, kind) else None  # type: ignore[return-value]

        return page_of(reply.entity.integrations, convert)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} entity={self.entity!r}>"
