"""`insights demo-data`: write the seeded synthetic demo data set."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from insights.demo_data import write_demo_data

    written = write_demo_data(args.out, seed=args.seed, end=args.end, days=args.days)
    for path, rows in written.items():
        print(f"{path}: {rows:,} rows")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo-data", help="write the seeded synthetic Mexican demo data set")
    p.add_argument("--out", default="data/raw/demo", help="folder (default: data/raw/demo)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default: 7)")
    p.add_argument("--end", default=None, help="last hour, ISO 8601 (default: the current hour)")
    p.add_argument("--days", type=int, default=400, help="length of history (default: 400)")
    p.set_defaults(func=run)
