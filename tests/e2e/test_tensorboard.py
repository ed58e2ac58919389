"""``sync_tensorboard`` end to end: event files written by tensorboardX become a finished run
on the local server (history keyed by global step, histograms, images, the event files as run
files), in both flavours; an empty directory and a truncated file fail naming the path."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tensorboardX import FileWriter, SummaryWriter
from tensorboardX.proto.summary_pb2 import Summary

from wandb_typed.errors import NotFoundError
from wandb_typed.tensorboard import EventFileError

ENTITY = "admin"
PROJECT = "e2e-tensorboard"
STEPS = 40


def tiny_png(width: int, height: int) -> bytes:
    """A red RGB PNG (signature, IHDR, one IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


PNG = tiny_png(5, 4)


def write_events(logdir: Path) -> None:
    """Three scalar tags (``loss`` every step, ``acc`` every other, ``lr`` every fifth),
    a histogram and an image, plus ``train/loss`` from a writer in a subdirectory."""
    with SummaryWriter(str(logdir)) as writer:
        for step in range(STEPS):
            writer.add_scalar("loss", 1.0 / (step + 1), step)
            if step % 2 == 0:
                writer.add_scalar("metrics/acc", step / STEPS, step)
            if step % 5 == 0:
                writer.add_scalar("lr", 0.1 * 0.5 ** (step // 5), step)
        writer.add_histogram("weights", np.linspace(-1.0, 1.0, 200), 10)
    # add_image needs pillow to encode; the image summary is written as TensorBoard stores it.
    images = FileWriter(str(logdir), filename_suffix=".images")
    encoded = Summary.Image(height=4, width=5, colorspace=3, encoded_image_string=PNG)
    images.add_summary(Summary(value=[Summary.Value(tag="samples/first", image=encoded)]), 20)
    images.close()
    with SummaryWriter(str(logdir / "train")) as writer:
        for step in range(0, STEPS, 10):
            writer.add_scalar("loss", 2.0 / (step + 1), step)


def test_sync_writes_history_files_and_finishes(make_api: Any, tmp_path: Path) -> None:
    write_events(tmp_path)
    api = make_api()
    run = api.sync_tensorboard(tmp_path, run_id="tb-sync", project=PROJECT, entity=ENTITY)

    assert (run.entity, run.project, run.id, run.state) == (ENTITY, PROJECT, "tb-sync", "finished")
    rows = list(run.scan_history())
    assert [row["_step"] for row in rows] == list(range(STEPS))
    by_step = {row["_step"]: row for row in rows}
    for step in range(STEPS):
        row = by_step[step]
        assert row["global_step"] == step
        assert row["loss"] == pytest.approx(1.0 / (step + 1), rel=1e-6)
        assert (row.get("metrics/acc") is None) == (step % 2 == 1)
        assert (row.get("lr") is None) == (step % 5 != 0)
        assert (row.get("train/loss") is None) == (step % 10 != 0)
    assert by_step[4]["metrics/acc"] == pytest.approx(0.1, rel=1e-6)
    assert by_step[30]["train/loss"] == pytest.approx(2.0 / 31, rel=1e-6)
    assert by_step[30]["train/global_step"] == 30

    histogram = by_step[10]["weights"]
    assert histogram["_type"] == "histogram"
    assert sum(histogram["values"]) == 200
    assert len(histogram["bins"]) == len(histogram["values"]) + 1
    image = by_step[20]["samples_first"]
    assert image["_type"] == "image-file"
    assert (image["width"], image["height"], image["format"]) == (5, 4, "png")

    assert run.summary["loss"] == pytest.approx(1.0 / STEPS, rel=1e-6)
    names = {file.name for file in run.files()}
    event_names = {path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*tfevents*")}
    assert len(event_names) == 3
    assert event_names <= names
    assert image["path"] in names
    uploaded = next(file for file in run.files() if file.name == image["path"])
    assert uploaded.size == image["size"]


def test_sync_resumes_an_existing_run(make_api: Any, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    with SummaryWriter(str(first)) as writer:
        for step in range(5):
            writer.add_scalar("loss", float(step), step)
    with SummaryWriter(str(second)) as writer:
        for step in range(5, 8):
            writer.add_scalar("loss", float(step), step)
    api = make_api()
    api.sync_tensorboard(first, run_id="tb-resume", project=PROJECT, entity=ENTITY)
    run = api.sync_tensorboard(second, run_id="tb-resume", project=PROJECT, entity=ENTITY)
    assert run.state == "finished"
    assert [(row["_step"], row["loss"]) for row in run.scan_history()] == [
        (step, float(step)) for step in range(8)
    ]


def test_a_directory_without_event_files_names_it(make_api: Any, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no events here")
    with pytest.raises(NotFoundError, match="no TensorBoard event file") as caught:
        make_api().sync_tensorboard(tmp_path, project=PROJECT, entity=ENTITY)
    assert str(tmp_path) in str(caught.value)


def test_a_truncated_event_file_names_it(make_api: Any, tmp_path: Path) -> None:
    with SummaryWriter(str(tmp_path)) as writer:
        for step in range(10):
            writer.add_scalar("loss", float(step), step)
    (events,) = tmp_path.glob("*tfevents*")
    events.write_bytes(events.read_bytes()[:-7])
    api = make_api()
    with pytest.raises(EventFileError, match="truncated") as caught:
        api.sync_tensorboard(tmp_path, run_id="tb-truncated", project=PROJECT, entity=ENTITY)
    assert caught.value.path == str(events)
    assert str(events) in str(caught.value)
    # Nothing was sent: the files are read whole before the run is created.
    assert "tb-truncated" not in {run.id for run in api.runs(f"{ENTITY}/{PROJECT}")}
