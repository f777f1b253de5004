"""`insights lake export|import|query`: the warehouse to and from an Iceberg lake."""

from __future__ import annotations

import argparse

from insights.commands.common import add_db, emit_json, progress


def _client(args: argparse.Namespace) -> str:
    from insights import brands, settings

    return args.client or settings.current().client or brands.DEFAULT


def run(args: argparse.Namespace) -> int:
    from insights import warehouse
    from insights.lake import query, transfer

    say = progress(args)
    client = _client(args)
    if args.action == "export":
        rows = transfer.export_warehouse(args.db, args.lake, client, progress=say)
        doc = {"exported": rows, "client": client, "warehouse": str(warehouse.db_path(args.db))}
    elif args.action == "import":
        rows = transfer.import_warehouse(args.lake, args.db, client, args.replace, progress=say)
        doc = {"imported": rows, "client": client, "warehouse": str(warehouse.db_path(args.db))}
    else:
        if args.engine == "spark":
            from insights.engines.spark import session

            tbl = query.on_lake_spark(args.lake, client, args.sql, session())
        elif args.engine == "polars":
            tbl = query.on_lake_polars(args.lake, client, args.sql)
        else:
            tbl = query.on_warehouse(args.db, args.sql)
        if args.json:
            emit_json(tbl.to_pylist())
        else:
            import polars as pl

            print(pl.from_arrow(tbl))
        return 0
    if args.json:
        emit_json(doc)
    else:
        verb = "exported to" if args.action == "export" else "imported from"
        total = sum(rows.values())
        print(
            f"brand {client!r}: {total} rows in {len(rows)} tables {verb} the lake "
            f"(warehouse {doc['warehouse']})"
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lake", help="move the warehouse to and from an Apache Iceberg lake")
    p.add_argument(
        "action",
        choices=("export", "import", "query"),
        help="export: warehouse -> lake; import: lake -> warehouse; query: run SQL",
    )
    p.add_argument("sql", nargs="?", default=None, help="(query) the SQL to run")
    p.add_argument(
        "--lake",
        default=None,
        help="Iceberg catalog: sqlite:///PATH.db, postgresql://..., or a REST "
        "catalog's https:// address (default: $INSIGHTS_LAKE)",
    )
    p.add_argument(
        "--client",
        default=None,
        help="brand whose rows move (default: $INSIGHTS_CLIENT or 'default')",
    )
    p.add_argument(
        "--replace", action="store_true", help="(import) empty the warehouse's tables first"
    )
    p.add_argument(
        "--engine",
        choices=("duckdb", "polars", "spark"),
        default="polars",
        help="(query) duckdb: the warehouse file; polars or spark: the lake",
    )
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    add_db(p)
    p.set_defaults(func=_checked)


def _checked(args: argparse.Namespace) -> int:
    from insights import InsightsError

    if args.action == "query" and not args.sql:
        raise InsightsError(
            "lake query needs the SQL to run, e.g. "
            "insights lake query 'SELECT count(*) FROM consumption'"
        )
    return run(args)
