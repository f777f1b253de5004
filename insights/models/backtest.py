"""Rolling-origin backtests: several cut-offs, each forecasting ``horizon`` unseen steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.base import clone

from insights.models.metrics import coverage, mase, mase_scale, smape
from insights.models.trend import EngagementForecaster, infer_step, log_residuals, step_delta


@dataclass
class BacktestResult:
    per_series: pl.DataFrame  # one row per series x cut-off
    summary: dict[str, float | int | list]
    residuals: pl.DataFrame  # log residuals on every cut-off's unseen horizon


def cutoffs_for(y: pl.DataFrame, horizon: int, n_cutoffs: int, step: str) -> list:
    end = y["ts"].max()
    return [end - step_delta(step) * horizon * (n_cutoffs - i) for i in range(n_cutoffs)]


def backtest(
    estimator: EngagementForecaster,
    y: pl.DataFrame,
    meta: pl.DataFrame | None = None,
    n_cutoffs: int = 3,
    progress: Callable[[int], None] | None = None,
) -> BacktestResult:
    """Fit a clone of ``estimator`` at each cut-off on data up to it; score the next horizon.

    The intervals at each cut-off are calibrated on the residuals of the earlier
    cut-offs (the first holds out its own last horizon), so coverage is measured
    on data neither the model nor its calibration saw.
    """
    step = infer_step(y["ts"])
    season = 168 if step == "1h" else 7
    horizon = estimator.horizon
    rows = []
    residuals: pl.DataFrame | None = None
    for k, cut in enumerate(cutoffs_for(y, horizon, n_cutoffs, step)):
        train = y.filter(pl.col("ts") <= cut)
        test = y.filter(pl.col("ts") > cut).sort("series_id", "ts")
        if train.height == 0:
            continue
        est = clone(estimator).fit(train, meta, residuals=residuals)
        fc = est.predict()
        new_res = log_residuals(fc, test)
        residuals = new_res if residuals is None else pl.concat([residuals, new_res])
        hist = {
            s: g.sort("ts")["y"].to_numpy()
            for (s,), g in est.history_.partition_by("series_id", as_dict=True).items()
        }
        joined = fc.join(test.select("series_id", "ts", "y"), on=["series_id", "ts"], how="left")
        for (s,), g in joined.partition_by("series_id", as_dict=True).items():
            h = hist[s]
            too_short = "short" in est.flags_.get(s, [])
            if len(h) <= season:
                rows.append({"series_id": s, "cutoff": k, "method": "none", "backtestable": False})
                continue
            scale = mase_scale(h, season)
            a = g["y"].to_numpy().astype(float)
            sn = np.array([h[len(h) - season + (i % season)] for i in range(len(g))])
            rows.append(
                {
                    "series_id": s,
                    "cutoff": k,
                    "method": est.method_[s],
                    "backtestable": not too_short and bool(np.isfinite(scale)),
                    "mase": mase(a, g["yhat"].to_numpy(), scale),
                    "mase_seasonal_naive": mase(a, sn, scale),
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
            "smape": ok["smape"].mean(),
            "smape_seasonal_naive": ok["smape_seasonal_naive"].mean(),
            "coverage_80": ok["coverage_80"].mean(),
        }
    summary["not_backtestable"] = sorted(
        set(y["series_id"].unique()) - set(per.filter(pl.col("backtestable"))["series_id"])
    )
    return BacktestResult(per, summary, residuals)
