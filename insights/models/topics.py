"""Rising and falling topics, robust to Google Trends' per-export scaling.

Google Trends values are relative: 100 is the peak *within one export* (or,
for region tables pulled one period at a time, within one period). So values
are never compared across scale groups as they are. Each value is first turned
into its share of its scale group (``interest / sum(interest)`` over the
group's geos and terms); shares are comparable across periods. Consumption by
topic needs no rescaling but is treated the same way (a topic's share of its
region's total), so that a region's overall growth is not read as every topic
rising.

For each (geo, term) the recent window is compared with the baseline window
before it: ``log_ratio`` of mean shares (the effect), Cohen's ``d``, the
Mann-Whitney U ``p_value`` (no normality assumed), and ``stability``, the share
of recent points above the baseline median. ``trend_break`` finds when a
series changed level (the split maximising the two-sample t statistic).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import stats


def shares(df: pl.DataFrame, group: str = "scale_group") -> pl.DataFrame:
    """``value`` -> ``share`` of its scale group; rows need ``geo``, ``term``, ``ts``, ``value``."""
    return df.with_columns(
        (pl.col("value") / pl.col("value").sum().over(group)).fill_nan(None).alias("share")
    )


# A rise counts at 10 % or more (log(1.1)): the size of a seasonal campaign's lift; smaller
# significant changes are reported as such (direction ``*_small``).
MIN_LOG_RATIO = 0.0953
ALPHA = 0.05


def rising_topics(
    df: pl.DataFrame,
    recent: int = 8,
    baseline: int = 26,
    min_log_ratio: float = MIN_LOG_RATIO,
    alpha: float = ALPHA,
) -> pl.DataFrame:
    """Per (geo, term): effect and significance of the last ``recent`` periods vs the
    ``baseline`` periods before them. Input: ``geo``, ``term``, ``ts``, ``share``.

    ``direction``: ``rising``/``falling`` when the two-sided Mann-Whitney U test gives
    ``p < alpha`` and the change is at least ``min_log_ratio`` (log of recent/baseline);
    ``rising_small``/``falling_small`` when it is significant but smaller than that (a real
    change under the chosen size, not "no change"); ``stable`` otherwise."""
    rows = []
    for (geo, term), g in df.sort("ts").partition_by(["geo", "term"], as_dict=True).items():
        v = g["share"].fill_null(0.0).to_numpy()
        if len(v) < recent + 4:
            continue
        r, b = v[-recent:], v[max(0, len(v) - recent - baseline) : -recent]
        mr, mb = r.mean(), b.mean()
        eps = 1e-9 + 0.01 * max(mr, mb)
        log_ratio = float(np.log((mr + eps) / (mb + eps)))
        pooled = np.sqrt((r.var(ddof=1) + b.var(ddof=1)) / 2) if len(b) > 1 else 0.0
        d = float((mr - mb) / pooled) if pooled > 0 else 0.0
        p = (
            float(stats.mannwhitneyu(r, b, alternative="two-sided").pvalue)
            if np.ptp(np.concatenate([r, b])) > 0
            else 1.0
        )
        direction = "stable"
        if p < alpha and log_ratio != 0:
            direction = "rising" if log_ratio > 0 else "falling"
            if abs(log_ratio) < min_log_ratio:
                direction += "_small"
        rows.append(
            {
                "geo": geo,
                "term": term,
                "recent_from": g["ts"][-recent],
                "baseline_mean": float(mb),
                "recent_mean": float(mr),
                "log_ratio": log_ratio,
                "pct_change": float(100 * (np.exp(log_ratio) - 1)),
                "cohens_d": d,
                "p_value": p,
                "stability": float((r > np.median(b)).mean()),
                "direction": direction,
            }
        )
    return pl.DataFrame(rows).sort("log_ratio", descending=True) if rows else pl.DataFrame()


def trend_break(values: np.ndarray, min_segment: int = 4) -> tuple[int, float, float]:
    """(index where the later level starts, t statistic, log ratio after/before)."""
    v = np.asarray(values, dtype=float)
    best = (0, 0.0, 0.0)
    for k in range(min_segment, len(v) - min_segment + 1):
        a, b = v[:k], v[k:]
        se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        t = (b.mean() - a.mean()) / se if se > 0 else 0.0
        if abs(t) > abs(best[1]):
            eps = 1e-9 + 0.01 * max(a.mean(), b.mean())
            best = (k, float(t), float(np.log((b.mean() + eps) / (a.mean() + eps))))
    return best


def breaks_by_geo(df: pl.DataFrame, min_abs_t: float = 3.0) -> pl.DataFrame:
    """When each (geo, term) changed level: date, direction, t statistic, log ratio."""
    rows = []
    for (geo, term), g in df.sort("ts").partition_by(["geo", "term"], as_dict=True).items():
        v = g["share"].fill_null(0.0).to_numpy()
        if len(v) < 10:
            continue
        k, t, lr = trend_break(v)
        if abs(t) >= min_abs_t:
            rows.append(
                {
                    "geo": geo,
                    "term": term,
                    "break_at": g["ts"][k],
                    "t_stat": t,
                    "log_ratio": lr,
                    "direction": "rose" if t > 0 else "fell",
                }
            )
    return pl.DataFrame(rows).sort("t_stat", descending=True) if rows else pl.DataFrame()


def search_interest_shares(si: pl.DataFrame) -> pl.DataFrame:
    """Warehouse ``search_interest`` rows -> shares per scale group (one export or one period)."""
    return shares(si.rename({"interest": "value"}).filter(pl.col("resolution") != "period"))


def consumption_topic_shares(c: pl.DataFrame, period: str = "1w") -> pl.DataFrame:
    """Consumption (``ts_utc``, ``region``, ``topic``, ``engagements``) -> weekly topic shares."""
    w = (
        c.filter(pl.col("topic").is_not_null())
        .group_by(
            pl.col("ts_utc").dt.truncate(period).alias("ts"),
            pl.col("region").alias("geo"),
            pl.col("topic").alias("term"),
        )
        .agg(pl.col("engagements").sum().alias("value"))
    )
    return w.with_columns(
        (pl.col("value") / pl.col("value").sum().over("ts", "geo")).alias("share")
    )
