"""The ``train`` stage: warehouse -> series -> backtests -> fitted models -> stored forecasts.

Pure fitting in :mod:`insights.training.fit`, IO (warehouse reads, model files, the run's
SQL) in :mod:`insights.training.io`, the two joined in :mod:`insights.training.stage`; the
summary is a :class:`~insights.training.result.TrainResult`. The names below are the ones
code imported from the former single module.
"""

from __future__ import annotations

# the series id helpers live with the series (models layer), where recommend reads them too
from insights.models.series_grid import SEP, infer_step, series_id_expr, series_id_sql
from insights.training.fit import (
    ENERGY_TARGETS,
    MAX_BRIDGE_HOURS,
    _why_not_backtested,
    split_by_step,
)
from insights.training.io import load_energy, load_engagement_series
from insights.training.result import TrainResult
from insights.training.stage import train

__all__ = [
    "ENERGY_TARGETS",
    "MAX_BRIDGE_HOURS",
    "SEP",
    "TrainResult",
    "_why_not_backtested",
    "infer_step",
    "load_energy",
    "load_engagement_series",
    "series_id_expr",
    "series_id_sql",
    "split_by_step",
    "train",
]
