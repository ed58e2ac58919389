"""Pure helpers of run files: where a download goes, an upload's name, upload headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from wandb_typed._download import local_destination
from wandb_typed.errors import InvalidArgumentError, InvalidPathError, InvalidResponseError
from wandb_typed.runs.file_names import upload_headers, upload_name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.txt", "root/a.txt"),
        ("media/images/a.png", "root/media/images/a.png"),
        ("dir/..hidden", "root/dir/..hidden"),
        ("with space.txt", "root/with space.txt"),
    ],
)
def test_local_destination_stays_under_root(name: str, expected: str) -> None:
    assert local_destination(Path("root"), name).as_posix() == expected


@pytest.mark.parametrize(
    "name", ["", "..", "../a", "a/../../b", "/abs", "a/./b", "a//b", "a\\b", "nul\x00.txt"]
)
def test_local_destination_refuses_escaping_or_odd_names(name: str) -> None:
    with pytest.raises(InvalidPathError, match="could be written outside root") as caught:
        local_destination(Path("root"), name)
    assert caught.value.path == name


def test_upload_name_is_relative_to_root(tmp_path: Path) -> None:
    assert upload_name(tmp_path / "a" / "b.txt", tmp_path) == "a/b.txt"
    assert upload_name(tmp_path / "x" / ".." / "c.txt", tmp_path) == "c.txt"


@pytest.mark.parametrize("outside", ["../elsewhere.txt", "."])
def test_upload_name_refuses_paths_outside_root(tmp_path: Path, outside: str) -> None:
    root = tmp_path / "root"
    with pytest.raises(InvalidArgumentError, match="not inside root"):
        upload_name(root / outside, root)


def test_upload_headers_split_on_the_first_colon() -> None:
    assert upload_headers(["X-Url:http://a:1/b", "Empty:"]) == {
        "X-Url": "http://a:1/b",
        "Empty": "",
    }
    assert upload_headers([]) == {}


@pytest.mark.parametrize("bad", ["no-colon", ":value", "  :v"])
def test_malformed_upload_header_is_named(bad: str) -> None:
    with pytest.raises(InvalidResponseError, match="malformed upload header"):
        upload_headers([bad])
