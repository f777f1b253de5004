"""Choosing, per series, which forecast reaches the user: the global model or a baseline.

The rule (README "Models"): every fit sees the out-of-sample errors of earlier
forecasts of the same series (the held-out windows of the first fit, then every
earlier backtest cut-off; ``insights train`` hands its backtest's to the final
model). For each series the candidate with the lowest MAE over those unseen steps
is used; a series with fewer than ``MIN_CHOICE_STEPS`` scored steps uses the
candidate with the lowest mean relative MAE (its MAE over seasonal naive's) across
all series. Candidates: the global model, seasonal naive, the seasonal median
(same hour in the last three seasons) and the mean of the global model and
seasonal naive. Intervals are then calibrated on the chosen candidate's residuals.

>>> import polars as pl
>>> r = pl.DataFrame({"series_id": ["a"] * 30 + ["b"] * 30, "step": list(range(1, 31)) * 2,
...                   "y": [10.0] * 60, "cand_global": [12.0] * 30 + [10.5] * 30,
...                   "cand_seasonal_naive": [11.0] * 60})
>>> choice, pooled, _ = choose_candidates(r)
>>> choice, pooled
({'a': 'seasonal_naive', 'b': 'global'}, 'seasonal_naive')
"""

from __future__ import annotations

import numpy as np
import polars as pl

from insights.models.intervals import LOG_EPS

CANDIDATES = ("global", "seasonal_naive", "seasonal_median", "global_naive_mean")
MIN_CHOICE_STEPS = 24  # fewer scored steps for a series: use the choice pooled over all


def candidate_mae(residuals: pl.DataFrame) -> pl.DataFrame:
    """Per series: scored steps ``n`` and each candidate's MAE (``mae_<name>``) on the steps
    where it and seasonal naive both forecast. Empty when no candidate forecasts were kept."""
    cols = [c for c in residuals.columns if c.startswith("cand_")]
    if not cols or "y" not in residuals.columns or "cand_seasonal_naive" not in cols:
        return pl.DataFrame()
    r = residuals.filter(pl.col("y").is_not_null() & pl.col("cand_seasonal_naive").is_not_nan())
    r = r.filter(pl.col("cand_seasonal_naive").is_not_null())
    return r.group_by("series_id").agg(
        pl.len().alias("n"),
        *(
            pl.when(pl.col(c).is_not_nan().sum() >= pl.len() * 0.9)
            .then((pl.col(c) - pl.col("y")).abs().filter(pl.col(c).is_not_nan()).mean())
            .otherwise(None)
            .alias("mae_" + c.removeprefix("cand_"))
            for c in cols
        ),
    )


def choose_candidates(
    residuals: pl.DataFrame,
) -> tuple[dict[str, str], str, dict[str, dict[str, float]]]:
    """(choice per series, pooled choice, MAE per series and candidate); see the module rule."""
    table = candidate_mae(residuals)
    if table.height == 0:
        return {}, "global", {}
    names = [c.removeprefix("mae_") for c in table.columns if c.startswith("mae_")]
    names = [n for n in CANDIDATES if n in names]
    maes = table.select([f"mae_{n}" for n in names]).to_numpy().astype(float)
    maes = np.where(np.isnan(maes), np.inf, maes)
    sn = maes[:, names.index("seasonal_naive")]
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = maes / np.where(sn > 0, sn, np.nan)[:, None]
    rel = np.where(np.isfinite(rel), rel, np.nan)
    pooled_score = [
        np.nanmean(rel[:, j]) if np.isfinite(rel[:, j]).any() else np.inf for j in range(len(names))
    ]
    pooled = names[int(np.argmin(pooled_score))]
    choice = {}
    for i, (s, n) in enumerate(table.select("series_id", "n").iter_rows()):
        choice[s] = names[int(np.argmin(maes[i]))] if n >= MIN_CHOICE_STEPS else pooled
    detail = {
        s: {n: float(maes[i, j]) for j, n in enumerate(names)}
        for i, s in enumerate(table["series_id"])
    }
    return choice, pooled, detail


def chosen_residuals(residuals: pl.DataFrame, method: dict[str, str]) -> pl.DataFrame:
    """``residuals`` with ``resid`` recomputed as each series' chosen candidate's log
    residual (kept as it was where that candidate's forecast is missing)."""
    if "y" not in residuals.columns or residuals.height == 0:
        return residuals
    out = residuals.with_columns(
        pl.col("series_id").replace_strict(method, default=None, return_dtype=pl.Utf8).alias("_m")
    )
    expr = pl.col("resid")
    for m in CANDIDATES:
        c = f"cand_{m}"
        if c in out.columns:
            lr = (pl.col("y") + LOG_EPS).log() - (pl.col(c) + LOG_EPS).log()
            expr = pl.when((pl.col("_m") == m) & pl.col(c).is_not_nan()).then(lr).otherwise(expr)
    return out.with_columns(expr.alias("resid")).drop("_m").filter(pl.col("resid").is_not_nan())
