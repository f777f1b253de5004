"""The real reference series as the forecaster sees them: long frames and their meta.

Shared by the accuracy tests and ``benchmarks/real_series.py``.
"""

from __future__ import annotations

import polars as pl

from tests.conftest import REF


def nab_hourly() -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """NAB Twitter mention volumes (5-minute counts) summed per hour; 10 tickers, ~9 weeks."""
    frames = []
    for f in sorted((REF / "consumption" / "nab_twitter_volume_5min").glob("*.csv")):
        df = pl.read_csv(f, try_parse_dates=True).with_columns(
            pl.col("timestamp").dt.replace_time_zone("UTC")
        )
        frames.append(
            df.group_by(pl.col("timestamp").dt.truncate("1h").alias("ts"))
            .agg(pl.col("value").sum().cast(pl.Float64).alias("y"))
            .with_columns(pl.lit(f.stem).alias("series_id"))
        )
    return pl.concat(frames).select("series_id", "ts", "y"), None


def ons_hourly() -> tuple[pl.DataFrame, pl.DataFrame]:
    """ONS hourly load of Brazil's four subsystems, 2022 to Nov 2024, Brasília time to UTC,
    with Brazil's holidays as the pipeline's regions table would give them."""
    frames = [
        pl.read_csv(f, separator=";", try_parse_dates=True)
        for f in sorted((REF / "energy" / "ons_brazil_hourly_load").glob("*.csv"))
    ]
    y = pl.concat(frames).select(
        pl.col("id_subsistema").alias("series_id"),
        pl.col("din_instante")
        .dt.replace_time_zone("America/Sao_Paulo", ambiguous="earliest")
        .dt.convert_time_zone("UTC")
        .alias("ts"),
        pl.col("val_cargaenergiahomwmed").alias("y"),
    )
    meta = pl.DataFrame(
        {"series_id": y["series_id"].unique().sort(), "tz": "America/Sao_Paulo", "country": "BR"}
    )
    return y, meta


def wiki_daily() -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Daily Wikipedia page views (the Prophet examples store their logs; exp gives views)."""
    frames = []
    for f in sorted((REF / "consumption" / "wikipedia_pageviews_prophet").glob("*.csv")):
        df = pl.read_csv(f, try_parse_dates=True)
        frames.append(
            df.select(
                pl.lit(f.stem.removeprefix("example_wp_log_")).alias("series_id"),
                pl.col("ds").cast(pl.Datetime("us", "UTC")).alias("ts"),
                pl.col("y").exp().alias("y"),
            )
        )
    return pl.concat(frames), None


def ons_last_weeks(weeks: int = 12) -> tuple[pl.DataFrame, pl.DataFrame]:
    """ONS hourly load cut to its last ``weeks`` weeks: a smooth series with a short history."""
    y, meta = ons_hourly()
    end = pl.col("ts").max().over("series_id")
    return y.filter(pl.col("ts") > end - pl.duration(weeks=weeks)), meta


def demo_hourly(days: int = 180, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The demo generator's region x channel engagement series (what ``make demo`` trains on),
    ending 2026-01-05, with each region's time zone and Mexico's holidays."""
    from datetime import datetime

    from insights.demo_data import _hours, consumption_frame
    from insights.regions import load_regions

    cons = consumption_frame(_hours(datetime(2026, 1, 5), days), seed)
    y = (
        cons.group_by("region", "channel", "timestamp")
        .agg(pl.col("engagements").sum().cast(pl.Float64).alias("y"))
        .select(
            pl.concat_str("region", "channel", separator=" | ").alias("series_id"),
            pl.col("timestamp").alias("ts"),
            "y",
            "region",
        )
    )
    regions = load_regions().select("region", "tz", "country")
    meta = (
        y.select("series_id", "region")
        .unique()
        .join(regions, on="region", how="left")
        .select("series_id", pl.col("tz").fill_null("UTC"), pl.col("country").fill_null("MX"))
    )
    return y.drop("region"), meta
