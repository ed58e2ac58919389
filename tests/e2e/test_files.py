"""Run files end to end: listing, lookup, md5-verified downloads, uploads and deletion,
against the local server with files put there through the wire (signed upload URLs), in
both flavours."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import pytest
from runs_support import ENTITY

from flavours import on_session, replace
from wandb_typed import Api, AsyncFiles, File, Files
from wandb_typed.errors import (
    ChecksumMismatchError,
    HTTPNotFoundError,
    InvalidArgumentError,
    InvalidPathError,
    NotFoundError,
)
from wandb_typed.paths import RunPath
from wandb_typed.runs._async import files as async_files
from wandb_typed.runs._sync import files as sync_files
from wandb_typed_server import RunningServer
from wandb_typed_server.testing.seed import SeedRun, seed_runs

PROJECT = "e2e-files"
CONTENTS = {
    "config.yaml": b"lr:\n  value: 0.1\n",
    "media/images/a.png": bytes(range(256)) * 40,
    "media/images/b.png": b"\x89PNG fake",
    "notes.txt": b"hello files\n",
}


def run_files(api: Api, run: RunPath, **options: Any) -> Files:
    """The listing ``Run.files()`` builds, with the ``pattern`` option it does not expose."""
    return on_session(api, Files, AsyncFiles, run, **options)


def run_file(api: Api, run: RunPath, name: str) -> File:
    return on_session(api, sync_files.run_file, async_files.run_file, run, name)


def upload_run_file(api: Api, run: RunPath, path: Any, root: Any = ".") -> File:
    return on_session(api, sync_files.upload_run_file, async_files.upload_run_file, run, path, root)


def md5_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


@pytest.fixture(scope="module")
def run_path(local_server: RunningServer) -> RunPath:
    seed_runs(
        local_server.base_url,
        local_server.api_key,
        ENTITY,
        PROJECT,
        [SeedRun("with-files", files=CONTENTS), SeedRun("no-files")],
    )
    return RunPath(ENTITY, PROJECT, "with-files")


def fresh_run(server: RunningServer, name: str, files: dict[str, bytes]) -> RunPath:
    """A run of its own for tests that change or break its files."""
    seed_runs(server.base_url, server.api_key, ENTITY, PROJECT, [SeedRun(name, files=files)])
    return RunPath(ENTITY, PROJECT, name)


def stored_blob(server: RunningServer, run: RunPath, name: str) -> Path:
    """Where the server keeps a file's bytes (its disk, not its database)."""
    return server.data_dir / "files" / run.entity / run.project / run.run_id / name


# -- listing -------------------------------------------------------------------------------


def test_files_lists_every_file_by_name_with_size_md5_and_length(
    api: Api, run_path: RunPath
) -> None:
    files = run_files(api, run_path)
    assert len(files) == len(CONTENTS)
    listed = {f.name: f for f in files}
    assert sorted(listed) == sorted(CONTENTS)
    for name, data in CONTENTS.items():
        assert listed[name].size == len(data)
        assert listed[name].md5 == md5_b64(data)
        assert listed[name].run == run_path
    assert listed["notes.txt"].mimetype == "text/plain"
    assert listed["notes.txt"].updated_at is not None
    assert listed["notes.txt"].direct_url.startswith("http")


@pytest.mark.parametrize("per_page", [1, 3, 4, 5])
def test_pagination_boundaries_give_every_file_once(
    api: Api, run_path: RunPath, per_page: int
) -> None:
    files = run_files(api, run_path, per_page=per_page)
    names = [f.name for f in files]
    assert names == sorted(CONTENTS)
    assert len(files) == len(CONTENTS)
    assert files[-1].name == max(CONTENTS)


def test_a_run_without_files_lists_none(api: Api, run_path: RunPath) -> None:
    files = run_files(api, RunPath(ENTITY, PROJECT, "no-files"))
    assert list(files) == []
    assert len(files) == 0


def test_names_select_files(api: Api, run_path: RunPath) -> None:
    files = run_files(api, run_path, names=["notes.txt", "config.yaml", "missing.bin"])
    assert [f.name for f in files] == ["config.yaml", "notes.txt"]


def test_pattern_selects_files_like_sql_like(api: Api, run_path: RunPath) -> None:
    files = run_files(api, run_path, pattern="media/%")
    assert [f.name for f in files] == ["media/images/a.png", "media/images/b.png"]


def test_names_and_pattern_together_are_refused(api: Api, run_path: RunPath) -> None:
    with pytest.raises(InvalidArgumentError, match="either names or pattern"):
        run_files(api, run_path, names=["a"], pattern="%")


def test_a_string_for_names_is_refused(api: Api, run_path: RunPath) -> None:
    with pytest.raises(InvalidArgumentError, match="list of file names"):
        run_files(api, run_path, names="notes.txt")


def test_file_finds_one_file(api: Api, run_path: RunPath) -> None:
    file = run_file(api, run_path, "media/images/b.png")
    assert file.name == "media/images/b.png"
    assert file.size == len(CONTENTS["media/images/b.png"])


def test_missing_file_is_not_found(api: Api, run_path: RunPath) -> None:
    with pytest.raises(NotFoundError, match=r"no file named 'nope\.txt'") as caught:
        run_file(api, run_path, "nope.txt")
    assert caught.value.kind == "file"


def test_files_of_a_missing_run_are_not_found(api: Api, run_path: RunPath) -> None:
    missing = RunPath(ENTITY, PROJECT, "does-not-exist")
    with pytest.raises(NotFoundError, match="does-not-exist") as caught:
        list(run_files(api, missing))
    assert caught.value.kind == "run"


def test_run_object_delegates_to_the_files_functions(api: Api, run_path: RunPath) -> None:
    run = api.run(str(run_path))
    assert [f.name for f in run.files()] == sorted(CONTENTS)
    assert [f.name for f in run.files(names=["notes.txt"])] == ["notes.txt"]
    assert run.file("config.yaml").size == len(CONTENTS["config.yaml"])


# -- downloads -----------------------------------------------------------------------------


def test_download_writes_the_bytes_under_root_and_returns_the_path(
    api: Api, run_path: RunPath, tmp_path: Path
) -> None:
    file = run_file(api, run_path, "media/images/a.png")
    local = file.download(root=tmp_path)
    assert local == tmp_path / "media" / "images" / "a.png"
    assert local.read_bytes() == CONTENTS["media/images/a.png"]


def test_a_listing_downloads_every_file_in_listing_order(
    api: Api, run_path: RunPath, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_bytes(b"mine")
    listing = run_files(api, run_path, per_page=2)
    with pytest.raises(FileExistsError, match=r"notes\.txt"):
        listing.download(root=tmp_path)
    # Every other file was still written, whole.
    for name in ("config.yaml", "media/images/a.png", "media/images/b.png"):
        assert (tmp_path / name).read_bytes() == CONTENTS[name]
    paths = run_files(api, run_path, per_page=2).download(root=tmp_path, replace=True)
    assert [path.relative_to(tmp_path).as_posix() for path in paths] == sorted(CONTENTS)
    assert {path.relative_to(tmp_path).as_posix(): path.read_bytes() for path in paths} == CONTENTS


def test_existing_local_file_is_an_error_naming_path_and_flags(
    api: Api, run_path: RunPath, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_bytes(b"mine")
    file = run_file(api, run_path, "notes.txt")
    with pytest.raises(FileExistsError, match=r"notes\.txt") as caught:
        file.download(root=tmp_path)
    assert "replace=True" in str(caught.value)
    assert "exist_ok=True" in str(caught.value)
    assert (tmp_path / "notes.txt").read_bytes() == b"mine"


def test_exist_ok_leaves_the_local_file_untouched(
    api: Api, run_path: RunPath, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_bytes(b"mine")
    local = run_file(api, run_path, "notes.txt").download(root=tmp_path, exist_ok=True)
    assert local == tmp_path / "notes.txt"
    assert local.read_bytes() == b"mine"


def test_replace_overwrites_the_local_file(api: Api, run_path: RunPath, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_bytes(b"mine")
    local = run_file(api, run_path, "notes.txt").download(root=tmp_path, replace=True)
    assert local.read_bytes() == CONTENTS["notes.txt"]


def test_bytes_that_do_not_match_the_md5_raise_and_leave_no_file(
    api: Api, local_server: RunningServer, tmp_path: Path
) -> None:
    run = fresh_run(local_server, "corrupted-blob", {"weights.bin": b"good bytes" * 100})
    file = run_file(api, run, "weights.bin")
    # The server's disk goes bad after the upload: same length, different bytes.
    stored_blob(local_server, run, "weights.bin").write_bytes(b"evil bytes" * 100)
    with pytest.raises(ChecksumMismatchError, match=r"weights\.bin"):
        file.download(root=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_corrupt_download_does_not_replace_an_existing_file(
    api: Api, local_server: RunningServer, tmp_path: Path
) -> None:
    run = fresh_run(local_server, "corrupted-replace", {"w.bin": b"good"})
    file = run_file(api, run, "w.bin")
    stored_blob(local_server, run, "w.bin").write_bytes(b"bad!")
    (tmp_path / "w.bin").write_bytes(b"kept")
    with pytest.raises(ChecksumMismatchError):
        file.download(root=tmp_path, replace=True)
    assert [p.name for p in tmp_path.iterdir()] == ["w.bin"]
    assert (tmp_path / "w.bin").read_bytes() == b"kept"


def test_a_download_the_server_refuses_raises_and_leaves_no_file(
    api: Api, local_server: RunningServer, tmp_path: Path
) -> None:
    run = fresh_run(local_server, "refused-download", {"gone.txt": b"soon gone"})
    file = run_file(api, run, "gone.txt")
    file.delete()
    with pytest.raises(HTTPNotFoundError) as caught:
        file.download(root=tmp_path)
    assert caught.value.status_code == 404
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["../escape.txt", "/etc/passwd", "a/../../b", "a\\..\\b"])
def test_a_name_that_would_escape_root_is_refused_before_any_request(
    api: Api, run_path: RunPath, tmp_path: Path, name: str
) -> None:
    real = run_file(api, run_path, "notes.txt")
    hostile = replace(real, name=name)
    root = tmp_path / "root"
    with pytest.raises(InvalidPathError, match="outside"):
        hostile.download(root=root)
    assert not root.exists()
    assert list(tmp_path.iterdir()) == []


# -- uploads and deletion -------------------------------------------------------------------


def test_upload_names_the_file_relative_to_root_and_round_trips(
    api: Api, local_server: RunningServer, tmp_path: Path
) -> None:
    run = fresh_run(local_server, "uploads", {})
    data = b"checkpoint\x00\x01" * 1000
    source = tmp_path / "out" / "ckpt" / "model.bin"
    source.parent.mkdir(parents=True)
    source.write_bytes(data)
    stored = upload_run_file(api, run, source, root=tmp_path / "out")
    assert stored.name == "ckpt/model.bin"
    assert stored.size == len(data)
    assert stored.md5 == md5_b64(data)
    assert [f.name for f in run_files(api, run)] == ["ckpt/model.bin"]
    local = stored.download(root=tmp_path / "back")
    assert local.read_bytes() == data


def test_upload_through_the_run_object(
    api: Api, local_server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_path = fresh_run(local_server, "uploads-run", {})
    (tmp_path / "summary.json").write_text('{"acc": 1}')
    monkeypatch.chdir(tmp_path)
    stored = api.run(str(run_path)).upload_file("summary.json")
    assert stored.name == "summary.json"
    assert stored.size == len('{"acc": 1}')


def test_upload_outside_root_is_refused(
    api: Api, local_server: RunningServer, tmp_path: Path
) -> None:
    run = fresh_run(local_server, "uploads-outside", {})
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "root").mkdir()
    with pytest.raises(InvalidArgumentError, match="not inside root"):
        upload_run_file(api, run, tmp_path / "a.txt", root=tmp_path / "root")
    assert list(run_files(api, run)) == []


def test_upload_of_a_missing_file_is_refused(api: Api, run_path: RunPath, tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="is not a file"):
        upload_run_file(api, run_path, tmp_path / "missing.txt", root=tmp_path)


def test_delete_removes_the_file(api: Api, local_server: RunningServer) -> None:
    run = fresh_run(local_server, "deletions", {"keep.txt": b"k", "drop.txt": b"d"})
    run_file(api, run, "drop.txt").delete()
    files = run_files(api, run)
    assert [f.name for f in files] == ["keep.txt"]
    assert len(files) == 1
    assert not stored_blob(local_server, run, "drop.txt").exists()
