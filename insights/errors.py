"""Every user-facing error of insights, with its exit code.

An :class:`InsightsError` is printed by the CLI as one line (``insights COMMAND: error:
...``), never as a traceback, and ends the command with its ``exit_code``; the HTTP API
turns the recommendation errors into problem documents. The codes:

===  =====================================================================
0    done
1    the data or a run failed: a file rejected, a damaged or full disk, a notebook cell
2    bad usage or set-up: an option, a parameter, a missing warehouse or forecasts
3    the warehouse stayed busy (another run held it) past the lock timeout
===  =====================================================================

The classes are defined here and re-exported where they were first declared
(``insights.InsightsError``, ``insights.locking.WarehouseBusy``,
``insights.warehouse.WarehouseFault``, ``insights.ingest.staged.FileRejected``,
``insights.report.ReportFailed``, ``insights.brands.BrandError``,
``insights.lake.catalog.LakeError``, ``insights.recommend.errors``), so either name catches
the same class. This module imports nothing from insights: every layer may raise these.
"""

from __future__ import annotations

OK = 0
FAILED = 1
USAGE = 2
BUSY = 3


class InsightsError(Exception):
    """A user-facing error: printed as one line, never as a traceback.

    ``exit_code`` 2 means bad usage or set-up (wrong option, no warehouse yet),
    1 means the data or a run failed.
    """

    exit_code = USAGE


class WarehouseBusy(InsightsError):
    """Another run held the warehouse past the timeout."""

    exit_code = BUSY


class WarehouseFault(InsightsError):
    """The warehouse file could not be read or written (damaged, disk full, I/O error)."""

    exit_code = FAILED


class FileRejected(InsightsError):
    """The whole file cannot load; ``line`` is where the problem is, when known."""

    def __init__(self, reason: str, line: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.kind: str | None = None  # the kind the file was recognised as, when it was


class ReportFailed(InsightsError):
    """A notebook of ``insights report`` failed (its cell's error), or its kernel did."""

    exit_code = FAILED


class BrandError(InsightsError):
    """A brand that is malformed, unknown to the warehouse, or not given where the warehouse
    holds several (exit 2)."""


class LakeError(InsightsError):
    """The lake could not be opened or used (bad URI, missing extra, catalog fault)."""

    exit_code = USAGE


class ParamError(InsightsError):
    """A bad parameter value. ``param`` is the snake_case name (``energy_weight``); the CLI
    shows it as ``--energy-weight``, the HTTP API as ``energyWeight``."""

    def __init__(self, param: str, value: object, detail: str, message: str | None = None) -> None:
        self.param, self.value, self.detail = param, value, detail
        super().__init__(message or f"--{param.replace('_', '-')} {value!r}: {detail}")


class NotAnswerable(InsightsError):
    """Valid parameters that the warehouse's forecasts cannot answer (they end too early,
    the allowed hours leave no slot, the job does not fit before its deadline).
    ``params`` names the parameters involved."""

    def __init__(self, message: str, params: tuple[str, ...] = ()) -> None:
        self.params = params
        super().__init__(message)


def exit_code(exc: BaseException) -> int:
    """The exit code a command ends with for ``exc``: its own for an
    :class:`InsightsError`, 130 for an interrupt, else 1."""
    if isinstance(exc, InsightsError):
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        return 130
    return FAILED
