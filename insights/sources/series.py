"""Single-series files (``timestamp,value``; ``ds,y``) -> ``consumption`` (region global,
channel = file stem). Reader: :mod:`insights.ingest.series`.

A series whose time column holds dates only (``2024-03-01``) is daily: its rows are
stored at ``grain = 'day'`` (the consumption rule for daily aggregates), never as a
midnight hour, and the result says so.
"""

from __future__ import annotations

import polars as pl

from insights.ingest import series
from insights.ingest.staged import Staged
from insights.ingest.textfile import read_text
from insights.sources.base import Source, StageInput, register
from insights.sources.tables import frame_stager, merge_consumption_table


def _date_only(s: StageInput) -> bool:
    data = s.path if s.info.duckdb_native else read_text(s.path, s.info.encoding).encode()
    first = pl.read_csv(data, separator=s.info.delimiter, infer_schema_length=0, columns=[0])
    values = first.to_series().drop_nulls().str.strip_chars()
    return values.len() > 0 and not values.str.contains(r"[:T ]").any()


def read(s: StageInput):
    df, rows = series.read_series(s.path, s.info, s.source)
    extra = Staged("consumption", rows)
    daily = _date_only(s)
    if daily:
        extra.notes.append(
            "dates without a time of day: stored at daily grain (grain = 'day'), never as "
            "an hour of the day"
        )
    extra.details["grain"] = "day" if daily else "hour"
    return df.with_columns(pl.lit(extra.details["grain"]).alias("grain")), rows, extra


register(
    Source(
        "series",
        "single series (timestamp,value / ds,y)",
        "consumption",
        frame_stager("consumption", read),
        merge_consumption_table,
        lambda p: series.is_series(p.header),
        order=800,
    )
)
