"""Google Search Console performance downloads (the CSV members of its ZIP, or the sheets
of its Excel download), handed over one by one.

Layouts, as public importers of the Search Console ZIP show them (a Go importer's test
fixture naming each member of the ZIP; ``scripts/normalize_search_console_csv.py``'s test
for ``Top queries``): ``Dates.csv`` ``Date,Clicks,Impressions,CTR,Position`` (``2026-07-02``, CTR as
``2.08%``), ``Countries.csv`` ``Country,Clicks,Impressions,CTR,Position`` (English country
names), ``Queries.csv`` ``Top queries,...``, ``Pages.csv`` ``Top pages,...``,
``Devices.csv`` ``Device,...``, ``Search appearance.csv`` and ``Filters.csv``
``Filter,Value``.

What each becomes (platform ``google_search``, channel ``search``):

* Dates -> ``daily_series`` (clicks, impressions, ctr as a fraction, position; Search
  Console's days are Pacific-time days, kept as named; never an hour);
* Countries -> ``audience_shares`` (geo = ISO 3166-1 alpha-2 from the English name; clicks
  and impressions with their share of the file's total; CTR and position dropped: they do
  not add up);
* Queries, Pages, Devices, Search appearance, Filters: rejected with a line saying what
  they are (totals without time or place).
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pycountry

from insights.ingest.staged import FileRejected, Staged
from insights.regions import name_key
from insights.sources import platform
from insights.sources.base import Probe, Source, StageInput, register
from insights.sources.platform import count, number, read_table
from insights.sources.tables import frame_stager, merge_audience_shares, merge_daily_series

METRICS = ["clicks", "impressions", "ctr", "position"]
OTHERS = {
    "top queries": "a Search Console queries table (Queries.csv)",
    "top pages": "a Search Console pages table (Pages.csv)",
    "device": "a Search Console devices table (Devices.csv)",
    "search appearance": "a Search Console search-appearance table",
}


def _keys(p: Probe) -> list[str]:
    return [name_key(h) for h in p.header]


def is_dates(p: Probe) -> bool:
    return _keys(p) == ["date", *METRICS]


def is_countries(p: Probe) -> bool:
    return _keys(p) == ["country", *METRICS]


def is_other(p: Probe) -> bool:
    k = _keys(p)
    return (len(k) == 5 and k[0] in OTHERS and k[1:] == METRICS) or k == ["filter", "value"]


def read_dates(s: StageInput):
    t = read_table(s.path, s.info)
    extra = Staged("daily_series", len(t.rows))
    out = []
    for row, line in zip(t.rows, t.lines, strict=True):
        try:
            day = date.fromisoformat(row[0].strip())
            vals = [count(row[1]), count(row[2]), number(row[3]), number(row[4])]
        except (ValueError, IndexError):
            extra.rows_rejected += 1
            extra.rejects.append((line, "Date or a metric not understood"))
            continue
        out += [
            {"day": day, "metric": m, "value": float(v)}
            for m, v in zip(METRICS, vals, strict=True)
            if v is not None
        ]
    df = pl.DataFrame(out, schema={"day": pl.Date, "metric": pl.Utf8, "value": pl.Float64})
    return _label(df, s), len(t.rows), extra


def _country(name: str) -> str | None:
    try:
        return pycountry.countries.lookup(name.strip()).alpha_2
    except LookupError:
        pass
    try:  # "Bolivia", "Venezuela", "Russia": common names pycountry matches fuzzily
        found = pycountry.countries.search_fuzzy(name.strip())
        return found[0].alpha_2 if len(found) == 1 else None
    except LookupError:
        return None


def read_countries(s: StageInput):
    t = read_table(s.path, s.info)
    extra = Staged("audience_shares", len(t.rows))
    out = []
    for row, line in zip(t.rows, t.lines, strict=True):
        geo = _country(row[0])
        if geo is None:
            extra.rows_rejected += 1
            extra.rejects.append((line, f"Country not known: {row[0][:30]!r}"))
            continue
        try:
            clicks, impressions = count(row[1]), count(row[2])
        except (ValueError, IndexError):
            extra.rows_rejected += 1
            extra.rejects.append((line, "Clicks or Impressions not understood"))
            continue
        out += [
            {"geo": geo, "metric": m, "value": float(v)}
            for m, v in (("clicks", clicks), ("impressions", impressions))
            if v is not None
        ]
    df = pl.DataFrame(out, schema={"geo": pl.Utf8, "metric": pl.Utf8, "value": pl.Float64})
    df = df.with_columns(
        (pl.col("value") / pl.col("value").sum().over("metric")).alias("share"),
        pl.lit("country").alias("geo_level"),
    )
    return _label(df, s), len(t.rows), extra


def _label(df: pl.DataFrame, s: StageInput) -> pl.DataFrame:
    return platform.labelled(df, "google_search", "search", s.source)


def reject_other(s: StageInput):
    first = name_key(read_table(s.path, s.info).header[0])
    what = OTHERS.get(first, "the Search Console filters of a download (Filters.csv)")
    raise FileRejected(
        f"{what}: totals over the period without time or place, nothing to load; "
        "load Dates.csv (by day) or Countries.csv (by country) of the same download",
        line=1,
    )


register(
    Source(
        "search_console_dates",
        "Search Console Dates.csv (by day)",
        "daily_series",
        frame_stager("daily_series", read_dates),
        merge_daily_series,
        is_dates,
        order=640,
    ),
    Source(
        "search_console_countries",
        "Search Console Countries.csv (by country)",
        "audience_shares",
        frame_stager("audience_shares", read_countries),
        merge_audience_shares,
        is_countries,
        order=641,
    ),
    Source(
        "search_console_other",
        "Search Console Queries/Pages/Devices/Search appearance/Filters (told, not loaded)",
        "daily_series",
        reject_other,
        merge_daily_series,
        is_other,
        order=642,
    ),
)
