"""Split-conformal prediction intervals: residuals of unseen forecasts, their bounds, and the band.

The one implementation of the band both forecasters serve (``docs/explanation/
models-and-metrics.md``, "The forecaster contract"): bounds are finite-sample quantiles of
residuals of forecasts of unseen data (:func:`conformal_bounds`, or :func:`symmetric_bounds`
where a bias can change sign), optionally stretched about their middle
(:func:`widen_bounds`), and put around the point forecast by :func:`conformal_band`, in
log space (relative errors: engagement) or additively (energy).

>>> import numpy as np
>>> conformal_bounds(np.arange(19.0), 0.8)  # the 2nd and 18th of 19 residuals
(1.0, 17.0)
>>> lo, hi = conformal_band(np.array([9.0]), np.array([-0.5]), np.array([0.5]), log=False)
>>> lo.tolist(), hi.tolist()
([8.5], [9.5])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

LOG_EPS = 1.0  # residuals are log(y + 1) - log(yhat + 1): relative, and safe at zero
RESID_SCHEMA = {"series_id": pl.Utf8, "step": pl.Int64, "resid": pl.Float64}


def conformal_bounds(resid: np.ndarray, interval: float) -> tuple[float, float]:
    """Split-conformal lower/upper residual bounds with the finite-sample correction: the
    ``floor((n + 1) a)``-th and ``ceil((n + 1) (1 - a))``-th smallest residuals, so few
    residuals give wider bounds (the extremes when there are too few to do better)."""
    r = np.sort(np.asarray(resid, dtype=float))
    n = len(r)
    a = round((1 - interval) / 2, 12)
    k_lo = max(1, math.floor((n + 1) * a))
    k_hi = min(n, math.ceil(round((n + 1) * (1 - a), 9)))
    return float(r[k_lo - 1]), float(r[k_hi - 1])


def log_residuals(forecast: pl.DataFrame, actual: pl.DataFrame) -> pl.DataFrame:
    """``series_id``, ``step`` (1 = first forecast step) and the log residual; when the
    forecast carries candidate forecasts (``cand_*``), those and the actual ``y`` too."""
    steps = forecast.sort("series_id", "ts").with_columns(
        pl.int_range(1, pl.len() + 1).over("series_id").alias("step")
    )
    j = steps.join(actual.select("series_id", "ts", "y"), on=["series_id", "ts"]).drop_nulls("y")
    cands = [c for c in forecast.columns if c.startswith("cand_")]
    return j.select(
        "series_id",
        "step",
        ((pl.col("y") + LOG_EPS).log() - (pl.col("yhat") + LOG_EPS).log()).alias("resid"),
        *((pl.col("y").cast(pl.Float64), *cands) if cands else ()),
    )


def symmetric_bounds(resid: np.ndarray, interval: float) -> tuple[float, float]:
    """Symmetric conformal bounds: +- the finite-sample ``interval`` quantile of |resid|.
    A bias that changes sign with the season would shift one-sided quantiles the wrong way."""
    lo, hi = conformal_bounds(np.concatenate([resid, -resid]), interval)
    q = max(abs(lo), abs(hi))
    return -q, q


def widen_bounds(lo: Any, hi: Any, w: Any) -> tuple[Any, Any]:
    """``(lo, hi)`` stretched by ``w`` about their middle (scalars or arrays alike): the
    half-widths times ``w``, the centre kept."""
    mid = (lo + hi) / 2
    return mid + (lo - mid) * w, mid + (hi - mid) * w


def conformal_band(
    yhat: np.ndarray, lo: np.ndarray, hi: np.ndarray, log: bool
) -> tuple[np.ndarray, np.ndarray]:
    """``(yhat_lo, yhat_hi)``: the point forecast with residual bounds ``lo``/``hi`` (per
    row) added, in ``log(y + LOG_EPS)`` space when ``log`` (the residuals of
    :func:`log_residuals`), else in the units of ``y``. The lower end is clipped at 0
    (counts, shares and intensities are never negative); the upper end is not."""
    if log:
        logf = np.log(yhat + LOG_EPS)
        return np.clip(np.exp(logf + lo) - LOG_EPS, 0, None), np.exp(logf + hi) - LOG_EPS
    return np.clip(yhat + lo, 0, None), yhat + hi
