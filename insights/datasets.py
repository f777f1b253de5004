"""Real hourly series shipped inside installed packages, as the forecaster's long frames.

Nothing is downloaded: each loader finds a CSV file inside an installed package
(without importing the package, which would pull in its heavy dependencies) and
returns ``(y, meta)``: ``y`` with ``series_id``, ``ts`` (UTC, microseconds) and
``y`` (float), ``meta`` with ``series_id``, ``tz`` and ``country`` as the
warehouse's regions table would give them. The packages are development and
benchmark extras (``Makefile``: installed without their dependencies, only the
data files are read); a missing one raises :class:`DatasetMissing` naming the
package to install.

Sources and layouts:

- ``ISLP/data/Bikeshare.csv`` (ISLP, the data of "An Introduction to Statistical
  Learning with Applications in Python"; ``ISLP.load_data('Bikeshare')`` reads the
  same file): 8,645 rows, one per hour with riders, of Capital Bikeshare in
  Washington, D.C. in 2011 (the UCI Bike Sharing data set's first year). Columns
  ``season, mnth, day, hr, holiday, weekday, workingday, weathersit, temp,
  atemp, hum, windspeed, casual, registered, bikers``: ``day`` is the day of the
  year (1-365; day 1 has ``weekday`` 6, Saturday, as 2011-01-01 was), ``hr`` the
  local hour (0-23, quoted), ``bikers = casual + registered``. Hours without
  riders are absent (8,645 of 8,760). Local time is America/New_York.
- ``plotnine/data/pageviews.csv`` (plotnine's example data; ``plotnine.data.
  pageviews`` reads the same file): ``date_hour`` (``YYYY-MM-DD HH:MM:SS``, no
  offset) and ``pageviews`` (float), 348 hours from 2013-02-11 to 2013-10-03 with
  gaps of hours to weeks (about 6 % of the span's hours are present). The file
  states no time zone: read as UTC.

>>> y, meta = bikeshare()  # doctest: +SKIP
>>> y.height, meta["tz"].to_list()  # doctest: +SKIP
(8645, ['America/New_York'])
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import polars as pl


class DatasetMissing(LookupError):
    """The package that ships a data set is not installed."""


def package_file(package: str, relative: str) -> Path:
    """Path of ``relative`` inside the installed ``package``, found without importing it.

    Raises :class:`DatasetMissing` when the package or the file is not there."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise DatasetMissing(f"{package} is not installed (pip install --no-deps {package})")
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.is_file():
        raise DatasetMissing(f"{path}: not found in the installed {package}")
    return path


def bikeshare(column: str = "bikers") -> tuple[pl.DataFrame, pl.DataFrame]:
    """Capital Bikeshare riders per hour in 2011 (``column``: ``bikers``, ``casual`` or
    ``registered``) as one series ``bikeshare``; US holidays (``country`` US)."""
    raw = pl.read_csv(package_file("ISLP", "data/Bikeshare.csv"), infer_schema_length=0)
    local = pl.datetime(2011, 1, 1) + pl.duration(
        days=pl.col("day").cast(pl.Int64) - 1, hours=pl.col("hr").cast(pl.Int64)
    )
    y = raw.select(
        pl.lit("bikeshare").alias("series_id"),
        # the spring-forward hour does not exist locally (absent from the file); the
        # fall-back hour appears once: its first reading
        local.dt.replace_time_zone("America/New_York", ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
        .alias("ts"),
        pl.col(column).cast(pl.Float64).alias("y"),
    ).drop_nulls("ts")
    return y, _meta(y, "America/New_York", "US")


def pageviews() -> tuple[pl.DataFrame, pl.DataFrame]:
    """plotnine's hourly page views (2013, with gaps) as one series ``pageviews``."""
    raw = pl.read_csv(package_file("plotnine", "data/pageviews.csv"), infer_schema_length=0)
    y = raw.select(
        pl.lit("pageviews").alias("series_id"),
        pl.col("date_hour").str.to_datetime("%Y-%m-%d %H:%M:%S", time_zone="UTC").alias("ts"),
        pl.col("pageviews").cast(pl.Float64).alias("y"),
    )
    return y, _meta(y, "UTC", "")


def cut_panel(y: pl.DataFrame, meta: pl.DataFrame, n: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One series cut into ``n`` consecutive pieces of equal time span, each its own series
    (``<id> #1`` ...): a small panel of series that end at different dates."""
    a, b = y["ts"].min(), y["ts"].max()
    width = (b - a).total_seconds() / n
    since = (pl.col("ts") - a).dt.total_seconds()
    piece = (since / width).floor().cast(pl.Int64).clip(0, n - 1) + 1
    out = y.with_columns(
        pl.concat_str(pl.col("series_id"), pl.lit(" #"), piece.cast(pl.Utf8)).alias("series_id")
    )
    ids = out["series_id"].unique().sort()
    row = meta.row(0, named=True)
    return out, pl.DataFrame({"series_id": ids, "tz": row["tz"], "country": row["country"]})


def _meta(y: pl.DataFrame, tz: str, country: str) -> pl.DataFrame:
    return pl.DataFrame({"series_id": y["series_id"].unique(), "tz": tz, "country": country})
