"""Which organization a registry path means (the async source of ``organizations``).

A registry is a project ``wandb-registry-<name>`` of an organization's own entity (the *org
entity*). Paths name the organization (``acme/wandb-registry-model/resnet:v1``, by its name
or its org entity's name) or leave it to the entity, as ``wandb`` does: a team belongs to one
organization, a user to the ones they are a member of (exactly one is needed then).

Example:
    >>> org = await resolve_organization(session, "acme")  # doctest: +SKIP
    >>> org.entity  # doctest: +SKIP
    'acme-org'
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from wandb_typed.artifacts.lookups import Organization
from wandb_typed.errors import InvalidArgumentError, NotFoundError
from wandb_typed.paths import ArtifactPath

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession

__all__ = ["registry_artifact_path", "resolve_organization"]


async def resolve_organization(
    session: AsyncSession, organization: str | None = None, *, entity: str | None = None
) -> Organization:
    """The organization called ``organization`` (its name or its org entity's), else the one
    ``entity`` (default: the configured or the viewer's entity) belongs to.

    Raises:
        NotFoundError: No such organization (or not visible), or the entity belongs to none.
        InvalidArgumentError: The entity belongs to several; the message names them.
    """
    client = session.client
    if organization:
        found = (await client.get_organization(organization)).organization
        if found is None or found.org_entity is None:
            raise NotFoundError(
                f"organization {organization!r} not found", kind="organization", path=organization
            )
        return Organization(found.name, found.org_entity.name)
    entity = entity or await session.entity_default()
    if not entity:
        raise InvalidArgumentError(
            "no organization given and no entity to find it from: pass organization="
        )
    reply = (await client.get_entity_organizations(entity)).entity
    if reply is None:
        raise NotFoundError(f"entity {entity!r} not found", kind="entity", path=entity)
    candidates = (
        [reply.organization]
        if reply.organization is not None
        else list(reply.user.organizations if reply.user is not None else [])
    )
    orgs = [Organization(c.name, c.org_entity.name) for c in candidates if c.org_entity]
    if not orgs:
        raise NotFoundError(
            f"entity {entity!r} belongs to no organization; pass organization=",
            kind="organization",
            path=entity,
        )
    if len(orgs) > 1:
        names = ", ".join(repr(org.name) for org in orgs)
        raise InvalidArgumentError(
            f"entity {entity!r} belongs to several organizations ({names}); pass organization="
        )
    return orgs[0]


async def registry_artifact_path(
    session: AsyncSession, path: ArtifactPath, *, explicit_entity: bool, fallback_entity: str
) -> ArtifactPath:
    """``path`` with its entity replaced by the org entity when its project is a registry:
    the organization is the path's entity when the path named one (``explicit_entity``),
    else the one ``fallback_entity`` belongs to. Other paths come back unchanged."""
    if not path.is_registry:
        return path
    if explicit_entity:
        org = await resolve_organization(session, path.entity)
    else:
        org = await resolve_organization(session, None, entity=fallback_entity)
    return replace(path, entity=org.entity)
