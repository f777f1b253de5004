"""MAE by horizon bucket: the buckets, the counts and the baselines behave as defined."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from insights.models.energy import EnergyForecaster
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
