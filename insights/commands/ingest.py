"""`insights ingest`: load exports into the warehouse, one transaction per file (or per run
of small files of one layout, each still loaded whole or not at all)."""

from __future__ import annotations

import argparse
import sys

from insights.commands.common import add_client, add_db, emit_json
from insights.textsafe import one_line


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from insights import pipeline, warehouse

    request = pipeline.IngestRequest(
        paths=tuple(args.paths),
        kind=args.kind,
        term=args.term,
        decimal=args.decimal,
        date_order=args.date_order,
        tz=args.tz,
        country=args.country,
        sheet=args.sheet,
        year=args.year,
    )
    files = request.files()
    interactive = sys.stderr.isatty() and not args.json
    bar = tqdm(
        total=len(files), unit="file", disable=not interactive or len(files) < 2, file=sys.stderr
    )

    def shown(r) -> None:
        bar.update()
        _report(r, args.json, tqdm.write, str(warehouse.db_path(args.db).resolve()))

    results = pipeline.ingest(
        request,
        args.db,
        files=files,
        on_result=shown,
        on_next=lambda f: bar.set_postfix_str(f.name[-30:]),
        progress_bar=interactive,
        client=args.client,
    )
    bar.close()
    if not args.json:  # which file received the loads (the default is looked up: paths.py)
        print(f"warehouse: {warehouse.db_path(args.db).resolve()}")
    return 1 if any(r.status == "rejected" for r in results) else 0


def _report(r, as_json: bool, write, warehouse_path: str = "") -> None:
    if as_json:
        emit_json({**r.as_dict(), "warehouse": warehouse_path})
    elif r.status == "rejected":
        print(f"{one_line(str(r.path))}: rejected: {r.reason}", file=sys.stderr)
    else:
        extra = f" ({r.reason})" if r.reason else ""
        merged = ""
        if r.shape:
            merged = (
                f", {r.shape}: hourly rows {r.hourly_added:,} added, {r.hourly_replaced:,} "
                f"replaced, {r.hourly_already_loaded:,} already loaded"
            )
            if r.events_already_loaded:
                merged += f" ({r.events_already_loaded:,} events recognised)"
        name = one_line(str(r.path))  # a newline in a file name cannot forge a line
        write(f"{name}: {r.status} [{r.kind}] {r.rows_loaded:,} rows{merged}{extra}")
        for note in r.notes or []:
            write(f"  {note}")


def _year(text: str) -> int:
    from insights.pipeline import YEARS

    if not text.isdigit() or not YEARS[0] <= int(text) <= YEARS[1]:
        raise argparse.ArgumentTypeError(f"{text!r}: a four-digit year such as 2024")
    return int(text)


def register(sub: argparse._SubParsersAction) -> None:
    from insights import pipeline
    from insights.ingest.detect import KINDS

    p = sub.add_parser("ingest", help="load exports (files or folders) into the warehouse")
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="export files or folders (folders are read recursively)",
    )
    p.add_argument("--kind", choices=KINDS, help="override content detection")
    p.add_argument("--term", help="search term for wide Google Trends tables (default: file stem)")
    p.add_argument(
        "--decimal",
        choices=pipeline.DECIMALS,
        help="decimal separator of numeric columns, when a file mixes 1.000 and 1,000",
    )
    p.add_argument(
        "--date-order",
        choices=pipeline.DATE_ORDERS,
        help="order of slash dates when no value proves it (default dmy, stated in the result)",
    )
    p.add_argument("--tz", help="IANA time zone of local times without an offset (all rows)")
    p.add_argument(
        "--country", help="ISO 3166-1 alpha-2 country of the regions (MX, BR) when ambiguous"
    )
    p.add_argument("--sheet", help="Excel sheet holding the data (default: found by content)")
    p.add_argument(
        "--year",
        type=_year,
        help="year of dates exported without one (TikTok Studio's 'March 1'): the first row's",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    add_db(p)
    add_client(p, "the rows are filed under ('default' when the warehouse has no other)")
    p.set_defaults(func=run)
