"""The fields of a run that need no request: identity, editable metadata, read-only facts,
and the heavy fields as the server sent them (decoded on first use).

:class:`RunFields` is the base of ``AsyncRun`` and ``Run``; what needs a request lives there.

Example:
    >>> RunFields.__slots__[:3]
    ('_config', '_config_text', '_description')
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Generic, TypeVar

from wandb_typed._json import JSONObject
from wandb_typed.paths import RunPath
from wandb_typed.runs.facts import RunFacts, RunUser
from wandb_typed.runs.run_data import JSONMapping, RunConfig

if TYPE_CHECKING:
    from wandb_typed._generated.fragments import HeavyRunFragment, LightRunFragment

__all__ = ["RunFields"]


SummaryT = TypeVar("SummaryT", bound=JSONMapping)
"""The summary object a flavour builds (``RunSummary``, ``AsyncRunSummary``)."""


class RunFields(Generic[SummaryT]):
    """What a run holds without asking the server."""

    # Slots: a listing holds thousands of runs, and every object it keeps is scanned by
    # Python's garbage collector as the listing grows.
    __slots__ = (
        "_config",
        "_config_text",
        "_description",
        "_display_name",
        "_entity",
        "_facts",
        "_full",
        "_group",
        "_history_keys",
        "_job_type",
        "_notes",
        "_project",
        "_run_id",
        "_state",
        "_storage_id",
        "_summary",
        "_summary_text",
        "_system_metrics",
        "_system_metrics_text",
        "_tags",
    )

    def __init__(self, entity: str, project: str, fragment: LightRunFragment) -> None:
        self._entity = entity
        self._project = project
        self._full = False
        # Heavy fields are kept as the server sent them (text) and decoded on first use.
        self._config_text: str | None = None
        self._config: RunConfig | None = None
        self._summary_text: str | None = None
        self._summary: SummaryT | None = None
        self._system_metrics_text: str | None = None
        self._system_metrics: JSONObject | None = None
        self._history_keys: JSONObject = {}
        self._apply(fragment)

    # -- building from fragments ------------------------------------------------------------

    def _apply(self, fragment: LightRunFragment, *, keep_summary: bool = False) -> None:
        """Take the server's values (all heavy ones too when ``fragment`` carries them)."""
        from wandb_typed._generated import RunFragment

        self._facts = RunFacts.of(fragment)
        self._storage_id = fragment.id
        self._run_id = fragment.name
        self._display_name = fragment.display_name
        self._tags: list[str] | None = None  # made from the facts when first used
        self._notes = fragment.notes
        self._description = fragment.description
        self._group = fragment.group
        self._job_type = fragment.job_type
        self._state = fragment.state
        if isinstance(fragment, RunFragment):
            self._apply_heavy(fragment, keep_summary=keep_summary)

    def _apply_heavy(self, fragment: HeavyRunFragment, *, keep_summary: bool) -> None:
        self._config_text = fragment.config
        self._config = None
        self._system_metrics_text = fragment.system_metrics
        self._system_metrics = None
        if not keep_summary:
            self._summary = None
            self._summary_text = fragment.summary_metrics
        keys = fragment.history_keys
        self._history_keys = keys if isinstance(keys, dict) else {}
        self._full = True

    @property
    def _run_path(self) -> RunPath:
        return RunPath(self._entity, self._project, self._run_id)

    @property
    def _path_text(self) -> str:
        return f"{self._entity}/{self._project}/runs/{self._run_id}"

    # -- identity ---------------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The run id (``abc123``): the last part of its path."""
        return self._run_id

    @property
    def storage_id(self) -> str:
        """The server's opaque id of the run (GraphQL ``id``), used by mutations."""
        return self._storage_id

    @property
    def entity(self) -> str:
        """The entity (user or team) that owns the run's project."""
        return self._entity

    @property
    def project(self) -> str:
        """The run's project name."""
        return self._project

    @property
    def username(self) -> str:
        """The run's entity (``wandb`` keeps this name, deprecated, for :attr:`entity`)."""
        return self._entity

    @property
    def path(self) -> list[str]:
        """``[entity, project, run_id]``, as ``wandb`` has it."""
        return [self._entity, self._project, self._run_id]

    # -- editable metadata ------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The display name (what the app shows); the run id when none was set."""
        return self._display_name or self._run_id

    @name.setter
    def name(self, value: str) -> None:
        self._display_name = value

    @property
    def display_name(self) -> str:
        """Same as :attr:`name`."""
        return self.name

    @display_name.setter
    def display_name(self, value: str) -> None:
        self._display_name = value

    @property
    def tags(self) -> list[str]:
        """The run's tags (a list you may edit, then :meth:`update`)."""
        if self._tags is None:
            self._tags = list(self._facts.tags)
        return self._tags

    @tags.setter
    def tags(self, value: Sequence[str]) -> None:
        self._tags = list(value)

    @property
    def notes(self) -> str | None:
        """Free-text notes."""
        return self._notes

    @notes.setter
    def notes(self, value: str | None) -> None:
        self._notes = value

    @property
    def description(self) -> str | None:
        """The run's description (W&B keeps it with the notes)."""
        return self._description

    @description.setter
    def description(self, value: str | None) -> None:
        self._description = value

    @property
    def group(self) -> str | None:
        """The run's group."""
        return self._group

    @group.setter
    def group(self, value: str | None) -> None:
        self._group = value

    @property
    def job_type(self) -> str | None:
        """The run's job type."""
        return self._job_type

    @job_type.setter
    def job_type(self, value: str | None) -> None:
        self._job_type = value

    # -- read-only metadata -----------------------------------------------------------------

    @property
    def state(self) -> str | None:
        """``running``, ``finished``, ``crashed``, ``failed``, ..."""
        return self._state

    @property
    def created_at(self) -> datetime:
        """When the run was created."""
        return self._facts.created_at

    @property
    def heartbeat_at(self) -> datetime | None:
        """The last time the run's process reported in."""
        return self._facts.heartbeat_at

    @property
    def user(self) -> RunUser | None:
        """Who created the run."""
        user = self._facts.user
        return None if user is None else RunUser(name=user[0], username=user[1])

    @property
    def sweep_name(self) -> str | None:
        """The id of the sweep the run belongs to, if any."""
        return self._facts.sweep_name

    @property
    def commit(self) -> str | None:
        """The git commit the run was launched from."""
        return self._facts.commit

    @property
    def read_only(self) -> bool:
        """Whether the caller may not change the run."""
        return self._facts.read_only

    @property
    def project_id(self) -> str:
        """The server's internal id of the run's project."""
        return self._facts.project_id

    @property
    def history_line_count(self) -> int:
        """How many history rows the run logged."""
        return self._facts.history_line_count
