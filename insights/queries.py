"""Read-only views of the warehouse for notebooks and reports (IO edge; short shared locks)."""

from __future__ import annotations

import json

import polars as pl

from insights import sql, warehouse
from insights.warehouse import runs


def _utc(df: pl.DataFrame, *cols: str) -> pl.DataFrame:
    return df.with_columns([pl.col(c).dt.convert_time_zone("UTC") for c in cols])


def hour_weekday_profile(
    db: str | None, regions: list[str] | None = None, weeks: int = 8
) -> pl.DataFrame:
    """Mean hourly engagements by local weekday (0=Mon) and hour, per region.

    Daily-grain rows (``consumption.grain = 'day'``, daily aggregate exports) are left out:
    they have no hour of day to draw."""
    where = "AND c.region IN (SELECT unnest(?))" if regions else ""
    with warehouse.read(db) as con:
        has_grain = sql.one(  # warehouses written before the column existed lack it
            con,
            "SELECT count(*) FROM duckdb_columns() "
            "WHERE table_name = 'consumption' AND column_name = 'grain'",
        )[0]
        hourly = "AND grain IS DISTINCT FROM 'day'" if has_grain else ""
        return sql.frame(
            con,
            f"""
            SELECT c.region, (isodow(timezone(r.tz, c.ts_utc)) - 1)::INT AS dow,
                   hour(timezone(r.tz, c.ts_utc))::INT AS hour, avg(e) AS engagements
            FROM (SELECT region, ts_utc, sum(engagements) AS e FROM consumption
                  WHERE ts_utc > (SELECT max(ts_utc) FROM consumption) - to_weeks({weeks})
                    {hourly}
                  GROUP BY ALL) c
            JOIN regions r USING (region) WHERE true {where}
            GROUP BY ALL ORDER BY ALL""",
            [regions] if regions else [],
        )


def energy_hour_profile(db: str | None, weeks: int = 8) -> pl.DataFrame:
    """Mean renewable share and carbon intensity by local hour per grid zone."""
    with warehouse.read(db) as con:
        return sql.frame(
            con,
            f"""
            WITH tz AS (SELECT grid_zone, min(tz) AS tz FROM regions GROUP BY 1
                -- a national zone (CENACE's MX) reads in its country's most common zone
                UNION ALL SELECT country, mode(tz) FROM regions GROUP BY 1)
            SELECT e.zone, hour(timezone(coalesce(tz.tz, 'UTC'), e.ts_utc))::INT AS hour,
                   avg(renewable_pct) AS renewable_pct,
                   avg(carbon_intensity_direct) AS carbon_intensity
            FROM energy e LEFT JOIN tz ON tz.grid_zone = e.zone
            WHERE e.ts_utc > (SELECT max(ts_utc) FROM energy) - to_weeks({weeks})
              AND renewable_pct IS NOT NULL
            GROUP BY ALL ORDER BY ALL""",
        )


def series_with_forecast(
    db: str | None, region: str, channel: str, weeks: int = 3
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(recent actual hourly engagements, latest forecast with its interval) for one series."""
    with warehouse.read(db) as con:
        actual = sql.frame(
            con,
            f"""SELECT ts_utc AS ts, sum(engagements) AS y FROM consumption
            WHERE region = ? AND channel = ?
              AND ts_utc > (SELECT max(ts_utc) FROM consumption) - to_weeks({weeks})
            GROUP BY 1 ORDER BY 1""",
            [region, channel],
        )
        fc = sql.frame(
            con,
            f"""SELECT ts_utc AS ts, yhat, yhat_lo, yhat_hi FROM forecasts
            WHERE run_id = {runs.LATEST_RUN_ID}
              AND target = 'engagements' AND region = ? AND channel = ? ORDER BY 1""",
            [region, channel],
        )
    return _utc(actual, "ts"), _utc(fc, "ts")


def latest_run(db: str | None) -> dict | None:
    with warehouse.read(db) as con:
        row = runs.latest_run(con, "run_id", "created_at::VARCHAR", "params", "metrics")
    if row is None:
        return None
    return {
        "run_id": row[0],
        "created_at": row[1],
        "params": json.loads(row[2]),
        "metrics": json.loads(row[3]),
    }


def backtest_scores(db: str | None, run_id: str | None = None) -> pl.DataFrame:
    """The forecast backtests' scores stored with a model run (the newest when ``run_id`` is
    ``None``), as ``train`` computed them: ``target, step, series, cutoff, bucket, method,
    metric, value`` (see :func:`insights.training.fit.backtest_scores`); empty for a run
    trained before they were stored. Read, never recomputed."""
    with warehouse.read(db) as con:
        return sql.frame(
            con,
            """SELECT target, step, series, cutoff, bucket, method, metric, value
            FROM backtest_scores WHERE run_id = ? ORDER BY ALL""",
            [run_id or runs.latest_run_id(con)],
        )


def topic_consumption(db: str | None, weeks: int = 20) -> pl.DataFrame:
    with warehouse.read(db) as con:
        return _utc(
            sql.frame(
                con,
                f"""SELECT ts_utc, region, topic, engagements FROM consumption
            WHERE topic IS NOT NULL
              AND ts_utc > (SELECT max(ts_utc) FROM consumption) - to_weeks({weeks})""",
            ),
            "ts_utc",
        )


def search_interest(db: str | None) -> pl.DataFrame:
    with warehouse.read(db) as con:
        return sql.frame(con, "SELECT * FROM search_interest")
