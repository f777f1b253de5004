"""`insights report`: run the notebooks with papermill and export offline HTML."""

from __future__ import annotations

import argparse

from insights.commands.common import add_db


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from insights.report import run_report

    given = dict(args.param or [])
    written = run_report(Path(args.out), given, args.lang, args.db, args.notebooks, args.only)
    for p in written:
        print(p)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="run the notebooks with papermill and export offline HTML")
    p.add_argument("--out", default="reports", help="folder (default: reports)")
    p.add_argument(
        "-p",
        "--param",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="a notebook parameter (repeatable); unknown names are an error",
    )
    p.add_argument("--lang", default="es", help="es or en (default es)")
    p.add_argument("--notebooks", default=None, help="folder of numbered notebooks")
    p.add_argument("--only", action="append", help="run only notebooks whose name starts so")
    add_db(p)
    p.set_defaults(func=run)
