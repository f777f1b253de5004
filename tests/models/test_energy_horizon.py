"""MAE by horizon bucket: the buckets, the counts and the baselines behave as defined."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from insights.models.energy import EnergyForecaster, choose_per_bucket, intercept_corrected
from insights.models.energy_horizon import mae_by_horizon


def _series(days: int = 130) -> pl.DataFrame:
    rng = np.random.default_rng(0)
    ts = pl.datetime_range(
        pl.datetime(2024, 1, 1, time_zone="UTC"),
        pl.datetime(2024, 1, 1, time_zone="UTC") + pl.duration(hours=24 * days - 1),
        "1h",
        eager=True,
    )
    h = np.arange(len(ts))
    y = 40 + 30 * np.clip(np.sin(2 * np.pi * (h % 24 - 6) / 24), 0, None) + rng.normal(0, 1, len(h))
    return pl.DataFrame({"series_id": "MX", "ts": ts, "y": y})


def test_buckets_counts_and_baselines():
    est = EnergyForecaster(horizon=168, max_iter=30)
    t = mae_by_horizon(est, _series(), n_blocks=2, block_days=7, spacing_days=14)
    assert t["bucket"].to_list() == ["1-24", "25-48", "49-96", "97-168"]
    # 2 blocks x 7 daily origins, each scoring every step of the bucket
    assert t["n"].to_list() == [14 * 24, 14 * 24, 14 * 48, 14 * 72]
    # a solar-like day cycle: the same hour yesterday beats the last value held, at any lead
    assert (t["seasonal_naive_24h"] < 0.3 * t["persistence"]).all()
    assert (t["model"] < t["persistence"]).all()


def test_horizon_must_reach_the_last_bucket():
    with pytest.raises(ValueError, match="shorter than the last bucket"):
        mae_by_horizon(EnergyForecaster(horizon=48), _series(40))


def test_first_day_serves_the_better_baseline_unless_a_candidate_beats_it_by_two_percent():
    """Hours 1-24: the better of persistence and seasonal naive serves unless the model or
    a mean beat it by 2 % on older forecasts; later buckets keep the model by default."""
    rng = np.random.default_rng(1)
    n = 24 * 40
    h = np.tile(np.arange(1, 49), n // 48)
    base = rng.normal(0, 1, len(h))

    def frame(model_scale: float, ic_scale: float) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "series_id": "Z",
                "h": h,
                "resid": base * model_scale,
                "resid_sn": base,  # seasonal naive: the reference
                "resid_p": base * 1.5,
                "resid_ic": -base * ic_scale,
            }
        )

    # the model 1 % better than seasonal naive: not enough, seasonal naive serves day one;
    # the mean of the model and seasonal naive is no better (same sign, same errors)
    choice = choose_per_bucket(frame(0.99, 3.0))
    assert choice[("Z", 0)] == "seasonal_naive_24h"
    assert choice[("Z", 1)] == "model"  # later: the model unless a baseline is 5 % better
    # errors of opposite sign cancel in the mean of the corrected model and seasonal naive
    assert choice_of(frame(0.99, 1.0)) == "mean_ic"


def choice_of(residuals: pl.DataFrame) -> str:
    return choose_per_bucket(residuals)[("Z", 0)]


def test_intercept_correction_moves_each_origin_to_its_last_value():
    model = np.array([10.0, 11.0, 12.0, 20.0, 21.0, 22.0])
    h = np.array([1, 2, 3, 1, 2, 3])
    last = np.array([13.0, 13.0, 13.0, 18.0, 18.0, 18.0])
    out = intercept_corrected(model, h, last)
    assert out.tolist() == [13.0, 14.0, 15.0, 18.0, 19.0, 20.0]
