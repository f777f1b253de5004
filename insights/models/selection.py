"""Choosing, per series, which forecast reaches the user: the global model or a baseline.

The rule (docs/explanation/models-and-metrics.md): every fit sees the out-of-sample errors of earlier
forecasts of the same series (the held-out windows of the first fit, then every
earlier backtest cut-off; ``insights train`` hands its backtest's to the final
model). Each candidate's MAE is taken relative to seasonal naive's on the
unseen steps where both forecast (at least ``MIN_CHOICE_STEPS``). The group of
series fitted together (one frequency of one warehouse, or one benchmark family)
is served by the candidate with the lowest mean relative MAE over its series,
but stays with its default unless another is at least 5 % better. The default
is the global model when at least ``MIN_GROUP_SERIES`` series were scored; for
one or two series (a team's own page views, one long demand series) the evidence
is one draw of one series' weeks, and the default is the mean of the global
model and seasonal naive, which hedges between them: the global model must then
beat the combination by 5 % on the older cut-offs to be served alone;
a series departs from that only on strong evidence of its own: at least
``OVERRIDE_STEPS`` scored steps and a candidate 10 % better than the group's
choice for it. Ties go to the simpler candidate. Candidates: the global model, seasonal naive, the seasonal median
(same hour in the last three seasons) and the mean of the global model and
seasonal naive. Intervals are then calibrated on the chosen candidate's residuals.

>>> import polars as pl
>>> r = pl.DataFrame({"series_id": ["a"] * 30 + ["b"] * 30, "step": list(range(1, 31)) * 2,
...                   "y": [10.0] * 60, "cand_global": [10.5] * 30 + [10.2] * 30,
...                   "cand_seasonal_naive": [11.0] * 60})
>>> choose_candidates(r)[:2]  # global: half and a fifth of seasonal naive's error
({'a': 'global', 'b': 'global'}, 'global')
"""

from __future__ import annotations

import numpy as np
import polars as pl

from insights.models.intervals import LOG_EPS

CANDIDATES = ("global", "seasonal_naive", "seasonal_median", "global_naive_mean")
SIMPLEST_FIRST = ("seasonal_naive", "seasonal_median", "global_naive_mean", "global")
MIN_CHOICE_STEPS = 24
GROUP_MARGIN = 0.95  # a candidate must beat the group's default by 5 % to serve the group
MIN_GROUP_SERIES = 3  # fewer scored series: the group's default is the combination
OVERRIDE_STEPS = 300  # a series' own scored steps needed to depart from its group's choice
OVERRIDE_MARGIN = 0.9  # ... and its own best must beat the group's choice by 10 %  # fewer scored steps for a series: use the choice pooled over all


def candidate_mae(residuals: pl.DataFrame) -> pl.DataFrame:
    """Per series and candidate: MAE (``mae_<name>``) and its ratio to seasonal naive's MAE
    on the same steps (``rel_<name>``), with the count of those steps (``n_<name>``). A
    candidate can be missing on some windows (the global model needs five seasons of
    history), so each is compared with seasonal naive only where both forecast. Empty when
    no candidate forecasts were kept."""
    cols = [c for c in residuals.columns if c.startswith("cand_")]
    if not cols or "y" not in residuals.columns or "cand_seasonal_naive" not in cols:
        return pl.DataFrame()
    r = residuals.filter(
        pl.col("y").is_not_null(),
        pl.col("cand_seasonal_naive").is_not_null(),
        pl.col("cand_seasonal_naive").is_not_nan(),
    )
    aggs = []
    eps = 1e-9 * pl.col("y").abs().sum() + 1e-12
    for c in cols:
        name = c.removeprefix("cand_")
        ok = pl.col(c).is_not_null() & pl.col(c).is_not_nan()
        err = (pl.col(c) - pl.col("y")).abs().filter(ok)
        sn = (pl.col("cand_seasonal_naive") - pl.col("y")).abs().filter(ok)
        aggs += [
            ok.sum().alias(f"n_{name}"),
            err.mean().alias(f"mae_{name}"),
            # floating-point noise on exact forecasts must not decide: a tiny floor
            ((err.sum() + eps) / (sn.sum() + eps)).alias(f"rel_{name}"),
        ]
    return r.group_by("series_id").agg(*aggs).sort("series_id")


def choose_candidates(
    residuals: pl.DataFrame,
) -> tuple[dict[str, str], str, dict[str, dict[str, float]]]:
    """(choice per series, pooled choice, MAE per series and candidate); see the module rule.
    Candidates are ranked by their MAE relative to seasonal naive's on the steps where both
    forecast; one with fewer than ``MIN_CHOICE_STEPS`` such steps for a series is not
    eligible for it."""
    table = candidate_mae(residuals)
    if table.height == 0:
        return {}, "global", {}
    names = [n for n in CANDIDATES if f"rel_{n}" in table.columns]
    rel = table.select([f"rel_{n}" for n in names]).to_numpy().astype(float)
    n = table.select([f"n_{n}" for n in names]).to_numpy().astype(float)
    rel = np.where(np.isfinite(rel), rel, np.nan)
    rel[:, names.index("seasonal_naive")] = 1.0  # its own benchmark (and exact where 0/0)
    pooled_score = [
        np.nanmean(rel[n[:, j] >= MIN_CHOICE_STEPS, j])
        if (np.isfinite(rel[:, j]) & (n[:, j] >= MIN_CHOICE_STEPS)).any()
        else np.inf
        for j in range(len(names))
    ]
    pooled = _simplest_best(names, np.array(pooled_score))
    default = "global"
    if "global" in names:
        n_scored = int((n[:, names.index("global")] >= MIN_CHOICE_STEPS).sum())
        if n_scored < MIN_GROUP_SERIES and "global_naive_mean" in names:
            default = "global_naive_mean"
    g = pooled_score[names.index(default)] if default in names else np.inf
    # the group leaves its default only for a clear gain
    if np.isfinite(g) and pooled_score[names.index(pooled)] >= GROUP_MARGIN * g:
        pooled = default
    score = np.where((n >= MIN_CHOICE_STEPS) & np.isfinite(rel), rel, np.inf)
    choice = {}
    j_pooled = names.index(pooled)
    for i, s in enumerate(table["series_id"]):
        own = _simplest_best(names, score[i]) if np.isfinite(score[i]).any() else pooled
        # a series departs from its group's choice only on strong evidence of its own
        strong = n[i, names.index(own)] >= OVERRIDE_STEPS and n[i, j_pooled] >= OVERRIDE_STEPS
        better = score[i, names.index(own)] < OVERRIDE_MARGIN * score[i, j_pooled]
        choice[s] = own if strong and better else pooled
    maes = table.select([f"mae_{n}" for n in names]).to_numpy().astype(float)
    detail = {
        s: {n: float(maes[i, j]) for j, n in enumerate(names)}
        for i, s in enumerate(table["series_id"])
    }
    return choice, pooled, detail


def _simplest_best(names: list[str], score: np.ndarray) -> str:
    """The candidate with the lowest score; on a tie, the simplest (``SIMPLEST_FIRST``)."""
    best = np.min(score)
    tied = {n for n, v in zip(names, score, strict=True) if v <= best + 1e-9 * max(best, 1.0)}
    return next(n for n in SIMPLEST_FIRST if n in tied)


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
