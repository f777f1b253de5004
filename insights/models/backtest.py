"""Rolling-origin backtests: several cut-offs, each forecasting ``horizon`` unseen steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.base import clone

from insights.models.intervals import log_residuals
from insights.models.metrics import avg_rel_mae, coverage, mase, mase_scale, relative_mae, smape
from insights.models.series_grid import (
    normalize,
    panel_step,
    regular_grid,
    split_at_cutoff,
    step_delta,
)
from insights.models.trend import MIN_GLOBAL_SEASONS, EngagementForecaster

SHORTER_HORIZONS = (168, 72, 48, 24)  # hourly backtest horizons tried when history is short


@dataclass
class BacktestResult:
    per_series: pl.DataFrame  # one row per series x cut-off
    summary: dict[str, float | int | list]
    residuals: pl.DataFrame  # log residuals on every cut-off's unseen horizon


def backtest(
    estimator: EngagementForecaster,
    y: pl.DataFrame,
    meta: pl.DataFrame | None = None,
    n_cutoffs: int = 3,
    progress: Callable[[int], None] | None = None,
) -> BacktestResult:
    """Fit a clone of ``estimator`` at each cut-off on data up to it; score the next horizon.

    The intervals at each cut-off are calibrated on residuals of forecasts made
    before it (the first cut-off's own held-out windows, then every earlier
    cut-off's horizon), so coverage is measured on data neither the model nor
    its calibration saw. MASE is scaled by the seasonal-naive in-sample error
    over all the training data given; per row ``relative_mae`` is the model's MAE over
    the seasonal-naive forecast's on the same unseen steps, and the summary's is the
    family's AvgRelMAE (``metrics.avg_rel_mae``: each series' MAE over all cut-offs).
    """
    y = normalize(y)
    step = panel_step(y)
    season = 168 if step == "1h" else 7
    horizon = estimator.horizon
    rows = []
    residuals: pl.DataFrame | None = None
    for k in range(n_cutoffs):
        train, test = split_at_cutoff(y, horizon, n_cutoffs, k, step)
        if train.height == 0:
            continue
        est = clone(estimator).fit(train, meta, residuals=residuals)
        fc = est.predict(candidates=True)
        # every later cut-off calibrates on all residuals seen so far, none of them in-sample
        residuals = pl.concat(
            [est.calibration_residuals_, log_residuals(fc, test)], how="diagonal_relaxed"
        )
        # the MASE scale comes from all the training data, never from what the model kept
        hist = {
            s: g["y"].to_numpy()
            for (s,), g in regular_grid(train, step).partition_by("series_id", as_dict=True).items()
        }
        joined = fc.join(test.select("series_id", "ts", "y"), on=["series_id", "ts"], how="left")
        for (s,), g in joined.partition_by("series_id", as_dict=True).items():
            h = hist[s]
            too_short = "short" in est.flags_.get(s, [])
            if len(h) <= season:
                rows.append(
                    {
                        "series_id": s,
                        "cutoff": k,
                        "method": "none",
                        "backtestable": False,
                        "reason": f"{len(h)} {step} steps before the cut-off; seasonal naive "
                        f"needs more than one season ({season})",
                    }
                )
                continue
            scale = mase_scale(h, season)
            a = g["y"].to_numpy().astype(float)
            sn = np.array([h[len(h) - season + (i % season)] for i in range(len(g))])
            f = g["yhat"].to_numpy().astype(float)
            both = ~np.isnan(a) & ~np.isnan(f) & ~np.isnan(sn)
            observed = int(np.sum(~np.isnan(h)))
            reason = None
            if too_short:
                reason = (
                    f"{observed} observed {step} steps before the cut-off (of {len(h)}); the "
                    f"model needs {MIN_GLOBAL_SEASONS * est.lag_unit_}"
                )
                if observed < len(h) / 2:
                    # a sparse series, not a short one: more calendar time will not help,
                    # and a seasonal-naive score would rest on the few steps whose value
                    # a season earlier was observed (issue 27: plotnine's page views)
                    reason += (
                        f"; {1 - observed / len(h):.0%} of the span is missing: too sparse "
                        f"to backtest at this step (a coarser step, e.g. daily, can be)"
                    )
            elif not np.isfinite(scale):
                reason = "no seasonal difference in the history (constant or too gappy)"
            elif not both.any():
                reason = "no unseen step with both an actual and a seasonal-naive value"
            rows.append(
                {
                    "series_id": s,
                    "cutoff": k,
                    "method": est.method_[s],
                    "backtestable": reason is None,
                    "reason": reason,
                    "mase": mase(a, g["yhat"].to_numpy(), scale),
                    "mase_seasonal_naive": mase(a, sn, scale),
                    # below 1: closer to the actuals than seasonal naive on these same steps
                    "relative_mae": relative_mae(a, g["yhat"].to_numpy(), sn),
                    # summed per series over cut-offs for the family's AvgRelMAE
                    "abs_err": float(np.abs(a - f)[both].sum()),
                    "abs_err_seasonal_naive": float(np.abs(a - sn)[both].sum()),
                    "n_scored": int(both.sum()),
                    "smape": smape(a, g["yhat"].to_numpy()),
                    "smape_seasonal_naive": smape(a, sn),
                    "coverage_80": coverage(a, g["yhat_lo"].to_numpy(), g["yhat_hi"].to_numpy()),
                    "flags": ",".join(est.flags_.get(s, [])),
                }
            )
        if progress:
            progress(k + 1)
    per = pl.DataFrame(rows, infer_schema_length=None)
    ok = per.filter(pl.col("backtestable"))
    if "mase" not in ok.columns or ok.height == 0:
        summary: dict = {"n_series": y["series_id"].n_unique(), "n_backtested": 0}
    else:
        ok = ok.filter(pl.col("mase").is_finite())
        summary = {
            "n_series": y["series_id"].n_unique(),
            "n_backtested": ok["series_id"].n_unique(),
            "n_cutoffs": n_cutoffs,
            "horizon": horizon,
            "season": season,
            "mase": ok["mase"].mean(),
            "mase_seasonal_naive": ok["mase_seasonal_naive"].mean(),
            "relative_mae": _family_rel_mae(ok),
            "smape": ok["smape"].mean(),
            "smape_seasonal_naive": ok["smape_seasonal_naive"].mean(),
            "coverage_80": ok["coverage_80"].mean(),
        }
    summary["not_backtestable"] = sorted(
        set(y["series_id"].unique()) - set(per.filter(pl.col("backtestable"))["series_id"])
    )
    return BacktestResult(per, summary, residuals)


def _family_rel_mae(ok: pl.DataFrame) -> float:
    """AvgRelMAE over series, each series' MAE pooled over all its cut-offs."""
    per = ok.group_by("series_id").agg(
        pl.col("abs_err").sum(), pl.col("abs_err_seasonal_naive").sum(), pl.col("n_scored").sum()
    )
    n = per["n_scored"].to_numpy()
    return avg_rel_mae(
        per["abs_err"].to_numpy() / np.maximum(n, 1),
        per["abs_err_seasonal_naive"].to_numpy() / np.maximum(n, 1),
        n,
    )


def backtest_plan(y: pl.DataFrame, horizon: int, n_cutoffs: int) -> dict:
    """The backtest that fits the history: ``{"horizon", "n_cutoffs", "note"}``.

    History is measured on each series itself (first to last observation), never
    against today's date. The rule: the first cut-off must leave a series
    ``MIN_GLOBAL_SEASONS`` lag units of history (three weeks of hours for horizons up
    to a week; three weeks of days), so the model is fitted at every cut-off. When the
    median series is too short for ``n_cutoffs`` cut-offs of ``horizon`` steps, hourly
    backtests try the shorter horizons in ``SHORTER_HORIZONS`` (say, four weeks of
    hours: 3 cut-offs of 48 h), and the note says so; ``note`` is ``None`` when the
    requested backtest fits.
    """
    y = normalize(y)
    step = panel_step(y)
    season = 168 if step == "1h" else 7
    spans = (
        y.group_by("series_id")
        .agg((pl.col("ts").max() - pl.col("ts").min()).alias("span"))["span"]
        .dt.total_seconds()
        / step_delta(step).total_seconds()
    )
    median_span = float(spans.median() or 0)

    def need(h: int) -> int:
        return MIN_GLOBAL_SEASONS * season * -(-h // season) + n_cutoffs * h

    if median_span >= need(horizon) or step == "1d":
        return {"horizon": horizon, "n_cutoffs": n_cutoffs, "note": None}
    for h in SHORTER_HORIZONS:
        if h < horizon and median_span >= need(h):
            days = median_span * (1 if step == "1d" else 1 / 24)
            return {
                "horizon": h,
                "n_cutoffs": n_cutoffs,
                "note": f"median history {days:.0f} days: backtested with {n_cutoffs} "
                f"cut-offs of {h} h (a {horizon} h backtest needs {need(horizon) / 24:.0f} "
                "days)",
            }
    return {"horizon": horizon, "n_cutoffs": n_cutoffs, "note": None}
