"""The ``insights`` command: every stage of the flow is also a command.

Exit codes: 0 success; 1 a file was rejected or a run failed; 2 bad usage or set-up;
3 the warehouse stayed busy (another run held it) past the lock timeout.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from insights import InsightsError, __version__


def _out(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str))


def cmd_ingest(args: argparse.Namespace) -> int:
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
                _out(r.as_dict())
            elif r.status == "rejected":
                print(f"{r.path}: rejected: {r.reason}", file=sys.stderr)
            else:
                extra = f" ({r.reason})" if r.reason else ""
                tqdm.write(f"{r.path}: {r.status} [{r.kind}] {r.rows_loaded:,} rows{extra}")
    return 1 if any(r.status == "rejected" for r in results) else 0


def cmd_status(args: argparse.Namespace) -> int:
    from insights import warehouse
    from insights.status import format_status, warehouse_status

    with warehouse.read(args.db) as con:
        st = warehouse_status(con)
    if args.json:
        _out(st)
    else:
        print(format_status(st))
    return 0


def cmd_demo_data(args: argparse.Namespace) -> int:
    from insights.demo_data import write_demo_data

    written = write_demo_data(args.out, seed=args.seed, end=args.end, days=args.days)
    for path, rows in written.items():
        print(f"{path}: {rows:,} rows")
    return 0


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        default=None,
        help="warehouse file (default: $INSIGHTS_DB or data/warehouse.duckdb)",
    )


def build_parser() -> argparse.ArgumentParser:
    from insights.ingest.detect import KINDS

    parser = argparse.ArgumentParser(
        prog="insights",
        description="When, where and on which channel to publish, weighted by a greener grid.",
    )
    parser.add_argument("--version", action="version", version=f"insights {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", help="load exports (files or folders) into the warehouse")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--kind", choices=KINDS, help="override content detection")
    p.add_argument("--term", help="search term for wide Google Trends tables (default: file stem)")
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    _add_db(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("status", help="what the warehouse holds")
    p.add_argument("--json", action="store_true")
    _add_db(p)
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("demo-data", help="write the seeded synthetic Mexican demo data set")
    p.add_argument("--out", default="data/raw/demo", help="folder (default: data/raw/demo)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--end", default=None, help="last hour, ISO 8601 (default: the current hour)")
    p.add_argument("--days", type=int, default=400, help="length of history (default: 400)")
    p.set_defaults(func=cmd_demo_data)

    for register in EXTRA_COMMANDS:
        register(sub, _add_db)
    return parser


# Later stages (train, recommend, report ...) register themselves here.
EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction, Callable], None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    from insights import commands  # noqa: F401 - registers the model/recommend/report commands

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InsightsError as exc:
        print(f"insights {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("insights: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    # run through the package so that later stages register on this module's parser
    from insights.cli import main as package_main

    sys.exit(package_main())
