"""The DuckDB warehouse: schema, and connections taken under the cross-process lock.

Open it only through :func:`read` and :func:`write`: they take the advisory lock
(shared or exclusive), open DuckDB, and close it again promptly so that
overlapping scheduled runs take turns instead of failing on DuckDB's file lock.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from insights import InsightsError
from insights.locking import warehouse_lock
from insights.regions import load_regions

DEFAULT_DB = Path("data/warehouse.duckdb")

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS consumption (
        ts_utc TIMESTAMPTZ NOT NULL, region VARCHAR NOT NULL, region_raw VARCHAR,
        region_known BOOLEAN, channel VARCHAR NOT NULL, topic VARCHAR,
        views DOUBLE, engagements DOUBLE, watch_seconds DOUBLE,
        source VARCHAR, file_sha256 VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS search_interest (
        ts DATE NOT NULL, ts_end DATE, resolution VARCHAR, geo VARCHAR, geo_raw VARCHAR,
        geo_known BOOLEAN, term VARCHAR, interest DOUBLE, export_id VARCHAR,
        scale_group VARCHAR, file_sha256 VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS energy (
        ts_utc TIMESTAMPTZ NOT NULL, zone VARCHAR NOT NULL,
        carbon_intensity_direct DOUBLE, carbon_intensity_lca DOUBLE,
        renewable_pct DOUBLE, low_carbon_pct DOUBLE, load_mw DOUBLE,
        estimated BOOLEAN, source VARCHAR, load_source VARCHAR, file_sha256 VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS regions (
        region VARCHAR PRIMARY KEY, country VARCHAR, grid_zone VARCHAR,
        grid_operator_code VARCHAR, tz VARCHAR, aliases VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS ingest_log (
        sha256 VARCHAR, path VARCHAR, kind VARCHAR, rows_read BIGINT, rows_loaded BIGINT,
        rows_rejected BIGINT, status VARCHAR, reason VARCHAR, pii_dropped VARCHAR,
        started_at TIMESTAMPTZ, seconds DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS rejects (
        file_sha256 VARCHAR, path VARCHAR, line BIGINT, reason VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS model_runs (
        run_id VARCHAR PRIMARY KEY, kind VARCHAR, created_at TIMESTAMPTZ, params JSON,
        metrics JSON, package_version VARCHAR, sklearn_version VARCHAR,
        data_start TIMESTAMPTZ, data_end TIMESTAMPTZ)""",
    """CREATE TABLE IF NOT EXISTS forecasts (
        run_id VARCHAR, target VARCHAR, series_id VARCHAR, region VARCHAR, channel VARCHAR,
        zone VARCHAR, ts_utc TIMESTAMPTZ, yhat DOUBLE, yhat_lo DOUBLE, yhat_hi DOUBLE,
        method VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS recommendations (
        run_id VARCHAR, created_at TIMESTAMPTZ, params JSON, rank INTEGER, region VARCHAR,
        channel VARCHAR, grid_zone VARCHAR, start_local VARCHAR, start_utc TIMESTAMPTZ,
        window_hours INTEGER, expected_engagement DOUBLE, engagement_low DOUBLE,
        engagement_high DOUBLE, renewable_pct DOUBLE, carbon_intensity DOUBLE,
        energy_availability DOUBLE, score DOUBLE, engagement_vs_best_pct DOUBLE,
        carbon_vs_best_pct DOUBLE)""",
]


def db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the warehouse path: explicit argument, then ``INSIGHTS_DB``, then the default.

    A relative path is found the same way from the CLI, papermill and JupyterLab
    (whose kernels start in ``notebooks/``): see :func:`insights.paths.resolve`.
    """
    from insights.paths import resolve

    return resolve(path or os.environ.get("INSIGHTS_DB") or DEFAULT_DB)


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    # The advisory lock covers insights processes; a foreign process (the duckdb
    # CLI, a stray notebook kernel) can still hold the file, so retry briefly.
    deadline = time.monotonic() + 30
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            con.execute("SET TimeZone='UTC'")
            # DuckDB prints its own progress bar by default; the CLI turns it on for terminals
            con.execute("SET enable_progress_bar = false")
            return con
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise InsightsError(f"{path}: cannot open warehouse ({exc})") from None
            time.sleep(0.2)


def _ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for stmt in SCHEMA:
        con.execute(stmt)
    # Regions are configuration (bundled table plus INSIGHTS_REGIONS): refresh on every write.
    con.register("_regions_src", load_regions().to_arrow())
    con.execute("DELETE FROM regions")
    con.execute("INSERT INTO regions SELECT * FROM _regions_src")
    con.unregister("_regions_src")


@contextlib.contextmanager
def write(path: str | os.PathLike[str] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """An exclusive, schema-initialised connection; closed (and the lock released) on exit."""
    p = db_path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with warehouse_lock(p, exclusive=True):
        con = _connect(p, read_only=False)
        try:
            _ensure_schema(con)
            yield con
        finally:
            con.close()


@contextlib.contextmanager
def read(path: str | os.PathLike[str] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A shared, read-only connection. Fails with a clear message when there is no warehouse."""
    p = db_path(path)
    if not p.exists():
        raise InsightsError(
            f"{p}: no warehouse yet; run `insights ingest PATH` (or `make demo`) first"
        )
    with warehouse_lock(p, exclusive=False):
        con = _connect(p, read_only=True)
        try:
            yield con
        finally:
            con.close()
