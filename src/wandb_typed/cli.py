"""The ``wandb-typed`` command.

wandb-typed server --data-dir DIR [--host 127.0.0.1] [--port 8080] [--api-key KEY]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wandb-typed", description=(__doc__ or "").splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    server = commands.add_parser("server", help="run the local W&B-compatible server")
    server.add_argument("--data-dir", type=Path, required=True, help="where data is kept")
    server.add_argument("--host", default="127.0.0.1", help="address to listen on")
    server.add_argument("--port", type=int, default=8080, help="port to listen on")
    server.add_argument(
        "--api-key", default=None, help="admin API key (default: generated once and printed)"
    )
    return parser


def _serve(data_dir: Path, host: str, port: int, api_key: str | None) -> int:
    try:
        import uvicorn

        from wandb_typed_server import create_app, open_state
        from wandb_typed_server.storage.keys import ensure_admin
    except ImportError as exc:
        print(
            f"the server needs the extra: pip install 'wandb-typed[server]' ({exc})",
            file=sys.stderr,
        )
        return 2
    state = open_state(data_dir)
    new_key = ensure_admin(state.db, api_key)
    print(f"wandb-typed server on http://{host}:{port}  (data: {data_dir})", flush=True)
    if new_key is not None:
        print(f"admin API key (shown only this once): {new_key}", flush=True)
    uvicorn.run(create_app(state), host=host, port=port, log_level="warning")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``wandb-typed`` command.

    >>> main(["server", "--data-dir", "/tmp/wandb-data", "--port", "8080"])  # doctest: +SKIP
    """
    args = _build_parser().parse_args(argv)
    if args.command == "server":
        return _serve(args.data_dir, args.host, args.port, args.api_key)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
