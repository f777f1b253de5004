"""What one ``train`` run gives back: :class:`TrainResult`, typed, and readable as the mapping
it replaced (``result["mase"]``, ``result.get("energy")``, ``dict(result)``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

INTERVAL_NOTE = (
    "split conformal (finite-sample 10th/90th percentiles of out-of-sample "
    "log residuals, per series or pooled)"
)


@dataclass
class TrainResult(Mapping[str, Any]):
    """The summary of one model run of one brand (stored as ``model_runs.metrics``).

    ``mase`` .. ``coverage_80``: the engagement backtest of the hourly series (else the
    first frequency), ``None`` when no series could be backtested; ``by_frequency``: each
    frequency's backtest summary (``models.backtest``); ``fallbacks``: series not served by
    the global model, and what serves them, with ``fallback_reasons`` ("short history" or
    "chosen by backtest"); ``chosen``: series per forecast family, per frequency;
    ``not_backtested``: ``{series_id: reason}``; ``energy``: per target, the backtest's MAEs,
    per zone and per horizon bucket, or why it was skipped; ``seconds``: wall time of the
    run (fitting and storing).

    A :class:`~collections.abc.Mapping` of its fields, so code that indexed the former
    13-key dict keeps working; :meth:`to_dict` is the JSON document.
    """

    run_id: str
    client: str
    n_series: int
    mase: float | None = None
    mase_seasonal_naive: float | None = None
    relative_mae: float | None = None
    smape: float | None = None
    coverage_80: float | None = None
    by_frequency: dict[str, dict[str, Any]] = field(default_factory=dict)
    fallbacks: dict[str, str] = field(default_factory=dict)
    fallback_reasons: dict[str, str] = field(default_factory=dict)
    chosen: dict[str, dict[str, int]] = field(default_factory=dict)
    not_backtested: dict[str, str] = field(default_factory=dict)
    energy: dict[str, dict[str, Any]] = field(default_factory=dict)
    interval: str = INTERVAL_NOTE
    seconds: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The summary as a plain dict (the JSON of ``train --json``, ``model_runs.metrics``)."""
        return asdict(self)

    def __getitem__(self, key: str) -> Any:
        if key not in self._names():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    @classmethod
    def _names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


def plain(summary: Mapping[str, Any]) -> dict[str, Any]:
    """A run summary (or ``{"brands": {name: summary}}``) as plain dicts, for JSON."""
    if isinstance(summary, TrainResult):
        return summary.to_dict()
    return {k: plain(v) if isinstance(v, Mapping) else v for k, v in summary.items()}
