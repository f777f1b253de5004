"""`insights status`: what the warehouse holds."""

from __future__ import annotations

import argparse

from insights.commands.common import add_client, add_db, emit_json


def run(args: argparse.Namespace) -> int:
    from insights import brands, settings, warehouse
    from insights.status import format_status, warehouse_status

    # without a brand: the whole file, every brand's rows counted together (brands listed)
    client = args.client or settings.current().client or brands.ALL
    with warehouse.read(args.db, client=client) as con:
        st = warehouse_status(con)
    if args.json:
        emit_json(st)
    else:
        print(format_status(st))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help="what the warehouse holds")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    add_db(p)
    add_client(p, "whose rows are counted (default: $INSIGHTS_CLIENT, else every brand)")
    p.set_defaults(func=run)
