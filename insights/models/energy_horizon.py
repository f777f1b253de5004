"""The energy forecaster's backtest error by horizon bucket, against persistence and 24-hour
seasonal naive.

A view of the one backtest's replay (:func:`insights.models.energy.replay_blocks`, scored by
:func:`insights.models.backtest.score_by_horizon`): test blocks of daily origins spaced
``spacing_days`` apart, each scored by a model trained only on targets before it, the mean
absolute error taken per bucket of steps ahead (the shared
:data:`insights.models.forecaster.BUCKETS`: 1-24, 25-48, 49-96 and 97-168 hours).
"""

from __future__ import annotations

import polars as pl

from insights.models.backtest import score_by_horizon
from insights.models.energy import EnergyForecaster, hourly_long, replay_blocks
from insights.models.forecaster import BUCKETS, bucket_label

__all__ = ["BUCKETS", "mae_by_horizon"]

METHODS = ("model", "persistence", "seasonal_naive_24h")


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
    last bucket; steps past it are left out. Returns ``zone, bucket ("1-24" ...), model,
    persistence, seasonal_naive_24h, n`` (n = scored target hours); units those of ``y``.
    Raises ``ValueError`` when no zone has enough history for one block.
    Only the hours the blocks read are used (:func:`insights.models.energy.backtest_window`);
    ``limit_to_window``: only the blocks inside the model's training window.
    """
    H = est.horizon
    if buckets[-1][1] > H:
        raise ValueError(f"horizon {H} h is shorter than the last bucket ({buckets[-1][1]} h)")
    rp = replay_blocks(est, hourly_long(df), n_blocks, block_days, spacing_days, limit_to_window)
    errors = rp.errors.filter(pl.col("h") <= buckets[-1][1])
    long = errors.unpivot(
        index=["zone", "h", "actual"], on=list(METHODS), variable_name="method", value_name="yhat"
    ).with_columns(pl.lit(None, dtype=pl.Float64).alias(c) for c in ("yhat_lo", "yhat_hi"))
    scored = score_by_horizon(long, "zone", "seasonal_naive_24h", buckets)
    order = {bucket_label(i, buckets): i for i in range(len(buckets))}
    return (
        scored.pivot("method", index=["zone", "bucket"], values="mae")
        .join(
            scored.filter(pl.col("method") == "model").select("zone", "bucket", "n"),
            on=["zone", "bucket"],
        )
        .select("zone", "bucket", *METHODS, "n")
        .sort("zone", pl.col("bucket").replace_strict(order))
    )
