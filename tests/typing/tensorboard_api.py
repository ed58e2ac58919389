"""What a user's program gets from ``sync_tensorboard`` (both flavours), and the event
reader's typed boundary around tensorboardX (an untyped package: its protobuf messages are
seen through the Protocols of ``wandb_typed.tensorboard.protos``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typing_extensions import assert_type

from wandb_typed import Api, AsyncApi, AsyncRun, Run
from wandb_typed.tensorboard import EventFileError
from wandb_typed.tensorboard.events import MediaFile, TensorboardHistory, read_event_dir
from wandb_typed.tensorboard.protos import (
    EventMessage,
    HistogramMessage,
    ImageMessage,
    SummaryValueMessage,
    TensorMessage,
    load_tensorboardx,
)


def check_sync_tensorboard(api: Api) -> None:
    assert_type(api.sync_tensorboard("runs/exp1"), Run)
    assert_type(
        api.sync_tensorboard(Path("runs/exp1"), run_id="abc123", project="vision", entity="team"),
        Run,
    )


async def check_sync_tensorboard_async(api: AsyncApi) -> None:
    assert_type(await api.sync_tensorboard("runs/exp1"), AsyncRun)
    assert_type(
        await api.sync_tensorboard(
            Path("runs/exp1"), run_id="abc123", project="vision", entity="team"
        ),
        AsyncRun,
    )


def check_event_reader(record: bytes, error: EventFileError) -> None:
    assert_type(error.path, str)
    files, history = read_event_dir(Path("runs/exp1"))
    assert_type(files, list[Path])
    assert_type(history, TensorboardHistory)
    assert_type(history.rows(), list[dict[str, Any]])
    assert_type(history.summary(), dict[str, Any])
    assert_type(history.media, list[MediaFile])
    tensorboardx = load_tensorboardx()
    assert_type(tensorboardx.crc32c(record), int)
    assert_type(tensorboardx.decode_error, type[Exception])
    event = tensorboardx.parse_event(record)
    assert_type(event, EventMessage)
    assert_type(history.add_event(event, "train"), None)


def check_event_messages(event: EventMessage) -> None:
    assert_type(event.step, int)
    assert_type(event.wall_time, float)
    assert_type(event.HasField("summary"), bool)
    for value in event.summary.value:
        assert_type(value, SummaryValueMessage)
        assert_type(value.tag, str)
        assert_type(value.WhichOneof("value"), str | None)
        assert_type(value.simple_value, float)
        assert_type(value.histo, HistogramMessage)
        assert_type(value.image, ImageMessage)
        assert_type(value.tensor, TensorMessage)
        assert_type(value.tensor.tensor_content, bytes)
        assert_type(value.image.encoded_image_string, bytes)


def misuse_tensorboard(api: Api, event: EventMessage) -> None:
    api.sync_tensorboard(42)  # type: ignore[arg-type]  # a folder: str or PathLike
    event.step = 3  # type: ignore[misc]  # the reader never writes a message
    print(event.summary.value[0].no_such_field)  # type: ignore[attr-defined]
