"""Would following the hour advice have helped? A backtest on held-out posts.

The settled posts are split in time: the earliest ``1 - test_share`` are the past the advice
is learned from, the rest are held out. Each held-out post's publish hour is scored by

* ``model``: the partially pooled effect of the local hour of day learned from the past posts
  (:func:`insights.models.post_effects.fit_post_effects`);
* ``raw_mean``: the past posts' plain mean engagement rate at that local hour of the same
  channel (what a spreadsheet pivot gives; an hour never used scores the channel's mean);
* ``habitual``: closeness to the hour the team published at most often in the past (minus
  the circular distance in hours), i.e. "post when we always post".

The outcome of a held-out post is its log engagement rate less what the past posts say its
account, channel and post type get (so a Reel is not credited to its hour); ``exp`` of it is
the post's rate as a multiple of the rate expected for its kind. For each method: Spearman's
rank correlation between score and outcome, and the lift of the top third of held-out posts
(by score) over the bottom third, ``mean(exp(outcome) | top) / mean(exp(outcome) | bottom)
- 1``. Ties in a score are broken at random (seeded) before cutting thirds. Intervals: the
percentile bootstrap over held-out posts (Efron & Tibshirani, *An Introduction to the
Bootstrap*, 1993, ch. 13), the same resamples for every method, so the differences against
the model are paired.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.stats import rankdata

from insights.models.post_effects import (
    DEFAULT_TZ,
    SETTLE_DAYS,
    fit_post_effects,
    prepare_posts,
)

METHODS = ("model", "raw_mean", "habitual")
MIN_TRAIN = 30
MIN_TEST = 15


def _raw_mean_score(train: pl.DataFrame, test: pl.DataFrame) -> np.ndarray:
    by_hour = train.group_by("channel", "hour").agg(pl.col("rate").mean().alias("_s"))
    by_channel = train.group_by("channel").agg(pl.col("rate").mean().alias("_c"))
    j = (
        test.select("channel", "hour")
        .with_row_index("_i")
        .join(by_hour, on=["channel", "hour"], how="left")
        .join(by_channel, on="channel", how="left")
        .sort("_i")
    )
    return j.select(pl.coalesce("_s", "_c", pl.lit(0.0))).to_series().to_numpy()


def _habitual_score(train: pl.DataFrame, test: pl.DataFrame) -> np.ndarray:
    habit = (
        train.group_by("channel", "hour")
        .len()
        .sort("len", "hour", descending=[True, False])
        .unique("channel", keep="first")
        .select("channel", pl.col("hour").alias("_h"))
    )
    j = test.select("channel", "hour").with_row_index("_i").join(habit, on="channel", how="left")
    j = j.sort("_i")
    d = (j["hour"] - j["_h"].fill_null(j["hour"])).abs().to_numpy()
    return -np.minimum(d, 24 - d).astype(float)


def _thirds_lift(score: np.ndarray, gain: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    """Lift of the top third over the bottom third per row of ``(B, n)`` arrays."""
    order = np.lexsort((tiebreak, score), axis=-1)  # ascending score, ties in random order
    k = score.shape[-1] // 3
    g = np.take_along_axis(gain, order, axis=-1)
    low, high = g[..., :k].mean(axis=-1), g[..., -k:].mean(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(low > 0, high / low - 1, np.nan)


def _spearman(score: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """Spearman's rho per row of ``(B, n)`` arrays (NaN where a row is constant)."""
    rs, ro = rankdata(score, axis=-1), rankdata(outcome, axis=-1)
    rs = rs - rs.mean(axis=-1, keepdims=True)
    ro = ro - ro.mean(axis=-1, keepdims=True)
    den = np.sqrt((rs**2).sum(axis=-1) * (ro**2).sum(axis=-1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, (rs * ro).sum(axis=-1) / np.where(den > 0, den, 1), np.nan)


def post_backtest(
    posts: pl.DataFrame,
    *,
    test_share: float = 1 / 3,
    n_boot: int = 1000,
    level: float = 0.90,
    seed: int = 0,
    default_tz: str = DEFAULT_TZ,
    account_tz: dict[str, str] | None = None,
    settle_days: float = SETTLE_DAYS,
) -> tuple[pl.DataFrame, dict]:
    """``(table, meta)``. ``table``: one row per method (``model``, ``raw_mean``,
    ``habitual``) with ``spearman``, ``spearman_low``, ``spearman_high``, ``lift_pct``,
    ``lift_pct_low``, ``lift_pct_high`` (top third over bottom third, percent) and
    ``lift_vs_model_pct_low/high`` (the paired interval of model lift minus this method's;
    null on the model's row). ``meta``: ``n_train, n_test, split_utc, level, n_boot``.
    Raises ``ValueError`` when fewer than 30 past or 15 held-out settled posts exist."""
    prep = prepare_posts(
        posts, default_tz=default_tz, account_tz=account_tz, settle_days=settle_days
    )
    used = prep.filter(pl.col("status") == "used").sort("published_utc", "post_id")
    n_test = int(round(used.height * test_share))
    n_train = used.height - n_test
    if n_train < MIN_TRAIN or n_test < MIN_TEST:
        raise ValueError(
            f"{used.height} settled posts: a backtest needs at least {MIN_TRAIN} to learn "
            f"from and {MIN_TEST} to hold out"
        )
    train, test = used.head(n_train), used.tail(n_test)
    model = fit_post_effects(train, prepared=True)
    outcome = test["y"].to_numpy() - model.predict(test, ("account", "channel", "post_type"))
    gain = np.exp(outcome)
    scores = {
        "model": model.predict(test, ("hour",)),
        "raw_mean": _raw_mean_score(train, test),
        "habitual": _habitual_score(train, test),
    }
    rng = np.random.default_rng(seed)
    tiebreak = rng.random(n_test)
    point = {
        m: (float(_spearman(s, outcome)), float(_thirds_lift(s, gain, tiebreak)))
        for m, s in scores.items()
    }
    i = rng.integers(0, n_test, (n_boot, n_test))
    boots = {
        m: np.column_stack([_spearman(s[i], outcome[i]), _thirds_lift(s[i], gain[i], tiebreak[i])])
        for m, s in scores.items()
    }
    a = (1 - level) / 2 * 100

    def pct(x: np.ndarray) -> tuple[float, float]:
        x = x[np.isfinite(x)]
        return (
            (float(np.percentile(x, a)), float(np.percentile(x, 100 - a)))
            if len(x)
            else (
                float("nan"),
                float("nan"),
            )
        )

    rows = []
    for m in METHODS:
        s_lo, s_hi = pct(boots[m][:, 0])
        l_lo, l_hi = pct(boots[m][:, 1])
        d_lo, d_hi = pct(boots["model"][:, 1] - boots[m][:, 1]) if m != "model" else (None, None)
        rows.append(
            {
                "method": m,
                "spearman": point[m][0],
                "spearman_low": s_lo,
                "spearman_high": s_hi,
                "lift_pct": 100 * point[m][1],
                "lift_pct_low": 100 * l_lo,
                "lift_pct_high": 100 * l_hi,
                "lift_vs_model_pct_low": None if d_lo is None else 100 * d_lo,
                "lift_vs_model_pct_high": None if d_hi is None else 100 * d_hi,
            }
        )
    meta = {
        "n_train": n_train,
        "n_test": n_test,
        "split_utc": test["published_utc"].min(),
        "level": level,
        "n_boot": n_boot,
        "excluded": dict(
            prep.filter(pl.col("status") != "used").group_by("status").len().iter_rows()
        ),
    }
    return pl.DataFrame(
        rows,
        schema_overrides={
            "lift_vs_model_pct_low": pl.Float64,
            "lift_vs_model_pct_high": pl.Float64,
        },
    ), meta
