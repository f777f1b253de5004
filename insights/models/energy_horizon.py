"""The energy forecaster's backtest error by horizon bucket, against persistence and 24-hour
seasonal naive.

Same rolling-origin protocol as :func:`insights.models.energy.backtest_energy` (test
blocks of daily origins spaced ``spacing_days`` apart, each scored by a model trained only
on targets before it), keeping the absolute error of every step so that the mean can be
taken per bucket of steps ahead (default 1-24, 25-48, 49-96 and 97-168 hours).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.ensemble import HistGradientBoostingRegressor

from insights.models.energy import (
    FEATURES,
    EnergyForecaster,
    _rows,
    backtest_window,
    hourly_arrays,
    trim_to_window,
)

BUCKETS = ((1, 24), (25, 48), (49, 96), (97, 168))


def mae_by_horizon(
    est: EnergyForecaster,
    df: pl.DataFrame,
    buckets: tuple[tuple[int, int], ...] = BUCKETS,
    n_blocks: int = 4,
    block_days: int = 14,
    spacing_days: int = 91,
    limit_to_window: bool = False,
) -> pl.DataFrame:
    """MAE per (zone, bucket) for ``model``, ``persistence`` and ``seasonal_naive_24h``.

    ``df``: ``series_id`` (zone), ``ts`` (UTC hour), ``y``. ``est.horizon`` must reach the
    last bucket. Returns ``zone, bucket ("1-24" ...), model, persistence,
    seasonal_naive_24h, n`` (n = scored target hours); units those of ``y``.
    Raises ``ValueError`` when no zone has enough history for one block.
    Only the hours the blocks read are used (:func:`insights.models.energy.backtest_window`);
    ``limit_to_window``: only the blocks inside the model's training window.
    """
    H = est.horizon
    if buckets[-1][1] > H:
        raise ValueError(f"horizon {H} h is shorter than the last bucket ({buckets[-1][1]} h)")
    n_blocks, hours = backtest_window(est, n_blocks, block_days, spacing_days, limit_to_window)
    df = trim_to_window(df, hours)
    arrays = hourly_arrays(df)
    parts = []
    for b in range(n_blocks):
        tests = {}
        for sid, (_, y) in arrays.items():
            end = len(y) - H - 24 * spacing_days * b
            start = end - 24 * block_days
            if start - H - 24 * 28 > est._min_origin():
                tests[sid] = np.arange(start, end, 24)
        if not tests:
            continue
        fitted = EnergyForecaster(**est.get_params())
        X, Y = fitted._train_rows(
            {s: arrays[s] for s in tests}, {s: int(o[0]) - H for s, o in tests.items()}
        )
        model = HistGradientBoostingRegressor(
            max_iter=est.max_iter, learning_rate=est.learning_rate, random_state=est.random_state
        ).fit(X, Y)
        for sid, origins in tests.items():
            ts, y = arrays[sid]
            r = _rows(ts, y, origins, H)
            actual = y[r["t"]]
            pred = model.predict(np.column_stack([r[f] for f in FEATURES])) + r["mean7"]
            parts.append(
                pl.DataFrame(
                    {
                        "zone": sid,
                        "h": r["h"].astype(int),
                        "model": np.abs(actual - pred),
                        "persistence": np.abs(actual - r["last"]),
                        "seasonal_naive_24h": np.abs(actual - r["sn24"]),
                    }
                )
            )
    if not parts:
        raise ValueError("not enough history to backtest the energy model")
    errors = pl.concat(parts)
    label = pl.lit(None, dtype=pl.Utf8)
    for lo, hi in reversed(buckets):
        label = pl.when(pl.col("h").is_between(lo, hi)).then(pl.lit(f"{lo}-{hi}")).otherwise(label)
    order = {f"{lo}-{hi}": i for i, (lo, hi) in enumerate(buckets)}
    return (
        errors.with_columns(label.alias("bucket"))
        .drop_nulls("bucket")
        .group_by("zone", "bucket")
        .agg(
            pl.col("model", "persistence", "seasonal_naive_24h").mean(),
            pl.len().alias("n"),
        )
        .sort("zone", pl.col("bucket").replace_strict(order))
    )
