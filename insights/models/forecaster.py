"""The one forecaster contract: what every forecaster of the package takes, learns and returns.

Both forecasters (:class:`insights.models.trend.EngagementForecaster` and
:class:`insights.models.energy.EnergyForecaster`) follow scikit-learn's estimator rules
(https://scikit-learn.org/stable/developers/develop.html) over Nixtla's long format
(one row per series and timestamp: ``series_id``, ``ts``, ``y``):

- ``__init__`` only stores its settings, under their own names (``get_params`` and
  ``sklearn.base.clone`` round-trip them); nothing is validated or learned there.
- ``fit(y, meta=None, residuals=None)`` returns the estimator itself. ``y`` is a long
  frame, timestamps of any precision (ns, us, ms), naive (read as UTC) or zoned; other
  columns are ignored and the frame is never changed. ``meta`` (``series_id, tz,
  country``) gives each series' local calendar to forecasters that use one; ``residuals``
  are forecast errors on data the model had not seen (the backtest's), which calibrate the
  band; without them each forecaster holds out its own last windows.
- Everything learned is an attribute whose name ends in ``_``.
- ``predict(horizon=None)`` raises :class:`NotFittedError` before ``fit``, and returns
  ``FORECAST_COLUMNS`` (plus forecaster-specific columns after them): ``horizon`` steps
  after each series' last timestamp, ``ts`` in UTC microseconds, and a split-conformal
  band at ``interval`` coverage made by :func:`insights.models.intervals.conformal_band`.
  ``horizon`` other than the fitted one is refused (both forecasters' features depend on it).
- The same settings and ``random_state`` on the same data give the same forecast.

:func:`insights.models.checks.check_forecaster` asserts all of this on a fitted instance;
:func:`insights.models.backtest.backtest` scores any forecaster by series and by horizon
bucket (``BUCKETS``).

>>> bucket_label(int(bucket_of(np.array([30]))[0]))
'25-48'
>>> bucket_of(np.array([1, 24, 25, 169])).tolist()
[0, 0, 1, 3]
"""

from __future__ import annotations

from typing import Any, Protocol, Self, runtime_checkable

import numpy as np
import polars as pl
from sklearn.exceptions import NotFittedError

__all__ = [
    "BUCKETS",
    "FORECAST_COLUMNS",
    "INPUT_COLUMNS",
    "Forecaster",
    "NotFittedError",
    "bucket_label",
    "bucket_of",
    "require_columns",
]

INPUT_COLUMNS = ("series_id", "ts", "y")  # the long format every fit takes
FORECAST_COLUMNS = ("series_id", "ts", "yhat", "yhat_lo", "yhat_hi")  # what every predict returns
# horizon buckets scored by the backtest, in hours ahead (a daily step h counts as 24 h):
# the first day, the second, days 3-4 and the rest of the week
BUCKETS: tuple[tuple[int, int], ...] = ((1, 24), (25, 48), (49, 96), (97, 168))


@runtime_checkable
class Forecaster(Protocol):
    """What the package's forecasters share (see the module text for the rules)."""

    horizon: int  # steps forecast after each series' end
    interval: float  # coverage of the conformal band (0.8: the 10th to 90th percentile)
    random_state: int

    def get_params(self, deep: bool = True) -> dict[str, Any]: ...

    def fit(
        self,
        y: pl.DataFrame,
        meta: pl.DataFrame | None = None,
        residuals: pl.DataFrame | None = None,
    ) -> Self: ...

    def predict(self, horizon: int | None = None) -> pl.DataFrame: ...


def require_columns(y: pl.DataFrame, what: str = "the series") -> None:
    """Raise ``ValueError`` (one line) when ``y`` lacks a column of ``INPUT_COLUMNS``."""
    missing = [c for c in INPUT_COLUMNS if c not in y.columns]
    if missing:
        raise ValueError(
            f"{what} need the long columns {', '.join(INPUT_COLUMNS)}; missing: "
            f"{', '.join(missing)}"
        )


def bucket_of(h: np.ndarray, buckets: tuple[tuple[int, int], ...] = BUCKETS) -> np.ndarray:
    """Index into ``buckets`` of each step ``h`` (1-based hours ahead); beyond the last
    bucket's end: the last."""
    edges = np.array([b[1] for b in buckets])
    return np.minimum(np.searchsorted(edges, np.asarray(h), side="left"), len(buckets) - 1)


def bucket_label(i: int, buckets: tuple[tuple[int, int], ...] = BUCKETS) -> str:
    """``"1-24"``, ``"25-48"`` ... for bucket index ``i``."""
    return f"{buckets[i][0]}-{buckets[i][1]}"
