"""Model runs and what they stored: the latest run, its forecasts, recommendation runs.

"The latest run" is the newest row of ``model_runs`` by ``created_at`` (of the brand the
connection reads: :func:`insights.warehouse.read` scopes the table). It is written once,
here (:data:`LATEST_RUN_ID`, :func:`latest_run`); every reader of the package uses it.
"""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from insights import sql

_LATEST = "FROM model_runs ORDER BY created_at DESC LIMIT 1"

#: A scalar subquery: the latest run's id (NULL before the first ``insights train``), for
#: queries that filter on it (``WHERE run_id = {LATEST_RUN_ID}``).
LATEST_RUN_ID = f"(SELECT run_id {_LATEST})"


def latest_run(con: duckdb.DuckDBPyConnection, *columns: str) -> tuple[Any, ...] | None:
    """The latest run's ``columns`` (SQL expressions over ``model_runs``; default
    ``run_id``) as one row, ``None`` before the first ``insights train``."""
    return sql.one(con, f"SELECT {', '.join(columns or ('run_id',))} {_LATEST}")


def latest_run_id(con: duckdb.DuckDBPyConnection) -> str | None:
    """The latest run's id, ``None`` before the first ``insights train``."""
    row = latest_run(con)
    return None if row is None else row[0]


def engagement_forecasts(con: duckdb.DuckDBPyConnection, run_id: str) -> pl.DataFrame:
    """Run ``run_id``'s engagement forecasts: ``region, channel, ts`` (UTC hour), ``yhat,
    yhat_lo, yhat_hi`` (engagements per hour, 90 % interval) and ``method``."""
    return sql.frame(
        con,
        """SELECT region, channel, ts_utc AS ts, yhat, yhat_lo, yhat_hi, method
        FROM forecasts WHERE run_id = ? AND target = 'engagements'""",
        [run_id],
    )


def energy_forecasts(con: duckdb.DuckDBPyConnection, run_id: str) -> pl.DataFrame:
    """Run ``run_id``'s grid forecasts, one row per zone and UTC hour ``ts``:
    ``renewable_pct`` (%) and ``carbon_intensity`` (direct, gCO2eq/kWh), each with its
    ``_low``/``_high`` interval bounds."""
    return sql.frame(
        con,
        """SELECT zone, ts_utc AS ts,
            first(yhat) FILTER (target = 'renewable_pct') AS renewable_pct,
            first(yhat) FILTER (target = 'carbon_intensity_direct') AS carbon_intensity,
            first(yhat_lo) FILTER (target = 'renewable_pct') AS renewable_pct_low,
            first(yhat_hi) FILTER (target = 'renewable_pct') AS renewable_pct_high,
            first(yhat_lo) FILTER (target = 'carbon_intensity_direct') AS carbon_intensity_low,
            first(yhat_hi) FILTER (target = 'carbon_intensity_direct') AS carbon_intensity_high
        FROM forecasts WHERE run_id = ? AND zone IS NOT NULL GROUP BY ALL""",
        [run_id],
    )


def insert_recommendations(con: duckdb.DuckDBPyConnection, recs: pl.DataFrame) -> None:
    """Append a recommendation run (a write connection): ``recs`` carries the columns of
    ``recommendations`` it has, by name (``run_id``, ``params``, ``start_utc`` as a UTC
    timestamp, ...); ``created_at`` is now, ``client`` the connection's brand."""
    con.register("_recs", recs.to_arrow())
    try:
        con.execute("INSERT INTO recommendations BY NAME SELECT *, now() AS created_at FROM _recs")
    finally:
        con.unregister("_recs")
