""":class:`Sweep`: a sweep as its project lists it (plain data, shared by both flavours).

Example:
    >>> from datetime import datetime, timezone
    >>> from wandb_typed.paths import ProjectPath
    >>> sweep = Sweep("id", "x8d2kq1z", None, "grid", "RUNNING", None, None, "method: grid\\n",
    ...               datetime(2026, 1, 5, tzinfo=timezone.utc), None, 0, None,
    ...               ProjectPath("team", "vision"))
    >>> str(sweep.path)
    'team/vision/sweeps/x8d2kq1z'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from wandb_typed.paths import ProjectPath, SweepPath

if TYPE_CHECKING:
    from wandb_typed._generated.fragments import SweepFragment

__all__ = ["Sweep"]


@dataclass(frozen=True)
class Sweep:
    """A sweep as listed in its project (what ``Project.sweeps()`` returns)."""

    id: str
    name: str
    """The sweep id used in paths (``entity/project/sweeps/<name>``)."""
    display_name: str | None
    method: str
    state: str
    description: str | None
    best_loss: float | None
    config_yaml: str
    """The sweep configuration, as the YAML text the server stores."""
    created_at: datetime
    updated_at: datetime | None
    run_count: int
    run_count_expected: int | None
    project: ProjectPath

    @property
    def path(self) -> SweepPath:
        """``entity/project/sweeps/name``."""
        return SweepPath(self.project.entity, self.project.project, self.name)

    @classmethod
    def _from_fragment(cls, fragment: SweepFragment, project: ProjectPath) -> Sweep:
        return cls(
            id=fragment.id,
            name=fragment.name,
            display_name=fragment.display_name,
            method=fragment.method,
            state=fragment.state,
            description=fragment.description,
            best_loss=fragment.best_loss,
            config_yaml=fragment.config,
            created_at=fragment.created_at,
            updated_at=fragment.updated_at,
            run_count=fragment.run_count,
            run_count_expected=fragment.run_count_expected,
            project=project,
        )
