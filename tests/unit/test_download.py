"""Atomic, md5-verified writes: a bad download never leaves a file behind."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from wandb_typed._download import md5_matches, write_verified
from wandb_typed.errors import ChecksumMismatchError, WandbTypedError

DATA = b"some bytes\n" * 1000
B64 = base64.b64encode(hashlib.md5(DATA).digest()).decode()
HEX = hashlib.md5(DATA).hexdigest()


@pytest.mark.parametrize("expected", [B64, HEX, HEX.upper(), None])
def test_good_download_lands_whole(tmp_path: Path, expected: str | None) -> None:
    target = write_verified(
        [DATA[:5000], DATA[5000:]], tmp_path / "sub" / "f.bin", expected_md5=expected
    )
    assert target.read_bytes() == DATA
    assert sorted(p.name for p in target.parent.iterdir()) == ["f.bin"]


def test_md5_mismatch_raises_and_leaves_nothing(tmp_path: Path) -> None:
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    with pytest.raises(ChecksumMismatchError, match=r"f\.bin: the downloaded bytes have md5"):
        write_verified([DATA], tmp_path / "f.bin", expected_md5=wrong)
    assert list(tmp_path.iterdir()) == []


def test_mismatch_keeps_an_existing_file_intact(tmp_path: Path) -> None:
    (tmp_path / "f.bin").write_bytes(b"old")
    with pytest.raises(ChecksumMismatchError):
        write_verified([DATA], tmp_path / "f.bin", expected_md5=HEX[::-1])
    assert (tmp_path / "f.bin").read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


def test_failure_mid_stream_leaves_nothing(tmp_path: Path) -> None:
    def broken() -> Iterator[bytes]:
        yield b"first half"
        raise WandbTypedError("connection dropped")

    with pytest.raises(WandbTypedError, match="connection dropped"):
        write_verified(broken(), tmp_path / "f.bin", expected_md5=B64)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("garbage", ["", "not-base64!", "zz" * 16])
def test_malformed_expected_md5_never_matches(garbage: str) -> None:
    assert not md5_matches(hashlib.md5(DATA).digest(), garbage)
