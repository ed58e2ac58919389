"""Runs as the public API shows them: :class:`Run` and the lazy :class:`Runs` listing.

A :class:`Run` is built from the generated run fragments (no generated name is public).
Listed lazily, runs arrive without their heavy JSON fields (config, summary, system
metrics); the first time any of them is touched on any run of a page, the heavy fields of
the whole page come in one request, never one request per run, and the listing fetches
the pages after that one whole (one request per page instead of two).

Example:
    >>> api = Api()  # doctest: +SKIP
    >>> runs = api.runs("team/vision", filters={"config.lr": {"$lt": 0.1}})  # doctest: +SKIP
    >>> [run.summary.get("loss") for run in runs[:3]]  # doctest: +SKIP
    [0.12, 0.2, 0.31]
"""

from __future__ import annotations

import json
import math
import os
import secrets
import string
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar, overload
from urllib.parse import urlsplit, urlunsplit

from wandb_typed._json import JSONObject, JSONValue, decode_object
from wandb_typed._read_ahead import ReadAhead
from wandb_typed.dataframes import FrameFormat, to_pandas, to_polars
from wandb_typed.errors import InvalidArgumentError, InvalidResponseError, NotFoundError
from wandb_typed.files import File, Files, run_file, run_files, upload_run_file
from wandb_typed.history import (
    HistoryStream,
    check_history_args,
    last_history_step,
    read_history,
    scan_history,
)
from wandb_typed.pagination import Page, Paginator
from wandb_typed.paths import RunPath
from wandb_typed.run_data import RunConfig, RunSummary, encode_json_document

if TYPE_CHECKING:
    import pandas
    import polars

    from wandb_typed._generated import (
        Client,
        GetRuns,
        GetRunsLight,
        HeavyRunFragment,
        LightRunFragment,
        RunFragment,
    )
    from wandb_typed.api import Api

__all__ = [
    "DEFAULT_RUN_PROJECT",
    "Run",
    "RunUser",
    "Runs",
    "app_url",
    "create_run",
    "encode_filters",
    "fetch_run",
    "new_run_id",
]

DEFAULT_RUN_PROJECT = "uncategorized"
"""Where ``create_run`` puts a run when no project is given or configured."""

_RUN_ID_ALPHABET = string.ascii_lowercase + string.digits

FINISHED_STATES = frozenset({"finished", "crashed", "failed", "killed"})
"""States after which a run no longer changes on its own."""


def app_url(base_url: str) -> str:
    """The web app's URL for an API base URL (``api.wandb.ai`` -> ``wandb.ai``).

    >>> app_url("https://api.wandb.ai"), app_url("http://127.0.0.1:8080/")
    ('https://wandb.ai', 'http://127.0.0.1:8080')
    """
    parts = urlsplit(base_url.rstrip("/"))
    host = parts.netloc
    if host.startswith("api.") and host.removeprefix("api.").split(":")[0].endswith("wandb.ai"):
        host = host.removeprefix("api.")
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _json_problem(value: object, where: str) -> str | None:
    """Where ``value`` stops being JSON (a path like ``filters['$or'][1]``), or None."""
    if value is None or isinstance(value, str | bool | int):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{where} is {value!r}, not a JSON number"
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{where} has a key {key!r} that is not a string"
            problem = _json_problem(item, f"{where}[{key!r}]")
            if problem:
                return problem
        return None
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            problem = _json_problem(item, f"{where}[{index}]")
            if problem:
                return problem
        return None
    return f"{where} is a {type(value).__name__}, which JSON cannot carry"


def encode_filters(filters: Mapping[str, object] | None) -> str:
    """The ``filters`` JSONString for a Mongo-style filter document (``{}`` for None).

    Raises:
        InvalidArgumentError: ``filters`` is not a mapping, or a part of it is not JSON.

    >>> encode_filters({"config.lr": {"$in": [0.1, 0.01]}})
    '{"config.lr":{"$in":[0.1,0.01]}}'
    >>> encode_filters({"created_at": {"$gt": object()}})
    Traceback (most recent call last):
    wandb_typed.errors.InvalidArgumentError: filters['created_at']['$gt'] is a object, ...
    """
    if filters is None:
        return "{}"
    if not isinstance(filters, Mapping):
        raise InvalidArgumentError(
            f"filters must be a mapping (Mongo-style query), got {type(filters).__name__}"
        )
    problem = _json_problem(filters, "filters")
    if problem:
        raise InvalidArgumentError(problem)
    return json.dumps(filters, separators=(",", ":"))


class _RunFacts(NamedTuple):
    """The fields of a run that are only read: a tuple of scalars, which Python's garbage
    collector stops scanning (a listing keeps thousands of them)."""

    project_id: str
    created_at: datetime
    heartbeat_at: datetime | None
    user: tuple[str, str | None] | None
    sweep_name: str | None
    commit: str | None
    read_only: bool
    history_line_count: int
    tags: tuple[str, ...]

    @classmethod
    def of(cls, fragment: LightRunFragment) -> _RunFacts:
        user = fragment.user
        return cls(
            fragment.project_id,
            fragment.created_at,
            fragment.heartbeat_at,
            None if user is None else (user.name, user.username),
            fragment.sweep_name,
            fragment.commit,
            bool(fragment.read_only),
            fragment.history_line_count or 0,
            tuple(tag for tag in fragment.tags or () if tag is not None),
        )


@dataclass(frozen=True)
class RunUser:
    """The user who created a run."""

    name: str
    username: str | None

    def __str__(self) -> str:
        return self.username or self.name


class _PageHeavyFields:
    """Loads config/summary/system metrics for every run of one lazy page in one request;
    ``on_load`` is told the first time, with the cursor after this page (so the listing can
    request later pages whole, the next one while this one's heavy fields load)."""

    def __init__(
        self,
        client: Client,
        entity: str,
        project: str,
        *,
        next_cursor: str | None,
        on_load: Callable[[str | None], None],
    ) -> None:
        self._client = client
        self._next_cursor = next_cursor
        self._on_load = on_load
        self._entity = entity
        self._project = project
        self._runs: list[Run] = []
        self._lock = threading.Lock()
        self._loaded = False

    def attach(self, run: Run) -> None:
        self._runs.append(run)

    def load(self) -> None:
        with self._lock:
            if self._loaded:
                return
            self._on_load(self._next_cursor)
            names = [run.id for run in self._runs]
            reply = self._client.get_runs_heavy_fields(
                self._entity,
                self._project,
                filters=encode_filters({"name": {"$in": names}}),
                per_page=max(1, len(names)),
            )
            connection = reply.project.runs if reply.project is not None else None
            found = {edge.node.name: edge.node for edge in connection.edges} if connection else {}
            for run in self._runs:
                fragment = found.get(run.id)
                if fragment is not None and not run._full:  # a run loaded alone keeps its edits
                    run._apply_heavy(fragment, keep_summary=False)
            self._loaded = True
        for run in self._runs:
            if not run._full:  # deleted since the page was listed: NotFoundError names it
                run._apply_heavy(_get_run(self._client, run._run_path), keep_summary=False)


class Run:
    """One W&B run: its metadata, config, summary, history and files.

    Get one with ``api.run("entity/project/run_id")``, from ``api.runs(...)``, or make one
    with ``api.create_run()``. Setters (``name``, ``tags``, ``notes``, ``group``,
    ``job_type``, ``description``) and ``config`` edits are local until :meth:`update`.

    Example:
        >>> run = api.run("team/vision/abc123")  # doctest: +SKIP
        >>> run.config["lr"], run.summary["loss"], run.state  # doctest: +SKIP
        (0.1, 0.25, 'finished')
    """

    # Slots: a listing holds thousands of runs, and every object it keeps is scanned by
    # Python's garbage collector as the listing grows.
    __slots__ = (
        "_api",
        "_client",
        "_config",
        "_config_text",
        "_description",
        "_display_name",
        "_entity",
        "_facts",
        "_full",
        "_group",
        "_heavy_fields",
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

    def __init__(
        self,
        api: Api,
        entity: str,
        project: str,
        fragment: LightRunFragment,
        *,
        heavy_fields: _PageHeavyFields | None = None,
    ) -> None:
        self._api = api
        self._client = api.client
        self._entity = entity
        self._project = project
        self._heavy_fields = heavy_fields
        self._full = False
        # Heavy fields are kept as the server sent them (text) and decoded on first use.
        self._config_text: str | None = None
        self._config: RunConfig | None = None
        self._summary_text: str | None = None
        self._summary: RunSummary | None = None
        self._system_metrics_text: str | None = None
        self._system_metrics: JSONObject | None = None
        self._history_keys: JSONObject = {}
        self._apply(fragment)

    # -- building from fragments ------------------------------------------------------------

    def _apply(self, fragment: LightRunFragment, *, keep_summary: bool = False) -> None:
        """Take the server's values (all heavy ones too when ``fragment`` carries them)."""
        from wandb_typed._generated import RunFragment

        self._facts = _RunFacts.of(fragment)
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

    def _ensure_full(self) -> None:
        if self._full:
            return
        if self._heavy_fields is not None:
            self._heavy_fields.load()
        else:  # local edits of the light fields survive: only the heavy ones are taken
            self._apply_heavy(_get_run(self._client, self._run_path), keep_summary=False)

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
    def path(self) -> list[str]:
        """``[entity, project, run_id]``, as ``wandb`` has it."""
        return [self._entity, self._project, self._run_id]

    @property
    def url(self) -> str:
        """The run's page in the web app."""
        return f"{app_url(self._api.config.base_url)}/{self._entity}/{self._project}/runs/{self._run_id}"

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

    # -- heavy fields -----------------------------------------------------------------------

    @property
    def config(self) -> RunConfig:
        """The run's config, unwrapped (``{"lr": 0.1}``); edit it, then :meth:`update`."""
        self._ensure_full()
        if self._config is None:
            stored = decode_object(
                self._config_text, what=lambda: f"the config of run {self._path_text}"
            )
            self._config = RunConfig.from_stored(stored)
        return self._config

    @property
    def rawconfig(self) -> JSONObject:
        """The SDK's own config entries (``_wandb``, ...) in their stored form."""
        return self.config.raw

    @property
    def summary(self) -> RunSummary:
        """The last value of each metric; ``summary.update({...})`` writes it back."""
        self._ensure_full()
        if self._summary is None:
            values = decode_object(
                self._summary_text, what=lambda: f"the summary of run {self._path_text}"
            )
            self._summary = RunSummary(save=self._save_summary)
            self._summary._adopt(values)
        return self._summary

    @property
    def summary_metrics(self) -> Mapping[str, JSONValue]:
        """Same values as :attr:`summary`, read-only."""
        return self.summary

    @property
    def system_metrics(self) -> JSONObject:
        """The latest system metrics (GPU, CPU, memory, ...)."""
        self._ensure_full()
        if self._system_metrics is None:
            self._system_metrics = decode_object(
                self._system_metrics_text,
                what=lambda: f"the system metrics of run {self._path_text}",
            )
        return self._system_metrics

    @property
    def history_keys(self) -> JSONObject:
        """``{"lastStep": N, "keys": {...}}``: what the history holds, as of the last load."""
        self._ensure_full()
        return self._history_keys

    @property
    def lastHistoryStep(self) -> int:  # wandb's camelCase name
        """The last logged step (one request, always fresh); -1 when nothing was logged."""
        return last_history_step(self._client, self._run_path)

    # -- loading and writing ----------------------------------------------------------------

    def load(self, force: bool = False) -> None:
        """Fetch every field (skipped if already loaded, unless ``force``).

        Raises:
            NotFoundError: The run no longer exists.
        """
        if self._full and not force:
            return
        fragment = _get_run(self._client, self._run_path)
        self._apply(fragment)

    def update(self) -> None:
        """Send local changes: display name, tags, notes, description, group, job type,
        config, then the summary.

        Example:
            >>> run.tags.append("best"); run.config["note"] = "tuned"  # doctest: +SKIP
            >>> run.update()  # doctest: +SKIP
        """
        self._ensure_full()
        reply = self._client.update_run(
            self._storage_id,
            description=self._description,
            display_name=self._display_name,
            notes=self._notes,
            tags=[*self.tags],
            config=encode_json_document(self.config.to_stored()),
            group_name=self._group,
            job_type=self._job_type,
        )
        bucket = reply.upsert_bucket.bucket if reply.upsert_bucket is not None else None
        if bucket is None:
            raise NotFoundError.for_run(self._path_text)
        self._apply(bucket, keep_summary=True)
        self.summary.save()

    save = update

    def _save_summary(self, values: JSONObject) -> None:
        self._client.update_run_summary(self._storage_id, encode_json_document(values))

    def delete(self, delete_artifacts: bool = False) -> None:
        """Delete the run (and, with ``delete_artifacts``, the artifacts it logged)."""
        if delete_artifacts:
            self._client.delete_run(self._storage_id, delete_artifacts=True)
        else:
            self._client.delete_run(self._storage_id)

    def wait_until_finished(self, *, poll_seconds: float = 5.0) -> None:
        """Poll the run's state until it is finished, crashed, failed or killed."""
        while True:
            reply = self._client.get_run_state(self._entity, self._project, self._run_id)
            run = reply.project.run if reply.project is not None else None
            if run is None:
                raise NotFoundError.for_run(self._run_path)
            self._state = run.state
            if run.state in FINISHED_STATES:
                return
            time.sleep(poll_seconds)

    # -- history ----------------------------------------------------------------------------

    @overload
    def history(
        self,
        samples: int = ...,
        keys: Sequence[str] | None = ...,
        x_axis: str = ...,
        pandas: Literal[True] = ...,
        stream: HistoryStream = ...,
        *,
        format: None = ...,
    ) -> pandas.DataFrame: ...

    @overload
    def history(
        self,
        samples: int = ...,
        keys: Sequence[str] | None = ...,
        x_axis: str = ...,
        pandas: Literal[False] = ...,
        stream: HistoryStream = ...,
        *,
        format: None = ...,
    ) -> list[JSONObject]: ...

    @overload
    def history(
        self,
        samples: int = ...,
        keys: Sequence[str] | None = ...,
        x_axis: str = ...,
        pandas: bool = ...,
        stream: HistoryStream = ...,
        *,
        format: Literal["default"],
    ) -> list[JSONObject]: ...

    @overload
    def history(
        self,
        samples: int = ...,
        keys: Sequence[str] | None = ...,
        x_axis: str = ...,
        pandas: bool = ...,
        stream: HistoryStream = ...,
        *,
        format: Literal["pandas"],
    ) -> pandas.DataFrame: ...

    @overload
    def history(
        self,
        samples: int = ...,
        keys: Sequence[str] | None = ...,
        x_axis: str = ...,
        pandas: bool = ...,
        stream: HistoryStream = ...,
        *,
        format: Literal["polars"],
    ) -> polars.DataFrame: ...

    def history(
        self,
        samples: int = 500,
        keys: Sequence[str] | None = None,
        x_axis: str = "_step",
        pandas: bool = True,
        stream: HistoryStream = "default",
        *,
        format: FrameFormat | None = None,
    ) -> list[JSONObject] | pandas.DataFrame | polars.DataFrame:
        """Up to ``samples`` history rows spread over the run (W&B samples on the server).

        Args:
            samples: The most rows to return (first and last included).
            keys: Only rows holding all these metrics, reduced to them plus ``x_axis``.
            x_axis: The metric to keep beside ``keys`` (default ``_step``).
            pandas: Return a pandas DataFrame (default) rather than a list of dicts.
            stream: ``"default"`` (logged metrics) or ``"system"`` (system metrics).
            format: ``"default"`` (list of dicts), ``"pandas"`` or ``"polars"``; wins over
                ``pandas`` when given.

        Raises:
            InvalidArgumentError: ``keys`` with ``stream="system"``, or a bad argument.

        Example:
            >>> run.history(samples=100, keys=["loss"], pandas=False)[:2]  # doctest: +SKIP
            [{'_step': 0, 'loss': 1.0}, {'_step': 10, 'loss': 0.8}]
        """
        wanted = check_history_args(samples, keys, x_axis, stream)
        rows = read_history(
            self._client,
            self._run_path,
            samples=samples,
            keys=wanted,
            x_axis=x_axis,
            stream=stream,
        )
        chosen: FrameFormat = format or ("pandas" if pandas else "default")
        return _as_format(rows, chosen)

    def scan_history(
        self,
        keys: Sequence[str] | None = None,
        page_size: int = 1000,
        min_step: int | None = None,
        max_step: int | None = None,
    ) -> Iterator[JSONObject]:
        """Every history row (no sampling), streamed lazily in constant memory.

        Args:
            keys: Only rows holding all these metrics, reduced to them and ``_step``.
            page_size: Steps fetched per request.
            min_step: The first step (default 0).
            max_step: The step to stop before (default: after the last step).

        Example:
            >>> losses = [row["loss"] for row in run.scan_history(keys=["loss"])]  # doctest: +SKIP
        """
        return scan_history(
            self._client,
            self._run_path,
            keys=keys,
            page_size=page_size,
            min_step=min_step,
            max_step=max_step,
        )

    # -- files ------------------------------------------------------------------------------

    def files(self, names: Sequence[str] | None = None, per_page: int = 50) -> Files:
        """The run's files (all, or those called ``names``), lazily paginated.

        Example:
            >>> [f.name for f in run.files()]  # doctest: +SKIP
            ['config.yaml', 'output.log', 'wandb-summary.json']
        """
        return run_files(self._api, self._run_path, names=names, per_page=per_page)

    def file(self, name: str) -> File:
        """The run's file called ``name``.

        Raises:
            NotFoundError: The run has no such file.
        """
        return run_file(self._api, self._run_path, name)

    def upload_file(self, path: str | os.PathLike[str], root: str | os.PathLike[str] = ".") -> File:
        """Upload a local file, named by its path relative to ``root``; returns the stored file.

        Example:
            >>> run.upload_file("out/model.pt", root="out").name  # doctest: +SKIP
            'model.pt'
        """
        return upload_run_file(self._api, self._run_path, path, root)

    # -- rows for tables --------------------------------------------------------------------

    def table_row(self) -> JSONObject:
        """One row for a runs table: id, name, state, created_at, config.*, summary.*."""
        row: JSONObject = {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "created_at": self.created_at.isoformat(),
        }
        row.update({f"config.{key}": value for key, value in self.config.items()})
        row.update(
            {
                f"summary.{key}": value
                for key, value in self.summary.items()
                if not key.startswith("_wandb")
            }
        )
        return row

    def __repr__(self) -> str:
        return f"<Run {self._entity}/{self._project}/{self._run_id} ({self._state})>"


def _as_format(
    rows: list[JSONObject], chosen: FrameFormat
) -> list[JSONObject] | pandas.DataFrame | polars.DataFrame:
    if chosen == "pandas":
        return to_pandas(rows)
    if chosen == "polars":
        return to_polars(rows)
    if chosen == "default":
        return rows
    raise InvalidArgumentError(f"format must be 'default', 'pandas' or 'polars', got {chosen!r}")


def _get_run(client: Client, path: RunPath) -> RunFragment:
    """The full fragment of a run, or :class:`NotFoundError` naming its path."""
    reply = client.get_run(path.entity, path.project, path.run_id)
    if reply.project is None or reply.project.run is None:
        raise NotFoundError.for_run(path)
    return reply.project.run


def fetch_run(api: Api, path: RunPath) -> Run:
    """One run by path, fully loaded (one request)."""
    return Run(api, path.entity, path.project, _get_run(api.client, path))


def new_run_id() -> str:
    """A random run id like the SDK's: 8 lowercase letters and digits."""
    return "".join(secrets.choice(_RUN_ID_ALPHABET) for _ in range(8))


def create_run(api: Api, *, run_id: str | None, project: str, entity: str | None) -> Run:
    """Create a running run (``upsertBucket``) and return it, fully loaded."""
    reply = api.client.create_run(run_id or new_run_id(), entity=entity, project=project)
    bucket = reply.upsert_bucket.bucket if reply.upsert_bucket is not None else None
    if bucket is None or bucket.project is None:
        raise InvalidResponseError(
            f"the server created no run for {entity or '(default entity)'}/{project}"
        )
    return Run(api, bucket.project.entity_name, bucket.project.name, bucket)


_Reply = TypeVar("_Reply")

_READ_AHEAD_PAGES = 2
"""Whole pages of runs requested ahead of the one being read."""


def _next_cursor(data: Mapping[str, Any]) -> str | None:
    """The cursor of the page after a raw ``GetRuns`` reply, or None (no next page, or a
    reply of another shape: validating that same reply reports it)."""
    project = data.get("project")
    runs = project.get("runs") if isinstance(project, dict) else None
    page_info = runs.get("pageInfo") if isinstance(runs, dict) else None
    if not isinstance(page_info, dict) or page_info.get("hasNextPage") is not True:
        return None
    end = page_info.get("endCursor")
    if end is None:
        edges = runs.get("edges") if isinstance(runs, dict) else None
        last = edges[-1] if isinstance(edges, list) and edges else None
        end = last.get("cursor") if isinstance(last, dict) else None
    return end if isinstance(end, str) else None


class Runs(Paginator[Run]):
    """The runs of a project matching ``filters``, in ``order``, fetched page by page.

    ``len()`` is the server's count of matching runs; indexing and slicing fetch only the
    pages they need; the next page is fetched while the current one is consumed.

    Example:
        >>> runs = api.runs("team/vision", order="-summary_metrics.acc")  # doctest: +SKIP
        >>> best = runs[0]  # doctest: +SKIP
        >>> frame = runs.to_pandas()  # doctest: +SKIP
    """

    def __init__(
        self,
        api: Api,
        entity: str,
        project: str,
        *,
        filters: Mapping[str, object] | None = None,
        order: str = "+created_at",
        per_page: int = 50,
        include_sweeps: bool = True,
        lazy: bool = True,
    ) -> None:
        super().__init__(per_page=per_page)
        if not isinstance(order, str):
            raise InvalidArgumentError(
                f"order must be a string like '+created_at' or '-summary_metrics.loss', "
                f"got {order!r}"
            )
        self._api = api
        self._client = api.client
        self.entity = entity
        self.project = project
        self._encoded_filters = encode_filters(filters)
        self.filters: Mapping[str, object] = dict(filters or {})
        self.order = order
        self.include_sweeps = include_sweeps
        """Kept for ``wandb`` compatibility; each run's ``sweep_name`` is always present."""
        self.lazy = lazy
        self._heavy_fields_wanted = False
        self._whole_pages: ReadAhead[str, GetRuns] = ReadAhead(
            self._request_whole, depth=_READ_AHEAD_PAGES, name="Runs"
        )

    def _want_heavy_fields(self, next_cursor: str | None) -> None:
        """A lazy page's heavy fields were needed: fetch the pages after it whole (one
        request per page instead of two), as the official client's ``upgrade_to_full``,
        starting with the next page now."""
        self._heavy_fields_wanted = True
        if next_cursor is not None:
            self._read_ahead_from(next_cursor)

    def _request(self, cursor: str | None, *, light: bool) -> GetRuns | GetRunsLight:
        if not light:
            return self._request_whole(cursor, self._read_ahead_from)
        return self._page(self._client.get_runs_light, cursor)

    def _request_whole(self, cursor: str | None, on_next: Callable[[str], None]) -> GetRuns:
        """A whole page; ``on_next`` gets the next page's cursor as soon as the reply is in,
        before the reply is validated."""

        def next_page(data: dict[str, Any]) -> None:
            end = _next_cursor(data)
            if end is not None:
                on_next(end)

        return self._page(self._client.get_runs, cursor, on_data=next_page)

    def _page(self, query: Callable[..., _Reply], cursor: str | None, **options: Any) -> _Reply:
        """The page after ``cursor`` of this listing, sent with ``query``."""
        return query(
            self.entity,
            self.project,
            filters=self._encoded_filters,
            order=self.order,
            cursor=cursor,
            per_page=self.per_page,
            **options,
        )

    def _read_ahead_from(self, cursor: str) -> None:
        """Request the whole page after ``cursor`` in the background (chained: each reply
        requests its successor, at most ``_READ_AHEAD_PAGES`` ahead of the consumer)."""
        if self._prefetch_enabled:
            self._whole_pages.start(cursor)

    def _fetch(self, cursor: str | None) -> Page[Run]:
        light = False
        reply: GetRuns | GetRunsLight | None = (
            self._whole_pages.take(cursor) if cursor is not None else None
        )
        if reply is None:
            light = self.lazy and not self._heavy_fields_wanted
            reply = self._request(cursor, light=light)
        project = reply.project
        if project is None:
            path = f"{self.entity}/{self.project}"
            raise NotFoundError(f"project {path} not found", kind="project", path=path)
        connection = project.runs
        if connection is None:
            return Page([], end_cursor=None, has_next=False, total=project.run_count)
        end = connection.page_info.end_cursor
        if end is None and connection.edges:
            end = connection.edges[-1].cursor
        heavy = (
            _PageHeavyFields(
                self._client,
                self.entity,
                self.project,
                next_cursor=end if connection.page_info.has_next_page else None,
                on_load=self._want_heavy_fields,
            )
            if light
            else None
        )
        runs: list[Run] = []
        for edge in connection.edges:
            run = Run(self._api, self.entity, self.project, edge.node, heavy_fields=heavy)
            if heavy is not None:
                heavy.attach(run)
            runs.append(run)
        return Page(
            runs,
            end_cursor=end,
            has_next=connection.page_info.has_next_page,
            total=project.run_count,
        )

    # -- histories --------------------------------------------------------------------------

    @overload
    def histories(
        self,
        samples: int = ...,
        keys: Sequence[str] | None = ...,
        x_axis: str = ...,
        format: Literal["default"] = ...,
        stream: HistoryStream = ...,
    ) -> list[JSONObject]: ...

    @overload
    def histories(
        self,
        samples: int = ...,
        keys: Sequence[str] | None = ...,
        x_axis: str = ...,
        *,
        format: Literal["pandas"],
        stream: HistoryStream = ...,
    ) -> pandas.DataFrame: ...

    @overload
    def histories(
        self,
        samples: int = ...,
        keys: Sequence[str] | None = ...,
        x_axis: str = ...,
        *,
        format: Literal["polars"],
        stream: HistoryStream = ...,
    ) -> polars.DataFrame: ...

    def histories(
        self,
        samples: int = 500,
        keys: Sequence[str] | None = None,
        x_axis: str = "_step",
        format: FrameFormat = "default",
        stream: HistoryStream = "default",
    ) -> list[JSONObject] | pandas.DataFrame | polars.DataFrame:
        """The sampled history of every run, each row with a ``run_id`` column.

        Args: as :meth:`Run.history`; ``format`` is ``"default"`` (a list of dicts),
        ``"pandas"`` or ``"polars"`` (one frame for all runs).

        Example:
            >>> frame = runs.histories(samples=100, keys=["loss"], format="pandas")  # doctest: +SKIP
        """
        check_history_args(samples, keys, x_axis, stream)
        rows: list[JSONObject] = []
        for run in self:
            for row in run.history(samples, keys, x_axis, pandas=False, stream=stream):
                row["run_id"] = run.id
                rows.append(row)
        return _as_format(rows, format)

    # -- runs tables ------------------------------------------------------------------------

    def table_rows(self) -> list[JSONObject]:
        """One row per run: id, name, state, created_at, ``config.*`` and ``summary.*``."""
        return [run.table_row() for run in self]

    def to_pandas(self) -> pandas.DataFrame:
        """The runs as a pandas DataFrame (see :meth:`table_rows` for the columns)."""
        return to_pandas(self.table_rows())

    def to_polars(self) -> polars.DataFrame:
        """The runs as a polars DataFrame (see :meth:`table_rows` for the columns)."""
        return to_polars(self.table_rows())

    def close(self) -> None:
        """Forget pages requested ahead (their requests finish on their own)."""
        super().close()
        self._whole_pages.close()

    def __repr__(self) -> str:
        return f"<Runs {self.entity}/{self.project} loaded={len(self._items)}>"
