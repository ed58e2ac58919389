"""The ``wandb-typed`` command (also ``python -m wandb_typed``).

Reads use ``WANDB_API_KEY`` and ``WANDB_BASE_URL`` (or netrc and the W&B settings file), as
``wandb_typed.Api()`` does. Progress bars go to stderr on a terminal only; any error prints
one line on stderr and exits non-zero (1; 2 for a usage error).

Example::

    wandb-typed runs ls team/vision --filter '{"state": "finished"}' --format csv
    wandb-typed history team/vision/abc123 --keys loss,acc --format parquet --out h.parquet
    wandb-typed export team/vision --out vision-export
    wandb-typed server --data-dir .wandb-typed-data
    wandb-typed server --data-dir .wandb-typed-data org create acme --member alice
"""

from __future__ import annotations

import csv
import json
import socket
import sys
from collections.abc import Callable, Generator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from wandb_typed._version import __version__

if TYPE_CHECKING:
    from wandb_typed import Api
    from wandb_typed._json import JSONObject

FORMATS = ("table", "csv", "json", "parquet")
SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "show_default": True}


# -- helpers ---------------------------------------------------------------------------------


@contextmanager
def _api() -> Generator[Api]:
    from wandb_typed import Api

    with Api() as api:
        yield api


def _filters(text: str | None) -> dict[str, object] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(
            f"not JSON ({exc.msg} at column {exc.colno})", param_hint="'--filter'"
        ) from None
    if not isinstance(value, dict):
        raise click.BadParameter(
            'a JSON object is needed, e.g. \'{"state": "finished"}\'', param_hint="'--filter'"
        )
    return cast("dict[str, object]", value)  # a JSON object: its keys are strings


def _keys(text: str | None) -> list[str] | None:
    return None if text is None else [key.strip() for key in text.split(",") if key.strip()]


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(_plain(value))


def _emit(rows: Sequence[Mapping[str, object]], fmt: str, out: Path | None) -> None:
    """Write ``rows`` to ``out`` (stdout when None) as a table, CSV, JSON or Parquet."""
    from wandb_typed.dataframes import columns_of

    columns = columns_of(rows)
    if fmt == "parquet":
        if out is None:
            raise click.UsageError("--format parquet needs --out FILE")
        from wandb_typed._parquet import write_table
        from wandb_typed.arrow import to_arrow

        write_table(to_arrow(rows, columns), out)
        return
    stream = sys.stdout if out is None else out.open("w", encoding="utf-8", newline="")
    try:
        if fmt == "json":
            plain = [{key: _plain(value) for key, value in row.items()} for row in rows]
            stream.write(json.dumps(plain, indent=1, default=str) + "\n")
        elif fmt == "csv":
            writer = csv.writer(stream)
            writer.writerow(columns)
            writer.writerows([_cell(row.get(name)) for name in columns] for row in rows)
        else:
            cells = [[_cell(row.get(name)) for name in columns] for row in rows]
            widths = [
                min(40, max([len(name)] + [len(line[i]) for line in cells]))
                for i, name in enumerate(columns)
            ]
            for line in [list(columns), *cells]:
                stream.write("  ".join(f"{text[:40]:<{widths[i]}}" for i, text in enumerate(line)))
                stream.write("\n")
    finally:
        if out is not None:
            stream.close()


_Command = TypeVar("_Command", bound=Callable[..., object])


def format_option(command: _Command) -> _Command:
    """The ``--format`` option of a command that lists rows (table, csv, json or parquet)."""
    return click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default="table", help="output format"
    )(command)


def out_option(command: _Command) -> _Command:
    """The ``--out`` option of a command that lists rows (stdout when not given)."""
    return click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="write to this file (needed for parquet) instead of stdout",
    )(command)


# -- commands --------------------------------------------------------------------------------


@click.group(context_settings=SETTINGS)
@click.version_option(__version__, "--version", prog_name="wandb-typed")
def cli() -> None:
    """Read W&B runs, histories, files and artifacts, export projects to Parquet, and run a
    local W&B-compatible server. Reads use WANDB_API_KEY and WANDB_BASE_URL."""


@cli.group(context_settings=SETTINGS)
def runs() -> None:
    """A project's runs."""


@runs.command("ls", context_settings=SETTINGS)
@click.argument("path")
@click.option("--filter", "filter_", default=None, help="MongoDB-style JSON filter")
@click.option(
    "--order", default="+created_at", help="+/- then a field, config.k or summary_metrics.k"
)
@format_option
@out_option
def runs_ls(path: str, filter_: str | None, order: str, fmt: str, out: Path | None) -> None:
    """List the runs of PATH (entity/project) with their config and summary."""
    filters = _filters(filter_)
    with _api() as api:
        listing = api.runs(path, filters=filters, order=order, per_page=1000)
        if fmt == "table":
            rows: list[dict[str, object]] = [
                {"id": run.id, "name": run.name, "state": run.state, "created_at": run.created_at}
                for run in listing
            ]
        else:
            rows = listing.flat_rows()
    _emit(rows, fmt, out)


@cli.group(context_settings=SETTINGS)
def run() -> None:
    """One run."""


@run.command("show", context_settings=SETTINGS)
@click.argument("path")
def run_show(path: str) -> None:
    """Show the run at PATH (entity/project/run_id) as JSON."""
    with _api() as api:
        found = api.run(path)
        shown = {
            "path": "/".join(found.path),
            "name": found.name,
            "state": found.state,
            "created_at": found.created_at.isoformat(),
            "tags": found.tags,
            "group": found.group,
            "job_type": found.job_type,
            "notes": found.notes,
            "url": found.url,
            "config": found.config,
            "summary": found.summary,
        }
    click.echo(json.dumps(shown, indent=1, default=str))


@cli.command("history", context_settings=SETTINGS)
@click.argument("run_path", metavar="RUN")
@click.option("--keys", default=None, help="comma-separated metrics (rows having all of them)")
@format_option
@out_option
def history(run_path: str, keys: str | None, fmt: str, out: Path | None) -> None:
    """Every history row of RUN (entity/project/run_id), unsampled."""
    from wandb_typed._progress import Progress

    with _api() as api:
        found = api.run(run_path)
        bar = Progress(f"history {run_path}", total=found.history_line_count, unit="rows")
        rows: list[JSONObject] = []
        try:
            for line in found.scan_history(keys=_keys(keys)):
                rows.append(line)
                bar.advance(1)
        finally:
            bar.close()
    _emit(rows, fmt, out)


@cli.group(context_settings=SETTINGS)
def files() -> None:
    """A run's files."""


@files.command("download", context_settings=SETTINGS)
@click.argument("run_path", metavar="RUN")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    help="folder to download into",
)
@click.option("--replace/--no-replace", default=False, help="overwrite files already there")
def files_download(run_path: str, root: Path, replace: bool) -> None:
    """Download every file of RUN into --root; prints each path written."""
    from wandb_typed._progress import Progress

    with _api() as api:
        found = list(api.run(run_path).files())
        bar = Progress(f"files {run_path}", total=sum(file.size for file in found))
        try:
            for file in found:
                written = file.download(root, replace=replace, exist_ok=not replace)
                bar.advance(file.size)
                click.echo(str(written))
        finally:
            bar.close()


@cli.group(context_settings=SETTINGS)
def artifact() -> None:
    """Artifacts."""


@artifact.command("download", context_settings=SETTINGS)
@click.argument("name")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="folder to download into  [default: ./artifacts/NAME]",
)
def artifact_download(name: str, root: Path | None) -> None:
    """Download the artifact NAME (entity/project/name:alias); prints its folder."""
    with _api() as api:
        click.echo(api.artifact(name).download(root))


@cli.command("export", context_settings=SETTINGS)
@click.argument("project")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="folder to write the Parquet dataset into",
)
@click.option("--filter", "filter_", default=None, help="MongoDB-style JSON filter of runs")
@click.option("--keys", default=None, help="comma-separated history metrics (default: all)")
def export(project: str, out: Path, filter_: str | None, keys: str | None) -> None:
    """Export PROJECT's runs (runs.parquet) and histories (history/run_id=ID/) to Parquet."""
    from wandb_typed.export import export_project

    filters = _filters(filter_)
    with _api() as api:
        result = export_project(api, project, out, filters=filters, keys=_keys(keys))
    click.echo(f"{result.runs} runs, {result.history_rows} history rows -> {result.out}")


SERVER_API_KEY_ENV = "WANDB_TYPED_SERVER_API_KEY"

# The server's request limits, as options; None keeps the server's default, which the help
# text states (tests/server/test_cli.py checks it against RequestLimits()).
_LIMIT_OPTIONS: list[tuple[str, str, str]] = [
    ("max_body_bytes", "16777216", "bytes in one request body (/graphql, file_stream)"),
    ("max_json_depth", "64", "nesting of arrays and objects in a JSON body"),
    ("max_query_depth", "32", "nesting of selections in a GraphQL document"),
    ("max_query_fields", "2000", "field selections in a GraphQL document"),
    ("max_query_aliases", "200", "aliased fields in a GraphQL document"),
    ("max_query_cost", "1000000", "query cost: 1 a field, x first/perPage, + history samples"),
]


def _limit_options(function: Callable[..., Any]) -> Callable[..., Any]:
    for name, default, what in reversed(_LIMIT_OPTIONS):
        option = "--" + name.replace("_", "-")
        function = click.option(
            option,
            name,
            type=click.IntRange(min=1),
            default=None,
            show_default=False,
            help=f"{what}  [default: {default}]",
        )(function)
    return function


def _admin_key(api_key: str | None, api_key_file: Path | None) -> str | None:
    if api_key is not None and api_key_file is not None:
        raise click.UsageError("give either --api-key or --api-key-file, not both")
    if api_key_file is None:
        return api_key
    try:
        lines = api_key_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        message = f"cannot read {api_key_file}: {exc}"
        raise click.BadParameter(message, param_hint="--api-key-file") from None
    key = lines[0].strip() if lines else ""
    if not key:
        raise click.BadParameter(f"{api_key_file} is empty", param_hint="--api-key-file")
    return key


@cli.group("server", context_settings=SETTINGS, invoke_without_command=True)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="where data is kept (SQLite and files)",
)
@click.option("--host", default="127.0.0.1", help="address to listen on")
@click.option("--port", type=int, default=8080, help="port to listen on")
@click.option(
    "--api-key",
    default=None,
    envvar=SERVER_API_KEY_ENV,
    show_envvar=True,
    help="admin API key to register (also on an existing data dir, to regain access); prefer"
    f" ${SERVER_API_KEY_ENV} or --api-key-file: a command line is visible to every local user"
    " in ps  [default: generated on first start and printed once]",
)
@click.option(
    "--api-key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="read the admin API key from this file (its first line) instead of --api-key",
)
@click.option(
    "--history-exports/--no-history-exports",
    default=False,
    show_default=True,
    help="serve runs' histories as Parquet exports (parquetHistory): whole-history scans"
    " read files instead of pages; wandb 0.31.0's scan_history(keys=...) then also yields"
    " rows without the keys",
)
@_limit_options
@click.pass_context
def server(
    context: click.Context,
    /,
    data_dir: Path,
    host: str,
    port: int,
    api_key: str | None,
    api_key_file: Path | None,
    history_exports: bool,
    **limits: int | None,
) -> None:
    """Run the local W&B-compatible server (or, with ``org ...``, manage its organizations).

    The port is bound before anything is printed or written: a busy port stops the command
    before a first start generates (and prints) the admin key. Lost the key? Start again on
    the same --data-dir with a key of your choice (--api-key-file FILE, or the environment
    variable WANDB_TYPED_SERVER_API_KEY): that key is added to the admin. A request over one
    of the --max-* limits is refused with an error naming the limit.
    """
    context.obj = data_dir
    if context.invoked_subcommand is None:
        key = _admin_key(api_key, api_key_file)
        given = {name: value for name, value in limits.items() if value is not None}
        raise SystemExit(_serve(data_dir, host, port, key, given, history_exports))


@server.group("org", context_settings=SETTINGS)
def org() -> None:
    """Manage organizations (registries live in them), straight in the data dir."""


@org.command("create", context_settings=SETTINGS)
@click.argument("name")
@click.option("--entity", default=None, help="org entity name  [default: NAME-org]")
@click.option("--member", "members", multiple=True, help="username to add (repeatable)")
@click.pass_obj
def org_create(data_dir: Path, name: str, entity: str | None, members: tuple[str, ...]) -> None:
    """Create an organization and its org entity."""

    def create(conn: Any, orgs: Any) -> None:
        orgs.create_organization(conn, name, entity_name=entity)
        for username in members:
            orgs.add_member(conn, name, username)
        row = orgs.find_organization(conn, name)
        click.echo(f"organization {name} (org entity {row['entity_name']})")

    _organizations(data_dir, create)


@org.command("add-member", context_settings=SETTINGS)
@click.argument("organization")
@click.argument("username")
@click.pass_obj
def org_add_member(data_dir: Path, organization: str, username: str) -> None:
    """Add a user to an organization."""
    _organizations(data_dir, lambda conn, orgs: orgs.add_member(conn, organization, username))


@org.command("add-team", context_settings=SETTINGS)
@click.argument("organization")
@click.argument("team")
@click.pass_obj
def org_add_team(data_dir: Path, organization: str, team: str) -> None:
    """Move a team into an organization."""
    _organizations(data_dir, lambda conn, orgs: orgs.assign_team(conn, organization, team))


@org.command("add-registry-member", context_settings=SETTINGS)
@click.argument("organization")
@click.argument("registry")
@click.argument("username")
@click.pass_obj
def org_add_registry_member(
    data_dir: Path, organization: str, registry: str, username: str
) -> None:
    """Let a member of the organization into a restricted registry (wandb-registry- optional)."""
    from wandb_typed_server.storage.registries import add_registry_member

    _organizations(
        data_dir, lambda conn, _orgs: add_registry_member(conn, organization, registry, username)
    )


@org.command("list", context_settings=SETTINGS)
@click.pass_obj
def org_list(data_dir: Path) -> None:
    """List organizations and their org entities."""

    def show(conn: Any, orgs: Any) -> None:
        for name in orgs.organization_names(conn):
            row = orgs.find_organization(conn, name)
            click.echo(f"{name}\t{row['entity_name']}")

    _organizations(data_dir, show)


def _organizations(data_dir: Path, change: Callable[[Any, Any], None]) -> None:
    """Run ``change(conn, organizations module)`` in one transaction on the data dir; an
    unknown organization, user, team or registry is a one-line error."""
    from wandb_typed_server import open_state
    from wandb_typed_server.storage import organizations as orgs
    from wandb_typed_server.storage.keys import ensure_admin

    state = open_state(data_dir)
    try:
        new_key = ensure_admin(state.db, None)
        if new_key is not None:
            click.echo(f"admin API key (shown only this once): {new_key}")
        with state.db.transaction() as conn:
            change(conn, orgs)
    except orgs.OrganizationError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        state.db.close()


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` and listening, for the server to accept on.

    ``TCP_NODELAY`` is set here, on the listening socket, so that the connections accepted
    from it inherit it: uvicorn serving a socket it did not create leaves Nagle's algorithm
    on, and a small reply whose body follows its headers then waits for the client's
    delayed ACK (about 40 ms a file download, measured by hand).

    Raises:
        OSError: The address cannot be bound (in use, or not this machine's), naming it.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def _serve(
    data_dir: Path,
    host: str,
    port: int,
    api_key: str | None,
    limits: Mapping[str, int],
    history_exports: bool = False,
) -> int:
    try:
        import uvicorn

        from wandb_typed_server import RequestLimits, create_app, open_state
        from wandb_typed_server.storage.keys import ensure_admin
    except ImportError as exc:
        raise ImportError(
            f"the server needs the extra: pip install 'wandb-typed[server]' ({exc})"
        ) from None
    sock = listening_socket(host, port)
    bound_port = sock.getsockname()[1]
    state = open_state(data_dir, history_exports=history_exports)
    new_key = ensure_admin(state.db, api_key)
    print(f"wandb-typed server on http://{host}:{bound_port}  (data: {data_dir})", flush=True)
    if new_key is not None:
        print(f"admin API key (shown only this once): {new_key}", flush=True)
    app = create_app(state, limits=RequestLimits(**limits))
    config = uvicorn.Config(app, log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])
    return 0


# -- entry point -----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``wandb-typed`` command: the exit code.

    >>> main(["server", "--data-dir", "/tmp/wandb-data", "--port", "8080"])  # doctest: +SKIP
    """
    from wandb_typed.errors import WandbTypedError

    try:
        result = cli.main(
            args=list(sys.argv[1:] if argv is None else argv),
            prog_name="wandb-typed",
            standalone_mode=False,
        )
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.Abort:
        click.echo("error: aborted", err=True)
        return 1
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        return int(exc.exit_code)
    except (WandbTypedError, OSError, ImportError, ValueError) as exc:
        click.echo(f"error: {_one_line(exc)}", err=True)
        return 1
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return result if isinstance(result, int) else 0


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) < 500 else text[:497] + "..."


if __name__ == "__main__":
    raise SystemExit(main())
