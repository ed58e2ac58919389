"""TensorBoard event files -> W&B history rows (pure: no requests).

An event file is a sequence of TFRecords (``u64 length``, ``u32 masked crc32c(length)``,
``data``, ``u32 masked crc32c(data)``), each record an ``Event`` protobuf. The framing is read
here, checked record by record, so that a truncated or corrupt file is an error naming the file
(TensorBoard's own loader is built to tail files still being written and stops quietly at a
partial record). ``Event`` is decoded with tensorboardX's generated protobuf classes and its
crc32c (the optional ``tensorboard`` extra: tensorboardX, numpy and protobuf, ~90 KB, where the
``tensorboard`` package brings grpcio, werkzeug, pillow and a data server), reached through the
typed boundary of :mod:`wandb_typed.tensorboard.protos` (tensorboardX is untyped).

What each summary becomes, following W&B's names for TensorBoard data:

- scalars (``simple_value``, or a 0-d float tensor as TF2 writes them): a number under the tag;
- histograms (``histo``): a W&B histogram ``{"_type": "histogram", "bins", "values"}`` in
  history (more than 512 buckets, W&B's limit, are merged into at most 512);
- images: the encoded image as the run file ``media/images/<key>_<step>_<sha>.<ext>`` and an
  ``image-file`` reference to it in history (the key is the tag with ``/`` turned into ``_``);
- everything else (audio, text, non-scalar tensors, graphs): kept only in the event files,
  which are uploaded as run files.

Event files in a subdirectory of the synced root have that subdirectory as a namespace
(``train/loss``), as ``wandb sync --sync-tensorboard`` names them. Every row also carries the
step as ``global_step`` (``<namespace>/global_step`` too), and rows are keyed by the step.

Example:
    >>> steps = TensorboardHistory()
    >>> steps.add_scalar(3, "loss", 0.5, wall_time=10.0)
    >>> steps.rows()[0]["loss"], steps.rows()[0]["_step"]
    (0.5, 3)
"""

from __future__ import annotations

import hashlib
import math
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wandb_typed.errors import InvalidArgumentError, NotFoundError
from wandb_typed.tensorboard.protos import (
    EventMessage,
    HistogramMessage,
    ImageMessage,
    TensorMessage,
    load_tensorboardx,
)

__all__ = [
    "EventFileError",
    "MediaFile",
    "TensorboardHistory",
    "find_event_files",
    "read_event_dir",
    "read_records",
]

HISTOGRAM_MAX_BINS = 512
"""W&B's limit on a histogram's buckets (``wandb.Histogram.MAX_LENGTH``)."""

_HEADER = struct.Struct("<Q")
_CRC = struct.Struct("<I")
_MASK_DELTA = 0xA282EAD8


class EventFileError(InvalidArgumentError):
    """An event file that cannot be read to its end: truncated, corrupt, or not an event file."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path
        """The event file."""


@dataclass(frozen=True)
class MediaFile:
    """A file history refers to (an image): its run file name and its bytes."""

    name: str
    content: bytes


def _masked_crc(data: bytes) -> int:
    crc = int(load_tensorboardx().crc32c(data))
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def find_event_files(root: Path) -> list[Path]:
    """The event files under ``root`` (names containing ``tfevents``), sorted by path.

    Raises:
        NotFoundError: ``root`` does not exist, or holds no event file (the error names it).
    """
    if not root.is_dir():
        raise NotFoundError(
            f"sync_tensorboard: {root} is not a directory", kind="directory", path=str(root)
        )
    found = sorted(p for p in root.rglob("*") if p.is_file() and "tfevents" in p.name)
    if not found:
        raise NotFoundError(
            f"sync_tensorboard: no TensorBoard event file (*tfevents*) under {root}",
            kind="tensorboard event file",
            path=str(root),
        )
    return found


def read_records(path: Path) -> Iterator[bytes]:
    """The records of one event file, each checked against its crc32c.

    Raises:
        EventFileError: The file ends inside a record, or a checksum does not match.
    """
    data = path.read_bytes()
    offset, size = 0, len(data)
    while offset < size:
        if size - offset < _HEADER.size + _CRC.size:
            raise EventFileError(
                f"{path}: truncated event file (a record header at byte {offset} is cut off)",
                path=str(path),
            )
        header = data[offset : offset + _HEADER.size]
        (length,) = _HEADER.unpack(header)
        (header_crc,) = _CRC.unpack_from(data, offset + _HEADER.size)
        if header_crc != _masked_crc(header):
            raise EventFileError(
                f"{path}: corrupt event file (bad length checksum at byte {offset})",
                path=str(path),
            )
        start = offset + _HEADER.size + _CRC.size
        end = start + length
        if end + _CRC.size > size:
            raise EventFileError(
                f"{path}: truncated event file (the record at byte {offset} needs "
                f"{length + _HEADER.size + 2 * _CRC.size} bytes, {size - offset} remain)",
                path=str(path),
            )
        record = data[start:end]
        (data_crc,) = _CRC.unpack_from(data, end)
        if data_crc != _masked_crc(record):
            raise EventFileError(
                f"{path}: corrupt event file (bad data checksum in the record at byte {offset})",
                path=str(path),
            )
        yield record
        offset = end + _CRC.size


def _namespaced(tag: str, namespace: str) -> str:
    return f"{namespace}/{tag}" if namespace else tag


def _scalar_of_tensor(tensor: TensorMessage) -> float | None:
    """The value of a 0-d numeric tensor (TF2 scalar summaries), else None."""
    if len(tensor.tensor_shape.dim) != 0:
        return None
    for values in (tensor.float_val, tensor.double_val, tensor.int_val, tensor.int64_val):
        if len(values) == 1:
            return float(values[0])
    content = bytes(tensor.tensor_content)
    formats = {1: "<f", 2: "<d", 3: "<i", 9: "<q"}  # DT_FLOAT, DT_DOUBLE, DT_INT32, DT_INT64
    fmt = formats.get(int(tensor.dtype))
    if fmt is not None and len(content) == struct.calcsize(fmt):
        return float(struct.unpack(fmt, content)[0])
    return None


def _histogram(histo: HistogramMessage) -> dict[str, Any] | None:
    """W&B's histogram for a TensorBoard ``HistogramProto`` (None for fewer than 3 buckets).

    TensorBoard gives each bucket's right edge; the outer edges of the first and last buckets
    are extrapolated from their neighbours' widths, as W&B does. More than 512 buckets (W&B's
    limit; tensorboardX's default binning gives ~600) are merged, adjacent ones summed, into
    at most 512: coarser, but every count is kept.
    """
    limits = [float(limit) for limit in histo.bucket_limit]
    counts = [float(count) for count in histo.bucket]
    if len(limits) < 3 or len(limits) != len(counts):
        return None
    first = 2 * limits[0] - limits[1]
    last = 2 * limits[-2] - limits[-3]
    edges = [first, *limits[:-1], last]
    group = -(-len(counts) // HISTOGRAM_MAX_BINS)
    if group > 1:
        counts = [sum(counts[i : i + group], 0.0) for i in range(0, len(counts), group)]
        edges = [*edges[:-1:group], edges[-1]]
    values: list[float | int] = [int(c) if c.is_integer() else c for c in counts]
    return {"_type": "histogram", "bins": edges, "values": values}


_IMAGE_FORMATS = ((b"\x89PNG", "png"), (b"GIF8", "gif"), (b"\xff\xd8", "jpeg"))


@dataclass
class TensorboardHistory:
    """The rows being built, one per step, with the media files they refer to."""

    by_step: dict[int, dict[str, Any]] = field(default_factory=dict[int, dict[str, Any]])
    media: list[MediaFile] = field(default_factory=list[MediaFile])

    def _row(self, step: int, wall_time: float, namespace: str = "") -> dict[str, Any]:
        row = self.by_step.setdefault(step, {"_step": step, "global_step": step})
        if namespace:
            row[_namespaced("global_step", namespace)] = step
        if wall_time > 0:
            row["_timestamp"] = max(float(row.get("_timestamp", 0.0)), wall_time)
        return row

    def add_scalar(
        self, step: int, tag: str, value: float, *, wall_time: float, namespace: str = ""
    ) -> None:
        """Record one scalar (NaN and infinities are kept as W&B keeps them)."""
        row = self._row(step, wall_time, namespace)
        row[_namespaced(tag, namespace)] = value if math.isfinite(value) else str(value)

    def add_histogram(
        self, step: int, tag: str, histo: HistogramMessage, *, wall_time: float, namespace: str = ""
    ) -> None:
        """Record one ``HistogramProto`` as a W&B histogram (if W&B could show it)."""
        converted = _histogram(histo)
        if converted is not None:
            self._row(step, wall_time, namespace)[_namespaced(tag, namespace)] = converted

    def add_image(
        self, step: int, tag: str, image: ImageMessage, *, wall_time: float, namespace: str = ""
    ) -> None:
        """Record one encoded image as a media file and an ``image-file`` reference."""
        encoded = bytes(image.encoded_image_string)
        fmt = next((name for magic, name in _IMAGE_FORMATS if encoded.startswith(magic)), "png")
        key = _namespaced(tag.replace("/", "_").replace("\\", "_"), namespace)
        sha = hashlib.sha256(encoded).hexdigest()
        name = f"media/images/{key}_{step}_{sha[:20]}.{fmt}"
        self.media.append(MediaFile(name=name, content=encoded))
        self._row(step, wall_time, namespace)[key] = {
            "_type": "image-file",
            "path": name,
            "sha256": sha,
            "size": len(encoded),
            "width": int(image.width),
            "height": int(image.height),
            "format": fmt,
        }

    def add_event(self, event: EventMessage, namespace: str = "") -> None:
        """Fold one decoded ``Event`` in (only its ``summary`` values carry data)."""
        if not event.HasField("summary"):
            return
        step, wall_time = int(event.step), float(event.wall_time)
        for value in event.summary.value:
            kind = value.WhichOneof("value")
            if kind == "simple_value":
                self.add_scalar(
                    step,
                    value.tag,
                    float(value.simple_value),
                    wall_time=wall_time,
                    namespace=namespace,
                )
            elif kind == "histo":
                self.add_histogram(
                    step, value.tag, value.histo, wall_time=wall_time, namespace=namespace
                )
            elif kind == "image":
                self.add_image(
                    step, value.tag, value.image, wall_time=wall_time, namespace=namespace
                )
            elif kind == "tensor":
                scalar = _scalar_of_tensor(value.tensor)
                if scalar is not None:
                    self.add_scalar(
                        step, value.tag, scalar, wall_time=wall_time, namespace=namespace
                    )

    def rows(self) -> list[dict[str, Any]]:
        """The rows in step order, ``_runtime`` counted from the earliest event."""
        ordered = [self.by_step[step] for step in sorted(self.by_step)]
        times = [row["_timestamp"] for row in ordered if "_timestamp" in row]
        start = min(times) if times else 0.0
        for row in ordered:
            if "_timestamp" in row:
                row["_runtime"] = row["_timestamp"] - start
        return ordered

    def summary(self) -> dict[str, Any]:
        """The last value of every key (the run's summary)."""
        latest: dict[str, Any] = {}
        for row in self.rows():
            latest.update(row)
        return latest


def read_event_dir(root: Path) -> tuple[list[Path], TensorboardHistory]:
    """Every event file under ``root`` and the history built from them.

    Raises:
        NotFoundError: No event file under ``root``.
        EventFileError: An event file is truncated or corrupt (the error names it).
        InvalidArgumentError: The optional ``tensorboard`` extra (tensorboardX) is missing.
    """
    files = find_event_files(root)
    try:
        tensorboardx = load_tensorboardx()
    except ImportError:
        raise InvalidArgumentError(
            "sync_tensorboard needs tensorboardX to decode event files: "
            "pip install 'wandb-typed[tensorboard]'"
        ) from None

    history = TensorboardHistory()
    for path in files:
        relative = path.parent.relative_to(root)
        namespace = "" if str(relative) == "." else relative.as_posix()
        for record in read_records(path):
            try:
                event = tensorboardx.parse_event(record)
            except tensorboardx.decode_error:
                raise EventFileError(
                    f"{path}: not a TensorBoard event file (a record is not an Event)",
                    path=str(path),
                ) from None
            history.add_event(event, namespace)
    return files, history
