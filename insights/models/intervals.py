"""Split-conformal prediction intervals: residuals of unseen forecasts, and their bounds.

>>> import numpy as np
>>> conformal_bounds(np.arange(19.0), 0.8)  # the 2nd and 18th of 19 residuals
(1.0, 17.0)
"""

from __future__ import annotations

import math

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
