"""The ``train`` stage's IO: series read from the warehouse under a shared lock, model files
written beside it, the run, its metrics and its forecasts written in one transaction.
The computation between them is :mod:`insights.training.fit`'s."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import sklearn

from insights import InsightsError, __version__, sql, warehouse
from insights.models.persist import prune_models, save_model
from insights.models.series_grid import series_id_sql
from insights.training.fit import ENERGY_TARGETS, split_by_step


def load_engagement_series(
    db: str | None, by_topic: bool = False, weeks: int = 60, client: str | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(long series ``series_id, ts, y, region, channel``, meta ``series_id, tz, country``)
    of brand ``client`` (default: see :func:`insights.warehouse.read`).

    :raises InsightsError: when the warehouse holds no consumption data."""
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
    """The grid history ``zone, ts`` (UTC) and :data:`ENERGY_TARGETS`, hours with either."""
    with warehouse.read(db, client=client) as con:
        df = sql.frame(
            con,
            f"""SELECT zone, ts_utc AS ts, {", ".join(ENERGY_TARGETS)}
            FROM energy WHERE renewable_pct IS NOT NULL OR carbon_intensity_direct IS NOT NULL
            """,
        )
    return df.with_columns(pl.col("ts").dt.convert_time_zone("UTC"))


def save_engagement_model(model: Any, models_dir: Path, run_id: str, step: str) -> None:
    """Pickle one frequency's final model as ``<run_id>-engagement-<step>.pkl`` and prune
    older runs' files (:mod:`insights.models.persist`)."""
    save_model(model, models_dir / f"{run_id}-engagement-{step}.pkl")
    prune_models(models_dir)


def store_run(
    db: str | None,
    client: str,
    run_id: str,
    params: dict[str, Any],
    metrics: dict[str, Any],
    forecasts: pl.DataFrame,
    data_span: tuple[datetime, datetime],
    scores: pl.DataFrame | None = None,
) -> None:
    """Write the run (``model_runs``), its forecasts (``forecasts``, columns of
    :data:`insights.training.fit.FORECAST_COLUMNS`) and its backtests' scores
    (``backtest_scores``, :func:`insights.training.fit.backtest_scores`) in one
    transaction, as brand ``client``'s."""
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
                *data_span,
            ],
        )
        con.register("_fc", forecasts.with_columns(pl.lit(run_id).alias("run_id")).to_arrow())
        con.execute("""INSERT INTO forecasts (run_id, target, series_id, region, channel, zone,
            ts_utc, yhat, yhat_lo, yhat_hi, method)
            SELECT run_id, target, series_id, region, channel, zone, ts, yhat, yhat_lo, yhat_hi,
                   method FROM _fc""")
        if scores is not None and scores.height:
            con.register("_bs", scores.with_columns(pl.lit(run_id).alias("run_id")).to_arrow())
            con.execute("""INSERT INTO backtest_scores (run_id, target, step, series, cutoff,
                bucket, method, metric, value)
                SELECT run_id, target, step, series, cutoff, bucket, method, metric, value
                FROM _bs""")
        con.execute("COMMIT")
