"""Google Analytics 4 report and exploration downloads (CSV), English, Spanish or
Portuguese UI.

Layout, as public readers of these downloads show it: a block of ``#`` comment lines on
top (title, account, property, ``# Start date: 20260501`` / ``# End date: 20260531``;
in Spanish UI ``# Fecha de inicio:`` / ``# Fecha de finalización:``), then one table or
several (each after its own comment block or a blank line) whose header names the
dimensions then the metrics. ``Date`` is ``YYYYMMDD``, ``Hour`` ``00``-``23``, ``Date +
hour (YYYYMMDDHH)`` joins both; some downloads write ``Jul 1, 2025`` and ``Jul 1, 2025,
12AM`` instead (a public GA4 anomaly tool reads both forms). Public code read for this:
GA4 importers that skip the ``#`` lines and parse ``# Start date:``, and loaders of
``Date + hour (YYYYMMDDHH)`` columns with ``%Y%m%d%H``. Spanish and Portuguese column names
(``Fecha``, ``Hora``, ``Región``, ``Sesiones con interacción``, ``Sessões engajadas`` ...)
are GA4's UI translations; no stored public export in those languages was found to check
them against.

What it becomes:

* with an hour (``Hour`` or ``Date + hour``): an hourly series by region -> ``consumption``
  (channel = ``Platform`` lower-cased, else ``web``; region = ``Region``, else ``City``,
  else ``Country``, resolved by the gazetteer: ``Mexico City``, ``State of Mexico``,
  ``Nuevo Leon``, Brazil's ``Federal District``). GA4 writes times in the property's
  reporting time zone, which the download does not state: a ``# Time zone:`` comment is
  read when present, else ``--tz``, else the file is rejected naming ``--tz``. UTC is
  never assumed.
* with a date and no hour: ``daily_series`` (platform ``ga4``; one row per day, region,
  channel and additive metric).
* without a date: rejected (period totals, nothing placed in time).

``views`` = ``Views`` (GA4's screen_page_views), else ``Sessions``, else ``Event count``;
``engagements`` = ``Engaged sessions`` (GA4: sessions longer than 10 seconds, with a key
event, or with two or more page or screen views; Google Analytics help, "Engaged
sessions"). Rows split by other dimensions (City under Region, Device category, Session
default channel group ...) are summed to (hour, region, channel); ``Active users``,
rates and averages are dropped (they do not add up across rows).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pycountry

from insights.ingest import consumption
from insights.ingest.staged import FileRejected, Staged, stage_frame
from insights.ingest.textfile import inspect, read_text, records
from insights.regions import canonical_region, name_key
from insights.sources.base import Probe, Source, StageInput, register
from insights.sources.platform import count, to_utc, words_date, zone
from insights.sources.tables import conform, merge_consumption_table, merge_daily_series

START_KEYS = ("start date", "fecha de inicio", "data de inicio")
TZ_KEYS = ("time zone", "timezone", "zona horaria", "fuso horario")
DATE = {"date", "fecha", "data"}
HOUR = {"hour", "hora"}
DATEHOUR_PREFIX = ("date hour", "fecha y hora", "fecha hora", "data e hora", "data hora")
REGION = {"region", "regiao"}
CITY = {"city", "ciudad", "cidade"}
COUNTRY = {"country", "pais"}
PLATFORM = {"platform", "plataforma"}
# additive metrics, by the name they get in daily_series
METRICS = {
    "views": {"views", "vistas", "visualizacoes"},
    "sessions": {"sessions", "sesiones", "sessoes"},
    "engaged_sessions": {"engaged sessions", "sesiones con interaccion", "sessoes engajadas"},
    "event_count": {"event count", "numero de eventos", "contagem de eventos"},
}
NOT_ADDITIVE = {"active users", "usuarios activos", "usuarios ativos", "total users", "new users"}
GA4_ONLY = {
    "engaged sessions",
    "sesiones con interaccion",
    "sessoes engajadas",
    "event count",
    "active users",
    "session default channel group",
    "session primary channel group default channel group",
}


def _comment_keys(lines: list[str]) -> list[str]:
    return [name_key(line.lstrip("#")) for line in lines if line.lstrip().startswith("#")]


def detect(p: Probe) -> bool:
    above = p.info.lines[: p.info.header_line]
    if any(k.startswith(START_KEYS) for k in _comment_keys(above)):
        return True
    keys = {name_key(h) for h in p.header}
    # GA4's own names: a canonical file's date_hour or fecha_hora column is not one of them
    return bool(keys & GA4_ONLY) or "date hour yyyymmddhh" in keys


@dataclass
class Block:
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    def find(self, names: set[str]) -> int | None:
        keys = [name_key(h) for h in self.header]
        return next((i for i, k in enumerate(keys) if k in names), None)

    def datehour(self) -> int | None:
        keys = [name_key(h) for h in self.header]
        return next((i for i, k in enumerate(keys) if k.startswith(DATEHOUR_PREFIX)), None)


def parse(text: str) -> tuple[list[Block], str | None]:
    """The tables of a GA4 download and the time zone its comments state (if any)."""
    blocks: list[Block] = []
    tz = None
    current: Block | None = None
    # record by record: a quoted cell (a page title) may hold line breaks (RFC 4180), and a
    # line inside it may start with "#" (a hashtag), which is text, not a comment
    for start, line in records(text.splitlines()):
        n = start + 1
        stripped = line.strip()
        if stripped.startswith("#"):
            key = name_key(stripped.lstrip("#"))
            if key.startswith(TZ_KEYS) and ":" in stripped:
                tz = stripped.split(":", 1)[1].strip()
            current = None
            continue
        if not stripped.strip(","):
            current = None
            continue
        cells = next(csv.reader(io.StringIO(line)))
        if current is None:
            current = Block([c.strip().lstrip("\ufeff") for c in cells])
            blocks.append(current)
        else:
            current.rows.append(cells)
            current.lines.append(n)
    return blocks, tz


def _day(text: str) -> date | None:
    t = text.strip()
    if re.fullmatch(r"\d{8}", t):
        try:
            return date(int(t[:4]), int(t[4:6]), int(t[6:]))
        except ValueError:
            return None
    return words_date(t)


_AMPM = re.compile(r"^(?P<d>.*\d{4}),?\s*(?P<h>\d{1,2})\s*(?P<ap>am|pm)$", re.I)


def _local(block: Block, row: list[str]) -> datetime | None:
    """The local hour of a row (Date + Hour, or Date + hour), or None when it has none."""
    dh = block.datehour()
    if dh is not None:
        t = row[dh].strip()
        if re.fullmatch(r"\d{10}", t):
            d = _day(t[:8])
            h = int(t[8:])
        else:
            m = _AMPM.match(t)
            if not m:
                raise ValueError(f"Date + hour not understood: {t[:20]!r}")
            d = _day(m["d"])
            h = int(m["h"]) % 12 + (12 if m["ap"].lower() == "pm" else 0)
        if d is None or not 0 <= h <= 23:
            raise ValueError(f"Date + hour not understood: {t[:20]!r}")
        return datetime(d.year, d.month, d.day) + timedelta(hours=h)
    di, hi = block.find(DATE), block.find(HOUR)
    d = _day(row[di])
    if d is None:
        raise ValueError(f"Date not understood: {row[di].strip()[:20]!r}")
    hour = row[hi].strip()
    if not hour.isdigit() or not 0 <= int(hour) <= 23:
        raise ValueError(f"Hour not understood: {hour[:10]!r}")
    return datetime(d.year, d.month, d.day) + timedelta(hours=int(hour))


def _hourly(b: Block) -> bool:
    return b.datehour() is not None or (b.find(DATE) is not None and b.find(HOUR) is not None)


def _metric_cols(b: Block) -> dict[str, int]:
    return {m: i for m, names in METRICS.items() if (i := b.find(names)) is not None}


def _place_col(b: Block) -> tuple[int | None, str]:
    for names, level in ((REGION, "region"), (CITY, "city"), (COUNTRY, "country")):
        if (i := b.find(names)) is not None:
            return i, level
    return None, ""


def _country(b: Block) -> str | None:
    i = b.find(COUNTRY)
    if i is None:
        return None
    names = {r[i].strip() for r in b.rows if i < len(r)}
    if len(names) != 1:
        return None
    try:
        return pycountry.countries.lookup(names.pop()).alpha_2
    except LookupError:
        return None


def _rows(b: Block, extra: Staged):
    """(line, row) of data rows, a totals row (no date) skipped and counted."""
    di = b.datehour() if b.datehour() is not None else b.find(DATE)
    for row, line in zip(b.rows, b.lines, strict=True):
        if di is None or di >= len(row) or not row[di].strip():
            extra.rows_skipped += 1
            continue
        yield line, row


def _channel(b: Block, row: list[str]) -> str:
    i = b.find(PLATFORM)
    v = row[i].strip().lower() if i is not None and i < len(row) else ""
    return v or "web"


def stage(s: StageInput):
    text = read_text(s.path, s.info.encoding).lstrip("\ufeff")
    blocks, file_tz = parse(text)
    blocks = [b for b in blocks if b.rows]
    if not blocks:
        raise FileRejected("GA4 download without data rows", line=1)
    hourly = [b for b in blocks if _hourly(b)]
    daily = [b for b in blocks if not _hourly(b) and b.find(DATE) is not None]
    if hourly:
        return _stage_hourly(s, hourly, file_tz, len(blocks) - len(hourly))
    if daily:
        return _stage_daily(s, daily, len(blocks) - len(daily))
    raise FileRejected(
        "GA4 table without Date: totals over the report's period, nothing to place in time; "
        "add the Date dimension (and Hour for an hourly series) to the report",
        line=1,
    )


def _stage_hourly(s: StageInput, blocks: list[Block], file_tz: str | None, others: int):
    tz_name = file_tz or s.options.tz
    if not tz_name:
        raise FileRejected(
            "GA4 times are in the property's reporting time zone, which this download does "
            "not state; pass --tz with it (for example --tz America/Mexico_City)",
            line=1,
        )
    tz = zone(tz_name, "time zone" if file_tz else "--tz")
    extra = Staged("consumption", 0)
    sums: dict[tuple, list[float]] = {}
    country = None
    for b in blocks:
        mcols = _metric_cols(b)
        vi = next((mcols[m] for m in ("views", "sessions", "event_count") if m in mcols), None)
        ei = mcols.get("engaged_sessions")
        if vi is None or ei is None:
            need = "Engaged sessions" if vi is not None else "Views, Sessions or Event count"
            raise FileRejected(
                f"GA4 table without {need} (views = Views, else Sessions, else Event "
                "count; engagements = Engaged sessions): add it to the report",
                line=1,
            )
        place, _ = _place_col(b)
        if place is None:
            raise FileRejected(
                "GA4 table without Region, City or Country: an hourly series needs the "
                "audience's place; add the Region dimension to the report",
                line=1,
            )
        country = country or _country(b)
        for line, row in _rows(b, extra):
            extra.rows_read += 1
            try:
                local = _local(b, row)
                v, e = count(row[vi]), count(row[ei])
            except (ValueError, IndexError) as exc:
                extra.rows_rejected += 1
                extra.rejects.append((line, str(exc) or "value not understood"))
                continue
            utc = to_utc(local, tz)
            if utc is None:
                extra.rows_rejected += 1
                extra.rejects.append(
                    (line, f"{local:%Y-%m-%d %H}:00 does not exist once in {tz_name} (DST)")
                )
                continue
            key = (utc, row[place].strip(), _channel(b, row))
            acc = sums.setdefault(key, [0.0, 0.0])
            acc[0] += v or 0
            acc[1] += e or 0
    if not sums:
        if extra.rejects:
            line, why = extra.rejects[0]
            raise FileRejected(why, line=line)
        raise FileRejected("no data rows", line=2)
    tmp = Path(tempfile.mkdtemp(prefix="insights-ga4-"))
    try:
        canon = tmp / "ga4.csv"
        with open(canon, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["timestamp", "region", "channel", "views", "engagements"])
            for (utc, region, channel), (v, e) in sorted(sums.items()):
                w.writerow([utc.strftime("%Y-%m-%dT%H:%M:%S+00:00"), region, channel, v, e])
        options = replace(s.options, tz=None, country=s.options.country or country)
        staged, counts = consumption.stage_consumption(
            s.con, canon, inspect(canon), s.source, options
        )
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if counts.stage_view:  # the stage reads the copy until the merge (MergeCounts.release)
        before = counts.release

        def release() -> None:
            if before:
                before()
            shutil.rmtree(tmp, ignore_errors=True)

        counts.release = release
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    staged.rows_read = extra.rows_read
    staged.rows_rejected += extra.rows_rejected
    staged.rejects = extra.rejects + staged.rejects
    staged.rows_skipped += extra.rows_skipped
    staged.notes.append(f"GA4 hours read in {tz_name}" + (" (from the file)" if file_tz else ""))
    if others:
        staged.notes.append(f"{others} GA4 table(s) without an hour left out")
    return staged, counts


def _stage_daily(s: StageInput, blocks: list[Block], others: int):
    extra = Staged("daily_series", 0)
    out: dict[tuple, float] = {}
    for b in blocks:
        mcols = _metric_cols(b)
        if not mcols:
            raise FileRejected(
                "GA4 table without an additive metric (Views, Sessions, Engaged sessions, "
                "Event count)",
                line=1,
            )
        place, level = _place_col(b)
        country = s.options.country or _country(b)
        di = b.find(DATE)
        for line, row in _rows(b, extra):
            extra.rows_read += 1
            day = _day(row[di])
            if day is None:
                extra.rows_rejected += 1
                extra.rejects.append((line, f"Date not understood: {row[di].strip()[:20]!r}"))
                continue
            region = None
            if place is not None:
                raw = row[place].strip()
                region = canonical_region(raw, country) or raw
            try:
                values = {m: count(row[i]) for m, i in mcols.items()}
            except (ValueError, IndexError):
                extra.rows_rejected += 1
                extra.rejects.append((line, "a metric not understood"))
                continue
            for m, v in values.items():
                if v is not None:
                    k = (day, region, _channel(b, row), m)
                    out[k] = out.get(k, 0.0) + v
    if not out:
        raise FileRejected("no data rows", line=2)
    df = pl.DataFrame(
        [
            {"day": d, "region": r, "channel": c, "metric": m, "value": v}
            for (d, r, c, m), v in out.items()
        ]
    ).with_columns(pl.lit("ga4").alias("platform"), pl.lit(s.source).alias("source"))
    stage_frame(s.con, conform("daily_series", df, s.sha))
    if others:
        extra.notes.append(f"{others} GA4 table(s) without a date left out")
    extra.notes.append("GA4 table without an hour: daily series, never placed at an hour")
    return extra, None


def _merge(con, sha, counts):
    cols = {r[0] for r in con.execute("DESCRIBE stage").fetchall()}
    return (merge_daily_series if "day" in cols else merge_consumption_table)(con, sha, counts)


register(
    Source(
        "ga4",
        "Google Analytics 4 report/exploration CSV",
        "consumption",  # hourly; a download without Hour: daily_series
        stage,
        _merge,
        detect,
        order=650,
    )
)
