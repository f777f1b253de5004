"""Google Trends exports -> ``search_interest``.

Handles ``multiTimeline.csv`` (time series), ``geoMap.csv`` (by region over one
period) in English and Spanish/Portuguese locales, and wide region-by-week
tables. Values are relative to their export (``export_id``); wide tables pulled
one week at a time are relative within each week, which ``scale_group`` records.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import polars as pl

from insights.ingest.staged import FileRejected, Staged, csv_rows
from insights.ingest.textfile import TextInfo, read_text, split_lines
from insights.regions import canonicalize, name_key

PREAMBLE_KEYS = ("categoria", "category", "categoria todas", "categories")
TIME_HEADERS = {
    "semana": "week",
    "week": "week",
    "dia": "day",
    "day": "day",
    "mes": "month",
    "month": "month",
    "hora": "hour",
    "time": "hour",
    "tiempo": "hour",
}
GEO_HEADERS = {
    "region",
    "regiao",
    "estado",
    "state",
    "pais",
    "country",
    "subregion",
    "provincia",
    "ciudad",
    "city",
    "cidade",
    "metro",
    "area metropolitana",
    "dma",
}
TERM_RE = re.compile(r"^(?P<term>.*?):\s*\((?P<ctx>.*)\)\s*$")
# geoMap first headers of a city-level map (Google Trends' "Subregion > City" / "Metro")
CITY_HEADERS = {"ciudad", "city", "cidade", "metro", "area metropolitana", "dma"}
# the English UI's geo headers, as written (the Spanish "Región" differs only by its accent):
# its dates are month-first (3/4/24 is 4 March 2024)
ENGLISH_GEO = {"Region", "Country", "Subregion", "City", "Metro", "DMA", "State"}


def is_trends_preamble(lines: list[str]) -> bool:
    return bool(lines) and name_key(lines[0].split(",")[0]).startswith(PREAMBLE_KEYS)


def _header_index(lines: list[str]) -> int:
    for i, line in enumerate(lines[:5]):
        if line.strip() and not is_trends_preamble([line]):
            return i
    raise FileRejected("Google Trends preamble without a header line", line=1)


def trends_layout(lines: list[str]) -> str | None:
    """``'multitimeline'``, ``'geomap'`` or ``None`` for a Google Trends export."""
    if not is_trends_preamble(lines):
        return None
    first = name_key(lines[_header_index(lines)].split(",")[0])
    if first in TIME_HEADERS:
        return "multitimeline"
    if first in GEO_HEADERS:
        return "geomap"
    return None


def _interest(v: str) -> float | None:
    v = v.strip()
    if not v:
        return None
    if v.endswith("%"):  # a geoMap comparing terms: each term's share of the region's row
        v = v[:-1].strip()
    if v == "<1":
        return 0.5  # Google's "<1": above zero, below one
    return float(v.replace(",", "."))


def _parse_date(v: str, day_first: bool = True) -> date:
    v = v.strip()
    for fmt in ("%Y-%m-%d", "%Y-%m-%dT%H", "%Y-%m"):
        try:
            return datetime.strptime(v, fmt).date()
        except ValueError:
            pass
    d, m, y = re.split(r"[/.-]", v)
    if len(y) == 2:
        y = "20" + y
    if not day_first:
        d, m = m, d
    return date(int(y), int(m), int(d))


def _parse_hour(v: str) -> datetime:
    """An hourly Trends time (``2024-03-15T05``), kept as the wall time exported: Google
    Trends writes hours in the time zone of the browser that downloaded the file, which the
    file does not name."""
    v = v.strip()
    for fmt in ("%Y-%m-%dT%H", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(v, fmt)
        except ValueError:
            pass
    raise ValueError(v)


def _split_term(col: str) -> tuple[str, str | None]:
    m = TERM_RE.match(col)
    return (m["term"].strip(), m["ctx"].strip()) if m else (col.strip(), None)


def read_multitimeline(
    path: Path, info: TextInfo, export_id: str, country: str | None = None
) -> tuple[pl.DataFrame, int]:
    rows = csv_rows(split_lines(read_text(path, info.encoding)), ",")
    start = _header_index([",".join(r) for r in rows])
    header, body = rows[start], [r for r in rows[start + 1 :] if any(c.strip() for c in r)]
    resolution = TIME_HEADERS[name_key(header[0])]
    recs = []
    for lineno, r in enumerate(body, start=start + 2):
        try:
            ts = _parse_date(r[0])
            hour = _parse_hour(r[0]) if resolution == "hour" else None
        except (ValueError, IndexError):
            raise FileRejected(f"date not understood: {r[0][:40]!r}", line=lineno) from None
        for col, val in zip(header[1:], r[1:], strict=False):
            term, geo = _split_term(col)
            try:
                recs.append((ts, hour, resolution, geo or "global", term, _interest(val)))
            except ValueError:
                raise FileRejected(f"interest not a number: {val[:40]!r}", line=lineno) from None
    df = pl.DataFrame(
        recs,
        schema={
            "ts": pl.Date,
            "ts_hour": pl.Datetime("us"),
            "resolution": pl.Utf8,
            "geo_raw": pl.Utf8,
            "term": pl.Utf8,
            "interest": pl.Float64,
        },
        orient="row",
    )
    return _finish(df, export_id, per_period=False, country=country), len(body)


def read_geomap(
    path: Path, info: TextInfo, export_id: str, country: str | None = None
) -> tuple[pl.DataFrame, int, Staged]:
    """``geoMap.csv``: one row per place, one column per term ``term: (start - end)``.

    * Several terms compared: Google writes each term's share of the place's row
      (``88%``, ``12%``); loaded as the number, one row per place and term, and said.
    * City level (first header ``Cidade``/``Ciudad``/``City``/``Metro``): places stay
      cities, stored as ``City (State)`` when the state is known (``Campinas (São
      Paulo)``, ``São Paulo (São Paulo)``), never merged into their state.
    * The period's dates follow the UI's language: month-first in the English UI
      (``Region``, ``City`` ... as written: ``3/4/24`` is 4 March 2024), day-first in the
      Spanish and Portuguese ones; the order used is stated.
    """
    rows = csv_rows(split_lines(read_text(path, info.encoding)), ",")
    start = _header_index([",".join(r) for r in rows])
    header, body = rows[start], [r for r in rows[start + 1 :] if any(c.strip() for c in r)]
    extra = Staged("", len(body))
    english = header[0].strip() in ENGLISH_GEO
    recs = []
    percent = False
    for col_i, col in enumerate(header[1:], start=1):
        term, ctx = _split_term(col)
        try:
            parts = (ctx or "").split(" - ")
            a, b = (_parse_date(x, day_first=not english) for x in parts)
        except ValueError:
            raise FileRejected(f"period not understood in header {col!r}", line=start + 1) from None
        if col_i == 1 and any("/" in x for x in parts):
            order = "month-first (English UI)" if english else "day-first (Spanish/Portuguese UI)"
            extra.details["date_order"] = "mdy" if english else "dmy"
            extra.notes.append(f"period {ctx} read {order}: {a} to {b}")
        for lineno, r in enumerate(body, start=start + 2):
            try:
                val = _interest(r[col_i]) if col_i < len(r) else None
            except ValueError:
                raise FileRejected(f"interest not a number: {r[col_i]!r}", line=lineno) from None
            percent = percent or (col_i < len(r) and r[col_i].strip().endswith("%"))
            recs.append((a, b, "period", r[0], term, val))
    df = pl.DataFrame(
        recs, schema=["ts", "ts_end", "resolution", "geo_raw", "term", "interest"], orient="row"
    )
    if percent:
        extra.details["values"] = "percent of each place's row (terms compared)"
        extra.notes.append(
            f"{len(header) - 1} terms compared: values are each term's share (%) of its "
            "place's row, not an index across places"
        )
    city = name_key(header[0]) in CITY_HEADERS
    out = _finish(df, export_id, per_period=False, country=country, city=city)
    if city:
        extra.details["geo_level"] = "city"
        extra.notes.append(
            f"city-level map: {out['geo'].n_unique()} cities kept as cities (City (State))"
        )
    return out, len(body), extra


def looks_wide_by_date(header: list[str]) -> bool:
    if len(header) < 3:
        return False
    ok = 0
    for h in header[1:]:
        try:
            _parse_date(h)
            ok += 1
        except (ValueError, TypeError):
            pass
    return ok >= 0.9 * (len(header) - 1)


def read_wide(
    path: Path, info: TextInfo, export_id: str, term: str | None, country: str | None = None
) -> tuple[pl.DataFrame, int]:
    rows = csv_rows(read_text(path, info.encoding).splitlines(), info.delimiter)
    header, body = rows[0], [r for r in rows[1:] if any(c.strip() for c in r)]
    dates = [_parse_date(h) for h in header[1:]]
    recs = []
    for lineno, r in enumerate(body, start=2):
        for d, val in zip(dates, r[1:], strict=False):
            try:
                recs.append((d, "week", r[0], term or path.stem, _interest(val)))
            except ValueError:
                raise FileRejected(f"interest not a number: {val!r}", line=lineno) from None
    df = pl.DataFrame(
        recs, schema=["ts", "resolution", "geo_raw", "term", "interest"], orient="row"
    )
    return _finish(df, export_id, per_period=True, country=country), len(body)


def _finish(
    df: pl.DataFrame,
    export_id: str,
    per_period: bool,
    country: str | None = None,
    city: bool = False,
) -> pl.DataFrame:
    if "ts_end" not in df.columns:
        df = df.with_columns(pl.lit(None, dtype=pl.Date).alias("ts_end"))
    if "ts_hour" not in df.columns:
        df = df.with_columns(pl.lit(None, dtype=pl.Datetime("us")).alias("ts_hour"))
    geo = canonicalize(df["geo_raw"], country)  # within the export's country (or --country)
    if city:
        # a city is no region: named with its state (when known) so that the city of São
        # Paulo and the state of São Paulo stay two places
        name = df["geo_raw"].str.strip_chars()
        geo = geo.with_columns(
            region=pl.when(geo["region_known"])
            .then(name + " (" + geo["region"] + ")")
            .otherwise(name),
            region_known=pl.lit(False),
        )
    df = df.with_columns(
        geo=geo["region"], geo_known=geo["region_known"], export_id=pl.lit(export_id)
    )
    scale = (
        pl.lit(export_id) + ":" + pl.col("ts").cast(pl.Utf8) if per_period else pl.lit(export_id)
    )
    return (
        df.with_columns(scale_group=scale)
        .filter(pl.col("interest").is_not_null())
        .select(
            "ts",
            "ts_hour",
            "ts_end",
            "resolution",
            "geo",
            "geo_raw",
            "geo_known",
            "term",
            "interest",
            "export_id",
            "scale_group",
        )
    )
