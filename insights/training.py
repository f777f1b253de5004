"""The ``train`` stage: warehouse -> series -> backtests -> fitted models -> stored forecasts.

IO at the edges only: read series under a shared lock, compute without holding
it, then write the run, its metrics and its forecasts in one transaction.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import sklearn

from insights import InsightsError, __version__, brands, sql, warehouse
from insights.models.backtest import backtest, backtest_plan
from insights.models.energy import EnergyForecaster
from insights.models.persist import models_dir_for, prune_models, save_model

# the series id helpers live with the series (models layer), where recommend reads them too
from insights.models.series_grid import (  # noqa: F401  (series ids: re-exported, used by callers)
    SEP,
    infer_step,
    series_id_expr,
    series_id_sql,
)
from insights.models.trend import EngagementForecaster

ENERGY_TARGETS = ["renewable_pct", "carbon_intensity_direct"]
MAX_BRIDGE_HOURS = 28 * 24  # older data is too stale to forecast from: retrain with new data


def load_engagement_series(
    db: str | None, by_topic: bool = False, weeks: int = 60, client: str | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(long series ``series_id, ts, y, region, channel``, meta ``series_id, tz, country``)
    of brand ``client`` (default: see :func:`insights.warehouse.read`)."""
    keys = series_id_sql("region", "channel", *(["coalesce(topic, '')"] if by_topic else []))
    with warehouse.read(db, client=client) as con:
        n = sql.one(con, "SELECT count(*) FROM consumption")[0]
        if n == 0:
            raise InsightsError("no consumption data in the warehouse; run `insights ingest` first")
        y = sql.frame(
            con,
            f"""SELECT {keys} AS series_id, ts_utc AS ts,
                sum(engagements) AS y, region, channel
            FROM consumption GROUP BY ALL""",
        )
        meta = sql.frame(
            con,
            f"""SELECT DISTINCT {keys} AS series_id,
                coalesce(r.tz, 'UTC') AS tz, coalesce(r.country, '') AS country
            FROM consumption c LEFT JOIN regions r USING (region)""",
        )
    # hourly series: only the recent weeks the model and its backtest use
    by_step = split_by_step(y.select("series_id", "ts", "y"))
    hourly_ids = by_step["1h"]["series_id"].unique() if "1h" in by_step else []
    end = pl.col("ts").max().over("series_id")
    y = y.filter(
        ~pl.col("series_id").is_in(hourly_ids) | (pl.col("ts") > end - pl.duration(days=weeks * 7))
    )
    y = y.with_columns(pl.col("ts").dt.convert_time_zone("UTC"))
    return y, meta


def load_energy(db: str | None, client: str | None = None) -> pl.DataFrame:
    with warehouse.read(db, client=client) as con:
        df = sql.frame(
            con,
            f"""SELECT zone, ts_utc AS ts, {", ".join(ENERGY_TARGETS)}
            FROM energy WHERE renewable_pct IS NOT NULL OR carbon_intensity_direct IS NOT NULL
            """,
        )
    return df.with_columns(pl.col("ts").dt.convert_time_zone("UTC"))


def split_by_step(y: pl.DataFrame) -> dict[str, pl.DataFrame]:
    steps = {
        sid: infer_step(g["ts"]) for (sid,), g in y.partition_by("series_id", as_dict=True).items()
    }
    tagged = y.with_columns(pl.col("series_id").replace_strict(steps).alias("_step"))
    return {s: g.drop("_step") for (s,), g in tagged.partition_by("_step", as_dict=True).items()}


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


def train(
    db: str | None = None,
    horizon: int = 168,
    n_cutoffs: int = 3,
    by_topic: bool = False,
    models_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
    client: str = brands.DEFAULT,
) -> dict:
    """:func:`_train` for brand ``client``, leaving no model file behind when the run is not stored (a full disk,
    read-only storage, an error): its files are removed, and a storage failure is one line
    (:class:`insights.InsightsError`) instead of a traceback.

    A brand other than ``'default'`` keeps its model files in a folder of its own inside
    the models folder, so that pruning one brand's old runs never deletes another's."""
    client = brands.check(client)
    models_dir = models_dir or models_dir_for(warehouse.db_path(db))
    if client != brands.DEFAULT:
        models_dir = models_dir / client
    before = set(models_dir.glob("*.pkl")) if models_dir.is_dir() else set()
    try:
        return _train(db, horizon, n_cutoffs, by_topic, models_dir, progress, client)
    except BaseException as exc:
        if models_dir.is_dir():
            for f in set(models_dir.glob("*.pkl")) - before:
                f.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, InsightsError):
            raise warehouse.storage_error(Path(exc.filename or models_dir), exc) from None
        raise


def _train(
    db: str | None,
    horizon: int,
    n_cutoffs: int,
    by_topic: bool,
    models_dir: Path | None,
    progress: Callable[[str], None] | None,
    client: str = brands.DEFAULT,
) -> dict:
    """Backtest, fit and store engagement and energy models; return the run's summary.

    Models are saved beside the warehouse (``<warehouse>.models/``, see
    :mod:`insights.models.persist`), older runs' files pruned. Series too short to
    backtest are listed in ``not_backtested`` (with the reason) and still forecast,
    by the fallback in ``fallbacks``; with none backtestable the metrics are ``None``.
    """
    models_dir = models_dir or models_dir_for(warehouse.db_path(db))
    t0 = time.perf_counter()
    if models_dir is None:  # beside the warehouse (data/models), wherever the process runs
        from insights.warehouse import db_path

        models_dir = db_path(db).parent / "models"
    bar = None
    if progress is None:  # called from a notebook: tqdm's notebook bar, one step a stage
        from insights.progress import notebook_bar

        bar = notebook_bar(None, "train")
    say = progress or bar or (lambda _msg: None)
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    y, meta = load_engagement_series(db, by_topic, client=client)
    # Data that ends before now: the final models forecast through the gap as well, so
    # recommendations are for the coming days (backtests keep the requested horizon).
    gap = int((datetime.now(UTC) - y["ts"].max()).total_seconds() // 3600)
    bridge = gap if 0 < gap <= MAX_BRIDGE_HOURS else 0
    labels = y.select("series_id", "region", "channel").unique("series_id")
    forecasts, summaries, fallbacks, chosen, not_backtested = [], {}, {}, {}, {}
    fallback_reasons: dict[str, str] = {}
    for step, part in split_by_step(y.select("series_id", "ts", "y")).items():
        h = horizon if step == "1h" else max(1, horizon // 24)
        # a short history is backtested on shorter horizons (stated in the summary)
        plan = backtest_plan(part, h, n_cutoffs)
        est = EngagementForecaster(horizon=plan["horizon"])
        say(f"backtesting {part['series_id'].n_unique()} {step} series over {n_cutoffs} cut-offs")
        bt = backtest(est, part, meta, n_cutoffs=n_cutoffs)
        if plan["note"]:
            bt.summary["backtest_note"] = plan["note"]
        say("fitting the final engagement model")
        # intervals calibrated on the backtest's residuals: data the models had not seen
        h_final = h + (bridge if step == "1h" else -(-bridge // 24))
        model = EngagementForecaster(horizon=h_final).fit(part, meta, residuals=bt.residuals)
        save_model(model, models_dir / f"{run_id}-engagement-{step}.pkl")
        prune_models(models_dir)
        fc = model.predict()
        forecasts.append(
            fc.join(labels, on="series_id", how="left").with_columns(
                pl.lit("engagements").alias("target"), pl.lit(None, dtype=pl.Utf8).alias("zone")
            )
        )
        summaries[step] = bt.summary
        not_backtested.update(_why_not_backtested(part, bt.per_series))
        fallbacks.update({s: m for s, m in model.method_.items() if m != "global"})
        # why: a history too short for the model, or the backtest's choice (models.selection)
        fallback_reasons.update(
            {
                s: "short history" if "short" in model.flags_.get(s, []) else "chosen by backtest"
                for s in model.method_
                if model.method_[s] != "global"
            }
        )
        chosen[step] = dict(pl.Series(list(model.method_.values())).value_counts().rows())
    energy_metrics = {}
    energy = load_energy(db, client)
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
            energy_metrics[target] = {
                "mae": ebt.mae,
                "per_zone": ebt.per_zone.to_dicts(),
                "by_horizon": ebt.by_horizon.to_dicts(),
            }
            eresid = ebt.residuals  # intervals calibrated on the backtest's unseen forecasts
        except ValueError as exc:
            energy_metrics[target] = {"skipped": str(exc)}
        try:
            # the grid data can end earlier than the audience data (CENACE publishes whole
            # local days): forecast far enough that every engagement hour has a grid value
            e_gap = int((datetime.now(UTC) - df["ts"].max()).total_seconds() // 3600)
            e_bridge = max(bridge, e_gap if 0 < e_gap <= MAX_BRIDGE_HOURS else 0)
            efc = EnergyForecaster(horizon=horizon + e_bridge).fit(df, residuals=eresid).predict()
            if target == "renewable_pct":
                efc = efc.with_columns(pl.col("yhat_hi").clip(upper_bound=100.0))
        except ValueError as exc:
            energy_metrics.setdefault(target, {})["forecast_skipped"] = str(exc)
            continue
        forecasts.append(
            efc.select(
                pl.lit(None, dtype=pl.Utf8).alias("series_id"),
                "ts",
                "yhat",
                "yhat_lo",
                "yhat_hi",
                pl.lit("energy").alias("method"),
                pl.lit(None, dtype=pl.Utf8).alias("region"),
                pl.lit(None, dtype=pl.Utf8).alias("channel"),
                pl.lit(target).alias("target"),
                pl.col("series_id").alias("zone"),
            )
        )
    main = summaries.get("1h") or next(iter(summaries.values()))
    metrics = {
        "run_id": run_id,
        "client": client,
        "n_series": int(y["series_id"].n_unique()),
        "mase": main.get("mase"),
        "mase_seasonal_naive": main.get("mase_seasonal_naive"),
        "relative_mae": main.get("relative_mae"),
        "smape": main.get("smape"),
        "coverage_80": main.get("coverage_80"),
        "by_frequency": summaries,
        "fallbacks": fallbacks,  # series not served by the global model, and what serves them
        "fallback_reasons": fallback_reasons,  # "short history" or "chosen by backtest"
        "chosen": chosen,  # series per forecast chosen by the backtest (models.selection)
        "not_backtested": not_backtested,
        "energy": energy_metrics,
        "interval": "split conformal (finite-sample 10th/90th percentiles of out-of-sample "
        "log residuals, per series or pooled)",
    }
    params = {
        "horizon_hours": horizon,
        "n_cutoffs": n_cutoffs,
        "by_topic": by_topic,
        "engagement": EngagementForecaster(horizon=horizon).get_params(),
        "energy": EnergyForecaster(horizon=horizon).get_params(),
    }
    fc_all = pl.concat(
        [
            f.select(
                "series_id",
                "region",
                "channel",
                "zone",
                "target",
                "ts",
                "yhat",
                "yhat_lo",
                "yhat_hi",
                "method",
            )
            for f in forecasts
        ]
    )
    metrics["seconds"] = round(time.perf_counter() - t0, 1)
    with warehouse.write(db, client=client) as con:  # the run and forecasts: client's
        con.execute("BEGIN TRANSACTION")
        con.execute(
            """INSERT INTO model_runs (run_id, kind, created_at, params, metrics,
                package_version, sklearn_version, data_start, data_end)
            VALUES (?, 'trend+energy', now(), ?, ?, ?, ?, ?, ?)""",
            [
                run_id,
                json.dumps(params),
                json.dumps(metrics, default=str),
                __version__,
                sklearn.__version__,
                y["ts"].min(),
                y["ts"].max(),
            ],
        )
        con.register("_fc", fc_all.with_columns(pl.lit(run_id).alias("run_id")).to_arrow())
        con.execute("""INSERT INTO forecasts (run_id, target, series_id, region, channel, zone,
            ts_utc, yhat, yhat_lo, yhat_hi, method)
            SELECT run_id, target, series_id, region, channel, zone, ts, yhat, yhat_lo, yhat_hi,
                   method FROM _fc""")
        con.execute("COMMIT")
    if bar is not None:
        bar.close()
    return metrics
