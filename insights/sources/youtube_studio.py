"""YouTube Studio advanced-mode downloads: the CSV members of its ZIP (``Table data.csv``,
``Chart data.csv``, ``Totals.csv``), UTF-8 or UTF-16, handed over one by one.

Layouts, as public loaders of these downloads read them (no official format page was
found): a YouTube Studio loader, ``scripts/load_youtube_data.py`` ("Load YouTube Studio CSV
exports"), reads ``Table data.csv`` skipping its ``Total`` row and ``Chart data.csv`` as
Date + dimension + one metric; a traffic-source parser's test quotes YouTube's Table data
header with its ``Total`` row; the project's field case gives ``Totals.csv``.

* ``Totals.csv``: ``Date,<metric>``, one row per day, no total row (the field case of
  the project's users; same shape as the daily rows of Table data).
* ``Chart data.csv``: ``Date``, the report's dimension column(s), one metric column, one
  row per day and dimension value (a public YouTube Studio loader takes the metric column
  by name and "the column that is not Date nor the metric" as the dimension).
* ``Table data.csv``: the dimension first (``Date``, ``Geography``, ``Content``,
  ``Traffic source``, ``Device type`` ...), then metric columns, and a ``Total`` row
  first (public loaders skip it; a Traffic source table reads ``Traffic source,Views,
  Watch time (hours),Average view duration,Impressions,Impressions click-through rate (%)``
  then ``Total,...``).

What each becomes (nothing gets an hour of day; YouTube Analytics days are Pacific-time
days, kept as the calendar days YouTube names):

* by Date (Totals, Table data by Date, Chart data without a dimension) -> ``daily_series``
  (platform and channel ``youtube``, region empty, one row per day and metric);
* Chart data by Geography -> ``daily_series`` by region (country code as resolved by the
  gazetteer, else as exported);
* Table data by Geography -> ``audience_shares`` (geo = ISO 3166-1 alpha-2, share = value
  over the Total row);
* other dimensions (Content, Traffic source, Device type ...): rejected with a line saying
  why (period totals without time or region, or daily lines of a chosen few items whose sum
  is not the channel's).

Views stay views; engagements are never made up from views. Average view duration
(``h:mm:ss``) becomes seconds; CTR percentages become fractions.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pycountry

from insights.ingest.aliases import map_columns
from insights.ingest.staged import FileRejected, Staged
from insights.regions import canonical_region, name_key
from insights.sources.base import Probe, Source, StageInput, register
from insights.sources.platform import Table, count, metric_key, number, read_table, words_date
from insights.sources.tables import frame_stager, merge_audience_shares, merge_daily_series

DIMENSIONS = {
    "geography",
    "content",
    "traffic source",
    "device type",
    "operating system",
    "subscription status",
    "subscription source",
    "viewer age",
    "viewer gender",
    "cities",
    "city name",
    "sharing service",
    "playback location",
    "video title",
    "video publish time",
    "playlist",
    "end screen element",
    "card",
}
TOTAL_NAMES = {"total", "totales", "totais"}


def _keys(p: Probe) -> list[str]:
    return [name_key(h) for h in p.header]


def _first_cell(p: Probe) -> str:
    rows = p.rows(1)
    return name_key(rows[0][0]) if rows and rows[0] else ""


# Metric columns of YouTube Studio's advanced mode (the names its downloads write).
YT_METRICS = {
    "views",
    "watch time hours",
    "average view duration",
    "average percentage viewed",
    "subscribers",
    "subscribers gained",
    "subscribers lost",
    "impressions",
    "impressions click through rate",
    "likes",
    "dislikes",
    "comments added",
    "shares",
    "unique viewers",
    "estimated revenue usd",
}


def is_totals(p: Probe) -> bool:
    """``Totals.csv``: ``Date`` and YouTube metric columns, in a file named ``Totals`` (the
    same two columns in another file are a generic series: the name is the hint)."""
    k = _keys(p)
    words = name_key(p.stem).split()
    return (
        "totals" in words
        and len(k) >= 2
        and k[0] == "date"
        and bool(set(k[1:]) & YT_METRICS)
        and not (set(k[1:]) & DIMENSIONS)
    )


def _youtube_columns(k: list[str]) -> bool:
    """Some YouTube metric among the columns, and none of the canonical region/channel
    columns (a consumption file with a totals row first is not a Table data)."""
    mapping, _ = map_columns(k)
    return bool(set(k[1:]) & YT_METRICS) and not {"region", "channel"} & mapping.keys()


def is_chart(p: Probe) -> bool:
    k = _keys(p)
    if len(k) < 2 or k[0] != "date" or not _youtube_columns(k):
        return False
    return name_key(p.stem).endswith("chart data") or (
        len(k) >= 3 and k[1] in DIMENSIONS and _first_cell(p) not in TOTAL_NAMES
    )


def is_table(p: Probe) -> bool:
    k = _keys(p)
    if len(k) < 2 or not (k[0] in DIMENSIONS or k[0] == "date") or not _youtube_columns(k):
        return False
    return _first_cell(p) in TOTAL_NAMES or name_key(p.stem).endswith("table data")


def _day(text: str) -> date | None:
    t = text.strip()
    try:
        return date.fromisoformat(t)
    except ValueError:
        return words_date(t)


def _value(header: str, text: str) -> float | None:
    t = text.strip()
    if ":" in t:  # Average view duration, h:mm:ss
        parts = [int(x) for x in t.split(":")]
        secs = 0
        for x in parts:
            secs = secs * 60 + x
        return float(secs)
    if name_key(header).startswith(("views", "subscribers", "likes", "comments", "shares")):
        c = count(t)
        return None if c is None else float(c)
    v = number(t)
    if v is not None and header.strip().endswith("(%)"):
        return v / 100
    return v


def _metric(header: str) -> str:
    key = metric_key(header)
    return key + "_seconds" if key.startswith("average_view_duration") else key


def _daily(t: Table, dim: int | None, source: str) -> tuple[pl.DataFrame, int, Staged]:
    metrics = [i for i, _ in enumerate(t.header) if i != 0 and i != dim and not _is_dim(t, i)]
    if not metrics:
        raise FileRejected("no metric column after Date", line=1)
    out: list[dict] = []
    extra = Staged("daily_series", len(t.rows))
    for row, line in zip(t.rows, t.lines, strict=True):
        first = name_key(row[0]) if row else ""
        if first in TOTAL_NAMES:
            extra.rows_skipped += 1
            continue
        day = _day(row[0])
        if day is None:
            raise FileRejected(f"Date not understood: {row[0][:20]!r}", line=line)
        region = None
        if dim is not None:
            raw = t.cell(row, dim)
            region = canonical_region(raw) or raw or None
        for i in metrics:
            try:
                v = _value(t.header[i], t.cell(row, i))
            except ValueError:
                extra.rows_rejected += 1
                extra.rejects.append((line, f"{t.header[i]} not understood"))
                break
            if v is not None:
                out.append(
                    {"day": day, "region": region, "metric": _metric(t.header[i]), "value": v}
                )
    df = pl.DataFrame(
        out, schema={"day": pl.Date, "region": pl.Utf8, "metric": pl.Utf8, "value": pl.Float64}
    )
    df = (
        df.group_by("day", "region", "metric")
        .agg(pl.col("value").sum())
        .with_columns(
            pl.lit("youtube").alias("platform"),
            pl.lit("youtube").alias("channel"),
            pl.lit(source).alias("source"),
        )
    )
    return df, len(t.rows), extra


def _is_dim(t: Table, i: int) -> bool:
    return name_key(t.header[i]) in DIMENSIONS


def _reject_dimension(t: Table, what: str) -> None:
    dims = [h for i, h in enumerate(t.header) if _is_dim(t, i)]
    dim = dims[0] if dims else t.header[0]
    raise FileRejected(
        f"YouTube Studio {what} by {dim}: {'daily lines of the items chosen in Studio, whose sum is not the channel total' if what == 'Chart data' else 'totals over the period without time or region'}; "
        "nothing here to load. Export the report by Date (Totals.csv or Table data by Date) "
        "or by Geography",
        line=1,
    )


def read_totals(s: StageInput):
    t = read_table(s.path, s.info)
    return _daily(t, None, s.source)


def read_chart(s: StageInput):
    t = read_table(s.path, s.info)
    dims = [i for i in range(1, len(t.header)) if _is_dim(t, i)]
    if not dims:
        return _daily(t, None, s.source)
    if [name_key(t.header[i]) for i in dims] == ["geography"]:
        return _daily(t, dims[0], s.source)
    _reject_dimension(t, "Chart data")


def _country(text: str) -> str | None:
    t = text.strip()
    if len(t) == 2 and t.isalpha() and pycountry.countries.get(alpha_2=t.upper()):
        return t.upper()
    try:
        return pycountry.countries.lookup(t).alpha_2
    except LookupError:
        return None


def read_table_data(s: StageInput):
    t = read_table(s.path, s.info)
    first = name_key(t.header[0])
    if first == "date":
        return _daily(t, None, s.source)
    if first != "geography":
        _reject_dimension(t, "Table data")
    metrics = [i for i in range(1, len(t.header)) if not _is_dim(t, i)]
    totals: dict[int, float] = {}
    out: list[dict] = []
    extra = Staged("audience_shares", len(t.rows))
    for row, line in zip(t.rows, t.lines, strict=True):
        values = {i: _value(t.header[i], t.cell(row, i)) for i in metrics}
        if name_key(row[0]) in TOTAL_NAMES:
            totals = {i: v for i, v in values.items() if v}
            extra.rows_skipped += 1
            continue
        geo = _country(row[0])
        if geo is None:
            extra.rows_rejected += 1
            extra.rejects.append((line, f"Geography not a country: {row[0][:20]!r}"))
            continue
        for i, v in values.items():
            if (
                v is not None
                and not t.header[i].strip().endswith("(%)")
                and ":" not in t.cell(row, i)
            ):
                out.append({"geo": geo, "metric": _metric(t.header[i]), "value": v, "_i": i})
    df = pl.DataFrame(
        out, schema={"geo": pl.Utf8, "metric": pl.Utf8, "value": pl.Float64, "_i": pl.Int64}
    )
    sums = df.group_by("_i").agg(pl.col("value").sum().alias("_sum"))
    df = df.join(sums, on="_i").with_columns(
        (
            pl.col("value")
            / pl.col("_i")
            .replace_strict(totals, default=None, return_dtype=pl.Float64)
            .fill_null(pl.col("_sum"))
        ).alias("share"),
        pl.lit("youtube").alias("platform"),
        pl.lit("youtube").alias("channel"),
        pl.lit("country").alias("geo_level"),
        pl.lit(s.source).alias("source"),
    )
    return df.drop("_i", "_sum"), len(t.rows), extra


register(
    Source(
        "youtube_studio_totals",
        "YouTube Studio Totals.csv (channel metric by day)",
        "daily_series",
        frame_stager("daily_series", read_totals),
        merge_daily_series,
        is_totals,
        order=600,
    ),
    Source(
        "youtube_studio_table",
        "YouTube Studio Table data.csv (by Date or Geography)",
        "daily_series",  # by Geography: audience_shares (the stager says which)
        lambda s: _table_stage(s),
        lambda con, sha, counts: _table_merge(con, sha, counts),
        is_table,
        order=601,
    ),
    Source(
        "youtube_studio_chart",
        "YouTube Studio Chart data.csv (Date, optional Geography, one metric)",
        "daily_series",
        frame_stager("daily_series", read_chart),
        merge_daily_series,
        is_chart,
        order=602,
    ),
)


def _table_stage(s: StageInput):
    t_first = name_key(
        s.info.lines[s.info.header_line].split(s.info.delimiter)[0].strip('"\ufeff ')
    )
    table = "audience_shares" if t_first == "geography" else "daily_series"
    return frame_stager(table, read_table_data)(s)


def _table_merge(con, sha, counts):
    cols = {r[0] for r in con.execute("DESCRIBE stage").fetchall()}
    return (merge_audience_shares if "geo" in cols else merge_daily_series)(con, sha, counts)
