"""Split-conformal bounds and residuals."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest

from insights.models.intervals import conformal_bounds, log_residuals


def test_conformal_bounds_widen_with_few_residuals():
    rng = np.random.default_rng(1)
    many = rng.normal(size=5000)
    lo, hi = conformal_bounds(many, 0.8)
    assert lo == pytest.approx(-1.2816, abs=0.08) and hi == pytest.approx(1.2816, abs=0.08)
    few = np.arange(9.0)  # n = 9: the finite-sample rule takes the extremes
    assert conformal_bounds(few, 0.8) == (0.0, 8.0)
    assert conformal_bounds(np.arange(19.0), 0.8) == (1.0, 17.0)  # 2nd and 18th of 19


def test_log_residuals_are_relative_and_skip_missing_actuals():
    ts = [datetime(2024, 1, 1, h, tzinfo=UTC) for h in range(3)]
    fc = pl.DataFrame({"series_id": "a", "ts": ts, "yhat": [9.0, 99.0, 5.0]})
    actual = pl.DataFrame({"series_id": "a", "ts": ts, "y": [19.0, 99.0, None]})
    r = log_residuals(fc, actual)
    assert r["resid"].to_list() == pytest.approx([np.log(2.0), 0.0])


def test_intervals_widen_where_past_forecasts_erred_more():
    """Residuals whose spread grows along the horizon give narrow bands on day 1 and wide
    ones on day 7, while the series' overall bounds stay those of all its residuals."""
    from insights.models.trend import EngagementForecaster
    from tests.models.test_trend import synthetic

    y = synthetic(2, 10)
    rng = np.random.default_rng(0)
    step = np.tile(np.arange(1, 169), 8)
    resid = rng.normal(0, 0.02 * (1 + (step - 1) // 24))
    residuals = pl.DataFrame(
        {"series_id": np.repeat(["s0", "s1"], len(step) // 2), "step": step, "resid": resid}
    )
    fc = EngagementForecaster(max_iter=20).fit(y, residuals=residuals).predict()
    width = (
        fc.with_columns(
            ((pl.col("yhat_hi") - pl.col("yhat_lo")) / pl.col("yhat")).alias("w"),
            (pl.int_range(pl.len()).over("series_id") // 24).alias("day"),
        )
        .group_by("day")
        .agg(pl.col("w").mean())
        .sort("day")["w"]
    )
    assert width[6] > 3 * width[0]
    assert (width.diff().drop_nulls() > 0).all()
