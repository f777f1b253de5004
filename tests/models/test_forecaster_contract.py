"""Both forecasters keep the one contract (``insights.models.forecaster``), checked by the
package's own ``check_forecaster``; and the checks catch a forecaster that breaks it."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.base import BaseEstimator

from insights.models.backtest import backtest
from insights.models.checks import check_forecaster, forecaster_checks, synthetic_panel
from insights.models.energy import EnergyForecaster
from insights.models.forecaster import BUCKETS, Forecaster, bucket_label
from insights.models.trend import EngagementForecaster

# small settings: each fit takes about a second on one shared core
CASES = {
    "engagement": (
        EngagementForecaster(
            horizon=168, max_iter=10, train_rows=3000, max_calibration_windows=1, n_threads=1
        ),
        synthetic_panel("abc", 56, 0),
    ),
    "energy": (
        EnergyForecaster(horizon=24, history_days=30, max_iter=10),
        synthetic_panel("XY", 80, 1),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_forecaster_keeps_the_contract(name):
    estimator, y = CASES[name]
    assert isinstance(estimator, Forecaster)
    assert check_forecaster(estimator, y) == [n for n, _ in forecaster_checks()]


# energy: two blocks of 7 daily origins, 10 days apart, fit in the 80 generated days
LAYOUT = {"engagement": {}, "energy": {"block_days": 7, "spacing_days": 10}}


@pytest.mark.parametrize("name", list(CASES))
def test_one_backtest_scores_both_per_series_and_per_horizon_bucket(name):
    """The same tables for both forecasters, and the per-bucket table accounts for every
    step the per-series rows scored."""
    estimator, y = CASES[name]
    bt = backtest(estimator, y, n_cutoffs=2, **LAYOUT[name])
    key = "zone" if name == "energy" else "series_id"
    per = bt.per_series.filter(pl.col("backtestable"))
    assert {"mase", "mase_seasonal_naive", "relative_mae", "coverage_80"} <= set(per.columns)
    assert sorted(per["series_id"].unique()) == sorted(y["series_id"].unique())
    assert per["cutoff"].n_unique() == 2
    for k in ("mase", "relative_mae", "coverage_80", "n_backtested"):
        assert bt.summary[k] is not None, bt.summary
    assert 0 < bt.summary["relative_mae"] < 2
    by = bt.by_horizon
    labels = [bucket_label(i) for i in range(len(BUCKETS))]
    assert set(by["bucket"]) <= set(labels)
    served = by.filter(pl.col("method") == "served")
    n_by = dict(served.group_by(key).agg(pl.col("n").sum()).iter_rows())
    n_per = dict(per.group_by("series_id").agg(pl.col("n_scored").sum()).iter_rows())
    assert n_by == n_per
    bench = "seasonal_naive_24h" if name == "energy" else "seasonal_naive"
    assert (by.filter(pl.col("method") == bench)["relative_mae"] == 1.0).all()
    assert served["coverage_80"].drop_nulls().is_between(0, 1).all()
    assert bt.residuals.height > 0  # what the final fit's band is calibrated on


class LastValue(BaseEstimator):
    """The last value held, +-10 %: the smallest forecaster that keeps the contract."""

    def __init__(self, horizon: int = 3, interval: float = 0.8, random_state: int = 0):
        self.horizon = horizon
        self.interval = interval
        self.random_state = random_state

    def fit(self, y, meta=None, residuals=None):
        y = y.with_columns(pl.col("ts").dt.cast_time_unit("us"))
        if y.schema["ts"].time_zone is None:
            y = y.with_columns(pl.col("ts").dt.replace_time_zone("UTC"))
        self.last_ = y.sort("ts").group_by("series_id", maintain_order=True).last()
        return self

    def predict(self, horizon=None):
        if not hasattr(self, "last_"):
            from insights.models.forecaster import NotFittedError

            raise NotFittedError("fit first")
        if horizon not in (None, self.horizon):
            raise ValueError("refit with the new horizon")
        steps = pl.DataFrame({"k": list(range(1, self.horizon + 1))})
        return (
            self.last_.join(steps, how="cross")
            .sort("series_id", "k")
            .select(
                "series_id",
                pl.col("ts") + pl.duration(hours=pl.col("k")),
                pl.col("y").alias("yhat"),
                (pl.col("y") * 0.9).alias("yhat_lo"),
                (pl.col("y") * 1.1).alias("yhat_hi"),
            )
        )


class KeepsUnmarkedState(LastValue):
    def fit(self, y, meta=None, residuals=None):
        self.history = y  # learned, but not marked with a trailing "_"
        return super().fit(y, meta, residuals)


class ValidatesInInit(LastValue):
    def __init__(self, horizon: int = 3, interval: float = 0.8, random_state: int = 0):
        super().__init__(int(horizon), interval, random_state)
        self.steps = list(range(horizon))


class BandMissesThePoint(LastValue):
    def predict(self, horizon=None):
        return super().predict(horizon).with_columns(pl.col("yhat_lo") + 1000)


class Unseeded(LastValue):
    def predict(self, horizon=None):
        fc = super().predict(horizon)
        noise = np.random.default_rng().normal(0, 0.01, fc.height)
        return fc.with_columns(pl.col("yhat") + noise)


def test_the_smallest_forecaster_passes_and_each_broken_rule_is_named():
    y = synthetic_panel("ab", 3, 2)
    assert check_forecaster(LastValue(), y)
    for broken, rule in [
        (KeepsUnmarkedState(), "learned attributes must end in '_': \\['history'\\]"),
        (ValidatesInInit(), "__init__ set attributes other than its parameters"),
        (BandMissesThePoint(), "yhat_lo above yhat_hi"),
        (Unseeded(), "the same settings and seed gave another forecast"),
    ]:
        with pytest.raises(AssertionError, match=rule):
            check_forecaster(broken, y)
