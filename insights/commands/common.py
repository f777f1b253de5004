"""Helpers shared by the command modules: JSON output, the --db option, progress lines."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable


def emit_json(obj: object) -> None:
    """Print one JSON document on stdout (UTF-8 text kept as is; unknown types as str)."""
    print(json.dumps(obj, ensure_ascii=False, default=str))


def add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        default=None,
        help="warehouse file (default: $INSIGHTS_DB or data/warehouse.duckdb)",
    )


def progress(args: argparse.Namespace) -> Callable[[str], None]:
    quiet = getattr(args, "json", False) or not sys.stderr.isatty()
    return (lambda _m: None) if quiet else (lambda m: print(f"  · {m}", file=sys.stderr))
