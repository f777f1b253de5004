"""Helpers shared by the command modules: JSON output, the --db option, progress lines."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from insights import InsightsError


def emit_json(obj: object) -> None:
    """Print one JSON document on stdout (UTF-8 text kept as is; unknown types as str)."""
    print(json.dumps(obj, ensure_ascii=False, default=str))


def add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        default=None,
        help="warehouse file (default: $INSIGHTS_DB or data/warehouse.duckdb)",
    )


def add_client(p: argparse.ArgumentParser, what: str = "whose rows the command works on") -> None:
    """``--client NAME``: the brand (insights.brands)."""
    p.add_argument(
        "--client",
        default=None,
        metavar="NAME",
        help=f"brand {what} (default: $INSIGHTS_CLIENT, else the warehouse's only brand)",
    )


def add_lang(p: argparse.ArgumentParser) -> None:
    """``--lang es|en``: the language of a command's text output, with its number, day and
    time style (Babel, CLDR: es_MX, en_US; the rule of the report pages). English by
    default: the CLI speaks English unless asked; ``--json`` is the same in both."""
    p.add_argument(
        "--lang",
        default="en",
        choices=["es", "en"],
        help="language of the text output, with its number and date style (default en)",
    )


WHEN_HELP = (
    "ISO 8601 date-time; with an offset (2026-12-01T09:00-06:00) or Z; "
    "without one it is read as UTC (it spans every region's zone)"
)
LOCAL_WHEN_HELP = (
    "ISO 8601 date-time; with an offset (2026-12-01T09:00-06:00) or Z; "
    "without one it is the local time of the --zone or --region"
)


def add_flexible_jobs(p: argparse.ArgumentParser, moves: str, slack: str) -> None:
    """``--flexible GLOB`` (repeatable) and ``--slack-hours N``: which studio jobs may move,
    and by how much; ``moves``/``slack`` say what moving means for the command."""
    p.add_argument("--flexible", action="append", default=[], metavar="GLOB", help=moves)
    p.add_argument("--slack-hours", type=int, default=12, help=slack)


def parse_when(text: str, option: str) -> datetime:
    """An ISO 8601 date-time from the command line, timezone-aware.

    For options that span every region's zone (``--from``): a time without an offset is
    UTC (as every ``*_utc`` field in the outputs). The whole rule, including the options
    about one zone, is in docs/clocks-and-languages.md.
    """
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InsightsError(
            f"{option} {text!r}: not an ISO 8601 date-time (e.g. 2026-12-01T09:00-06:00)"
        ) from None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def progress(args: argparse.Namespace, bar: str | None = None) -> Callable[[str], None]:
    """Progress on stderr. In a log (not a TTY) one line per stage, with the UTC time and
    the seconds since the command started. On a terminal: with ``bar`` (its label), tqdm's
    bar, one step per stage (:class:`insights.progress.TerminalBar`: the caller closes it),
    else ``  · msg`` lines; nothing with ``--json`` (the JSON goes to stdout either way)."""
    if not sys.stderr.isatty():
        t0 = time.monotonic()

        def log(m: str) -> None:
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            print(f"{now} +{time.monotonic() - t0:.1f}s {m}", file=sys.stderr, flush=True)

        return log
    if getattr(args, "json", False):
        return lambda _m: None
    if bar is not None:
        from insights.progress import TerminalBar

        return TerminalBar(None, bar)
    return lambda m: print(f"  · {m}", file=sys.stderr)


def close_progress(say: object) -> None:
    """Close a bar :func:`progress` gave (nothing for lines)."""
    close = getattr(say, "close", None)
    if callable(close):
        close()
