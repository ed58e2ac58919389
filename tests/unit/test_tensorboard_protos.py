"""The typed boundary around tensorboardX (``wandb_typed.tensorboard.protos``): the Protocols
declare fields of untyped protobuf classes, so nothing checks them statically; here each
declared member is read on a real message of tensorboardX's, with the declared kind of value,
so a Protocol that drifts from tensorboardX (a renamed or retyped field) fails."""

from __future__ import annotations

import inspect
from collections.abc import Sequence, Sized

import pytest
from google.protobuf.message import DecodeError
from tensorboardX.proto.event_pb2 import Event
from tensorboardX.proto.summary_pb2 import HistogramProto, Summary
from tensorboardX.proto.tensor_pb2 import TensorProto
from tensorboardX.proto.tensor_shape_pb2 import TensorShapeProto

from wandb_typed.tensorboard import protos
from wandb_typed.tensorboard.protos import load_tensorboardx

# What each declared return annotation must be at run time, on a real message.
KINDS: dict[str, type | tuple[type, ...]] = {
    "int": int,
    "float": float,
    "str": str,
    "bytes": bytes,
    "bool": bool,
    "Sized": Sized,
    "Sequence[float]": Sequence,
    "Sequence[int]": Sequence,
    "Sequence[SummaryValueMessage]": Sequence,
    "str | None": (str, type(None)),
}


def messages() -> dict[str, object]:
    """A real tensorboardX message for each Protocol, every declared field set."""
    tensor = TensorProto(
        dtype=1,
        tensor_shape=TensorShapeProto(dim=[]),
        float_val=[0.5],
        tensor_content=b"",
    )
    histo = HistogramProto(bucket_limit=[0.0, 1.0, 2.0], bucket=[1.0, 2.0, 3.0])
    image = Summary.Image(encoded_image_string=b"\x89PNG", width=2, height=3)
    value = Summary.Value(tag="loss", simple_value=0.5)
    summary = Summary(value=[value])
    event = Event(step=3, wall_time=10.0, summary=summary)
    return {
        "EventMessage": event,
        "SummaryMessage": summary,
        "SummaryValueMessage": value,
        "HistogramMessage": histo,
        "ImageMessage": image,
        "TensorMessage": tensor,
        "TensorShapeMessage": tensor.tensor_shape,
    }


def declared(protocol: type) -> dict[str, str]:
    """The Protocol's own members -> their (return) annotation text."""
    found: dict[str, str] = {}
    for name, member in vars(protocol).items():
        if isinstance(member, property) and member.fget is not None:
            found[name] = str(member.fget.__annotations__["return"])
        elif inspect.isfunction(member) and not name.startswith("_"):
            found[name] = str(member.__annotations__["return"])
    return found


@pytest.mark.parametrize("protocol_name", sorted(messages()))
def test_each_declared_field_exists_on_tensorboardx_messages(protocol_name: str) -> None:
    message = messages()[protocol_name]
    members = declared(getattr(protos, protocol_name))
    assert members, f"{protocol_name} declares nothing"
    for name, annotation in members.items():
        assert hasattr(message, name), f"tensorboardX's message has no {name} ({protocol_name})"
        value = getattr(message, name)
        if callable(value):  # HasField, WhichOneof: protobuf methods taking a field name
            value = value("summary" if name == "HasField" else "value")
        expected = KINDS.get(annotation)
        if expected is not None:
            assert isinstance(value, expected), f"{protocol_name}.{name}: {value!r}"
        else:  # another Protocol: a nested message, itself checked by its own case
            assert annotation.endswith("Message"), annotation
            assert type(value).__name__ in {type(m).__name__ for m in messages().values()}


def test_the_loader_decodes_an_event_and_names_protobufs_error() -> None:
    tensorboardx = load_tensorboardx()
    event = Event(step=7, wall_time=1.5, summary=Summary(value=[Summary.Value(tag="a")]))
    decoded = tensorboardx.parse_event(event.SerializeToString())
    assert (decoded.step, decoded.wall_time, decoded.summary.value[0].tag) == (7, 1.5, "a")
    assert tensorboardx.decode_error is DecodeError
    with pytest.raises(DecodeError):
        tensorboardx.parse_event(b"\xff\xff")
    # CRC-32C of "123456789" (the standard check value).
    assert tensorboardx.crc32c(b"123456789") == 0xE3069283
