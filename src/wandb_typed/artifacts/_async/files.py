"""The files of an artifact version, page by page (the async source of ``ArtifactFiles``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from wandb_typed._async.pagination import AsyncPaginator, OnData
from wandb_typed._constants import DEFAULT_PER_PAGE
from wandb_typed.artifacts.file_data import ArtifactFile
from wandb_typed.errors import NotFoundError
from wandb_typed.pagination import Page, page_of

if TYPE_CHECKING:
    from wandb_typed._async.session import AsyncSession

__all__ = ["AsyncArtifactFiles"]


class AsyncArtifactFiles(AsyncPaginator[ArtifactFile]):
    """An artifact version's files; the count is the version's file count.

    Raises:
        NotFoundError: (on first use) the artifact version no longer exists.
    """

    connection_path: Sequence[str] = ("artifact", "files")

    def __init__(
        self,
        session: AsyncSession,
        artifact_id: str,
        names: list[str] | None = None,
        per_page: int = DEFAULT_PER_PAGE,
    ) -> None:
        super().__init__(per_page=per_page)
        self._session = session
        self.artifact_id = artifact_id
        self.names: list[str] | None = list(names) if names is not None else None

    async def _fetch(self, cursor: str | None, on_data: OnData | None) -> Page[ArtifactFile]:
        reply = await self._session.client.get_artifact_files(
            self.artifact_id,
            names=self.names,
            cursor=cursor,
            per_page=self.per_page,
            on_data=on_data,
        )
        if reply.artifact is None:
            raise NotFoundError(
                f"artifact {self.artifact_id} not found", kind="artifact", path=self.artifact_id
            )
        return page_of(
            reply.artifact.files,
            lambda node: None if node is None else ArtifactFile.of(node),
            total=reply.artifact.file_count,
        )
