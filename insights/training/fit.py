"""The ``train`` stage's computation, with no IO: series in, backtests, fitted models and
forecasts out (the warehouse and the model files are :mod:`insights.training.io`'s).

Shapes: engagement ``y`` is long (``series_id, ts, y``, UTC), its ``meta``
``series_id, tz, country``; energy is ``zone, ts`` and one column per target
(:data:`ENERGY_TARGETS`). Forecast frames have :data:`FORECAST_COLUMNS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl

from insights.models.backtest import backtest, backtest_plan
from insights.models.energy import EnergyForecaster
from insights.models.series_grid import infer_step
from insights.models.trend import EngagementForecaster

ENERGY_TARGETS = ["renewable_pct", "carbon_intensity_direct"]
MAX_BRIDGE_HOURS = 28 * 24  # older data is too stale to forecast from: retrain with new data
FORECAST_COLUMNS = [
    "series_id", "region", "channel", "zone", "target", "ts", "yhat", "yhat_lo", "yhat_hi",
    "method",
]  # fmt: skip

Say = Callable[[str], None]


def stage_count(steps: int, n_cutoffs: int, energy_targets: int) -> int:
    """How many times :func:`fit_engagement` and :func:`fit_energy` (then the store) call
    ``say``: per frequency a backtest, its cut-offs and the final fit; per energy target a
    backtest and a final fit; one for storing the run. For a bar's total."""
    return steps * (n_cutoffs + 2) + 2 * energy_targets + 1


def split_by_step(y: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """``{step: rows}`` of a long frame, one part per series' own step (``1h``, ``1d``...)."""
    steps = {
        sid: infer_step(g["ts"]) for (sid,), g in y.partition_by("series_id", as_dict=True).items()
    }
    tagged = y.with_columns(pl.col("series_id").replace_strict(steps).alias("_step"))
    return {s: g.drop("_step") for (s,), g in tagged.partition_by("_step", as_dict=True).items()}


def bridge_hours(last: datetime, now: datetime) -> int:
    """Hours from the data's last hour to ``now`` that the final models forecast through too
    (data that ends before now; 0 when it is older than :data:`MAX_BRIDGE_HOURS`)."""
    gap = int((now - last).total_seconds() // 3600)
    return gap if 0 < gap <= MAX_BRIDGE_HOURS else 0


def _why_not_backtested(part: pl.DataFrame, per_series: pl.DataFrame) -> dict[str, str]:
    """``{series_id: reason}`` for the series the backtest could not score at any cut-off:
    the history measured on the series itself (first to last observation) and the cause
    the backtest found at its last cut-off (``models.backtest``)."""
    if per_series.height == 0:
        return {}
    scored = set(per_series.filter(pl.col("backtestable"))["series_id"])
    why = (
        per_series.filter(~pl.col("series_id").is_in(list(scored)))
        .sort("cutoff")
        .group_by("series_id")
        .agg(pl.col("reason").drop_nulls().last())
    )
    spans = part.group_by("series_id").agg(
        ((pl.col("ts").max() - pl.col("ts").min()).dt.total_hours() / 24).alias("days")
    )
    rows = why.join(spans, on="series_id").sort("series_id")
    return {
        sid: f"{days:.0f} days of history (first to last observation); {reason or 'not scored'}"
        for sid, reason, days in rows.select("series_id", "reason", "days").iter_rows()
    }


@dataclass
class EngagementFit:
    """One frequency's engagement work: its backtest summary and the final model."""

    step: str
    model: EngagementForecaster
    forecast: pl.DataFrame  # FORECAST_COLUMNS
    summary: dict[str, Any]
    not_backtested: dict[str, str]
    fallbacks: dict[str, str]
    fallback_reasons: dict[str, str]
    chosen: dict[str, int]
    per_series: pl.DataFrame | None = None  # the backtest's rows: series x cut-off


def fit_engagement(
    y: pl.DataFrame,
    meta: pl.DataFrame,
    labels: pl.DataFrame,
    horizon: int,
    n_cutoffs: int,
    bridge: int,
    say: Say,
) -> list[EngagementFit]:
    """Backtest then fit the engagement model per frequency.

    ``labels``: ``series_id, region, channel``; ``horizon`` in hours (daily series use
    ``horizon // 24`` days); ``bridge``: extra hours the final model forecasts (see
    :func:`bridge_hours`). Intervals are calibrated on the backtest's residuals."""
    out = []
    for step, part in split_by_step(y.select("series_id", "ts", "y")).items():
        h = horizon if step == "1h" else max(1, horizon // 24)
        # a short history is backtested on shorter horizons (stated in the summary)
        plan = backtest_plan(part, h, n_cutoffs)
        est = EngagementForecaster(horizon=plan["horizon"])
        say(f"backtesting {part['series_id'].n_unique()} {step} series over {n_cutoffs} cut-offs")
        bt = backtest(
            est,
            part,
            meta,
            n_cutoffs=n_cutoffs,
            progress=lambda k, step=step: say(f"cut-off {k}/{n_cutoffs} of the {step} series done"),
        )
        if plan["note"]:
            bt.summary["backtest_note"] = plan["note"]
        say("fitting the final engagement model")
        # intervals calibrated on the backtest's residuals: data the models had not seen
        h_final = h + (bridge if step == "1h" else -(-bridge // 24))
        model = EngagementForecaster(horizon=h_final).fit(part, meta, residuals=bt.residuals)
        fc = (
            model.predict()
            .join(labels, on="series_id", how="left")
            .with_columns(
                pl.lit("engagements").alias("target"), pl.lit(None, dtype=pl.Utf8).alias("zone")
            )
        )
        served = {s: m for s, m in model.method_.items() if m != "global"}
        out.append(
            EngagementFit(
                step=step,
                model=model,
                forecast=fc.select(FORECAST_COLUMNS),
                summary=bt.summary,
                not_backtested=_why_not_backtested(part, bt.per_series),
                fallbacks=served,
                # why: a history too short for the model, or the backtest's choice
                fallback_reasons={
                    s: "short history"
                    if "short" in model.flags_.get(s, [])
                    else "chosen by backtest"
                    for s in served
                },
                chosen=dict(pl.Series(list(model.method_.values())).value_counts().rows()),
                per_series=bt.per_series,
            )
        )
    return out


@dataclass
class EnergyFit:
    """Every energy target's backtest metrics (or why skipped) and forecasts."""

    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    forecasts: list[pl.DataFrame] = field(default_factory=list)  # FORECAST_COLUMNS each
    # per target: the backtest's per-zone MAEs and its per-horizon-bucket table
    per_zone: dict[str, pl.DataFrame] = field(default_factory=dict)
    by_horizon: dict[str, pl.DataFrame] = field(default_factory=dict)


def fit_energy(
    energy: pl.DataFrame, horizon: int, bridge: int, now: datetime, say: Say
) -> EnergyFit:
    """Backtest then fit the energy model per target in :data:`ENERGY_TARGETS`.

    ``energy``: ``zone, ts`` and the targets (nulls allowed); ``bridge``: the engagement
    side's extra hours. The grid data can end earlier than the audience data (CENACE
    publishes whole local days), so each target forecasts far enough past its own end that
    every engagement hour has a grid value."""
    out = EnergyFit()
    for target in ENERGY_TARGETS:
        df = energy.select(pl.col("zone").alias("series_id"), "ts", pl.col(target).alias("y"))
        df = df.drop_nulls("y")
        if df.height == 0:
            continue
        est = EnergyForecaster(horizon=horizon)
        say(f"backtesting the {target} model")
        eresid = None
        try:
            ebt = backtest(est, df)
            out.metrics[target] = {
                "mae": ebt.mae,
                "per_zone": ebt.per_zone.to_dicts(),
                "by_horizon": ebt.by_horizon.to_dicts(),
            }
            out.per_zone[target], out.by_horizon[target] = ebt.per_zone, ebt.by_horizon
            eresid = ebt.residuals  # intervals calibrated on the backtest's unseen forecasts
        except ValueError as exc:
            out.metrics[target] = {"skipped": str(exc)}
        try:
            e_bridge = max(bridge, bridge_hours(df["ts"].max(), now))
            say(f"fitting the final {target} model")
            efc = EnergyForecaster(horizon=horizon + e_bridge).fit(df, residuals=eresid).predict()
            if target == "renewable_pct":
                efc = efc.with_columns(pl.col("yhat_hi").clip(upper_bound=100.0))
        except ValueError as exc:
            out.metrics.setdefault(target, {})["forecast_skipped"] = str(exc)
            continue
        out.forecasts.append(
            efc.select(
                pl.lit(None, dtype=pl.Utf8).alias("series_id"),
                pl.lit(None, dtype=pl.Utf8).alias("region"),
                pl.lit(None, dtype=pl.Utf8).alias("channel"),
                pl.col("series_id").alias("zone"),
                pl.lit(target).alias("target"),
                "ts",
                "yhat",
                "yhat_lo",
                "yhat_hi",
                pl.lit("energy").alias("method"),
            )
        )
    return out


SCORE_SCHEMA = {
    "target": pl.Utf8,
    "step": pl.Utf8,
    "series": pl.Utf8,
    "cutoff": pl.Int32,
    "bucket": pl.Utf8,
    "method": pl.Utf8,
    "metric": pl.Utf8,
    "value": pl.Float64,
}
#: the engagement backtest's per-row scores kept (``models.backtest``)
ENGAGEMENT_SCORES = (
    "mase", "mase_seasonal_naive", "relative_mae", "smape", "smape_seasonal_naive",
    "coverage_80", "n_scored",
)  # fmt: skip
#: the energy backtest's per-zone columns: MAE of each method, and the band's coverage
ENERGY_ZONE_SCORES = ("model", "served", "persistence", "seasonal_naive_24h")


def _long(
    df: pl.DataFrame, index: list[str], values: list[str], **const: str | None
) -> pl.DataFrame:
    """``df`` unpivoted to (index..., metric, value), constants added, :data:`SCORE_SCHEMA`."""
    have = [v for v in values if v in df.columns]
    if df.height == 0 or not have:
        return pl.DataFrame(schema=SCORE_SCHEMA)
    long = df.select(*index, *(pl.col(v).cast(pl.Float64) for v in have)).unpivot(
        index=index, on=have, variable_name="metric", value_name="value"
    )
    long = long.with_columns(pl.lit(v).alias(k) for k, v in const.items())
    return long.select(
        pl.col(c).cast(t) if c in long.columns else pl.lit(None, dtype=t).alias(c)
        for c, t in SCORE_SCHEMA.items()
    )


def backtest_scores(fits: list[EngagementFit], energy: EnergyFit) -> pl.DataFrame:
    """Every forecast backtest's scores in one long frame (:data:`SCORE_SCHEMA`), as stored
    with the run (``backtest_scores``): engagement per series, cut-off and metric (the
    method that served each series at that cut-off); energy per zone (``metric`` ``mae``
    per method, ``coverage_80`` of the served band) and per horizon bucket (``mae``,
    ``mape`` and ``n`` per method). Series the backtest could not score have no rows."""
    parts = [pl.DataFrame(schema=SCORE_SCHEMA)]
    for f in fits:
        if f.per_series is None or "mase" not in f.per_series.columns:
            continue
        # the rows the run's summary averages (models.backtest): scored, with a finite MASE
        ok = f.per_series.filter(pl.col("backtestable") & pl.col("mase").is_finite())
        ok = ok.rename({"series_id": "series"})
        parts.append(
            _long(
                ok,
                ["series", "cutoff", "method"],
                list(ENGAGEMENT_SCORES),
                target="engagements",
                step=f.step,
            )  # fmt: skip
        )
    for target, per in energy.per_zone.items():
        z = per.rename({"zone": "series"})
        mae = _long(z, ["series"], list(ENERGY_ZONE_SCORES), target=target)
        parts.append(
            mae.with_columns(pl.col("metric").alias("method"), pl.lit("mae").alias("metric"))
        )
        parts.append(_long(z, ["series"], ["coverage_80"], target=target, method="served"))
        h = energy.by_horizon[target].rename({"zone": "series"})
        parts.append(_long(h, ["series", "bucket", "method"], ["mae", "mape", "n"], target=target))
    return pl.concat(parts, how="vertical_relaxed")


def run_params(horizon: int, n_cutoffs: int, by_topic: bool) -> dict[str, Any]:
    """The run's parameters as stored (``model_runs.params``)."""
    return {
        "horizon_hours": horizon,
        "n_cutoffs": n_cutoffs,
        "by_topic": by_topic,
        "engagement": EngagementForecaster(horizon=horizon).get_params(),
        "energy": EnergyForecaster(horizon=horizon).get_params(),
    }
