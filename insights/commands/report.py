"""`insights report`: run the notebooks with papermill and export offline HTML."""

from __future__ import annotations

import argparse

from insights.commands.common import add_client, add_db, progress


def run(args: argparse.Namespace) -> int:
    from insights import pipeline

    request = pipeline.ReportRequest(
        out=args.out,
        params=dict(args.param or []),
        lang=args.lang,
        notebooks=args.notebooks,
        only=tuple(args.only) if args.only is not None else None,
        read_only=args.read_only,
    )
    written = pipeline.report(request, args.db, progress=progress(args), client=args.client)
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
    p.add_argument(
        "--lang", default="es", choices=["es", "en"], help="report language (default es)"
    )
    p.add_argument(
        "--notebooks",
        default=None,
        help="folder of numbered notebooks (default: ./notebooks, else the installed ones)",
    )
    p.add_argument(
        "--only",
        action="append",
        metavar="NN",
        help="run only the notebooks whose name starts so (05, 05_report); repeatable; "
        "one that matches no notebook is an error",
    )
    p.add_argument(
        "--read-only",
        action="store_true",
        help="change nothing in the warehouse: no ingest (01), no retraining (03), "
        "no stored recommendations (04)",
    )
    add_db(p)
    add_client(p, "whose report it is")
    p.set_defaults(func=run)
