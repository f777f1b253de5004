"""Series on a regular hourly or daily grid, and train/test splits at cut-offs.

>>> import polars as pl
>>> from datetime import datetime, UTC
>>> y = pl.DataFrame({"series_id": ["a", "a"],
...                   "ts": [datetime(2024, 1, 1, 0, tzinfo=UTC), datetime(2024, 1, 1, 3, tzinfo=UTC)],
...                   "y": [1.0, 4.0]})
>>> regular_grid(y, infer_step(y["ts"]))["y"].to_list()
[1.0, None, None, 4.0]
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

SEP = " | "


def _escape_sql(col: str) -> str:
    return f"replace(replace({col}, '\\', '\\\\'), '|', '\\|')"


def series_id_sql(*cols: str) -> str:
    """SQL for a series id joining ``cols`` with :data:`SEP`, each part escaped (``\\`` and
    ``|`` get a backslash) so that no two different key tuples give the same id: region
    ``A | b`` with channel ``c`` and region ``A`` with channel ``b | c`` stay two series."""
    return f"concat_ws('{SEP}', {', '.join(_escape_sql(c) for c in cols)})"


def series_id_expr(*cols: str) -> pl.Expr:
    """The Polars twin of :func:`series_id_sql`."""
    parts = [
        pl.col(c)
        .str.replace_all("\\", "\\\\", literal=True)
        .str.replace_all("|", "\\|", literal=True)
        for c in cols
    ]
    return pl.concat_str(parts, separator=SEP)


def infer_step(ts: pl.Series) -> str:
    """``'1h'`` or ``'1d'`` for one series, from its timestamps' clock, never from gaps.

    A series is daily when every timestamp falls at one time of day (UTC), or at two
    an hour apart (a local midnight moved by daylight saving time); any other clock is
    hourly, however sparse: posts at hours 8-22 once or twice a day are hourly rows.
    A series of one timestamp is hourly unless it falls at midnight.

    >>> from datetime import datetime, UTC
    >>> infer_step(pl.Series([datetime(2024, 1, d, h, tzinfo=UTC) for d, h in
    ...                       [(1, 9), (2, 14), (4, 21)]]))  # sparse posts: hourly rows
    '1h'
    >>> infer_step(pl.Series([datetime(2024, 3, 9, 5, tzinfo=UTC),
    ...                       datetime(2024, 3, 10, 4, tzinfo=UTC)]))  # New York midnights
    '1d'
    """
    ts = ts.drop_nulls()
    if len(ts) == 0:
        return "1h"
    minutes = (ts.dt.hour().cast(pl.Int32) * 60 + ts.dt.minute().cast(pl.Int32)).unique().sort()
    if len(ts) == 1:
        return "1d" if minutes[0] == 0 else "1h"
    if len(minutes) == 1:
        return "1d"
    if len(minutes) == 2:
        apart = int(minutes[1] - minutes[0])
        return "1d" if apart in (60, 23 * 60) else "1h"
    return "1h"


def panel_step(y: pl.DataFrame) -> str:
    """The step of a long frame (``series_id``, ``ts``): its series' most common step
    (:func:`infer_step` per series; a tie is hourly)."""
    steps = [infer_step(g["ts"]) for g in y.partition_by("series_id")]
    return "1d" if steps.count("1d") > steps.count("1h") else "1h"


def normalize(y: pl.DataFrame) -> pl.DataFrame:
    """``series_id`` (string), ``ts`` as UTC microseconds, ``y`` as float.

    Any precision is accepted (pandas and Spark hand over nanoseconds); naive timestamps
    are read as UTC. Daily series are snapped to their first timestamp's time of day (the
    nearest whole day from it), so a local midnight that daylight saving time moves by an
    hour in UTC stays on the series' grid instead of falling between its days."""
    out = y.select(pl.col("series_id").cast(pl.Utf8), utc_micros(y), pl.col("y").cast(pl.Float64))
    if panel_step(out) == "1d":
        first = pl.col("ts").min().over("series_id")
        days = ((pl.col("ts") - first).dt.total_seconds() / 86400).round().cast(pl.Int64)
        out = out.with_columns((first + pl.duration(days=days)).alias("ts"))
    return out


def utc_micros(y: pl.DataFrame) -> pl.Expr:
    """``y``'s ``ts`` as UTC microseconds, from any precision (ns, us, ms); naive
    timestamps are read as UTC."""
    dtype = y.schema["ts"]
    ts = pl.col("ts")
    if isinstance(dtype, pl.Datetime):
        ts = ts.dt.cast_time_unit("us")
        ts = (
            ts.dt.replace_time_zone("UTC")
            if dtype.time_zone is None
            else ts.dt.convert_time_zone("UTC")
        )
    return ts.alias("ts")


def regular_grid(y: pl.DataFrame, step: str) -> pl.DataFrame:
    """Each series on a complete grid from its first to last timestamp; gaps are null."""
    spans = y.group_by("series_id").agg(
        pl.col("ts").min().alias("a"), pl.col("ts").max().alias("b")
    )
    grids = spans.select("series_id", pl.datetime_ranges("a", "b", step).alias("ts")).explode(
        "ts", empty_as_null=True
    )
    agg = y.group_by("series_id", "ts").agg(pl.col("y").sum())
    return grids.join(agg, on=["series_id", "ts"], how="left").sort("series_id", "ts")


def step_delta(step: str) -> timedelta:
    return timedelta(hours=1) if step == "1h" else timedelta(days=1)


def split_at_cutoff(
    y: pl.DataFrame, horizon: int, n_cutoffs: int, k: int, step: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(train, test) for cut-off ``k`` of ``n_cutoffs``, counted back from each series' own
    end, so a series whose export stops early is still scored on its own last weeks."""
    back = step_delta(step) * horizon * (n_cutoffs - k)
    cut = pl.col("ts").max().over("series_id") - back
    train = y.filter(pl.col("ts") <= cut)
    test = y.filter(pl.col("ts") > cut, pl.col("ts") <= cut + step_delta(step) * horizon)
    return train, test.sort("series_id", "ts")


def default_meta(series_ids: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"series_id": series_ids, "tz": "UTC", "country": ""})
