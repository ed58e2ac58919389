"""``sync_tensorboard``: the TensorBoard method of ``AsyncApi`` (the async source of ``Api``'s).

A directory of event files becomes a run through the wire protocol the SDK itself uses:
``upsertBucket`` creates the run (or resumes it), ``file_stream`` appends the history rows
(continuing from the run's ``historyLineCount``) and writes the summary, ``createRunFiles``
and signed PUTs upload the event files and the media history refers to, and a last
``file_stream`` request with ``complete`` marks the run finished.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wandb_typed._async.session import AsyncSession, AsyncSessionHolder
from wandb_typed.errors import InvalidResponseError
from wandb_typed.paths import RunPath
from wandb_typed.runs.facts import DEFAULT_RUN_PROJECT, new_run_id
from wandb_typed.runs.file_names import upload_headers

if TYPE_CHECKING:
    from wandb_typed.runs import AsyncRun

__all__ = ["AsyncTensorboardApi"]

HISTORY_LINES_PER_REQUEST = 1000
"""History rows sent in one file_stream request."""


class AsyncTensorboardApi(AsyncSessionHolder):
    """``sync_tensorboard``."""

    async def sync_tensorboard(
        self,
        root_dir: str | os.PathLike[str],
        run_id: str | None = None,
        project: str | None = None,
        entity: str | None = None,
    ) -> AsyncRun:
        """Sync a directory of TensorBoard event files to a run, mark it finished, return it.

        Scalars become history rows keyed by their global step (the tags of one step share a
        row; files in a subdirectory get it as a namespace: ``train/loss``), histograms become
        W&B histograms, images become media files; the event files are uploaded as run files.
        An existing ``run_id`` is resumed: its history is continued. Needs the
        ``tensorboard`` extra (tensorboardX) to decode events.

        Args:
            root_dir: The directory searched (recursively) for ``*tfevents*`` files.
            run_id: The run to create or resume (default: a new random id).
            project: Its project (default: the configured project, else ``uncategorized``).
            entity: Its entity (default: the configured or the viewer's default entity).

        Raises:
            NotFoundError: ``root_dir`` holds no event file (the error names it).
            EventFileError: An event file is truncated or corrupt (the error names it).

        Example:
            >>> run = api.sync_tensorboard("runs/exp1", project="vision")  # doctest: +SKIP
            >>> run.state  # doctest: +SKIP
            'finished'
        """
        from wandb_typed.runs import async_fetch_run
        from wandb_typed.tensorboard.events import read_event_dir  # not with every Api

        root = Path(root_dir)
        files, history = read_event_dir(root)
        session = self._session
        project = project or session.config.project or DEFAULT_RUN_PROJECT
        entity = entity or await session.entity_default()
        reply = await session.client.create_run(
            run_id or new_run_id(), entity=entity, project=project
        )
        bucket = reply.upsert_bucket.bucket if reply.upsert_bucket is not None else None
        if bucket is None or bucket.project is None:
            raise InvalidResponseError(
                f"the server created no run for {entity or '(default entity)'}/{project}"
            )
        path = RunPath(bucket.project.entity_name, bucket.project.name, bucket.name)
        stream = f"/files/{path.entity}/{path.project}/{path.run_id}/file_stream"
        offset = bucket.history_line_count or 0
        lines = [json.dumps(row, separators=(",", ":")) for row in history.rows()]
        for start in range(0, len(lines), HISTORY_LINES_PER_REQUEST):
            chunk = lines[start : start + HISTORY_LINES_PER_REQUEST]
            body = {"files": {"wandb-history.jsonl": {"offset": offset + start, "content": chunk}}}
            await session.transport.post_json(stream, body)
        summary = json.dumps(history.summary(), separators=(",", ":"))
        await session.transport.post_json(
            stream, {"files": {"wandb-summary.json": {"offset": 0, "content": [summary]}}}
        )
        uploads: dict[str, bytes] = {
            event_file.relative_to(root).as_posix(): event_file.read_bytes() for event_file in files
        }
        uploads.update({media.name: media.content for media in history.media})
        await _upload(session, path, uploads)
        await session.transport.post_json(
            stream, {"complete": True, "exitcode": 0, "uploaded": sorted(uploads)}
        )
        return await async_fetch_run(session, path)


async def _upload(session: AsyncSession, run: RunPath, contents: dict[str, Any]) -> None:
    """Upload ``{run file name: bytes}`` to the run through ``createRunFiles``' signed URLs."""
    if not contents:
        return
    result = await session.client.create_run_files(
        run.entity, run.project, run.run_id, sorted(contents)
    )
    created = result.create_run_files
    if created is None:
        raise InvalidResponseError(f"{run}: the server gave no upload URLs (createRunFiles).")
    headers = upload_headers(created.upload_headers)
    urls = {file.name: file.upload_url for file in created.files}
    for name, content in contents.items():
        url = urls.get(name)
        if url is None:
            raise InvalidResponseError(
                f"{run}: the server gave no upload URL for {name!r} (createRunFiles)."
            )
        await session.transport.put(url, content, headers=headers)
