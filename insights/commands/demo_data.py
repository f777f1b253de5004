"""`insights demo-data`: write the seeded synthetic demo data set."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from insights.demo_data import write_demo_data

    written = write_demo_data(
        args.out,
        seed=args.seed,
        end=args.end,
        days=args.days,
        platforms=args.platforms,
        second_brand=args.second_brand,
    )
    for path, rows in written.items():
        print(f"{path}: {rows:,} rows")
    if args.platforms:
        from pathlib import Path

        opts = (Path(args.platforms) / "ingest-options").read_text(encoding="utf-8").strip()
        print(f"platform downloads: insights ingest {args.platforms} {opts}")
    if args.second_brand:
        from insights.demo_brand import BRAND

        print(f'second brand: insights ingest {args.second_brand} --client "{BRAND}"')
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo-data", help="write the seeded synthetic Mexican demo data set")
    p.add_argument("--out", default="data/raw/demo", help="folder (default: data/raw/demo)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default: 7)")
    p.add_argument("--end", default=None, help="last hour, ISO 8601 (default: the current hour)")
    p.add_argument("--days", type=int, default=400, help="length of history (default: 400)")
    p.add_argument(
        "--platforms",
        default=None,
        help="also write a post history and platform downloads into this folder (ingest it "
        "with the options in its ingest-options file)",
    )
    p.add_argument(
        "--second-brand",
        default=None,
        metavar="DIR",
        help="also write a second, small brand's audience (a café chain) into this folder "
        "(ingest it with the --client the command prints)",
    )
    p.set_defaults(func=run)
