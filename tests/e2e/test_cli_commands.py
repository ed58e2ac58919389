"""The ``wandb-typed`` command against the local server: each command, its formats, and
bad input (one line on stderr, a non-zero exit). The command drives the sync ``Api``.
Progress bars are drawn on a terminal only: captured stderr stays empty on success."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest
from runs_support import ENTITY

from flavours import sync_only
from wandb_typed import Api, ArtifactDraft
from wandb_typed._version import __version__
from wandb_typed.cli import main
from wandb_typed_server import RunningServer
from wandb_typed_server.testing.seed import SeedRun, seed_runs

# The command drives the sync Api only: one flavour.
pytestmark = [sync_only]

PROJECT = "e2e-cli"
PATH = f"{ENTITY}/{PROJECT}"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def seeded(local_server: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    seed_runs(
        local_server.base_url,
        local_server.api_key,
        ENTITY,
        PROJECT,
        [
            SeedRun(
                "c0",
                config={"lr": 0.1, "net": {"depth": 2}},
                history=[{"loss": 1.0 / (step + 1), "acc": step / 10} for step in range(10)],
                files={"notes.txt": b"zero", "sub/a.bin": b"\x00\x01"},
            ),
            SeedRun(
                "c1",
                config={"lr": 0.01, "net": {"depth": 3}},
                history=[{"loss": 2, "note": "x"} for _ in range(4)],  # int loss, a string col
                exitcode=1,
            ),
            SeedRun("c2", config={"lr": 0.5}),  # no history
        ],
    )
    source = tmp_path_factory.mktemp("artifact-src") / "data.txt"
    source.write_text("rows\n")
    with Api(api_key=local_server.api_key, overrides={"base_url": local_server.base_url}) as api:
        run = api.run(f"{PATH}/c0")
        draft = ArtifactDraft("cli-data", type="dataset")
        draft.add_file(source)
        run.log_artifact(draft)
    return PATH


@pytest.fixture(autouse=True)
def environment(local_server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANDB_API_KEY", local_server.api_key)
    monkeypatch.setenv("WANDB_BASE_URL", local_server.base_url)


def test_version_and_module_entry_point() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "wandb_typed", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0
    assert proc.stdout == f"wandb-typed, version {__version__}\n"


def test_help_shows_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "runs", "ls", "--help")
    assert code == 0
    assert "[default: +created_at]" in out
    assert "[default: table]" in out


def test_runs_ls_table(capsys: pytest.CaptureFixture[str], seeded: str) -> None:
    code, out, err = cli(capsys, "runs", "ls", seeded)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["id", "name", "state", "created_at"]
    assert [line.split()[0] for line in lines[1:]] == ["c0", "c1", "c2"]


def test_runs_ls_filter_order_csv(capsys: pytest.CaptureFixture[str], seeded: str) -> None:
    code, out, err = cli(
        capsys,
        "runs",
        "ls",
        seeded,
        "--filter",
        '{"config.lr": {"$lt": 0.2}}',
        "--order",
        "-config.lr",
        "--format",
        "csv",
    )
    assert (code, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["id"] for row in rows] == ["c0", "c1"]
    assert [row["config.net.depth"] for row in rows] == ["2", "3"]
    assert rows[0]["summary.loss"] == "0.1"


def test_runs_ls_json_and_parquet(
    capsys: pytest.CaptureFixture[str], seeded: str, tmp_path: Path
) -> None:
    code, out, _ = cli(capsys, "runs", "ls", seeded, "--format", "json")
    assert code == 0
    listed = json.loads(out)
    assert [row["id"] for row in listed] == ["c0", "c1", "c2"]
    assert listed[1]["state"] == "failed"
    target = tmp_path / "runs.parquet"
    code, _, err = cli(capsys, "runs", "ls", seeded, "--format", "parquet", "--out", str(target))
    assert (code, err) == (0, "")
    table = pq.read_table(target)
    assert table.column("id").to_pylist() == ["c0", "c1", "c2"]
    assert table.column("config.lr").to_pylist() == [0.1, 0.01, 0.5]


def test_run_show(capsys: pytest.CaptureFixture[str], seeded: str) -> None:
    code, out, err = cli(capsys, "run", "show", f"{seeded}/c0")
    assert (code, err) == (0, "")
    shown = json.loads(out)
    assert shown["path"] == f"{seeded}/c0"
    assert shown["config"] == {"lr": 0.1, "net": {"depth": 2}}
    assert shown["summary"]["loss"] == 0.1


def test_history_keys_and_formats(
    capsys: pytest.CaptureFixture[str], seeded: str, tmp_path: Path
) -> None:
    code, out, err = cli(capsys, "history", f"{seeded}/c0", "--keys", "loss", "--format", "json")
    assert (code, err) == (0, "")
    assert [row["loss"] for row in json.loads(out)] == [1.0 / (step + 1) for step in range(10)]
    target = tmp_path / "h.parquet"
    code, _, _ = cli(capsys, "history", f"{seeded}/c0", "--format", "parquet", "--out", str(target))
    assert code == 0
    assert pq.read_table(target).column("_step").to_pylist() == list(range(10))


def test_files_download(capsys: pytest.CaptureFixture[str], seeded: str, tmp_path: Path) -> None:
    code, out, err = cli(capsys, "files", "download", f"{seeded}/c0", "--root", str(tmp_path))
    assert (code, err) == (0, "")
    assert (tmp_path / "notes.txt").read_bytes() == b"zero"
    assert (tmp_path / "sub" / "a.bin").read_bytes() == b"\x00\x01"
    assert str(tmp_path / "notes.txt") in out.splitlines()


def test_artifact_download(capsys: pytest.CaptureFixture[str], seeded: str, tmp_path: Path) -> None:
    code, out, err = cli(
        capsys, "artifact", "download", f"{seeded}/cli-data:latest", "--root", str(tmp_path)
    )
    assert (code, err) == (0, "")
    assert out.strip() == str(tmp_path)
    assert (tmp_path / "data.txt").read_text() == "rows\n"


def test_export_read_by_duckdb_and_polars(
    capsys: pytest.CaptureFixture[str], seeded: str, tmp_path: Path
) -> None:
    out_dir = tmp_path / "export"
    code, out, err = cli(capsys, "export", seeded, "--out", str(out_dir))
    assert (code, err) == (0, "")
    assert out.strip() == f"3 runs, 14 history rows -> {out_dir}"
    runs = pl.read_parquet(out_dir / "runs.parquet")
    assert runs["id"].to_list() == ["c0", "c1", "c2"]
    assert runs["config.net.depth"].to_list() == [2, 3, None]
    history = pl.read_parquet(out_dir / "history", hive_partitioning=True)
    assert history.height == 14
    assert history.schema["loss"] == pl.Float64  # int in c1, float in c0: the wider type
    counts = duckdb.sql(
        f"SELECT run_id, count(*) AS n, max(loss) AS worst FROM read_parquet("
        f"'{out_dir}/history/*/*.parquet', hive_partitioning=true) GROUP BY run_id ORDER BY run_id"
    ).fetchall()
    assert counts == [("c0", 10, 1.0), ("c1", 4, 2.0)]
    joined = duckdb.sql(
        f"SELECT r.id, r.\"config.lr\" FROM read_parquet('{out_dir}/runs.parquet') r "
        "WHERE r.state = 'failed'"
    ).fetchall()
    assert joined == [("c1", 0.01)]


# -- bad input: one line on stderr, a non-zero exit ------------------------------------------


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["runs", "ls", "a/b/c/d/e"], 1, "project path"),
        (["runs", "ls", "admin/no-such-project"], 1, "admin/no-such-project"),
        (["runs", "ls", "admin/e2e-cli", "--filter", "{bad"], 2, "'--filter': not JSON"),
        (["runs", "ls", "admin/e2e-cli", "--filter", "[1]"], 2, "a JSON object is needed"),
        (["run", "show", "admin/e2e-cli/missing"], 1, "admin/e2e-cli/runs/missing"),
        (["history", "admin/e2e-cli/missing"], 1, "admin/e2e-cli/runs/missing"),
        (["runs", "ls", "admin/e2e-cli", "--format", "parquet"], 2, "--out"),
        (["runs", "ls", "admin/e2e-cli", "--format", "xml"], 2, "'xml' is not one of"),
        (["artifact", "download", "admin/e2e-cli/nope:v9"], 1, "nope"),
        (["run", "show"], 2, "Missing argument 'PATH'"),
        (["nonsense"], 2, "No such command 'nonsense'"),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(
    capsys: pytest.CaptureFixture[str], seeded: str, argv: list[str], code: int, message: str
) -> None:
    got, out, err = cli(capsys, *argv)
    assert got == code
    assert out == ""
    assert err.startswith("error: ")
    assert err.count("\n") == 1, err
    assert message in err


def test_a_bad_api_key_is_one_line(
    capsys: pytest.CaptureFixture[str], seeded: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WANDB_API_KEY", "0" * 40)
    got, _, err = cli(capsys, "runs", "ls", seeded)
    assert got == 1
    assert err.count("\n") == 1
    assert "0" * 40 not in err
