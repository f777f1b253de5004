"""The ``insights`` command: parses arguments and dispatches to :mod:`insights.commands`.

Exit codes: 0 success; 1 a file was rejected or a run failed; 2 bad usage or set-up;
3 the warehouse stayed busy (another run held it) past the lock timeout.
"""

from __future__ import annotations

import argparse
import importlib
import logging
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
    "footprint",
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


class _Stderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record comes (the safe stream the
    command installed, or a test's capture), not the one at set-up."""

    @property  # type: ignore[override]
    def stream(self):  # noqa: D401
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def _log_to_stderr() -> None:
    """The library logs (``logging.getLogger("insights...")``); the command shows its
    warnings on stderr as bare lines, as it printed them before."""
    logger = logging.getLogger("insights")
    if not any(isinstance(h, _Stderr) for h in logger.handlers):
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.setLevel(logging.WARNING)
        logger.addHandler(handler)
        logger.propagate = False  # one line per message, whatever else logs to the root


def main(argv: Sequence[str] | None = None) -> int:
    from insights.textsafe import install_safe_streams

    install_safe_streams()  # names from exports never reach the terminal as control codes
    _log_to_stderr()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
        if code == 0 and args.command != "ingest":  # ingest names it in its own output
            _name_warehouses_written(args.command)
        return code
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
    except OSError as exc:
        import errno

        storage = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS, errno.EACCES)
        if exc.errno not in storage:
            raise
        # a full disk or read-only storage while writing an output: one line, never a trace
        from pathlib import Path

        from insights.warehouse import WarehouseFault, storage_error

        if _from_output(exc):  # the output stream (`> file` on a full disk), not a file of ours
            err = WarehouseFault(
                f"cannot write the output: the disk is full or a file hit a size limit "
                f"({exc.strerror or exc}); the output is incomplete"
            )
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                err = InsightsError(f"cannot write the output ({exc.strerror or exc})")
        else:
            err = storage_error(Path(exc.filename or "a file"), exc)
        print(f"insights {args.command}: error: {err}", file=sys.stderr)
        return err.exit_code


def _from_output(exc: OSError) -> bool:
    """Whether ``exc`` was raised writing this process's stdout or stderr (every print goes
    through :class:`insights.textsafe.SafeStream`)."""
    import traceback

    return exc.filename is None and any(
        f.f_code.co_name == "write" and f.f_code.co_filename.endswith("textsafe.py")
        for f, _ in traceback.walk_tb(exc.__traceback__)
    )


def _name_warehouses_written(command: str) -> None:
    """Every command that wrote a warehouse says which file, last, on stderr."""
    warehouse = sys.modules.get("insights.warehouse")  # not loaded: nothing was written
    for p in getattr(warehouse, "WRITTEN", []):
        print(f"insights {command}: warehouse written: {p}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
