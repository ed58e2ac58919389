"""A W&B run as the public API shows it (the async source of ``Run``).

A run is built from the generated run fragments (no generated name is public). Listed
lazily, runs arrive without their heavy JSON fields (config, summary, system metrics); the
first time any of them is wanted on any run of a page, the heavy fields of the whole page come
in one request (see :class:`AsyncPageHeavyFields`), never one request per run.

In async code every value that may need a request is awaited (``await run.config()``); the
sync ``Run`` has lazy properties instead (``run.config``).

Example:
    >>> run = await api.run("team/vision/abc123")  # doctest: +SKIP
    >>> (await run.config())["lr"], run.state  # doctest: +SKIP
    (0.1, 'finished')
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from wandb_typed._concurrency import AsyncBatcher, async_sleep
from wandb_typed._html import iframe_html
from wandb_typed._json import JSONObject, JSONValue, decode_object, parse_object
from wandb_typed.dataframes import FrameFormat
from wandb_typed.errors import NotFoundError, WandbTypedError
from wandb_typed.paths import RunPath, app_url
from wandb_typed.runs._async.files import AsyncFile, AsyncFiles, run_file, upload_run_file
from wandb_typed.runs._async.history import (
    full_history_table,
    last_history_step,
    read_history,
    scan_history,
)
from wandb_typed.runs._async.history_exports import (
    DownloadHistoryResult,
    download_history_exports,
)
from wandb_typed.runs._async.loading import AsyncPageHeavyFields, get_run_fragment
from wandb_typed.runs._async.summary import AsyncRunSummary
from wandb_typed.runs.facts import (
    FINISHED_STATES,
    as_format,
    check_state_target,
    check_table_format,
    table_as_format,
)
from wandb_typed.runs.history_spec import HistoryRequest, HistoryStream, check_history_args
from wandb_typed.runs.run_data import RunConfig, encode_json_document, unwrapped_raw
from wandb_typed.runs.run_fields import RunFields

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import pandas
    import polars
    import pyarrow

    from wandb_typed._async.session import AsyncSession
    from wandb_typed._generated.fragments import (
        LightRunFragment,
    )
    from wandb_typed.artifacts import ArtifactDraft, AsyncArtifact, AsyncRunArtifacts
    from wandb_typed.sweeps import AsyncSweep

__all__ = ["AsyncRun", "fetch_run"]


class AsyncRun(RunFields[AsyncRunSummary]):
    """One W&B run: its metadata, config, summary, history and files.

    Get one with ``api.run("entity/project/run_id")``, from ``api.runs(...)``, or make one
    with ``api.create_run()``. Setters (``name``, ``tags``, ``notes``, ``group``,
    ``job_type``, ``description``) and ``config`` edits are local until :meth:`update`.

    Example:
        >>> run = api.run("team/vision/abc123")  # doctest: +SKIP
        >>> run.config["lr"], run.summary["loss"], run.state  # doctest: +SKIP
        (0.1, 0.25, 'finished')
    """

    __slots__ = ("_heavy_fields", "_histories", "_metadata", "_session")

    def __init__(
        self,
        session: AsyncSession,
        entity: str,
        project: str,
        fragment: LightRunFragment,
        *,
        heavy_fields: AsyncPageHeavyFields | None = None,
        histories: AsyncBatcher[HistoryRequest, list[JSONObject]] | None = None,
    ) -> None:
        self._session = session
        self._heavy_fields = heavy_fields
        self._histories = histories
        self._metadata: JSONObject | None = None
        super().__init__(entity, project, fragment)

    async def _ensure_full(self) -> None:
        if self._full:
            return
        if self._heavy_fields is not None:
            await self._heavy_fields.load()
        else:  # local edits of the light fields survive: only the heavy ones are taken
            fragment = await get_run_fragment(self._session, self._run_path)
            self._apply_heavy(fragment, keep_summary=False)

    @property
    def url(self) -> str:
        """The run's page in the web app."""
        return f"{app_url(self._session.config.base_url)}/{self._entity}/{self._project}/runs/{self._run_id}"

    def to_html(self, height: int = 420, hidden: bool = False) -> str:
        """An HTML ``iframe`` showing the run's page (what notebooks display).

        Example:
            >>> run.to_html(height=300)  # doctest: +SKIP
            "<iframe src='https://wandb.ai/team/vision/runs/abc123?jupyter=true' ..."
        """
        return iframe_html(self.url, height=height, hidden=hidden, what="run")

    def _repr_html_(self) -> str:
        return self.to_html()

    # unasync: property
    async def sweep(self) -> AsyncSweep | None:
        """The sweep the run belongs to (one request), or None for a run of no sweep.

        Raises:
            NotFoundError: The run names a sweep that no longer exists.
        """
        if not self.sweep_name:
            return None
        from wandb_typed.paths import SweepPath
        from wandb_typed.sweeps import async_fetch_sweep

        path = SweepPath(self._entity, self._project, self.sweep_name)
        return await async_fetch_sweep(self._session, path)

    # -- heavy fields -----------------------------------------------------------------------

    # unasync: property
    async def config(self) -> RunConfig:
        """The run's config, unwrapped (``{"lr": 0.1}``); edit it, then :meth:`update`."""
        return await self._config_value()

    async def _config_value(self) -> RunConfig:
        await self._ensure_full()
        if self._config is None:
            stored = decode_object(
                self._config_text, what=lambda: f"the config of run {self._path_text}"
            )
            self._config = RunConfig.from_stored(stored)
        return self._config

    # unasync: property
    async def rawconfig(self) -> JSONObject:
        """Every config key unwrapped, the SDK's own (``_wandb``, ...) first, as ``wandb``
        has it (``run.config`` leaves the SDK's keys out)."""
        config = await self._config_value()
        return {**unwrapped_raw(config.raw), **config}

    # unasync: property
    async def json_config(self) -> str:
        """The config as W&B stores it (``{"lr": {"value": 0.1, "desc": null}, ...}``), as JSON
        text: the user's keys and ``_wandb``, as ``wandb`` gives it."""
        config = await self._config_value()
        stored: JSONObject = {}
        raw = unwrapped_raw(config.raw)
        if "_wandb" in raw:
            stored["_wandb"] = {"value": raw["_wandb"], "desc": None}
        stored.update({key: {"value": value, "desc": None} for key, value in config.items()})
        return json.dumps(stored)

    # unasync: property
    async def metadata(self) -> JSONObject | None:
        """The run's ``wandb-metadata.json`` (host, Python, git, command line, ...), or
        ``None`` when the run has none (or it cannot be read), as ``wandb`` has it."""
        if self._metadata is None:
            try:
                file = await run_file(self._session, self._run_path, "wandb-metadata.json")
                if file.url is None:
                    return None
                async with self._session.transport.stream(file.url) as chunks:
                    content = b"".join([chunk async for chunk in chunks])
                self._metadata = parse_object(content.decode("utf-8", "replace"))
            except WandbTypedError:
                return None
        return self._metadata

    # unasync: property
    async def summary(self) -> AsyncRunSummary:
        """The last value of each metric; ``summary.update({...})`` writes it back."""
        return await self._summary_value()

    async def _summary_value(self) -> AsyncRunSummary:
        await self._ensure_full()
        if self._summary is None:
            values = decode_object(
                self._summary_text, what=lambda: f"the summary of run {self._path_text}"
            )
            self._summary = AsyncRunSummary(save=self._save_summary)
            self._summary._adopt(values)
        return self._summary

    # unasync: property
    async def summary_metrics(self) -> Mapping[str, JSONValue]:
        """Same values as :attr:`summary`, read-only."""
        return await self._summary_value()

    # unasync: property
    async def system_metrics(self) -> JSONObject:
        """The latest system metrics (GPU, CPU, memory, ...)."""
        return await self._system_metrics_value()

    async def _system_metrics_value(self) -> JSONObject:
        await self._ensure_full()
        if self._system_metrics is None:
            self._system_metrics = decode_object(
                self._system_metrics_text,
                what=lambda: f"the system metrics of run {self._path_text}",
            )
        return self._system_metrics

    # unasync: property
    async def history_keys(self) -> JSONObject:
        """``{"lastStep": N, "keys": {...}}``: what the history holds, as of the last load."""
        await self._ensure_full()
        return self._history_keys

    # unasync: property
    async def lastHistoryStep(self) -> int:  # wandb's camelCase name
        """The last logged step (one request, always fresh); -1 when nothing was logged."""
        return await last_history_step(self._session.client, self._run_path)

    # -- loading and writing ----------------------------------------------------------------

    async def load(self, force: bool = False) -> None:
        """Fetch every field (skipped if already loaded, unless ``force``).

        Raises:
            NotFoundError: The run no longer exists.
        """
        if self._full and not force:
            return
        fragment = await get_run_fragment(self._session, self._run_path)
        self._apply(fragment)

    async def update(self) -> None:
        """Send local changes: display name, tags, notes, description, group, job type,
        config, then the summary.

        Example:
            >>> run.tags.append("best"); run.config["note"] = "tuned"  # doctest: +SKIP
            >>> run.update()  # doctest: +SKIP
        """
        await self._ensure_full()
        config = await self._config_value()
        reply = await self._session.client.update_run(
            self._storage_id,
            description=self._description,
            display_name=self._display_name,
            notes=self._notes,
            tags=[*self.tags],
            config=encode_json_document(config.to_stored()),
            group_name=self._group,
            job_type=self._job_type,
        )
        bucket = reply.upsert_bucket.bucket if reply.upsert_bucket is not None else None
        if bucket is None:
            raise NotFoundError.for_run(self._path_text)
        self._apply(bucket, keep_summary=True)
        await (await self._summary_value()).save()

    save = update

    async def load_full_data(self, force: bool = False) -> JSONObject:
        """Load every field (config, summary, system metrics too) and return them as the
        GraphQL reply names them, config unwrapped (``wandb``'s ``run._attrs``).

        Example:
            >>> run.load_full_data()["summaryMetrics"]["loss"]  # doctest: +SKIP
            0.25
        """
        await self.load(force=force)
        config = await self._config_value()
        facts = self._facts
        user = self.user
        return {
            "id": self._storage_id,
            "name": self._run_id,
            "displayName": self.name,
            "state": self._state,
            "projectId": facts.project_id,
            "tags": list(self.tags),
            "notes": self._notes,
            "description": self._description,
            "group": self._group,
            "jobType": self._job_type,
            "sweepName": facts.sweep_name,
            "commit": facts.commit,
            "readOnly": facts.read_only,
            "createdAt": facts.created_at.isoformat(),
            "heartbeatAt": None if facts.heartbeat_at is None else facts.heartbeat_at.isoformat(),
            "historyLineCount": facts.history_line_count,
            "historyKeys": self._history_keys,
            "config": dict(config),
            "rawconfig": {**unwrapped_raw(config.raw), **config},
            "summaryMetrics": dict(await self._summary_value()),
            "systemMetrics": await self._system_metrics_value(),
            "user": None if user is None else {"name": user.name, "username": user.username},
        }

    async def _save_summary(self, values: JSONObject) -> None:
        await self._session.client.update_run_summary(
            self._storage_id, encode_json_document(values)
        )

    async def delete(self, delete_artifacts: bool = False) -> None:
        """Delete the run (and, with ``delete_artifacts``, the artifacts it logged)."""
        if delete_artifacts:
            await self._session.client.delete_run(self._storage_id, delete_artifacts=True)
        else:
            await self._session.client.delete_run(self._storage_id)

    async def update_state(self, state: str) -> bool:
        """Move the run to ``"pending"`` (from running, failed, crashed or preempted: to
        requeue it) or to ``"failed"`` (from pending or running: to mark a lost run failed).

        Returns True once the server has made the change (``run.state`` then says so).
        Raises ``InvalidArgumentError`` for any other target state, and ``GraphQLError``
        ("invalid state transition ...") when the run's current state does not allow it, or
        it belongs to a sweep.

        Example:
            >>> run.update_state("failed")  # doctest: +SKIP
            True
        """
        reply = await self._session.client.update_run_state(
            self._storage_id, check_state_target(state)
        )
        if reply.update_run_state is None or not reply.update_run_state.success:
            return False
        self._state = state
        return True

    async def wait_until_finished(self, *, poll_seconds: float = 5.0) -> None:
        """Poll the run's state until it is finished, crashed, failed or killed."""
        while True:
            reply = await self._session.client.get_run_state(
                self._entity, self._project, self._run_id
            )
            run = reply.project.run if reply.project is not None else None
            if run is None:
                raise NotFoundError.for_run(self._run_path)
            self._state = run.state
            if run.state in FINISHED_STATES:
                return
            await async_sleep(poll_seconds)

    # -- history ----------------------------------------------------------------------------

    @overload
    async def history(
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
    async def history(
        self,
        samples: int,
        keys: Sequence[str] | None,
        x_axis: str,
        pandas: Literal[False],
        stream: HistoryStream = ...,
        *,
        format: None = ...,
    ) -> list[JSONObject]: ...

    @overload
    async def history(
        self,
        samples: int = ...,
        keys: Sequence[str] | None = ...,
        x_axis: str = ...,
        *,
        pandas: Literal[False],
        stream: HistoryStream = ...,
        format: None = ...,
    ) -> list[JSONObject]: ...

    @overload
    async def history(
        self,
        samples: int = ...,
        keys: Sequence[str] | None = ...,
        x_axis: str = ...,
        pandas: bool = ...,
        stream: HistoryStream = ...,
        *,
        format: None = ...,
    ) -> list[JSONObject] | pandas.DataFrame: ...

    @overload
    async def history(
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
    async def history(
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
    async def history(
        self,
        samples: int = ...,
        keys: Sequence[str] | None = ...,
        x_axis: str = ...,
        pandas: bool = ...,
        stream: HistoryStream = ...,
        *,
        format: Literal["polars"],
    ) -> polars.DataFrame: ...

    @overload
    async def history(
        self,
        samples: int = ...,
        keys: Sequence[str] | None = ...,
        x_axis: str = ...,
        pandas: bool = ...,
        stream: HistoryStream = ...,
        *,
        format: Literal["arrow"],
    ) -> pyarrow.Table: ...

    async def history(
        self,
        samples: int = 500,
        keys: Sequence[str] | None = None,
        x_axis: str = "_step",
        pandas: bool = True,
        stream: HistoryStream = "default",
        *,
        format: FrameFormat | None = None,
    ) -> list[JSONObject] | pandas.DataFrame | polars.DataFrame | pyarrow.Table:
        """Up to ``samples`` history rows spread over the run (W&B samples on the server).

        Args:
            samples: The most rows to return (first and last included).
            keys: Only rows holding all these metrics, reduced to them plus ``x_axis``.
            x_axis: The metric to keep beside ``keys`` (default ``_step``).
            pandas: Return a pandas DataFrame (default) rather than a list of dicts.
            stream: ``"default"`` (logged metrics) or ``"system"`` (system metrics).
            format: ``"default"`` (list of dicts), ``"pandas"``, ``"polars"`` or ``"arrow"``
                (a ``pyarrow.Table``); wins over ``pandas`` when given.

        Raises:
            InvalidArgumentError: ``keys`` with ``stream="system"``, or a bad argument.

        Example:
            >>> run.history(samples=100, keys=["loss"], pandas=False)[:2]  # doctest: +SKIP
            [{'_step': 0, 'loss': 1.0}, {'_step': 10, 'loss': 0.8}]
        """
        wanted = check_history_args(samples, keys, x_axis, stream)
        rows = None
        if self._histories is not None:  # a listed run: read with its listing's others
            request = HistoryRequest(
                self._run_id, samples, None if wanted is None else tuple(wanted), x_axis, stream
            )
            rows = await self._histories.load(request)
        if rows is None:
            rows = await read_history(
                self._session.client,
                self._run_path,
                samples=samples,
                keys=wanted,
                x_axis=x_axis,
                stream=stream,
            )
        chosen: FrameFormat = format or ("pandas" if pandas else "default")
        return as_format(rows, chosen)

    def scan_history(
        self,
        keys: Sequence[str] | None = None,
        page_size: int = 1000,
        min_step: int | None = None,
        max_step: int | None = None,
    ) -> AsyncIterator[JSONObject]:
        """Every history row (no sampling), streamed lazily in constant memory.

        Without ``keys``, ``min_step`` and ``max_step``, the rows are read from the run's
        Parquet history exports when the server offers them and pyarrow is installed (the
        same rows, far fewer requests); otherwise in windows of ``page_size`` steps.

        Args:
            keys: Only rows holding all these metrics, reduced to them and ``_step``.
            page_size: Steps fetched per request.
            min_step: The first step (default 0).
            max_step: The step to stop before (default: after the last step).

        Example:
            >>> losses = [row["loss"] for row in run.scan_history(keys=["loss"])]  # doctest: +SKIP
        """
        return scan_history(
            self._session.client,
            self._run_path,
            keys=keys,
            page_size=page_size,
            min_step=min_step,
            max_step=max_step,
            exports=self._session,
        )

    @overload
    async def full_history(self, format: Literal["arrow"] = ...) -> pyarrow.Table: ...

    @overload
    async def full_history(self, format: Literal["pandas"]) -> pandas.DataFrame: ...

    @overload
    async def full_history(self, format: Literal["polars"]) -> polars.DataFrame: ...

    async def full_history(
        self, format: Literal["arrow", "pandas", "polars"] = "arrow"
    ) -> pyarrow.Table | pandas.DataFrame | polars.DataFrame:
        """Every history row, every key, in step order, as one table (not in ``wandb``).

        The table is ``wandb_typed.arrow.to_arrow(list(run.scan_history(min_step=0)))``: a
        column per key in order of first appearance, nulls where a row lacks the key, each
        column typed by the rule of :mod:`wandb_typed.arrow` (ints stay ints, ints beside
        floats become floats, dicts and lists become their JSON text). When the server offers
        Parquet history exports, the table is made from them column by column, without a
        Python object per row (far faster than the rows for a long run); otherwise from the
        paged rows.

        Args:
            format: ``"arrow"`` (a ``pyarrow.Table``), ``"pandas"`` (that table's
                ``to_pandas()``) or ``"polars"`` (``polars.from_arrow`` of it).

        Raises:
            InvalidArgumentError: ``format`` is not one of those.
            ImportError: pyarrow (or the chosen pandas/polars) is not installed.
            NotFoundError: The run does not exist.

        Example:
            >>> table = run.full_history()  # doctest: +SKIP
            >>> table.num_rows, table.column_names[:3]  # doctest: +SKIP
            (1000000, ['_step', 'loss', '_runtime'])
            >>> run.full_history("polars")["loss"].mean()  # doctest: +SKIP
            0.25
        """
        check_table_format(format)
        return table_as_format(await full_history_table(self._session, self._run_path), format)

    def beta_scan_history(
        self,
        keys: Sequence[str] | None = None,
        page_size: int = 1000,
        min_step: int = 0,
        max_step: int | None = None,
        use_cache: bool = True,
    ) -> AsyncIterator[JSONObject]:
        """Deprecated in ``wandb``: the same rows as :meth:`scan_history` (``use_cache`` is
        accepted and ignored), with a ``DeprecationWarning``."""
        warnings.warn(
            "beta_scan_history is deprecated (as in wandb): use scan_history",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.scan_history(keys, page_size, min_step, max_step)

    async def download_history_exports(
        self, download_dir: str | os.PathLike[str], require_complete_history: bool = True
    ) -> DownloadHistoryResult:
        """Download the run's Parquet history exports into ``download_dir``.

        Raises:
            UnsupportedByServerError: The server exports no Parquet history for this run
                (the local server has none yet: use :meth:`scan_history`).
            IncompleteRunHistoryError: Rows remain that no export holds yet, and
                ``require_complete_history`` is true.

        Example:
            >>> run.download_history_exports("exports").paths  # doctest: +SKIP
            [PosixPath('exports/0.parquet')]
        """
        return await download_history_exports(
            self._session,
            self._run_path,
            Path(download_dir),
            require_complete_history=require_complete_history,
            has_history=self._facts.history_line_count > 0,
        )

    # -- files ------------------------------------------------------------------------------

    def files(self, names: Sequence[str] | None = None, per_page: int = 50) -> AsyncFiles:
        """The run's files (all, or those called ``names``), lazily paginated.

        Example:
            >>> [f.name for f in run.files()]  # doctest: +SKIP
            ['config.yaml', 'output.log', 'wandb-summary.json']
        """
        return AsyncFiles(self._session, self._run_path, names=names, per_page=per_page)

    async def file(self, name: str) -> AsyncFile:
        """The run's file called ``name``.

        Raises:
            NotFoundError: The run has no such file.
        """
        return await run_file(self._session, self._run_path, name)

    async def upload_file(
        self, path: str | os.PathLike[str], root: str | os.PathLike[str] = "."
    ) -> AsyncFile:
        """Upload a local file, named by its path relative to ``root``; returns the stored file.

        Example:
            >>> run.upload_file("out/model.pt", root="out").name  # doctest: +SKIP
            'model.pt'
        """
        return await upload_run_file(self._session, self._run_path, path, root)

    # -- artifacts ----------------------------------------------------------------------------
    # Artifacts build on runs (an artifact's logged_by() is a run), so a run reaches the
    # artifacts domain only here, at call time: the two domains do not import each other at
    # load time.

    def logged_artifacts(self, per_page: int = 100) -> AsyncRunArtifacts:
        """The artifact versions this run logged.

        Example:
            >>> [a.name for a in run.logged_artifacts()]  # doctest: +SKIP
            ['mnist:v3', 'model:v0']
        """
        from wandb_typed.artifacts import AsyncRunArtifacts

        return AsyncRunArtifacts(self._session, self._run_path, "output", per_page)

    def used_artifacts(self, per_page: int = 100) -> AsyncRunArtifacts:
        """The artifact versions this run used."""
        from wandb_typed.artifacts import AsyncRunArtifacts

        return AsyncRunArtifacts(self._session, self._run_path, "input", per_page)

    async def use_artifact(
        self, artifact: AsyncArtifact, use_as: str | None = None
    ) -> AsyncArtifact:
        """Record that this run used ``artifact`` (it then appears in :meth:`used_artifacts`
        and the artifact's ``used_by()``); returns the artifact."""
        from wandb_typed._generated.input_types import UseArtifactInput

        await self._session.client.use_artifact(
            UseArtifactInput(
                artifact_id=artifact.id,
                entity_name=self._entity,
                project_name=self._project,
                run_name=self._run_id,
                used_as=use_as,
            )
        )
        return artifact

    async def log_artifact(
        self,
        artifact: ArtifactDraft,
        aliases: list[str] | None = None,
        tags: list[str] | None = None,
    ) -> AsyncArtifact:
        """Upload a new artifact version as logged by this run (which may be finished) and
        return it; ``latest`` moves to it, with ``aliases`` besides.

        Example:
            >>> draft = ArtifactDraft("mnist", type="dataset")  # doctest: +SKIP
            >>> draft.add_dir("data/mnist")  # doctest: +SKIP
            >>> run.log_artifact(draft, aliases=["best"]).version  # doctest: +SKIP
            'v4'
        """
        from wandb_typed.artifacts import async_fetch_artifact, async_log_artifact

        artifact_id = await async_log_artifact(
            self._session, self._run_path, artifact, aliases=aliases, tags=tags
        )
        return await async_fetch_artifact(self._session, artifact_id)

    # -- rows for tables --------------------------------------------------------------------

    async def table_row(self) -> JSONObject:
        """One row for a runs table: id, name, state, created_at, config.*, summary.*."""
        row: JSONObject = {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "created_at": self.created_at.isoformat(),
        }
        config, summary = await self._config_value(), await self._summary_value()
        row.update({f"config.{key}": value for key, value in config.items()})
        row.update(
            {
                f"summary.{key}": value
                for key, value in summary.items()
                if not key.startswith("_wandb")
            }
        )
        return row

    async def flat_row(self) -> dict[str, object]:
        """One row for an export: the run's fields, then config and summary flattened into
        dotted columns (``config.net.depth``, ``summary.loss``; the SDK's ``_wandb`` left out)."""
        from wandb_typed.arrow import flatten

        config, summary = await self._config_value(), await self._summary_value()
        row: dict[str, object] = {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "group": self.group,
            "job_type": self.job_type,
            "tags": list(self.tags),
            "created_at": self.created_at,
        }
        row.update(flatten(config, prefix="config."))
        row.update(
            flatten(
                {key: value for key, value in summary.items() if not key.startswith("_wandb")},
                prefix="summary.",
            )
        )
        return row

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self._entity}/{self._project}/{self._run_id} ({self._state})>"
        )


async def fetch_run(session: AsyncSession, path: RunPath) -> AsyncRun:
    """One run by path, fully loaded (one request)."""
    return AsyncRun(session, path.entity, path.project, await get_run_fragment(session, path))
