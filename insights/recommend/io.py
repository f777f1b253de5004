"""Reading the latest forecasts from the warehouse and storing recommendation runs."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime

import polars as pl

from insights import InsightsError, deferred, sql, warehouse
from insights.models.series_grid import series_id_expr
from insights.warehouse import runs

log = logging.getLogger(__name__)


def _utc(df: pl.DataFrame, col: str = "ts") -> pl.DataFrame:
    return df.with_columns(pl.col(col).dt.convert_time_zone("UTC"))


def latest_forecasts(db: str | None, client: str | None = None) -> dict:
    """``{run_id, engagement, energy, regions, pairs, data_end, energy_end}`` of the newest
    model run; ``engagement`` carries each row's ``method`` (``profile``: the pooled
    hour-of-week profile); ``pairs``: every ``region, channel`` with consumption data; all of
    brand ``client`` (default: see :func:`insights.warehouse.read`)."""
    with warehouse.read(db, client=client) as con:
        return latest_forecasts_from(con)


def latest_forecasts_from(con) -> dict:
    """:func:`latest_forecasts` over an open (read) connection."""
    from insights.recommend.evidence_tables import read_evidence, without_forecasts

    evidence = read_evidence(con)  # platform exports: pairs without forecasts (issue 25)
    run = runs.latest_run(con, "run_id", "data_end")
    if run is None and any(v is not None for v in evidence.values()):
        return without_forecasts(con, evidence)
    if run is None:
        raise InsightsError("no forecasts yet; run `insights train` first")
    run_id = run[0]
    eng = runs.engagement_forecasts(con, run_id)
    energy = runs.energy_forecasts(con, run_id)
    regions = sql.frame(con, "SELECT region, grid_zone, tz FROM regions")
    # every pair with data, trained or not: a pair left out of an answer is named with why
    pairs = sql.frame(
        con,
        "SELECT DISTINCT region, channel FROM consumption WHERE region IS NOT NULL "
        "AND channel IS NOT NULL ORDER BY ALL",
    )
    data_end = sql.one(con, "SELECT max(ts_utc)::VARCHAR FROM consumption")[0]
    energy_end = sql.one(con, "SELECT max(ts_utc)::VARCHAR FROM energy")[0]
    return {
        "run_id": run_id,
        "engagement": _utc(eng),
        "energy": _utc(energy) if energy.height else energy,
        "regions": regions,
        "pairs": pairs,
        "data_end": data_end,
        "energy_end": energy_end,
        "evidence": evidence,
    }


def store_recommendations(
    db: str | None, recs: pl.DataFrame, params: dict, client: str | None = None
) -> str | None:
    """Store a recommendation run of brand ``client``; its id. On read-only storage nothing is stored: a note
    logged (warning) and ``None`` (recommending only reads the warehouse). Inside a report's
    kernel the run is held and stored by the report once its pages are written
    (:mod:`insights.deferred`), under the same id."""
    if not warehouse.writable(db):
        log.warning("insights: %s is read-only; recommendations not stored", warehouse.db_path(db))
        return None
    rec_id = datetime.now(UTC).strftime("rec-%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]
    meta = {"db": str(warehouse.db_path(db)), "params": params, "client": client, "id": rec_id}
    if deferred.hold("recommendations", recs, meta):
        return rec_id
    insert_recommendations(db, recs, params, client, rec_id)
    return rec_id


def insert_recommendations(
    db: str | None, recs: pl.DataFrame, params: dict, client: str | None, rec_id: str
) -> None:
    """Write recommendation run ``rec_id`` (``recs``, as :func:`store_recommendations`
    takes it) in one statement."""
    with warehouse.write(db, client=client) as con:
        runs.insert_recommendations(
            con,
            recs.with_columns(
                pl.lit(rec_id).alias("run_id"),
                pl.lit(json.dumps(params, default=str)).alias("params"),
                pl.col("start_utc").str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_zone="UTC"),
            ),
        )


def load_backtest_inputs(db: str | None, weeks: int, load_zone: str | None = None) -> dict:
    """Actual engagement (or a zone's load as the audience stand-in), actual grid, regions."""
    days = 7 * (weeks + 20)
    with warehouse.read(db) as con:
        regions = sql.frame(con, "SELECT region, grid_zone, tz, country FROM regions")
        energy = sql.frame(
            con,
            """SELECT zone, ts_utc AS ts, renewable_pct,
                carbon_intensity_direct AS carbon_intensity, load_mw FROM energy
            WHERE ts_utc > (SELECT max(ts_utc) FROM energy) - to_days(?)""",
            [days + 200],
        )
        if load_zone is None:
            actual = sql.frame(
                con,
                """SELECT region, channel, ts_utc AS ts, sum(engagements) AS y
                FROM consumption WHERE ts_utc > (SELECT max(ts_utc) FROM consumption) - to_days(?)
                GROUP BY ALL""",
                [days],
            )
    energy = _utc(energy)
    if load_zone is not None:
        zone_regions = regions.filter(pl.col("grid_zone") == load_zone)
        if (
            zone_regions.height == 0
            or energy.filter(pl.col("zone") == load_zone)["load_mw"].null_count()
            == energy.filter(pl.col("zone") == load_zone).height
        ):
            raise InsightsError(f"--audience-from-load {load_zone}: no load data for that zone")
        name = f"{load_zone} load"
        regions = pl.concat(
            [regions, zone_regions.head(1).with_columns(pl.lit(name).alias("region"))]
        )
        actual = energy.filter(pl.col("zone") == load_zone, pl.col("load_mw").is_not_null()).select(
            pl.lit(name).alias("region"),
            pl.lit("grid_load").alias("channel"),
            "ts",
            pl.col("load_mw").alias("y"),
        )
        # the audience stand-in is scored against the zone's own carbon data
        energy = energy.filter(pl.col("ts") <= actual["ts"].max())
    actual = _utc(actual)
    if actual.height == 0:
        raise InsightsError("no consumption data to backtest; run `insights ingest` first")
    meta = (
        actual.select(series_id_expr("region", "channel").alias("series_id"), "region")
        .unique()
        .join(regions, on="region", how="left")
        .select("series_id", pl.col("tz").fill_null("UTC"), pl.col("country").fill_null(""))
    )
    return {
        "actual": actual,
        "energy": energy.drop("load_mw").drop_nulls(["renewable_pct", "carbon_intensity"]),
        "regions": regions,
        "meta": meta,
    }
