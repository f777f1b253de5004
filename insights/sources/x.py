"""X (Twitter) analytics downloads (CSV).

Layouts, as public importers of X's analytics downloads show them (parser tests of
"account_overview_analytics.csv" and "account_analytics_content_<from>_<to>.csv"):

* account overview: ``Date,Impressions,Likes,Engagements,Bookmarks,Shares,New follows,
  Unfollows,Replies,Reposts,Profile visits,Create Post,Video views,Media views`` with
  ``Date`` as ``"Tue, Aug 25, 2026"`` (newest first) -> ``daily_series`` (platform and
  channel ``x``, one row per day and metric; never an hour);
* post activity (content): ``Post id,Date,Post text,Post Link,Impressions,Likes,
  Engagements,Bookmarks,Shares,New follows,Replies,Reposts,Profile visits,Detail Expands,
  URL Clicks,Hashtag Clicks,Permalink Clicks`` -> ``posts`` (platform ``x``). X gives
  the publish day only, so ``published_utc`` is left empty rather than set to a made-up
  hour. ``impressions`` = Impressions (X reports no views per post, so ``views`` stays
  empty); ``engagements`` = X's own ``Engagements`` column (every interaction with the
  post, X's definition); ``comments`` = Replies, ``shares`` = Reposts + Shares, ``saves``
  = Bookmarks. The post text and link are dropped (text may hold personal data).

Public code read for these layouts: X analytics importers' parser tests
(``scripts/load_x_account_analytics.py`` tested with an ``account_overview_analytics.csv``
header; a content parser tested on ``account_analytics_content_2026-02-14_2026-02-27``).
"""

from __future__ import annotations

import polars as pl

from insights.ingest.staged import FileRejected, Staged
from insights.regions import name_key
from insights.sources.base import Probe, Source, StageInput, register
from insights.sources.platform import count, metric_key, read_table, words_date
from insights.sources.tables import frame_stager, merge_daily_series, merge_posts

OVERVIEW = {"date", "impressions", "likes", "engagements", "new follows", "unfollows"}
CONTENT = {"post id", "date", "post text", "post link", "impressions"}


def is_overview(p: Probe) -> bool:
    keys = [name_key(h) for h in p.header]
    return bool(keys) and keys[0] == "date" and set(keys) >= OVERVIEW and "post id" not in keys


def is_content(p: Probe) -> bool:
    return {name_key(h) for h in p.header} >= CONTENT


def read_overview(s: StageInput):
    t = read_table(s.path, s.info)
    extra = Staged("daily_series", len(t.rows))
    out: list[dict] = []
    for row, line in zip(t.rows, t.lines, strict=True):
        day = words_date(row[0])
        if day is None:
            raise FileRejected(f"Date not understood: {row[0][:24]!r}", line=line)
        try:
            values = {metric_key(h): count(row[i]) for i, h in enumerate(t.header) if i}
        except (ValueError, IndexError):
            extra.rows_rejected += 1
            extra.rejects.append((line, "a count not understood"))
            continue
        out += [
            {"day": day, "metric": m, "value": float(v)} for m, v in values.items() if v is not None
        ]
    df = pl.DataFrame(out, schema={"day": pl.Date, "metric": pl.Utf8, "value": pl.Float64})
    df = df.with_columns(
        pl.lit("x").alias("platform"),
        pl.lit("x").alias("channel"),
        pl.lit(s.source).alias("source"),
    )
    return df, len(t.rows), extra


def read_content(s: StageInput):
    t = read_table(s.path, s.info)
    pid = t.col("post id")
    cols = {
        k: t.col(k)
        for k in (
            "impressions",
            "likes",
            "engagements",
            "bookmarks",
            "replies",
            "reposts",
            "shares",
        )
    }
    extra = Staged("posts", len(t.rows))
    out: list[dict] = []
    for row, line in zip(t.rows, t.lines, strict=True):
        post_id = t.cell(row, pid)
        if not post_id:
            extra.rows_skipped += 1
            continue
        try:
            v = {k: count(t.cell(row, i)) if i is not None else None for k, i in cols.items()}
        except ValueError:
            extra.rows_rejected += 1
            extra.rejects.append((line, "a count not understood"))
            continue
        shares = (
            None
            if v["reposts"] is None and v["shares"] is None
            else (v["reposts"] or 0) + (v["shares"] or 0)
        )
        out.append(
            {
                "platform": "x",
                "channel": "x",
                "post_id": post_id,
                "impressions": v["impressions"],
                "likes": v["likes"],
                "comments": v["replies"],
                "shares": shares,
                "saves": v["bookmarks"],
                "engagements": v["engagements"],
                "source": s.source,
            }
        )
    extra.notes.append(
        "X gives the publish day only: published_utc left empty (never a made-up hour)"
    )
    return pl.DataFrame(out), len(t.rows), extra


register(
    Source(
        "x_account_overview",
        "X account overview (by day)",
        "daily_series",
        frame_stager("daily_series", read_overview),
        merge_daily_series,
        is_overview,
        order=620,
    ),
    Source(
        "x_posts",
        "X post activity (per post)",
        "posts",
        frame_stager("posts", read_content),
        merge_posts,
        is_content,
        order=621,
    ),
)
