"""The automations methods of ``AsyncApi`` (the async source of ``Api``'s)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from wandb_typed._async.session import AsyncSessionHolder
from wandb_typed.errors import (
    HTTPStatusError,
    InvalidArgumentError,
    InvalidResponseError,
    NotFoundError,
)

__all__ = ["AsyncAutomationsApi"]

if TYPE_CHECKING:
    from wandb_typed.automations._async.listing import AsyncAutomations, AsyncIntegrations
    from wandb_typed.automations.models import (
        Automation,
        NewAutomation,
        SlackIntegration,
        WebhookIntegration,
    )


class AsyncAutomationsApi(AsyncSessionHolder):
    """``automation``, ``automations``, ``create_automation``, ``update_automation``,
    ``delete_automation``, ``integrations``, ``slack_integrations``, ``webhook_integrations``."""

    async def _entity(self, entity: str | None) -> str:
        found = entity or await self._session.entity_default()
        if not found:
            raise InvalidArgumentError("no entity given and no default entity is known")
        return found

    async def integrations(
        self, entity: str | None = None, *, per_page: int = 50
    ) -> AsyncIntegrations[WebhookIntegration | SlackIntegration]:
        """Every integration (webhooks and Slack channels) of ``entity`` (default: yours).

        Example:
            >>> [i.id async for i in await api.integrations("my-team")]  # doctest: +SKIP
        """
        from wandb_typed.automations._async.listing import AsyncIntegrations
        from wandb_typed.automations.models import SlackIntegration, WebhookIntegration

        return AsyncIntegrations(
            self._session,
            await self._entity(entity),
            (WebhookIntegration, SlackIntegration),
            per_page,
        )

    async def webhook_integrations(
        self, entity: str | None = None, *, per_page: int = 50
    ) -> AsyncIntegrations[WebhookIntegration]:
        """The generic webhook integrations of ``entity`` (default: yours).

        Example:
            >>> hooks = await api.webhook_integrations(entity="my-team")  # doctest: +SKIP
            >>> [h.url_endpoint async for h in hooks]  # doctest: +SKIP
        """
        from wandb_typed.automations._async.listing import AsyncIntegrations
        from wandb_typed.automations.models import WebhookIntegration

        return AsyncIntegrations(
            self._session, await self._entity(entity), WebhookIntegration, per_page
        )

    async def slack_integrations(
        self, *, entity: str | None = None, per_page: int = 50
    ) -> AsyncIntegrations[SlackIntegration]:
        """The Slack integrations of ``entity`` (default: yours).

        Example:
            >>> slack = await api.slack_integrations(entity="my-team")  # doctest: +SKIP
        """
        from wandb_typed.automations._async.listing import AsyncIntegrations
        from wandb_typed.automations.models import SlackIntegration

        return AsyncIntegrations(
            self._session, await self._entity(entity), SlackIntegration, per_page
        )

    async def automations(
        self, entity: str | None = None, *, name: str | None = None, per_page: int = 50
    ) -> AsyncAutomations:
        """Automations of ``entity``'s projects (every project you may read when None),
        only those called ``name`` if given.

        Example:
            >>> [a.name async for a in await api.automations(entity="my-team")]  # doctest: +SKIP
        """
        from wandb_typed.automations._async.listing import AsyncAutomations

        if per_page < 1:
            raise InvalidArgumentError(f"per_page must be at least 1, got {per_page}")
        return AsyncAutomations(self._session, entity, name, per_page)

    async def automation(self, name: str, *, entity: str | None = None) -> Automation:
        """The only automation called ``name``.

        Raises:
            NotFoundError: None has that name.
            InvalidArgumentError: Several have it (name the entity).

        Example:
            >>> automation = await api.automation(name="my-automation")  # doctest: +SKIP
        """
        found = [a async for a in await self.automations(entity, name=name)]
        if not found:
            where = f" in entity {entity!r}" if entity else ""
            raise NotFoundError(
                f"automation {name!r} not found{where}", kind="automation", path=name
            )
        if len(found) > 1:
            raise InvalidArgumentError(
                f"{len(found)} automations are called {name!r}: name the entity (entity=...)"
            )
        return found[0]

    async def create_automation(
        self, obj: NewAutomation, *, fetch_existing: bool = False, **kwargs: Any
    ) -> Automation:
        """Create an automation (``event >> action``); ``kwargs`` set ``name``,
        ``description``, ``enabled``, ``scope``, ``event`` or ``action``.

        Raises:
            InvalidArgumentError: One of that name exists (unless ``fetch_existing``, which
                returns it), or the server refused the event, scope or filter.

        Example:
            >>> from wandb_typed.automations import OnRunMetric, RunEvent, SendWebhook
            >>> event = OnRunMetric(scope=project, filter=RunEvent.metric("loss") > 10)  # doctest: +SKIP
            >>> await api.create_automation(event >> SendWebhook.from_integration(hook),
            ...                             name="loss-alarm")  # doctest: +SKIP
        """
        from wandb_typed._generated.input_types import CreateFilterTriggerInput
        from wandb_typed.automations.models import automation_from_wire, create_params

        params = create_params(obj, kwargs)
        try:
            reply = await self._session.client.create_automation(
                CreateFilterTriggerInput.model_validate(params)
            )
        except HTTPStatusError as exc:
            if exc.status_code != 409:
                raise
            if fetch_existing:
                return await self.automation(params["name"])
            raise InvalidArgumentError(
                f"automation {params['name']!r} exists already (fetch_existing=True returns it)"
            ) from None
        if reply.result is None or reply.result.trigger is None:
            raise InvalidResponseError(
                f"createFilterTrigger for {params['name']!r} returned nothing"
            )
        return automation_from_wire(reply.result.trigger)

    async def update_automation(
        self, obj: Automation, *, create_missing: bool = False, **kwargs: Any
    ) -> Automation:
        """Save changes to an automation (its fields, or ``kwargs`` as in
        :meth:`create_automation`); the whole automation is sent.

        Raises:
            NotFoundError: It no longer exists (unless ``create_missing``, which creates it).

        Example:
            >>> automation = await api.automation(name="loss-alarm")  # doctest: +SKIP
            >>> await api.update_automation(automation, enabled=False)  # doctest: +SKIP
        """
        from wandb_typed._generated.input_types import UpdateFilterTriggerInput
        from wandb_typed.automations.models import automation_from_wire, update_params

        params = update_params(obj, kwargs)
        try:
            reply = await self._session.client.update_automation(
                UpdateFilterTriggerInput.model_validate(params)
            )
        except HTTPStatusError as exc:
            if exc.status_code != 404:
                raise
            if create_missing:
                return await self.create_automation(obj)  # type: ignore[arg-type]
            raise NotFoundError(
                f"automation {obj.name!r} ({obj.id}) not found (create_missing=True creates it)",
                kind="automation",
                path=obj.name,
            ) from None
        if reply.result is None or reply.result.trigger is None:
            raise InvalidResponseError(f"updateFilterTrigger for {obj.name!r} returned nothing")
        return automation_from_wire(reply.result.trigger)

    async def delete_automation(self, obj: Automation | str) -> Literal[True]:
        """Delete an automation (or the one with this id).

        Example:
            >>> await api.delete_automation(automation)  # doctest: +SKIP
            True
        """
        from wandb_typed.automations.models import Automation

        ident = obj.id if isinstance(obj, Automation) else obj
        if not isinstance(ident, str) or not ident:
            raise InvalidArgumentError(
                f"delete_automation() needs an Automation or its id, got {obj!r}"
            )
        try:
            reply = await self._session.client.delete_automation(ident)
        except HTTPStatusError as exc:
            if exc.status_code != 404:
                raise
            raise NotFoundError(
                f"automation {ident!r} not found", kind="automation", path=ident
            ) from None
        if reply.result is None or not reply.result.success:
            raise InvalidResponseError(f"deleteTrigger for {ident!r} did not succeed")
        return True
