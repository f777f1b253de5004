"""`insights serve`: a local HTTP API over the warehouse (see :mod:`insights.api`).

Loopback only by default. To bind another interface, set ``INSIGHTS_API_TOKEN`` (at least
16 characters); every ``/v1`` request must then send ``Authorization: Bearer <token>``.
Without a token the command refuses to bind beyond loopback (exit code 2).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys

from insights.commands.common import add_db

TOKEN_ENV = "INSIGHTS_API_TOKEN"
MIN_TOKEN_LEN = 16


def is_loopback(host: str) -> bool:
    """``localhost`` or an address in 127.0.0.0/8 or ::1."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    from insights import InsightsError

    token = os.environ.get(TOKEN_ENV) or None
    if token is not None and len(token) < MIN_TOKEN_LEN:
        raise InsightsError(f"{TOKEN_ENV}: use at least {MIN_TOKEN_LEN} characters")
    if not is_loopback(args.host) and token is None:
        raise InsightsError(
            f"--host {args.host}: refusing to serve beyond loopback without a token; set "
            f"{TOKEN_ENV} (clients then send 'Authorization: Bearer <token>') or use 127.0.0.1"
        )
    if not 0 <= args.port <= 65535:
        raise InsightsError(f"--port {args.port}: use 0..65535")

    import uvicorn

    from insights.api.app import create_app
    from insights.api.badrequest import ProblemH11Protocol
    from insights.api.snapshot import SnapshotStore

    store = SnapshotStore(args.db)  # fails early and clearly when there is no warehouse
    store.start()
    app = create_app(store, token=token)
    print(
        f"insights serve: http://{args.host}:{args.port}/v1/health  (docs: /docs; warehouse "
        f"{store.db}, model run {(store.current.model_run or {}).get('id')})",
        file=sys.stderr,
        flush=True,
    )
    try:
        uvicorn.run(
            app,
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            access_log=args.log_level == "debug",
            server_header=False,
            http=ProblemH11Protocol,  # an unreadable request line: a problem document too
        )
    finally:
        store.stop()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="local HTTP API: publish windows, energy now, render window")
    p.add_argument(
        "--host", default="127.0.0.1", help=f"default 127.0.0.1; others need {TOKEN_ENV}"
    )
    p.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    p.add_argument(
        "--log-level",
        default="warning",
        choices=["critical", "error", "warning", "info", "debug"],
        help="server log level (default warning)",
    )
    add_db(p)
    p.set_defaults(func=run)
