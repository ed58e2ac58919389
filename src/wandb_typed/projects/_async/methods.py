"""The projects methods of ``AsyncApi`` (the async source of ``Api``'s)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wandb_typed._async.session import AsyncSessionHolder
from wandb_typed.errors import InvalidArgumentError, InvalidResponseError
from wandb_typed.paths import parse_project_path

if TYPE_CHECKING:
    from wandb_typed.projects._async.project import AsyncProject, AsyncProjects

# A project's module loads with the first projects call, not with every Api.

__all__ = ["AsyncProjectsApi"]


class AsyncProjectsApi(AsyncSessionHolder):
    """``project``, ``projects`` and ``create_project``."""

    async def project(self, name: str, entity: str | None = None) -> AsyncProject:
        """The project ``entity/name`` (one request; ``entity`` defaults as for paths).

        Raises:
            NotFoundError: No such project (or not visible with this key).
            InvalidPathError: ``name`` is empty, or no entity is given nor configured.

        Example:
            >>> api.project("vision", entity="team").created_at  # doctest: +SKIP
            datetime.datetime(2026, 1, 5, 9, 30, tzinfo=datetime.timezone.utc)
        """
        text = name if entity is None else f"{entity}/{name}"
        path = await self._session.parse(
            lambda default: parse_project_path(text, default_entity=default)
        )
        from wandb_typed.projects._async.project import fetch_project

        return await fetch_project(self._session, path)

    async def projects(self, entity: str | None = None, per_page: int = 200) -> AsyncProjects:
        """The projects of ``entity`` (default: the configured or the viewer's entity).

        Raises:
            InvalidArgumentError: No entity is given and none is configured or known.

        Example:
            >>> [project.name for project in api.projects("team")]  # doctest: +SKIP
            ['mnist', 'vision']
        """
        owner = entity or await self._session.entity_default()
        if not owner:
            raise InvalidArgumentError(
                "projects() needs an entity: pass entity=..., set WANDB_ENTITY, or use a key "
                "whose user has a default entity."
            )
        from wandb_typed.projects._async.project import AsyncProjects

        return AsyncProjects(self._session, owner, per_page=per_page)

    async def create_project(self, name: str, entity: str) -> AsyncProject:
        """Create the project ``entity/name`` (nothing changes if it exists) and return it.

        ``wandb`` returns ``None`` here; the project is returned so it need not be fetched.

        Example:
            >>> api.create_project("vision", "team").path  # doctest: +SKIP
            ProjectPath(entity='team', project='vision')
        """
        from wandb_typed.projects._async.project import AsyncProject

        path = parse_project_path(f"{entity}/{name}")
        reply = await self._session.client.upsert_project(path.project, entity=path.entity)
        result = reply.upsert_model
        fragment = result.project if result is not None else None
        if fragment is None:
            raise InvalidResponseError(f"upsertModel for project {path} returned no project.")
        return AsyncProject._from_fragment(fragment, self._session)
