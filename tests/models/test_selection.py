"""Which forecast reaches the user: chosen per series by out-of-sample MAE (models.selection)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from insights.models.backtest import backtest
from insights.models.selection import choose_candidates, chosen_residuals
from insights.models.trend import EngagementForecaster


def hourly(values: np.ndarray, sid: str, start=datetime(2024, 1, 1, tzinfo=UTC)) -> pl.DataFrame:
    ts = pl.datetime_range(start, start + timedelta(hours=len(values) - 1), "1h", eager=True)
    return pl.DataFrame({"series_id": sid, "ts": ts, "y": values.astype(float)})


def test_group_choice_and_series_departing_on_strong_evidence():
    n = 400  # more than OVERRIDE_STEPS
    sid = ["a"] * n + ["b"] * n + ["c"] * n + ["d"] * 30
    r = pl.DataFrame(
        {
            "series_id": sid,
            "step": 1,
            "resid": 0.0,
            "y": 10.0,
            # relative to seasonal naive (error 1): a 0.1, b 1.3, c 0.5, d 2.0
            "cand_global": [10.1] * n + [11.3] * n + [10.5] * n + [12.0] * 30,
            "cand_seasonal_naive": 11.0,
            "cand_seasonal_median": 12.0,
        }
    )
    choice, pooled, mae = choose_candidates(r)
    assert pooled == "global"  # mean relative MAE 0.975 against seasonal naive's 1
    assert choice["a"] == "global" and choice["c"] == "global"
    assert choice["b"] == "seasonal_naive"  # 400 steps of its own, 23 % better than global
    assert choice["d"] == "global"  # 30 steps: too little to depart from the group
    assert mae["a"]["global"] == pytest.approx(0.1)
    res = chosen_residuals(r, choice)
    b = res.filter(pl.col("series_id") == "b")["resid"]
    assert b.to_numpy() == pytest.approx(
        np.log(11 / 12)
    )  # y + 1 over forecast + 1  # seasonal naive's log residual


def test_series_that_repeat_their_week_are_served_exactly():
    """Seasonal naive is exact on series that repeat one random week: whatever serves them
    must be as exact (the global model learns the zero gap; a baseline would do too)."""
    rng = np.random.default_rng(3)
    y = pl.concat([hourly(np.tile(rng.gamma(2.0, 50.0, 168), 12), f"r{i}") for i in range(3)])
    res = backtest(EngagementForecaster(), y, n_cutoffs=2)
    last = res.per_series.filter(pl.col("cutoff") == 1)
    assert last["smape"].max() == pytest.approx(0.0, abs=1e-6)  # served exactly


# the global model needs three weeks (trend.MIN_GLOBAL_SEASONS): 20 days is still short
@pytest.mark.parametrize("days", [5, 10, 20])
def test_short_hourly_histories_get_forecast_interval_and_flag(days):
    t = np.arange(days * 24)
    y = hourly(
        50 + 20 * np.sin(2 * np.pi * t / 24) + np.random.default_rng(0).normal(0, 3, len(t)), "new"
    )
    est = EngagementForecaster().fit(y)
    fc = est.predict()
    assert fc.height == 168
    assert fc["yhat"].is_finite().all()
    assert (fc["yhat_lo"] <= fc["yhat"]).all() and (fc["yhat"] <= fc["yhat_hi"]).all()
    assert (fc["yhat_hi"] > fc["yhat_lo"]).all()  # an interval, not a point
    assert "short" in est.flags_["new"]
