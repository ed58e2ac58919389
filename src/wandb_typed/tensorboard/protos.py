"""The typed boundary around tensorboardX: what the event reader uses of its protobuf classes
and its crc32c, declared as Protocols, and the one place that imports them.

tensorboardX ships no type information (no ``py.typed``, no stubs): its generated ``*_pb2``
modules build their classes at run time, so a checker sees every field as unknown. The reader
(:mod:`wandb_typed.tensorboard.events`) works on the Protocols below instead, and
:func:`load_tensorboardx` imports the untyped modules by name (``importlib``) and declares
what it hands back as these Protocols: the only untyped values of the domain stay in that
function, and a checker verifies everything the reader does with an ``Event``.

Each Protocol lists only the fields the reader reads (protobuf names, read-only), after
tensorboardX's ``event.proto``, ``summary.proto``, ``tensor.proto`` and
``tensor_shape.proto``.

Example:
    >>> tbx = load_tensorboardx()  # doctest: +SKIP
    >>> event = tbx.parse_event(record)  # doctest: +SKIP
    >>> event.step  # doctest: +SKIP
    3
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence, Sized
from dataclasses import dataclass
from functools import cache
from typing import Protocol

__all__ = [
    "EventMessage",
    "HistogramMessage",
    "ImageMessage",
    "SummaryMessage",
    "SummaryValueMessage",
    "TensorMessage",
    "TensorShapeMessage",
    "TensorboardX",
    "load_tensorboardx",
]


class TensorShapeMessage(Protocol):
    """A ``TensorShapeProto``: its dimensions (a 0-d tensor, a scalar, has none)."""

    @property
    def dim(self) -> Sized:
        """The dimensions."""
        ...


class TensorMessage(Protocol):
    """A ``TensorProto``: its dtype (a ``DataType`` number), shape and values (in one of the
    typed value lists, or packed in ``tensor_content``)."""

    @property
    def dtype(self) -> int:
        """The ``DataType`` enum value (1 float, 2 double, 3 int32, 9 int64...)."""
        ...

    @property
    def tensor_shape(self) -> TensorShapeMessage:
        """The shape."""
        ...

    @property
    def tensor_content(self) -> bytes:
        """The values packed little-endian (when the value lists are empty)."""
        ...

    @property
    def float_val(self) -> Sequence[float]:
        """Float values."""
        ...

    @property
    def double_val(self) -> Sequence[float]:
        """Double values."""
        ...

    @property
    def int_val(self) -> Sequence[int]:
        """Int32 values."""
        ...

    @property
    def int64_val(self) -> Sequence[int]:
        """Int64 values."""
        ...


class HistogramMessage(Protocol):
    """A ``HistogramProto``: each bucket's right edge and its count."""

    @property
    def bucket_limit(self) -> Sequence[float]:
        """The right edge of each bucket."""
        ...

    @property
    def bucket(self) -> Sequence[float]:
        """The count of each bucket."""
        ...


class ImageMessage(Protocol):
    """A ``Summary.Image``: the encoded image (PNG, GIF, JPEG) and its size."""

    @property
    def encoded_image_string(self) -> bytes:
        """The encoded image."""
        ...

    @property
    def width(self) -> int:
        """Width in pixels."""
        ...

    @property
    def height(self) -> int:
        """Height in pixels."""
        ...


class SummaryValueMessage(Protocol):
    """A ``Summary.Value``: a tag and one value of the ``value`` oneof."""

    @property
    def tag(self) -> str:
        """The tag (``loss``, ``train/accuracy``)."""
        ...

    @property
    def simple_value(self) -> float:
        """The scalar, when the oneof is ``simple_value``."""
        ...

    @property
    def histo(self) -> HistogramMessage:
        """The histogram, when the oneof is ``histo``."""
        ...

    @property
    def image(self) -> ImageMessage:
        """The image, when the oneof is ``image``."""
        ...

    @property
    def tensor(self) -> TensorMessage:
        """The tensor, when the oneof is ``tensor``."""
        ...

    def WhichOneof(self, oneof_group: str, /) -> str | None:
        """The name of the field set in the oneof, or None."""
        ...


class SummaryMessage(Protocol):
    """A ``Summary``: its values."""

    @property
    def value(self) -> Sequence[SummaryValueMessage]:
        """The values."""
        ...


class EventMessage(Protocol):
    """An ``Event``: a step, its wall time and (when it carries data) a summary."""

    @property
    def step(self) -> int:
        """The global step."""
        ...

    @property
    def wall_time(self) -> float:
        """Seconds since the epoch."""
        ...

    @property
    def summary(self) -> SummaryMessage:
        """The summary (meaningful when ``HasField("summary")``)."""
        ...

    def HasField(self, field_name: str, /) -> bool:
        """Whether the (message or oneof) field is set."""
        ...


class _ParsableEvent(EventMessage, Protocol):
    """A new ``Event`` to decode a record into."""

    def ParseFromString(self, serialized: bytes, /) -> object:
        """Decode ``serialized`` into this message."""
        ...


@dataclass(frozen=True)
class TensorboardX:
    """What the reader uses of tensorboardX and protobuf, typed."""

    parse_event: Callable[[bytes], EventMessage]
    """Decode one record into an ``Event`` (raises :attr:`decode_error` if it is not one)."""
    crc32c: Callable[[bytes], int]
    """The CRC-32C of some bytes (unmasked)."""
    decode_error: type[Exception]
    """protobuf's ``DecodeError``."""


@cache
def load_tensorboardx() -> TensorboardX:
    """Import tensorboardX's ``Event`` class and crc32c (once) and protobuf's ``DecodeError``.

    Raises:
        ImportError: tensorboardX (the ``tensorboard`` extra) is not installed.
    """
    event_pb2 = importlib.import_module("tensorboardX.proto.event_pb2")
    crc_module = importlib.import_module("tensorboardX.crc32c")
    message = importlib.import_module("google.protobuf.message")
    # Module attributes are untyped: each is declared here as what tensorboardX documents.
    event_class: Callable[[], _ParsableEvent] = event_pb2.Event
    crc32c: Callable[[bytes], int] = crc_module.crc32c
    decode_error: type[Exception] = message.DecodeError

    def parse_event(record: bytes) -> EventMessage:
        event = event_class()
        event.ParseFromString(record)
        return event

    return TensorboardX(parse_event=parse_event, crc32c=crc32c, decode_error=decode_error)
