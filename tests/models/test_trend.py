"""The engagement forecaster: scikit-learn contract, accuracy, intervals, fallbacks, versions."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from sklearn.base import clone

from insights import InsightsError
from insights.models.backtest import backtest
from insights.models.persist import load_model, save_model
from insights.models.trend import EngagementForecaster


def synthetic(n_series: int = 6, weeks: int = 14, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    ts = pl.datetime_range(start, start + timedelta(hours=weeks * 168 - 1), "1h", eager=True)
    t = np.arange(len(ts))
    frames = []
    for i in range(n_series):
        level = 50 * (i + 1)
        daily = 1 + 0.6 * np.sin(2 * np.pi * (t % 24 - 8) / 24)
        weekly = 1 + 0.25 * ((t // 24) % 7 >= 5)
        trend = 1 + 0.002 * t / 24
        y = rng.poisson(level * daily * weekly * trend)
        frames.append(pl.DataFrame({"series_id": f"s{i}", "ts": ts, "y": y.astype(float)}))
    return pl.concat(frames)


def test_sklearn_contract():
    est = EngagementForecaster(horizon=24, max_iter=20)
    assert est.get_params()["horizon"] == 24
    assert not any(k.endswith("_") for k in vars(est))  # __init__ only stores settings
    y = synthetic(2, 6)
    assert est.fit(y) is est
    learned = [k for k in vars(est) if k.endswith("_")]
    assert {"model_", "scale_", "method_", "resid_q_", "season_"} <= set(learned)
    c = clone(est)
    assert c.get_params() == est.get_params() and not hasattr(c, "model_")


def test_beats_seasonal_naive_with_calibrated_intervals():
    res = backtest(EngagementForecaster(), synthetic(), n_cutoffs=3)
    s = res.summary
    assert s["n_backtested"] == 6
    assert s["mase"] < 1.0 and s["mase"] < s["mase_seasonal_naive"]
    assert 0.70 <= s["coverage_80"] <= 0.90


def test_short_and_gappy_series_fall_back_with_flags():
    y = synthetic(3, 14)
    short = (
        y.filter(pl.col("series_id") == "s1")
        .tail(200)
        .with_columns(pl.lit("short").alias("series_id"))
    )
    gappy = y.filter(pl.col("series_id") == "s2").filter(pl.int_range(pl.len()) % 3 != 0)
    tiny = (
        y.filter(pl.col("series_id") == "s0")
        .tail(30)
        .with_columns(pl.lit("tiny").alias("series_id"))
    )
    data = pl.concat([y.filter(pl.col("series_id") == "s0"), short, gappy, tiny])
    est = EngagementForecaster().fit(data)
    assert est.method_["short"] == "seasonal_naive" and "short" in est.flags_["short"]
    assert est.method_["tiny"] == "profile"
    assert "gappy" in est.flags_["s2"]
    fc = est.predict()
    assert fc.filter(pl.col("series_id") == "tiny").height == 168
    assert fc["yhat"].is_finite().all()
    res = backtest(EngagementForecaster(), data, n_cutoffs=2)
    assert "tiny" in res.summary["not_backtestable"]


def test_saved_model_from_other_version_is_refused(tmp_path):
    est = EngagementForecaster(horizon=24, max_iter=10).fit(synthetic(1, 6))
    path = tmp_path / "m.pkl"
    save_model(est, path)
    assert isinstance(load_model(path), EngagementForecaster)
    with open(path, "wb") as fh:
        pickle.dump({"insights": "0.0.1", "sklearn": "0.24.2"}, fh)
        pickle.dump(est, fh)
    with pytest.raises(InsightsError, match="retrain") as err:
        load_model(path)
    assert "\n" not in str(err.value)


def test_mase_scale_does_not_depend_on_the_training_window():
    y = synthetic(3, 20)
    a = backtest(EngagementForecaster(train_seasons=4), y, n_cutoffs=2).summary
    b = backtest(EngagementForecaster(train_seasons=12), y, n_cutoffs=2).summary
    assert a["mase_seasonal_naive"] == pytest.approx(b["mase_seasonal_naive"])
    assert a["mase"] != pytest.approx(b["mase"])


def test_all_missing_feature_does_not_break_fitting():
    # one season of history past the lags: the origin's season-earlier means are all missing
    y = synthetic(2, 6)
    est = EngagementForecaster(horizon=24, max_iter=10).fit(y)
    assert est.predict()["yhat"].is_finite().all()
