"""Meta Business Suite downloads (Facebook and Instagram).

Layouts, as public importers of Meta Business Suite exports show them (test fixtures of
"Meta per-post exports" importers; a Meta-export engagement merger documenting the same
header):

* Instagram content (one row per post): ``"Post ID","Account ID","Account username",
  "Account name",Description,"Duration (sec)","Publish time",Permalink,"Post type",
  "Data comment",Date,Views,Reach,Likes,Shares,Follows,Comments,Saves`` (older downloads:
  ``Impressions`` where newer ones write ``Views``); ``Date`` = ``Lifetime``;
  ``Publish time`` = ``MM/DD/YYYY HH:MM``; ``Post type`` such as ``IG image``,
  ``IG carousel``, ``IG reel``.
* Facebook content: ``"Post ID","Page ID","Page name",Title,Description,"Duration (sec)",
  "Publish time","Caption type",Permalink,"Is crosspost","Is share","Post type",Languages,
  "Custom labels","Funded content status","Data comment",Date,Views,Reach,"Reactions,
  Comments and Shares",Reactions,Comments,Shares,"Total clicks" ...``.
* Page/account insights, one metric per file: UTF-16 with a BOM, a ``sep=,`` line, the
  metric's title (``"Views"``, ``"Facebook visits"`` ...), then ``"Date","Primary"`` with
  dates as ``2026-08-22T00:00:00``.

What each becomes:

* content -> ``posts`` (platform ``instagram`` or ``facebook``; a re-export replaces the
  same post's metrics). ``Publish time`` is written in the time zone of the account that
  downloaded it, which the file does not state: ``--tz`` gives it, else the file is
  rejected naming ``--tz`` (never read as UTC). ``engagements`` = likes (Instagram) or
  reactions (Facebook) + comments + shares + saves, the interactions Meta counts per post;
  ``impressions`` = Impressions, ``views`` = Views, as each download names them. Caption,
  title, permalink and follows are dropped. A row whose ``Date`` is not ``Lifetime`` (a
  per-day breakdown) rejects the file: lifetime totals only.
* insights -> ``daily_series`` (platform ``meta``; channel ``facebook`` or ``instagram``
  when the title names it, else ``meta``: the file does not say which account it covers),
  one row per day, never an hour.

Spanish and Portuguese UI downloads of these layouts were not found in any stored public
source: their headers are not read (the file is rejected as unknown).
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from insights.ingest.staged import FileRejected, Staged
from insights.regions import name_key
from insights.sources.base import Probe, Source, StageInput, register
from insights.sources.platform import count, header_at, metric_key, read_table, to_utc, zone
from insights.sources.tables import frame_stager, merge_daily_series, merge_posts

CONTENT = {"post id", "publish time", "permalink", "post type"}


def is_content(p: Probe) -> bool:
    # a caption with line breaks in the first row misleads the generic header search
    return header_at(p.info, CONTENT) is not None


def is_insights(p: Probe) -> bool:
    above = [line.strip() for line in p.info.lines[: p.info.header_line] if line.strip()]
    keys = [name_key(h) for h in p.header]
    return keys == ["date", "primary"] and bool(above) and name_key(above[0]) == "sep"


def _publish(text: str) -> datetime | None:
    for fmt in ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S"):
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None


def read_content(s: StageInput):
    t = read_table(s.path, s.info, header_at(s.info, CONTENT))
    if not s.options.tz:
        raise FileRejected(
            "Meta Business Suite writes Publish time in the downloading account's time zone, "
            "which the file does not state; pass --tz with it (for example "
            "--tz America/Mexico_City)",
            line=1,
        )
    tz = zone(s.options.tz, "--tz")
    facebook = t.col("page id", "page name") is not None
    platform = "facebook" if facebook else "instagram"
    c = {
        k: t.col(*names)
        for k, names in {
            "post_id": ("post id",),
            "account": ("account username", "page name", "account name"),
            "publish": ("publish time",),
            "type": ("post type",),
            "date": ("date",),
            "impressions": ("impressions",),
            "reach": ("reach",),
            "views": ("views",),
            "likes": ("likes", "reactions"),
            "comments": ("comments",),
            "shares": ("shares",),
            "saves": ("saves",),
        }.items()
    }
    extra = Staged("posts", len(t.rows))
    out: list[dict] = []
    for row, line in zip(t.rows, t.lines, strict=True):
        period = t.cell(row, c["date"])
        if c["date"] is not None and name_key(period) != "lifetime":
            raise FileRejected(
                f"Date is {period[:20]!r}, not 'Lifetime': a per-day breakdown; download the "
                "content table with lifetime totals",
                line=line,
            )
        post_id = t.cell(row, c["post_id"])
        local = _publish(t.cell(row, c["publish"]))
        if not post_id or local is None:
            extra.rows_rejected += 1
            extra.rejects.append((line, "Post ID or Publish time (MM/DD/YYYY HH:MM) missing"))
            continue
        utc = to_utc(local, tz)
        if utc is None:
            extra.rows_rejected += 1
            extra.rejects.append((line, f"Publish time does not exist once in {s.options.tz}"))
            continue
        try:
            m = {
                k: count(t.cell(row, c[k]))
                for k in ("impressions", "reach", "views", "likes", "comments", "shares", "saves")
            }
        except ValueError:
            extra.rows_rejected += 1
            extra.rejects.append((line, "a count not understood"))
            continue
        parts = [m[k] for k in ("likes", "comments", "shares", "saves") if m[k] is not None]
        out.append(
            {
                "platform": platform,
                "channel": platform,
                "account": t.cell(row, c["account"]) or None,
                "post_id": post_id,
                "published_utc": utc,
                "post_type": t.cell(row, c["type"]) or None,
                **m,
                "engagements": sum(parts) if parts else None,
                "source": s.source,
            }
        )
    extra.notes.append(f"Publish time read in {s.options.tz}")
    return pl.DataFrame(out), len(t.rows), extra


def read_insights(s: StageInput):
    t = read_table(s.path, s.info)
    above = [line.strip().strip('"') for line in s.info.lines[: s.info.header_line]]
    title = next((a for a in above if a and name_key(a) != "sep"), "value")
    tkey = name_key(title)
    channel = "facebook" if "facebook" in tkey else "instagram" if "instagram" in tkey else "meta"
    extra = Staged("daily_series", len(t.rows))
    out: list[dict] = []
    for row, line in zip(t.rows, t.lines, strict=True):
        try:
            day = date.fromisoformat(row[0].strip()[:10])
            v = count(row[1])
        except (ValueError, IndexError):
            extra.rows_rejected += 1
            extra.rejects.append((line, "Date or value not understood"))
            continue
        if v is not None:
            out.append({"day": day, "value": float(v)})
    df = pl.DataFrame(out, schema={"day": pl.Date, "value": pl.Float64}).with_columns(
        pl.lit("meta").alias("platform"),
        pl.lit(channel).alias("channel"),
        pl.lit(metric_key(title)).alias("metric"),
        pl.lit(s.source).alias("source"),
    )
    return df, len(t.rows), extra


register(
    Source(
        "meta_content",
        "Meta Business Suite content export (Facebook/Instagram, lifetime per post)",
        "posts",
        frame_stager("posts", read_content),
        merge_posts,
        is_content,
        order=630,
    ),
    Source(
        "meta_insights",
        "Meta Business Suite insights export (one metric by day)",
        "daily_series",
        frame_stager("daily_series", read_insights),
        merge_daily_series,
        is_insights,
        order=631,
    ),
)
