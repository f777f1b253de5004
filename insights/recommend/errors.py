"""Errors of the recommend and render-window answers, shared by the CLI and the HTTP API."""

from __future__ import annotations

from insights import InsightsError


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
