"""Single-series files (``timestamp,value`` as in NAB, ``ds,y`` as in Prophet's examples).

Such a file has no region or channel. It becomes one consumption series with
``region='global'`` (time zone UTC), ``channel`` = the file's stem (for example
``Twitter_volume_AAPL``), no topic, and ``views = engagements = value`` summed
to the hour. Timestamps without an offset are read as UTC.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from insights.ingest.staged import FileRejected
from insights.ingest.textfile import TextInfo, read_text
from insights.regions import name_key

TIME_NAMES = {"timestamp", "ds", "date", "datetime", "time", "fecha", "data"}
VALUE_NAMES = {"value", "y", "valor", "count", "views"}


def is_series(header: list[str]) -> bool:
    keys = [name_key(h) for h in header]
    return len(keys) == 2 and keys[0] in TIME_NAMES and keys[1] in VALUE_NAMES


def read_series(path: Path, info: TextInfo, source: str) -> tuple[pl.DataFrame, int]:
    data = path if info.duckdb_native else read_text(path, info.encoding).encode()
    df = pl.read_csv(data, separator=info.delimiter, infer_schema_length=0)
    t, v = df.columns
    ts = pl.col(t).str.strip_chars().str.to_datetime(strict=False, time_zone="UTC")
    parsed = df.select(ts.alias("ts"), pl.col(v).cast(pl.Float64, strict=False).alias("v"))
    bad = (parsed["ts"].is_null() | parsed["v"].is_null()).arg_true()
    if len(bad):
        i = int(bad[0])
        col, what = (t, "timestamp") if parsed["ts"][i] is None else (v, "value")
        field = (df[col][i] or "")[:40]  # only the offending field, never the whole row
        raise FileRejected(f"{what} not understood: {field!r}", line=i + 2)
    out = (
        parsed.group_by(pl.col("ts").dt.truncate("1h").alias("ts_utc"))
        .agg(pl.col("v").sum())
        .select(
            "ts_utc",
            pl.lit("global").alias("region"),
            pl.lit(None, dtype=pl.Utf8).alias("region_raw"),
            pl.lit(True).alias("region_known"),
            pl.lit(path.stem).alias("channel"),
            pl.lit(None, dtype=pl.Utf8).alias("topic"),
            pl.col("v").alias("views"),
            pl.col("v").alias("engagements"),
            pl.lit(None, dtype=pl.Float64).alias("watch_seconds"),
            pl.lit(source).alias("source"),
        )
    )
    return out, df.height
