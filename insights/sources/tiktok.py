"""TikTok Studio analytics downloads (CSV, one file per tab).

Layouts, as public importers of these downloads show them: a TikTok Studio importer's
shared test fixtures ("mirrors the verified shapes": ``TIKTOK_OVERVIEW_CSV``,
``TIKTOK_FOLLOWER_CSV``) and another importer's test parsing ``Overview.csv`` and
``FollowerHistory.csv`` across December-January:

* ``Overview.csv``: ``Date,Video Views,Profile Views,Likes,Comments,Shares`` with dates
  written without a year (``August 31``, ``September 1``; some exports ``23 August``).
* ``FollowerHistory.csv``: ``Date,Followers,Difference in followers from previous day``.

Both -> ``daily_series`` (platform and channel ``tiktok``, one row per day and metric;
never an hour). The year is not in the file: ``--year`` gives the year of the first row,
and a month lower than the previous row's starts the next year (a download spanning
December to January). Without ``--year`` the file is rejected naming the option (TikTok
Studio's downloads carry no period of their own).

Not established from any stored public source, so not read (rejected as unknown): the
content (per-video), follower activity (by hour) and territories downloads.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from insights.ingest.staged import FileRejected, Staged
from insights.regions import name_key
from insights.sources.base import Probe, Source, StageInput, register
from insights.sources.platform import count, metric_key, month_day, read_table
from insights.sources.tables import frame_stager, merge_daily_series

OVERVIEW = ["date", "video views", "profile views", "likes", "comments", "shares"]
FOLLOWERS = ["date", "followers", "difference in followers from previous day"]
METRIC_NAMES = {"difference in followers from previous day": "followers_net"}


def detect(p: Probe) -> bool:
    keys = [name_key(h) for h in p.header]
    if keys[: len(OVERVIEW)] != OVERVIEW and keys != FOLLOWERS:
        return False
    rows = p.rows(1)
    return bool(rows) and month_day(rows[0][0]) is not None


def read(s: StageInput):
    t = read_table(s.path, s.info)
    if s.options.year is None:
        raise FileRejected(
            "TikTok Studio dates have no year ('March 1') and the file states no period; "
            "pass --year with the year of its first row (for example --year 2024)",
            line=2,
        )
    year = s.options.year
    prev_month = None
    extra = Staged("daily_series", len(t.rows))
    out: list[dict] = []
    for row, line in zip(t.rows, t.lines, strict=True):
        md = month_day(row[0])
        if md is None:
            raise FileRejected(f"Date not understood: {row[0][:20]!r}", line=line)
        if prev_month is not None and md[0] < prev_month:
            year += 1  # December -> January
        prev_month = md[0]
        try:
            day = date(year, *md)
        except ValueError:
            raise FileRejected(f"no such day in {year}: {row[0][:20]!r}", line=line) from None
        for i, h in enumerate(t.header[1:], 1):
            try:
                v = count(row[i]) if i < len(row) else None
            except ValueError:
                v = _signed(row[i]) if name_key(h) in METRIC_NAMES else None
                if v is None:
                    extra.rows_rejected += 1
                    extra.rejects.append((line, f"{h} not understood"))
                    break
            if v is not None:
                key = METRIC_NAMES.get(name_key(h), metric_key(h))
                out.append({"day": day, "metric": key, "value": float(v)})
    df = pl.DataFrame(out, schema={"day": pl.Date, "metric": pl.Utf8, "value": pl.Float64})
    df = df.with_columns(
        pl.lit("tiktok").alias("platform"),
        pl.lit("tiktok").alias("channel"),
        pl.lit(s.source).alias("source"),
    )
    extra.notes.append(f"dates read with year {s.options.year} for the first row")
    return df, len(t.rows), extra


def _signed(text: str) -> int | None:
    t = text.strip()
    return int(t) if t.lstrip("-").isdigit() else None


register(
    Source(
        "tiktok_studio",
        "TikTok Studio Overview.csv / FollowerHistory.csv (by day, dates without a year)",
        "daily_series",
        frame_stager("daily_series", read),
        merge_daily_series,
        detect,
        order=610,
    )
)
