"""`insights serve`: a local HTTP API over the warehouse (see :mod:`insights.api`).

Loopback only by default. To bind another interface, set ``INSIGHTS_API_TOKEN`` (16 to 512
visible ASCII characters); every request (``/docs`` and ``/openapi.json`` included) must
then send ``Authorization: Bearer <token>``. Without a token the command refuses to bind
beyond loopback (exit code 2). Only the host names it is bound to are answered (DNS
rebinding; ``--allow-host``), and slow or idle clients are bounded
(:mod:`insights.api.server`). What it accepts and from where: docs/security.md.
"""

from __future__ import annotations

import argparse
import sys

from insights import settings
from insights.api.security import check_token, is_loopback
from insights.commands.common import add_client, add_db

TOKEN_ENV = "INSIGHTS_API_TOKEN"


def run(args: argparse.Namespace) -> int:
    from insights import InsightsError
    from insights.api.brands import CLIENT_TOKENS_ENV, parse_client_tokens

    token = check_token(settings.current().api_token, TOKEN_ENV)
    client_tokens = parse_client_tokens(settings.current().api_client_tokens, token)
    if not is_loopback(args.host) and token is None and not client_tokens:
        raise InsightsError(
            f"--host {args.host}: refusing to serve beyond loopback without a token; set "
            f"{TOKEN_ENV} or {CLIENT_TOKENS_ENV} (clients then send 'Authorization: Bearer "
            "<token>') or use 127.0.0.1"
        )
    if not 0 <= args.port <= 65535:
        raise InsightsError(f"--port {args.port}: use 0..65535")
    if args.request_timeout is not None and not 0 < args.request_timeout <= 3600:
        raise InsightsError(f"--request-timeout {args.request_timeout}: use 0 < seconds <= 3600")
    if args.max_connections is not None and not 1 <= args.max_connections <= 100_000:
        raise InsightsError(f"--max-connections {args.max_connections}: use 1..100000")

    import uvicorn

    from insights.api import server
    from insights.api.app import create_app
    from insights.api.security import HostGuard, allowed_hosts
    from insights.api.snapshot import SnapshotStore

    hosts = allowed_hosts(args.host, args.allow_host)
    sock = server.bind(args.host, args.port)  # a port in use: one line, before "ready"
    try:
        # fails early and clearly when there is no warehouse, or no such brand
        store = SnapshotStore(args.db, client=args.client or settings.current().client)
    except BaseException:
        sock.close()
        raise
    server.raise_fd_limit()
    store.start()
    from insights.api.brands import BrandGate

    # the gate authenticates (all-brands and brand tokens) and picks each request's brand
    asgi = BrandGate(create_app(store), store, token, client_tokens)
    asgi = HostGuard(asgi, hosts) if hosts is not None else asgi
    max_conn = args.max_connections or server.MAX_CONNECTIONS
    config = uvicorn.Config(
        asgi,
        log_level=args.log_level,
        access_log=args.log_level == "debug",
        server_header=False,
        http=server.bounded_protocol(args.request_timeout or server.REQUEST_TIMEOUT_S, max_conn),
        # Uvicorn counts open connections too: one over the cap, since a new connection
        # closes an idle one first (insights.api.server) and must still be answered
        limit_concurrency=max_conn + 1,
        timeout_keep_alive=server.KEEP_ALIVE_S,
    )
    print(
        f"insights serve: http://{server.url_host(sock)}/v1/health  (docs: /docs; warehouse "
        f"{store.db}, brand {store.default or '(each request names one)'}, model run "
        f"{(store.current.model_run or {}).get('id') if store.default else '-'})",
        file=sys.stderr,
        flush=True,
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        store.stop()
        sock.close()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="local HTTP API: publish windows, energy now, render window")
    p.add_argument(
        "--host", default="127.0.0.1", help=f"default 127.0.0.1; others need {TOKEN_ENV}"
    )
    p.add_argument("--port", type=int, default=8000, help="TCP port (default 8000; 0: any free)")
    p.add_argument(
        "--allow-host",
        action="append",
        metavar="NAME",
        help="also answer requests whose Host header names NAME (repeatable; '*': any); "
        "default: only the names the server is bound to (see docs/security.md)",
    )
    p.add_argument(
        "--request-timeout",
        type=float,
        metavar="S",
        help="seconds a client has to send each request whole (default 10)",
    )
    p.add_argument(
        "--max-connections",
        type=int,
        metavar="N",
        help="open connections at most (default 200); more close the oldest idle one",
    )
    p.add_argument(
        "--log-level",
        default="warning",
        choices=["critical", "error", "warning", "info", "debug"],
        help="server log level (default warning)",
    )
    add_db(p)
    add_client(p, "answered when a request names none")
    p.set_defaults(func=run)
