"""The platform evidence tables: their columns, reading them, and loading frames for tests.

``posts``, ``audience_activity``, ``audience_shares`` and ``daily_series`` are filled by the
platform-export readers; their columns are a contract shared with those readers (names and
types below, exactly). This module only reads them, and for tests and the synthetic demo
writes frames into them (``CREATE TABLE IF NOT EXISTS`` with exactly these columns).
"""

from __future__ import annotations

import polars as pl

from insights import sql
from insights.platform_schema import PLATFORM_SCHEMA

DDL = {
    "posts": """CREATE TABLE IF NOT EXISTS posts (
        platform VARCHAR, account VARCHAR, post_id VARCHAR, published_utc TIMESTAMPTZ,
        post_type VARCHAR, channel VARCHAR, region VARCHAR, impressions BIGINT, reach BIGINT,
        views BIGINT, likes BIGINT, comments BIGINT, shares BIGINT, saves BIGINT,
        engagements BIGINT, source VARCHAR, file_sha256 VARCHAR, exported_at TIMESTAMPTZ)""",
    "audience_activity": """CREATE TABLE IF NOT EXISTS audience_activity (
        platform VARCHAR, channel VARCHAR, weekday SMALLINT, hour_local SMALLINT, tz VARCHAR,
        value DOUBLE, metric VARCHAR, source VARCHAR, file_sha256 VARCHAR)""",
    "audience_shares": """CREATE TABLE IF NOT EXISTS audience_shares (
        platform VARCHAR, channel VARCHAR, geo VARCHAR, geo_level VARCHAR, metric VARCHAR,
        value DOUBLE, share DOUBLE, source VARCHAR, file_sha256 VARCHAR)""",
    "daily_series": """CREATE TABLE IF NOT EXISTS daily_series (
        day DATE, platform VARCHAR, channel VARCHAR, region VARCHAR, metric VARCHAR,
        value DOUBLE, source VARCHAR, file_sha256 VARCHAR)""",
}
COLUMNS = PLATFORM_SCHEMA
KEYS = {"posts": ("platform", "post_id")}


def conform(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with exactly ``table``'s columns, in order and type (missing ones null).
    Raises ``ValueError`` naming columns the table does not have."""
    cols = COLUMNS[table]
    extra = [c for c in frame.columns if c not in cols]
    if extra:
        raise ValueError(f"{table}: no column {', '.join(extra)}")
    return frame.select(
        [
            pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c)
            for c, t in cols.items()
        ]
    )


def load_frame(con, table: str, frame: pl.DataFrame) -> int:
    """Create ``table`` if needed and add ``frame``'s rows (``posts``: a post already there,
    same ``(platform, post_id)``, is replaced: a re-export carries newer lifetime totals).
    Returns the rows written. One transaction: on error the table is as it was."""
    rows = conform(table, frame)
    con.execute("BEGIN")
    try:
        con.execute(DDL[table])
        sql.register(con, "_evidence_rows", rows)
        if table in KEYS:
            on = " AND ".join(f"t.{k} = n.{k}" for k in KEYS[table])
            con.execute(f"DELETE FROM {table} t USING _evidence_rows n WHERE {on}")
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _evidence_rows")
        con.unregister("_evidence_rows")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return rows.height


def read_table(con, table: str) -> pl.DataFrame | None:
    """The table's rows (``TIMESTAMPTZ`` in UTC), or ``None`` when the warehouse has no such
    table (made before the platform readers existed) or it is empty."""
    exists = sql.one(
        con, "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
    )[0]
    if not exists:
        return None
    have = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
    # a column the contract adds later reads as null from an older table
    sel = ", ".join(c if c in have else f"NULL AS {c}" for c in COLUMNS[table])
    df = sql.frame(con, f"SELECT {sel} FROM {table}")
    if df.height == 0:
        return None
    return conform(table, df).with_columns(
        [
            pl.col(c).dt.convert_time_zone("UTC")
            for c, t in COLUMNS[table].items()
            if isinstance(t, pl.Datetime)
        ]
    )


def read_evidence(con) -> dict[str, pl.DataFrame | None]:
    """Every evidence table (``None`` for those absent or empty)."""
    return {t: read_table(con, t) for t in DDL}


def without_forecasts(con, evidence: dict) -> dict:
    """The forecasts dict (:func:`insights.recommend.io.latest_forecasts_from`) of a
    warehouse that holds platform evidence but no model run: no forecast, no grid forecast
    (slots are then ranked by engagement alone), the regions table, and ``evidence``."""
    eng = pl.DataFrame(
        schema={"region": pl.Utf8, "channel": pl.Utf8, "ts": pl.Datetime("us", "UTC"),
                "yhat": pl.Float64, "yhat_lo": pl.Float64, "yhat_hi": pl.Float64}
    )  # fmt: skip
    energy = pl.DataFrame(
        schema={"zone": pl.Utf8, "ts": pl.Datetime("us", "UTC"), "renewable_pct": pl.Float64,
                "carbon_intensity": pl.Float64}
    )  # fmt: skip
    return {
        "run_id": None,
        "engagement": eng,
        "energy": energy,
        "regions": sql.frame(con, "SELECT region, grid_zone, tz FROM regions"),
        "data_end": None,
        "energy_end": None,
        "evidence": evidence,
    }
