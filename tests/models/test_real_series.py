"""Accuracy and interval coverage on the real reference series (docs/explanation/models-and-metrics.md, "Backtest")."""

from __future__ import annotations

import pytest

from insights.models.backtest import backtest
from insights.models.trend import EngagementForecaster
from tests.models.real_series import (
    demo_hourly,
    nab_hourly,
    ons_hourly,
    ons_last_weeks,
    wiki_daily,
)


@pytest.mark.parametrize(
    ("load", "horizon", "n_cutoffs"),
    [
        (nab_hourly, 168, 3),
        (ons_hourly, 168, 3),
        # a 7-day horizon scores 7 steps per cut-off: half a year of weekly cut-offs
        # gives about as many unseen steps per series as one hourly cut-off
        (wiki_daily, 7, 26),
    ],
    ids=["nab_twitter_hourly", "ons_load_hourly", "wikipedia_daily"],
)
def test_beats_seasonal_naive_with_calibrated_intervals(load, horizon, n_cutoffs):
    y, meta = load()
    s = backtest(EngagementForecaster(horizon=horizon), y, meta, n_cutoffs=n_cutoffs).summary
    assert s["n_backtested"] == y["series_id"].n_unique(), s
    assert s["relative_mae"] < 1.0, s  # closer than seasonal naive on the same unseen steps
    assert s["mase"] < s["mase_seasonal_naive"], s
    assert s["smape"] < s["smape_seasonal_naive"], s
    assert 0.70 <= s["coverage_80"] <= 0.90, s


@pytest.mark.parametrize("load", [nab_hourly, ons_hourly], ids=["nab", "ons"])
def test_hourly_mase_below_one(load):
    y, meta = load()
    s = backtest(EngagementForecaster(), y, meta, n_cutoffs=3).summary
    assert s["mase"] < 1.0, s


def test_series_ending_early_are_scored_on_their_own_last_weeks():
    """The R page's export ends three weeks before Peyton Manning's; cut-offs count back
    from each series' end, so both are scored at every cut-off."""
    y, meta = wiki_daily()
    res = backtest(EngagementForecaster(horizon=7), y, meta, n_cutoffs=3)
    scored = res.per_series.filter(res.per_series["backtestable"])
    assert scored.group_by("series_id").len()["len"].to_list() == [3, 3]


@pytest.mark.parametrize(
    ("load", "horizon", "n_cutoffs"),
    [
        (demo_hourly, 168, 3),
        (ons_last_weeks, 168, 3),  # twelve weeks of a smooth series the model never saw
    ],
    ids=["demo", "ons_last_12_weeks"],
)
def test_forecast_served_is_no_worse_than_seasonal_naive(load, horizon, n_cutoffs):
    """The forecast that reaches the user is chosen per series by the backtest's earlier
    out-of-sample errors (models.selection); on the unseen cut-offs, over each family, its
    MAE is no worse than seasonal naive's, and its 80 % band covers 70-90 %. (NAB, ONS and
    Wikipedia: ``test_beats_seasonal_naive_with_calibrated_intervals``.)"""
    y, meta = load()
    res = backtest(EngagementForecaster(horizon=horizon), y, meta, n_cutoffs=n_cutoffs)
    ok = res.per_series.filter(res.per_series["backtestable"])
    assert ok.height > 0
    s = res.summary
    assert s["relative_mae"] <= 1.0, s
    assert 0.70 <= s["coverage_80"] <= 0.90, s
