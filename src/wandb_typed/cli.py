"""The ``wandb-typed`` command.

wandb-typed server --data-dir DIR [--host 127.0.0.1] [--port 8080] [--api-key KEY]
wandb-typed server --data-dir DIR org create NAME [--entity ENTITY] [--member USERNAME ...]
wandb-typed server --data-dir DIR org add-member ORG USERNAME
wandb-typed server --data-dir DIR org add-team ORG TEAM
wandb-typed server --data-dir DIR org add-registry-member ORG REGISTRY USERNAME
wandb-typed server --data-dir DIR org list
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
    actions = server.add_subparsers(dest="action")
    org = actions.add_parser("org", help="manage organizations (registries live in them)")
    org_actions = org.add_subparsers(dest="org_action", required=True)
    create = org_actions.add_parser("create", help="create an organization and its org entity")
    create.add_argument("name")
    create.add_argument("--entity", default=None, help="org entity name (default: NAME-org)")
    create.add_argument("--member", action="append", default=[], help="username to add")
    add_member = org_actions.add_parser("add-member", help="add a user to an organization")
    add_member.add_argument("organization")
    add_member.add_argument("username")
    add_team = org_actions.add_parser("add-team", help="move a team into an organization")
    add_team.add_argument("organization")
    add_team.add_argument("team")
    registry_member = org_actions.add_parser(
        "add-registry-member", help="let a member of the organization into a restricted registry"
    )
    registry_member.add_argument("organization")
    registry_member.add_argument("registry", help="the registry's name (wandb-registry- optional)")
    registry_member.add_argument("username")
    org_actions.add_parser("list", help="list organizations and their org entities")
    return parser


def _organizations(data_dir: Path, args: argparse.Namespace) -> int:
    """Create organizations and add members or teams, straight in the data dir."""
    from wandb_typed_server import open_state
    from wandb_typed_server.storage import organizations as orgs
    from wandb_typed_server.storage.keys import ensure_admin
    from wandb_typed_server.storage.registries import add_registry_member

    state = open_state(data_dir)
    new_key = ensure_admin(state.db, None)
    if new_key is not None:
        print(f"admin API key (shown only this once): {new_key}", flush=True)
    try:
        with state.db.transaction() as conn:
            if args.org_action == "create":
                orgs.create_organization(conn, args.name, entity_name=args.entity)
                for username in args.member:
                    orgs.add_member(conn, args.name, username)
                row = orgs.find_organization(conn, args.name)
                assert row is not None
                print(f"organization {args.name} (org entity {row['entity_name']})")
            elif args.org_action == "add-member":
                orgs.add_member(conn, args.organization, args.username)
            elif args.org_action == "add-team":
                orgs.assign_team(conn, args.organization, args.team)
            elif args.org_action == "add-registry-member":
                add_registry_member(conn, args.organization, args.registry, args.username)
            else:
                for name in orgs.organization_names(conn):
                    row = orgs.find_organization(conn, name)
                    assert row is not None
                    print(f"{name}\t{row['entity_name']}")
    except (orgs.OrganizationError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        state.db.close()
    return 0


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
    if args.command == "server" and args.action == "org":
        return _organizations(args.data_dir, args)
    if args.command == "server":
        return _serve(args.data_dir, args.host, args.port, args.api_key)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
