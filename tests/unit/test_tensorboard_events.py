"""The event-file reader behind ``sync_tensorboard`` (no server): TFRecord framing and its
checksums, and what each kind of summary becomes."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from tensorboardX import FileWriter
from tensorboardX.proto.event_pb2 import Event
from tensorboardX.proto.summary_pb2 import HistogramProto, Summary
from tensorboardX.proto.tensor_pb2 import TensorProto
from tensorboardX.proto.tensor_shape_pb2 import TensorShapeProto

from wandb_typed.errors import NotFoundError
from wandb_typed.tensorboard.events import (
    HISTOGRAM_MAX_BINS,
    EventFileError,
    TensorboardHistory,
    find_event_files,
    read_event_dir,
    read_records,
)


def write(folder: Path, *summaries: tuple[int, Summary]) -> Path:
    writer = FileWriter(str(folder))
    for step, summary in summaries:
        writer.add_summary(summary, step)
    writer.close()
    (path,) = folder.glob("*tfevents*")
    return path


def scalar(tag: str, value: float) -> Summary:
    return Summary(value=[Summary.Value(tag=tag, simple_value=value)])


def test_records_are_checked_and_a_flipped_byte_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, (1, scalar("loss", 0.5)))
    events = [Event.FromString(record) for record in read_records(path)]
    assert events[-1].summary.value[0].simple_value == 0.5
    data = bytearray(path.read_bytes())
    data[-6] ^= 0xFF  # inside the last record's data
    path.write_bytes(bytes(data))
    with pytest.raises(EventFileError, match="bad data checksum") as caught:
        list(read_records(path))
    assert caught.value.path == str(path)


def test_a_file_cut_inside_a_header_is_truncated(tmp_path: Path) -> None:
    path = write(tmp_path, (1, scalar("loss", 0.5)))
    whole = path.read_bytes()
    first = 8 + 4 + struct.unpack("<Q", whole[:8])[0] + 4
    path.write_bytes(whole[: first + 5])
    with pytest.raises(EventFileError, match=r"truncated event file \(a record header"):
        list(read_records(path))


def test_find_event_files_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no TensorBoard event file") as caught:
        find_event_files(tmp_path)
    assert caught.value.path == str(tmp_path)
    with pytest.raises(NotFoundError, match="is not a directory"):
        find_event_files(tmp_path / "missing")


def test_tf2_scalar_tensors_and_namespaces(tmp_path: Path) -> None:
    scalar_shape = TensorShapeProto()
    as_float = TensorProto(dtype=1, tensor_shape=scalar_shape, float_val=[0.25])
    as_bytes = TensorProto(
        dtype=2, tensor_shape=scalar_shape, tensor_content=struct.pack("<d", 4.5)
    )
    vector = TensorProto(
        dtype=1, tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=2)]), float_val=[1, 2]
    )
    write(
        tmp_path / "eval",
        (
            7,
            Summary(
                value=[
                    Summary.Value(tag="acc", tensor=as_float),
                    Summary.Value(tag="loss", tensor=as_bytes),
                    Summary.Value(tag="embedding", tensor=vector),
                ]
            ),
        ),
    )
    _, history = read_event_dir(tmp_path)
    (row,) = history.rows()
    assert row["eval/acc"] == 0.25
    assert row["eval/loss"] == 4.5
    assert "eval/embedding" not in row  # not a scalar: kept only in the event file
    assert (row["_step"], row["global_step"], row["eval/global_step"]) == (7, 7, 7)


def test_histograms_keep_every_count_within_wandb_limit() -> None:
    buckets = 1000
    limits = [float(i) for i in range(1, buckets + 1)]
    histo = HistogramProto(bucket_limit=limits, bucket=[1.0] * buckets)
    history = TensorboardHistory()
    history.add_histogram(3, "w", histo, wall_time=1.0)
    converted = history.rows()[0]["w"]
    assert converted["_type"] == "histogram"
    assert len(converted["values"]) <= HISTOGRAM_MAX_BINS
    assert sum(converted["values"]) == buckets
    assert len(converted["bins"]) == len(converted["values"]) + 1
    assert converted["bins"][0] == 0.0  # the first bucket's left edge: 1 - (2 - 1)
    history.add_histogram(
        4, "tiny", HistogramProto(bucket_limit=[1.0, 2.0], bucket=[1, 1]), wall_time=2.0
    )
    assert 4 not in history.by_step  # two buckets: W&B shows none; the event file keeps it


def test_non_finite_scalars_and_the_summary() -> None:
    history = TensorboardHistory()
    history.add_scalar(1, "loss", float("nan"), wall_time=10.0)
    history.add_scalar(2, "loss", 0.5, wall_time=12.5)
    rows = history.rows()
    assert rows[0]["loss"] == "nan"
    assert rows[1]["_runtime"] == 2.5
    assert history.summary()["loss"] == 0.5
