"""The ``insights`` command: parses arguments and dispatches to :mod:`insights.commands`.

Exit codes: 0 success; 1 a file was rejected or a run failed; 2 bad usage or set-up;
3 the warehouse stayed busy (another run held it) past the lock timeout.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from insights import InsightsError, __version__

# Command modules under insights.commands, in the order `insights --help` lists them.
COMMANDS = (
    "ingest",
    "status",
    "demo_data",
    "train",
    "recommend",
    "backtest",
    "render_window",
    "report",
    "studio_energy",
    "solar_size",
    "serve",
    "lake",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="insights",
        description="When, where and on which channel to publish, weighted by a greener grid.",
    )
    parser.add_argument("--version", action="version", version=f"insights {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"insights.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from insights.textsafe import install_safe_streams

    install_safe_streams()  # names from exports never reach the terminal as control codes
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
    except BrokenPipeError:  # `insights status | head`: the reader left, nothing to report
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
