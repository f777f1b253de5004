"""Calendar features in each series' own local time, with its country's holidays."""

from __future__ import annotations

import functools

import holidays
import polars as pl


@functools.cache
def holiday_dates(country: str, years: tuple[int, ...]) -> list:
    """Public holidays (``datetime.date``) of an ISO 3166 country in ``years`` (``holidays``);
    empty for an unknown or missing country."""
    if not country or country == "XX":
        return []
    try:
        return list(holidays.country_holidays(country, years=years).keys())
    except NotImplementedError:
        return []


def add_calendar(df: pl.DataFrame, meta: pl.DataFrame) -> pl.DataFrame:
    """Add ``hour``, ``dow``, ``how`` (hour of week), ``weekend``, ``holiday`` in local time.

    ``df`` has ``series_id`` and ``ts`` (UTC); ``meta`` maps ``series_id`` to ``tz``
    and ``country``.
    """
    years = tuple(range(df["ts"].dt.year().min() or 2000, (df["ts"].dt.year().max() or 2000) + 1))
    parts = []
    joined = df.join(meta.select("series_id", "tz", "country"), on="series_id", how="left")
    for (tz, country), part in joined.partition_by(["tz", "country"], as_dict=True).items():
        local = pl.col("ts").dt.convert_time_zone(tz or "UTC")
        days_off = holiday_dates(country or "", years)
        parts.append(
            part.with_columns(
                local.dt.hour().cast(pl.Int16).alias("hour"),
                (local.dt.weekday() - 1).cast(pl.Int16).alias("dow"),
                local.dt.date().is_in(days_off).alias("holiday"),
            )
        )
    out = pl.concat(parts) if parts else joined
    return out.with_columns(
        (pl.col("dow") * 24 + pl.col("hour")).alias("how"),
        (pl.col("dow") >= 5).alias("weekend"),
    ).drop("tz", "country")
