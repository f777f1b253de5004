"""The one backtest of every forecaster: rolling-origin cut-offs, scored per series and per
horizon bucket.

:func:`backtest` replays what a forecaster would have forecast at several cut-offs, each
from data before it only, and scores it the same way for both forecasters
(``docs/explanation/models-and-metrics.md``, "One backtest"):

- per series and cut-off (``per_series``): MASE against the in-sample seasonal-naive
  scale, the MAE relative to seasonal naive on the same unseen steps, and the 80 %
  band's coverage; the summary's relative MAE is the family's AvgRelMAE
  (:func:`insights.models.metrics.avg_rel_mae`);
- per series, horizon bucket (:data:`insights.models.forecaster.BUCKETS`, hours ahead)
  and method (``by_horizon``): MAE, MAPE, the MAE relative to seasonal naive's, coverage
  of the served band, scored steps.

How each forecaster replays a cut-off is its own: the engagement forecaster is refitted
at each cut-off and forecasts one horizon (cut-offs one horizon apart, counted back from
each series' end); the energy forecaster is trained once per block of daily origins
(:func:`insights.models.energy.replay_blocks`: blocks ``spacing_days`` apart). In both,
what serves a series (or a zone's bucket) and its band come from older cut-offs only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from sklearn.base import clone

from insights.models.energy import EnergyForecaster, hourly_long, replay_blocks
from insights.models.forecaster import BUCKETS, bucket_label, bucket_of
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
DEFAULT_CUTOFFS = {"engagement": 3, "energy": 4}  # cut-offs (energy: blocks) by default


@dataclass
class Backtest:
    """What :func:`backtest` returns, for either forecaster.

    ``per_series``: one row per series x cut-off (``series_id``, ``cutoff``, ``method``,
    ``backtestable``, ``reason``, ``mase``, ``mase_seasonal_naive``, ``relative_mae``,
    ``abs_err``, ``abs_err_seasonal_naive``, ``n_scored``, ``coverage_80``, ...).
    ``by_horizon``: per series, horizon bucket and method: ``mae``, ``mape`` (%, over
    non-zero actuals), ``relative_mae`` (over seasonal naive's MAE on the same rows),
    ``coverage_80`` (the served band; null for other methods), ``n``. The energy tables
    name the series column ``zone``. ``summary``: the family's figures (``mase``,
    ``relative_mae`` as AvgRelMAE, ``coverage_80``, ``n_backtested``, ...).
    ``residuals``: forecast errors on unseen data, for the final fit's band.
    Energy only: ``mae`` (mean over zones of each method's MAE), ``per_zone`` and
    ``by_horizon_chosen`` (``by_horizon`` over the blocks whose choice and band came from
    older blocks)."""

    per_series: pl.DataFrame
    summary: dict[str, float | int | list]
    residuals: pl.DataFrame
    by_horizon: pl.DataFrame = field(default_factory=pl.DataFrame)
    mae: dict[str, float] = field(default_factory=dict)
    per_zone: pl.DataFrame | None = None
    by_horizon_chosen: pl.DataFrame | None = None


def backtest(
    estimator: EngagementForecaster | EnergyForecaster,
    y: pl.DataFrame,
    meta: pl.DataFrame | None = None,
    n_cutoffs: int | None = None,
    progress: Callable[[int], None] | None = None,
    *,
    block_days: int = 14,
    spacing_days: int = 91,
    limit_to_window: bool = False,
) -> Backtest:
    """Backtest ``estimator`` on the long frame ``y`` (``series_id``, ``ts``, ``y``) at
    ``n_cutoffs`` rolling-origin cut-offs (default: 3 for engagement, 4 blocks for energy).

    Engagement: a clone is fitted at each cut-off on data up to it and scores the next
    horizon. The intervals at each cut-off are calibrated on residuals of forecasts made
    before it (the first cut-off's own held-out windows, then every earlier cut-off's
    horizon), so coverage is measured on data neither the model nor its calibration saw.
    MASE is scaled by the seasonal-naive in-sample error over all the training data given;
    per row ``relative_mae`` is the model's MAE over the seasonal-naive forecast's on the
    same unseen steps, and the summary's is the family's AvgRelMAE
    (``metrics.avg_rel_mae``: each series' MAE over all cut-offs). ``progress`` is called
    with each finished cut-off's number.

    Energy (``block_days``, ``spacing_days``, ``limit_to_window``: the block layout of
    :func:`insights.models.energy.replay_blocks`): per zone, the MAE of the model, what is
    served, persistence and 24 h seasonal naive, averaged over blocks; per horizon bucket,
    MAE and MAPE; the 80 % band's coverage on each block with bounds from older blocks.
    Raises ``ValueError`` when no zone has enough history for one block.
    """
    if isinstance(estimator, EnergyForecaster):
        return _energy_backtest(
            estimator,
            y,
            DEFAULT_CUTOFFS["energy"] if n_cutoffs is None else n_cutoffs,
            block_days,
            spacing_days,
            limit_to_window,
        )
    return _refit_backtest(
        estimator,
        y,
        meta,
        DEFAULT_CUTOFFS["engagement"] if n_cutoffs is None else n_cutoffs,
        progress,
    )


def _refit_backtest(
    estimator: EngagementForecaster,
    y: pl.DataFrame,
    meta: pl.DataFrame | None,
    n_cutoffs: int,
    progress: Callable[[int], None] | None,
) -> Backtest:
    """The engagement replay: refit at each cut-off, one horizon after it scored."""
    y = normalize(y)
    step = panel_step(y)
    season = 168 if step == "1h" else 7
    horizon = estimator.horizon
    step_hours = 1 if step == "1h" else 24  # buckets are in hours ahead
    rows = []
    errs: list[pl.DataFrame] = []
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
            if reason is None:  # by horizon bucket: the steps both forecasts scored
                errs.append(
                    pl.DataFrame(
                        {
                            "series_id": s,
                            "cutoff": k,
                            "h": np.arange(1, len(g) + 1) * step_hours,
                            "actual": a,
                            "served": f,
                            "seasonal_naive": sn.astype(float),
                            "yhat_lo": g["yhat_lo"].to_numpy().astype(float),
                            "yhat_hi": g["yhat_hi"].to_numpy().astype(float),
                        }
                    ).filter(pl.Series(both))
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
    by_horizon = (
        score_by_horizon(
            _long(pl.concat(errs), "series_id", ("served", "seasonal_naive")),
            "series_id",
            "seasonal_naive",
        )
        if errs
        else pl.DataFrame()
    )
    return Backtest(per, summary, residuals, by_horizon)


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


def _energy_backtest(
    est: EnergyForecaster,
    y: pl.DataFrame,
    n_blocks: int,
    block_days: int,
    spacing_days: int,
    limit_to_window: bool,
) -> Backtest:
    """The energy replay (:func:`insights.models.energy.replay_blocks`), scored."""
    rp = replay_blocks(est, hourly_long(y), n_blocks, block_days, spacing_days, limit_to_window)
    methods = ("model", "served", "persistence", "seasonal_naive_24h")
    zones, rows = [], []
    for (z,), g in rp.errors.partition_by("zone", as_dict=True, maintain_order=True).items():
        acc: dict[str, list[float]] = {m: [] for m in methods}
        cover: list[float] = []
        for (k,), b in g.partition_by("cutoff", as_dict=True, maintain_order=True).items():
            a = b["actual"].to_numpy()
            for m in methods:
                acc[m].append(float(np.abs(a - b[m].to_numpy()).mean()))
            lo, hi = b["yhat_lo"].to_numpy(), b["yhat_hi"].to_numpy()
            ok = ~np.isnan(lo)
            if ok.any():  # a band from older blocks (the oldest block only calibrates)
                cover.append(float(((a >= lo) & (a <= hi))[ok].mean()))
            rows.append(_scored_row(z, k, a, b, ok))
        zones.append(
            {
                "zone": z,
                **{m: float(np.mean(v)) for m, v in acc.items()},
                "n_blocks": len(acc["model"]),
                "coverage_80": float(np.mean(cover)) if cover else None,
            }
        )
    per_zone = pl.DataFrame(zones)
    mae = {m: float(per_zone[m].mean()) for m in methods}
    long = _long(rp.errors, "zone", methods)
    by_h = score_by_horizon(long, "zone", "seasonal_naive_24h")
    chosen = long.filter(pl.col("chosen"))
    by_chosen = score_by_horizon(chosen, "zone", "seasonal_naive_24h") if chosen.height else None
    per = pl.DataFrame(rows, infer_schema_length=None)
    scored = per.filter(pl.col("mase").is_finite())
    cov = per["coverage_80"].drop_nulls()
    summary: dict = {
        "n_series": y["series_id"].n_unique(),
        "n_backtested": per["series_id"].n_unique(),
        "n_cutoffs": int(per["cutoff"].n_unique()),
        "horizon": est.horizon,
        "season": 24,
        "mase": scored["mase"].mean(),
        "mase_seasonal_naive": scored["mase_seasonal_naive"].mean(),
        "relative_mae": _family_rel_mae(per),
        "coverage_80": cov.mean() if cov.len() else None,
        "not_backtestable": sorted(set(y["series_id"].unique()) - set(per["series_id"])),
    }
    return Backtest(per, summary, rp.residuals, by_h, mae, per_zone, by_chosen)


def _scored_row(zone: str, k: int, a: np.ndarray, b: pl.DataFrame, banded: np.ndarray) -> dict:
    """One energy block of one zone as a ``per_series`` row: what is served against 24 h
    seasonal naive, MASE on the zone's 24 h seasonal scale before the block."""
    f, sn = b["served"].to_numpy(), b["seasonal_naive_24h"].to_numpy()
    scale = float(b["scale"][0])
    both = ~np.isnan(a) & ~np.isnan(f) & ~np.isnan(sn)
    lo, hi = b["yhat_lo"].to_numpy(), b["yhat_hi"].to_numpy()
    return {
        "series_id": zone,
        "cutoff": k,
        "method": "served",
        "backtestable": True,
        "reason": None,
        "mase": mase(a, f, scale),
        "mase_seasonal_naive": mase(a, sn, scale),
        "relative_mae": relative_mae(a, f, sn),
        "abs_err": float(np.abs(a - f)[both].sum()),
        "abs_err_seasonal_naive": float(np.abs(a - sn)[both].sum()),
        "n_scored": int(both.sum()),
        "coverage_80": coverage(a[banded], lo[banded], hi[banded]) if banded.any() else None,
    }


def _long(errors: pl.DataFrame, key: str, methods: tuple[str, ...]) -> pl.DataFrame:
    """``errors`` (one column per method) as one row per step and method: ``key``,
    ``cutoff``, ``h``, ``actual``, ``method``, ``yhat``, and the served band (null for the
    other methods)."""
    index = [
        c
        for c in (key, "cutoff", "h", "chosen", "actual", "yhat_lo", "yhat_hi")
        if c in errors.columns
    ]
    long = errors.unpivot(index=index, on=list(methods), variable_name="method", value_name="yhat")
    served = pl.col("method") == "served"
    return long.with_columns(
        pl.when(served).then(pl.col(c)).otherwise(None).alias(c) for c in ("yhat_lo", "yhat_hi")
    )


def score_by_horizon(
    long: pl.DataFrame,
    key: str,
    benchmark: str,
    buckets: tuple[tuple[int, int], ...] = BUCKETS,
) -> pl.DataFrame:
    """Per ``key`` (series), horizon bucket and method: ``mae``, ``mape`` (%, over steps
    whose actual is not zero), ``n`` (scored steps), ``relative_mae`` (the MAE over
    ``benchmark``'s on the same bucket) and ``coverage_80`` (share of actuals inside the
    served band, where it exists; null for the other methods). ``long``: ``key``, ``h``
    (hours ahead), ``method``, ``actual``, ``yhat``, ``yhat_lo``, ``yhat_hi``; steps past
    the last bucket count in it. Sorted by ``key``, bucket, method."""
    err = (pl.col("yhat") - pl.col("actual")).abs()
    banded = pl.col("yhat_lo").is_not_null() & pl.col("yhat_lo").is_not_nan()
    inside = (pl.col("actual") >= pl.col("yhat_lo")) & (pl.col("actual") <= pl.col("yhat_hi"))
    out = (
        long.with_columns(pl.Series("bucket", bucket_of(long["h"].to_numpy(), buckets)))
        .group_by(key, "bucket", "method")
        .agg(
            err.mean().alias("mae"),
            (100 * (err / pl.col("actual").abs()))
            .filter(pl.col("actual") != 0)
            .mean()
            .alias("mape"),
            pl.len().alias("n"),
            inside.filter(banded).cast(pl.Float64).mean().alias("coverage_80"),
        )
        .with_columns(
            pl.col("bucket").replace_strict(
                {i: bucket_label(i, buckets) for i in range(len(buckets))}, return_dtype=pl.Utf8
            )
        )
    )
    bench = out.filter(pl.col("method") == benchmark).select(
        key, "bucket", pl.col("mae").alias("_bench")
    )
    return (
        out.join(bench, on=[key, "bucket"], how="left")
        .select(
            key,
            "bucket",
            "method",
            "mae",
            "mape",
            "n",
            # null, not inf or NaN, where the benchmark was exact (the table is stored as JSON)
            pl.when(pl.col("_bench") > 0)
            .then(pl.col("mae") / pl.col("_bench"))
            .otherwise(None)
            .alias("relative_mae"),
            "coverage_80",
        )
        .sort(key, "bucket", "method")
    )
