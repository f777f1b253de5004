"""YouTube trending exports (Kaggle "Trending YouTube Video Statistics" layout) -> consumption.

Each row is a video on a trending day with counts cumulative to that day. A
video trending on several days keeps only its latest row, so views are not
counted twice; its counts are attributed to the hour it was published
(``publish_time``, UTC). ``engagements`` = likes + dislikes + comments. The
region is the country in the file name (``MXvideos.csv`` -> México), the
channel is ``youtube`` and the topic is the category's title when a
``<CC>_category_id.json`` sits beside the file (else the category id).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from insights.ingest.staged import FileRejected
from insights.ingest.textfile import TextInfo, read_text
from insights.regions import canonical_region

REQUIRED = {"video_id", "trending_date", "publish_time", "views", "likes", "comment_count"}


def is_youtube(header: list[str]) -> bool:
    return set(header) >= REQUIRED


def _categories(path: Path) -> dict[str, str]:
    side = path.with_name(path.stem[:2] + "_category_id.json")
    if not side.exists():
        return {}
    items = json.loads(side.read_text(encoding="utf-8")).get("items", [])
    return {str(i["id"]): i["snippet"]["title"] for i in items}


def read_youtube(path: Path, info: TextInfo, source: str) -> tuple[pl.DataFrame, int]:
    data = path if info.duckdb_native else read_text(path, info.encoding).encode()
    df = pl.read_csv(data, separator=info.delimiter, infer_schema_length=0)
    cats = _categories(path)
    country = canonical_region(path.stem[:2]) or "global"
    num = [pl.col(c).cast(pl.Float64, strict=False) for c in ("views", "likes", "comment_count")]
    parsed = df.with_row_index("_line", offset=2).select(
        "_line",
        "video_id",
        pl.col("trending_date").str.to_date("%y.%d.%m", strict=False).alias("trending"),
        pl.col("publish_time").str.to_datetime(strict=False, time_zone="UTC").alias("pub"),
        *num,
        pl.col("dislikes").cast(pl.Float64, strict=False).fill_null(0.0)
        if "dislikes" in df.columns
        else pl.lit(0.0).alias("dislikes"),
        pl.col("category_id").cast(pl.Utf8).alias("cat")
        if "category_id" in df.columns
        else pl.lit(None, dtype=pl.Utf8).alias("cat"),
    )
    bad = parsed.filter(
        pl.any_horizontal(pl.col("pub", "views", "likes", "comment_count").is_null())
    )
    if bad.height:
        raise FileRejected("publish_time or a count not understood", line=int(bad["_line"][0]))
    latest = parsed.sort("trending").unique("video_id", keep="last")
    out = (
        latest.group_by(
            pl.col("pub").dt.truncate("1h").alias("ts_utc"),
            pl.col("cat").replace_strict(cats, default=pl.col("cat")).alias("topic"),
        )
        .agg(
            pl.col("views").sum(),
            (pl.col("likes") + pl.col("dislikes") + pl.col("comment_count")).sum().alias("eng"),
        )
        .select(
            "ts_utc",
            pl.lit(country).alias("region"),
            pl.lit(path.stem[:2]).alias("region_raw"),
            pl.lit(country != "global").alias("region_known"),
            pl.lit("youtube").alias("channel"),
            "topic",
            "views",
            pl.col("eng").alias("engagements"),
            pl.lit(None, dtype=pl.Float64).alias("watch_seconds"),
            pl.lit(source).alias("source"),
        )
    )
    return out, df.height
