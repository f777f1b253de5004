"""`insights ingest`: load exports into the warehouse, one transaction per file."""

from __future__ import annotations

import argparse
import sys

from insights import InsightsError
from insights.commands.common import add_db, emit_json


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from insights import warehouse
    from insights.ingest.load import expand_paths, ingest_file

    files = expand_paths(args.paths)
    if not files:
        raise InsightsError("no files to ingest under " + ", ".join(args.paths))
    interactive = sys.stderr.isatty() and not args.json
    results = []
    with warehouse.write(args.db) as con:
        if interactive:
            con.execute("SET enable_progress_bar = true")
        bar = tqdm(files, unit="file", disable=not interactive or len(files) < 2, file=sys.stderr)
        for f in bar:
            bar.set_postfix_str(f.name[-30:])
            r = ingest_file(con, f, kind=args.kind, term=args.term)
            results.append(r)
            if args.json:
                emit_json(r.as_dict())
            elif r.status == "rejected":
                print(f"{r.path}: rejected: {r.reason}", file=sys.stderr)
            else:
                extra = f" ({r.reason})" if r.reason else ""
                tqdm.write(f"{r.path}: {r.status} [{r.kind}] {r.rows_loaded:,} rows{extra}")
    return 1 if any(r.status == "rejected" for r in results) else 0


def register(sub: argparse._SubParsersAction) -> None:
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
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    add_db(p)
    p.set_defaults(func=run)
