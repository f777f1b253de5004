"""TikTok Studio analytics downloads: the CSV members of its ZIPs (``Overview_*.zip``,
``Followers_*.zip``, ``Viewers_*.zip``, ``Content_*.zip``), handed over one by one.

Layouts, as public importers of these downloads show them: a TikTok Studio importer's
synthetic generator written "in the format of the real file" (UTF-8 with a BOM, every
field quoted, dates without a year such as ``September 25``, Portuguese UI ``25 de
setembro``; headers of Overview, FollowerHistory, FollowerActivity, FollowerGender,
FollowerTopTerritories, Viewers and Content, English and Portuguese), a TikTok importer's
shared fixtures ("mirrors the verified shapes": ``TIKTOK_OVERVIEW_CSV``,
``TIKTOK_FOLLOWER_CSV``), another importer's test across December-January, and a
follower-activity reader that drops "the export-day partial row: zero-filled future
hours".

* ``Overview.csv``: ``Date,Video Views,Profile Views,Likes,Comments,Shares`` (Portuguese:
  ``Data,Visualizações de vídeo,Visualizações do perfil,Curtidas,Comentários,
  Compartilhamentos``) -> ``daily_series`` (metrics ``video_views``, ``profile_views``,
  ``likes``, ``comments``, ``shares``).
* ``FollowerHistory.csv``: ``Date,Followers,Difference in followers from previous day``
  -> ``daily_series`` (``followers``, ``followers_net``).
* ``Viewers.csv``: ``Date,Total Viewers,New Viewers,Returning Viewers`` (``undefined``
  where TikTok has no value) -> ``daily_series``.
* ``FollowerActivity.csv``: ``Date,Hour,Active followers`` (7 days, 24 hours each) ->
  ``audience_activity`` (metric ``active_followers``: the mean over the file's days per
  hour, and per weekday when ``--year`` dates them; ``tz`` = ``--tz`` when given, else
  empty: the file does not say which clock its hours are on). The export day's row, whose
  later hours TikTok fills with zeros, is left out.
* ``FollowerTopTerritories.csv``: ``Top territories,Distribution`` (ISO country codes;
  ``92.5%`` or ``0.925``) -> ``audience_shares`` (metric ``followers``); ``Others`` is
  left out.
* ``Content.csv``: ``Video title,Video link,Post time,Video views`` (+ totals where the
  download has them) -> ``posts`` (platform ``tiktok``; post id from the video link;
  ``Post time`` ``YYYY-MM-DD HH:MM`` read in ``--tz``, else the file is rejected naming
  ``--tz``; engagements = likes + comments + shares, the interactions counted for Meta;
  the title is dropped).
* ``FollowerGender.csv``: rejected (a gender split has no table here).

Dates have no year: ``--year`` gives the year of the first row, and a month lower than the
previous row's starts the next year (a download spanning December to January). Without
``--year`` a dated file is rejected naming the option (TikTok's CSVs carry no period; the
period in a ZIP's name is not handed over with its members).
"""

from __future__ import annotations

import re
from datetime import date, datetime

import polars as pl

from insights.ingest.staged import FileRejected, Staged
from insights.regions import name_key
from insights.sources import platform
from insights.sources.base import Probe, Source, StageInput, register
from insights.sources.platform import count, month_day, number, read_table, to_utc, zone
from insights.sources.tables import (
    frame_stager,
    merge_audience_activity,
    merge_audience_shares,
    merge_daily_series,
    merge_posts,
)

DATE = {"date", "data", "fecha"}
# daily layouts: header keys after Date -> metric names
DAILY = {
    ("video views", "profile views", "likes", "comments", "shares"): (
        "video_views",
        "profile_views",
        "likes",
        "comments",
        "shares",
    ),
    (
        "visualizacoes de video",
        "visualizacoes do perfil",
        "curtidas",
        "comentarios",
        "compartilhamentos",
    ): ("video_views", "profile_views", "likes", "comments", "shares"),
    ("followers", "difference in followers from previous day"): ("followers", "followers_net"),
    ("seguidores", "diferenca de seguidores em relacao ao dia anterior"): (
        "followers",
        "followers_net",
    ),
    ("total viewers", "new viewers", "returning viewers"): (
        "viewers_total",
        "viewers_new",
        "viewers_returning",
    ),
}
ACTIVITY = ["date", "hour", "active followers"]
TERRITORIES = ["top territories", "distribution"]
GENDER = (["gender", "distribution"], ["genero", "distribuicao"])
CONTENT = {"video title", "video link", "post time"}
MISSING = {"", "undefined", "-"}


def _keys(p: Probe) -> list[str]:
    return [name_key(h) for h in p.header]


def _dated(p: Probe) -> bool:
    rows = p.rows(1)
    return bool(rows) and bool(rows[0]) and month_day(rows[0][0]) is not None


def is_daily(p: Probe) -> bool:
    k = _keys(p)
    return bool(k) and k[0] in DATE and tuple(k[1:]) in DAILY and _dated(p)


def is_activity(p: Probe) -> bool:
    return _keys(p) == ACTIVITY


def is_territories(p: Probe) -> bool:
    return _keys(p) == TERRITORIES


def is_gender(p: Probe) -> bool:
    return _keys(p) in GENDER


def is_content(p: Probe) -> bool:
    return set(_keys(p)) >= CONTENT


def _year(s: StageInput, line: int) -> int:
    if s.options.year is None:
        raise FileRejected(
            "TikTok Studio dates have no year ('March 1') and the file states no period; "
            "pass --year with the year of its first row (for example --year 2024)",
            line=line,
        )
    return s.options.year


class _Days:
    """Dates without a year, in file order: the first row's year is ``year``; a month lower
    than the previous row's starts the next year."""

    def __init__(self, year: int):
        self.year, self.prev = year, None

    def __call__(self, text: str, line: int) -> date:
        md = month_day(text)
        if md is None:
            raise FileRejected(f"Date not understood: {text[:20]!r}", line=line)
        if self.prev is not None and md[0] < self.prev[0]:
            self.year += 1  # December -> January
        self.prev = md
        try:
            return date(self.year, *md)
        except ValueError:
            raise FileRejected(f"no such day in {self.year}: {text[:20]!r}", line=line) from None


def _signed(text: str) -> int | None:
    t = text.strip()
    if t.lower() in MISSING:
        return None
    if re.fullmatch(r"-?\d+", t):
        return int(t)
    raise ValueError(t[:20])


def read_daily(s: StageInput):
    t = read_table(s.path, s.info)
    names = DAILY[tuple(name_key(h) for h in t.header[1:])]
    days = _Days(_year(s, 2))
    extra = Staged("daily_series", len(t.rows))
    out: list[dict] = []
    for row, line in zip(t.rows, t.lines, strict=True):
        day = days(row[0], line)
        try:
            values = [_signed(row[i]) if i < len(row) else None for i in range(1, len(t.header))]
        except ValueError:
            extra.rows_rejected += 1
            extra.rejects.append((line, "a count not understood"))
            continue
        for metric, v in zip(names, values, strict=True):
            if v is not None:
                if v < 0 and metric != "followers_net":
                    extra.rows_rejected += 1
                    extra.rejects.append((line, f"negative {metric}"))
                    break
                out.append({"day": day, "metric": metric, "value": float(v)})
    df = pl.DataFrame(out, schema={"day": pl.Date, "metric": pl.Utf8, "value": pl.Float64})
    extra.notes.append(f"dates read with year {s.options.year} for the first row")
    return _label(df, s), len(t.rows), extra


def read_activity(s: StageInput):
    t = read_table(s.path, s.info)
    extra = Staged("audience_activity", len(t.rows))
    rows: list[tuple] = []  # (month_day, hour, value, line)
    for row, line in zip(t.rows, t.lines, strict=True):
        md = month_day(row[0]) if row else None
        try:
            hour = int(row[1])
            v = count(row[2])
        except (ValueError, IndexError):
            hour, v = -1, None
        if md is None or not 0 <= hour <= 23 or v is None:
            extra.rows_rejected += 1
            extra.rejects.append((line, "Date, Hour (0-23) or Active followers not understood"))
            continue
        rows.append((md, hour, v, line))
    if not rows:
        raise FileRejected("no data rows", line=2)
    # the days in the order they first appear (rows may run by day or by hour)
    order = list(dict.fromkeys(md for md, *_ in rows))
    days: dict = {}
    if s.options.year:
        dated = _Days(s.options.year)
        for md in order:
            days[md] = _day_of(dated, md)
    last = order[-1]
    last_hours = sorted((h, v) for md, h, v, _ in rows if md == last)
    if len(order) > 1 and last_hours[-1][1] == 0:
        dropped = len(last_hours)
        rows = [r for r in rows if r[0] != last]
        extra.rows_skipped += dropped
        extra.notes.append(
            f"the export day's {dropped} hour(s) left out (TikTok fills its later hours with 0)"
        )
    df = pl.DataFrame(
        {
            "weekday": [days[md].weekday() if days else None for md, *_ in rows],
            "hour_local": [h for _, h, _, _ in rows],
            "value": [float(v) for _, _, v, _ in rows],
        },
        schema={"weekday": pl.Int16, "hour_local": pl.Int16, "value": pl.Float64},
    )
    df = df.group_by("weekday", "hour_local").agg(pl.col("value").mean())
    if s.options.tz:
        zone(s.options.tz, "--tz")
    extra.notes.append(
        "hourly profile: mean over the file's days"
        + (" per weekday" if days else " (pass --year to keep the weekday)")
    )
    return (
        _label(df, s).with_columns(
            pl.lit(s.options.tz).alias("tz"), pl.lit("active_followers").alias("metric")
        ),
        len(t.rows),
        extra,
    )


def _day_of(dated: _Days, md: tuple[int, int]) -> date:
    """The date of a (month, day) through ``dated`` (which tracks the year)."""
    if dated.prev is not None and md[0] < dated.prev[0]:
        dated.year += 1
    dated.prev = md
    return date(dated.year, *md)


def _share(text: str) -> float | None:
    t = text.strip()
    if t.lower() in MISSING:
        return None
    v = number(t)
    if v is None or not 0 <= v <= 1:
        raise ValueError(t[:20])
    return v


def read_territories(s: StageInput):
    t = read_table(s.path, s.info)
    extra = Staged("audience_shares", len(t.rows))
    out = []
    for row, line in zip(t.rows, t.lines, strict=True):
        code = row[0].strip().upper()
        if name_key(code) in {"others", "outros", "otros"}:
            extra.rows_skipped += 1
            continue
        try:
            v = _share(row[1])
        except (ValueError, IndexError):
            v = None
        if not re.fullmatch(r"[A-Z]{2}", code) or v is None:
            extra.rows_rejected += 1
            extra.rejects.append((line, "territory code or distribution not understood"))
            continue
        out.append({"geo": code, "value": v, "share": v})
    df = pl.DataFrame(out, schema={"geo": pl.Utf8, "value": pl.Float64, "share": pl.Float64})
    return (
        _label(df, s).with_columns(
            pl.lit("country").alias("geo_level"), pl.lit("followers").alias("metric")
        ),
        len(t.rows),
        extra,
    )


def reject_gender(s: StageInput):
    raise FileRejected(
        "a TikTok Studio follower-gender split (FollowerGender.csv): no table here keeps it; "
        "load FollowerActivity.csv, FollowerTopTerritories.csv or FollowerHistory.csv",
        line=1,
    )


_VIDEO_ID = re.compile(r"/video/(\d+)")
_CONTENT_METRICS = {
    "views": ("video views", "total views"),
    "likes": ("total likes", "likes"),
    "comments": ("total comments", "comments"),
    "shares": ("total shares", "shares"),
    "saves": ("total saves", "saves"),
}


def read_content(s: StageInput):
    t = read_table(s.path, s.info)
    if not s.options.tz:
        raise FileRejected(
            "TikTok Studio's Post time has no time zone (the account's clock); pass --tz "
            "with it (for example --tz America/Mexico_City)",
            line=1,
        )
    tz = zone(s.options.tz, "--tz")
    link, when = t.col("video link"), t.col("post time")
    cols = {k: t.col(*names) for k, names in _CONTENT_METRICS.items()}
    extra = Staged("posts", len(t.rows))
    out = []
    for row, line in zip(t.rows, t.lines, strict=True):
        m = _VIDEO_ID.search(t.cell(row, link))
        try:
            local = datetime.strptime(t.cell(row, when), "%Y-%m-%d %H:%M")
            values = {k: count(t.cell(row, i)) if i is not None else None for k, i in cols.items()}
        except ValueError:
            local, values = None, {}
        utc = to_utc(local, tz) if local else None
        if m is None or utc is None:
            extra.rows_rejected += 1
            extra.rejects.append((line, "Video link, Post time (YYYY-MM-DD HH:MM) or a count"))
            continue
        parts = [values[k] for k in ("likes", "comments", "shares") if values[k] is not None]
        out.append(
            {
                "platform": "tiktok",
                "channel": "tiktok",
                "post_id": m.group(1),
                "published_utc": utc,
                "post_type": "Video",
                **values,
                "engagements": sum(parts) if parts else None,
                "source": s.source,
            }
        )
    extra.notes.append(f"Post time read in {s.options.tz}")
    return pl.DataFrame(out), len(t.rows), extra


def _label(df: pl.DataFrame, s: StageInput) -> pl.DataFrame:
    return platform.labelled(df, "tiktok", "tiktok", s.source)


register(
    Source(
        "tiktok_studio",
        "TikTok Studio Overview / FollowerHistory / Viewers (by day, dates without a year)",
        "daily_series",
        frame_stager("daily_series", read_daily),
        merge_daily_series,
        is_daily,
        order=610,
    ),
    Source(
        "tiktok_follower_activity",
        "TikTok Studio FollowerActivity.csv (active followers by hour)",
        "audience_activity",
        frame_stager("audience_activity", read_activity),
        merge_audience_activity,
        is_activity,
        order=611,
    ),
    Source(
        "tiktok_territories",
        "TikTok Studio FollowerTopTerritories.csv (followers by country)",
        "audience_shares",
        frame_stager("audience_shares", read_territories),
        merge_audience_shares,
        is_territories,
        order=612,
    ),
    Source(
        "tiktok_content",
        "TikTok Studio Content.csv (per video)",
        "posts",
        frame_stager("posts", read_content),
        merge_posts,
        is_content,
        order=613,
    ),
    Source(
        "tiktok_gender",
        "TikTok Studio FollowerGender.csv (told, not loaded)",
        "audience_shares",
        reject_gender,
        merge_audience_shares,
        is_gender,
        order=614,
    ),
)
