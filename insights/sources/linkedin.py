"""LinkedIn page analytics downloads (Excel), the content export.

Layout, as public importers of LinkedIn's content export read it (a client dashboard that
requires the sheets ``Metrics`` and ``All posts``, takes row 2 as the header and data from
row 3, and parses dates as ``MM/DD/YYYY``; Python loaders listing the Metrics columns, one
with their Portuguese-UI names):

* ``Metrics``: a description row, then ``Date, Impressions (organic), Impressions
  (sponsored), Impressions (total), Unique impressions (organic), Clicks (organic|sponsored|
  total), Reactions (...), Comments (...), Reposts (...)`` (older downloads ``Shares
  (...)``), ``Engagement rate (...)``; Portuguese UI ``Data, Impressões (orgânicas) ...``.
  -> ``daily_series`` (platform and channel ``linkedin``, one row per day and column:
  ``impressions_total``, ``unique_impressions_organic``, ``reactions_total`` ...; rates as
  fractions). Days as LinkedIn names them; never an hour.
* ``All posts``: a description row, then ``Post title, Post link, Post type, Content Type,
  Campaign name, Posted by, Created date, Campaign start date, Campaign end date,
  Audience, Impressions, Views, Offsite Views, Clicks, Click through rate (CTR), Likes,
  Comments, Reposts, Follows, Engagement rate`` -> ``posts`` (platform ``linkedin``; post id
  from the link's ``urn:li:...:<id>``; ``Created date`` is a day only, so ``published_utc``
  is left empty; engagements = likes + comments + reposts, the interactions counted for
  Meta; title, author, campaign and audience are dropped).

A workbook is loaded whole: its ``Metrics`` sheet and, beside it, its ``All posts`` sheet
(one file, one transaction); ``--sheet "All posts"`` reads the posts sheet alone.

``.xls`` and ``.xlsx`` workbooks are both read. The page's followers and visitors
downloads were not found in any stored public source: not read.
"""

from __future__ import annotations

import re
import tempfile
from datetime import date, datetime
from pathlib import Path

import polars as pl

from insights import sql
from insights.ingest.staged import FileRejected, Staged
from insights.ingest.textfile import inspect
from insights.regions import name_key
from insights.sources import platform
from insights.sources.base import Probe, Source, StageInput, register
from insights.sources.platform import count, metric_key, number, read_table
from insights.sources.tables import conform, frame_stager, merge_daily_series, merge_posts

METRICS_EN = {"date", "impressions organic", "impressions total"}
METRICS_PT = {"data", "impressoes organicas", "impressoes total"}
# Portuguese-UI column names -> the English ones (as a public loader maps them)
PT = {
    "impressoes organicas": "impressions organic",
    "impressoes patrocinadas": "impressions sponsored",
    "impressoes total": "impressions total",
    "impressoes unicas organicas": "unique impressions organic",
    "cliques organicos": "clicks organic",
    "cliques patrocinados": "clicks sponsored",
    "cliques total": "clicks total",
    "reacoes organicas": "reactions organic",
    "reacoes patrocinadas": "reactions sponsored",
    "reacoes total": "reactions total",
}
POSTS = {"post link", "post type", "created date", "impressions"}


def _keys(p: Probe) -> set[str]:
    return {name_key(h) for h in p.header}


def is_metrics(p: Probe) -> bool:
    k = _keys(p)
    return k >= METRICS_EN or k >= METRICS_PT


def is_posts(p: Probe) -> bool:
    return _keys(p) >= POSTS


def _day(text: str) -> date | None:
    t = text.strip()
    for fmt in ("%m/%d/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(t, fmt).date()
        except ValueError:
            continue
    return None


def _value(key: str, text: str) -> float | None:
    if key.startswith("engagement rate") or key.startswith("taxa de engajamento"):
        return number(text)
    c = count(text)
    return None if c is None else float(c)


def read_metrics(s: StageInput):
    t = read_table(s.path, s.info)
    keys = [PT.get(name_key(h), name_key(h)) for h in t.header]
    extra = Staged("daily_series", len(t.rows))
    out = []
    for row, line in zip(t.rows, t.lines, strict=True):
        day = _day(row[0])
        if day is None:
            raise FileRejected(f"Date not understood (MM/DD/YYYY): {row[0][:20]!r}", line=line)
        try:
            values = {
                metric_key(k): _value(k, row[i]) for i, k in enumerate(keys) if i and i < len(row)
            }
        except ValueError:
            extra.rows_rejected += 1
            extra.rejects.append((line, "a metric not understood"))
            continue
        out += [{"day": day, "metric": m, "value": v} for m, v in values.items() if v is not None]
    df = pl.DataFrame(out, schema={"day": pl.Date, "metric": pl.Utf8, "value": pl.Float64})
    return _label(df, s), len(t.rows), extra


_URN = re.compile(r"urn:li:[a-zA-Z]+:(\d+)")


def read_posts(s: StageInput):
    t = read_table(s.path, s.info)
    c = {
        k: t.col(k)
        for k in ("post link", "post type", "impressions", "views", "likes", "comments", "reposts")
    }
    extra = Staged("posts", len(t.rows))
    out = []
    for row, line in zip(t.rows, t.lines, strict=True):
        link = t.cell(row, c["post link"])
        if not link:
            extra.rows_skipped += 1
            continue
        m = _URN.search(link)
        try:
            v = {
                k: count(t.cell(row, c[k]))
                for k in ("impressions", "views", "likes", "comments", "reposts")
            }
        except ValueError:
            extra.rows_rejected += 1
            extra.rejects.append((line, "a count not understood"))
            continue
        parts = [v[k] for k in ("likes", "comments", "reposts") if v[k] is not None]
        out.append(
            {
                "platform": "linkedin",
                "channel": "linkedin",
                "post_id": m.group(1) if m else link,
                "post_type": t.cell(row, c["post type"]) or None,
                "impressions": v["impressions"],
                "views": v["views"],
                "likes": v["likes"],
                "comments": v["comments"],
                "shares": v["reposts"],
                "engagements": sum(parts) if parts else None,
                "source": s.source,
            }
        )
    extra.notes.append(
        "LinkedIn gives the day a post was created only: published_utc left empty "
        "(never a made-up hour)"
    )
    return pl.DataFrame(out), len(t.rows), extra


POSTS_SHEET = "All posts"


def stage_workbook(s: StageInput):
    """The Metrics sheet into ``stage``; the workbook's All posts sheet, when it has one,
    into ``stage_posts`` (merged by :func:`merge_workbook`)."""
    staged, _ = frame_stager("daily_series", read_metrics)(s)
    if s.workbook is None:
        return staged, None
    try:
        sheet = pl.read_excel(
            s.workbook, sheet_name=POSTS_SHEET, has_header=False, infer_schema_length=0
        )
    except Exception:  # noqa: BLE001 - no such sheet (or an empty one): metrics only
        return staged, None
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "posts.csv"
        sheet.write_csv(copy, include_header=False)
        sub = StageInput(s.con, copy, inspect(copy), s.sha, s.options, s.source)
        df, rows, extra = read_posts(sub)
    if df.height:
        sql.register(s.con, "_posts_src", conform("posts", df, s.sha))
        s.con.execute("CREATE OR REPLACE TEMP TABLE stage_posts AS SELECT * FROM _posts_src")
        s.con.unregister("_posts_src")
        staged.notes.append(f"{df.height} post(s) from the {POSTS_SHEET!r} sheet")
        staged.notes += extra.notes
        staged.rows_read += rows
    return staged, None


def merge_workbook(con, sha, counts):
    n, _ = merge_daily_series(con, sha, counts)
    has_posts = sql.one(
        con,
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'stage_posts'",
    )[0]
    if has_posts:
        con.execute("ALTER TABLE stage_posts RENAME TO stage")
        m, _ = merge_posts(con, sha, None)
        n += m
    return n, None


def _label(df: pl.DataFrame, s: StageInput) -> pl.DataFrame:
    return platform.labelled(df, "linkedin", "linkedin", s.source)


register(
    Source(
        "linkedin_metrics",
        "LinkedIn content export, Metrics sheet (by day)",
        "daily_series",  # and, from the same workbook's All posts sheet, posts
        stage_workbook,
        merge_workbook,
        is_metrics,
        order=660,
    ),
    Source(
        "linkedin_posts",
        "LinkedIn content export, All posts sheet (per post)",
        "posts",
        frame_stager("posts", read_posts),
        merge_posts,
        is_posts,
        order=661,
    ),
)
