"""Shared parsing for the platforms' own downloads: the table under the header, counts with
thousands separators, percentages, dates written in words (English, Spanish, Portuguese)
and local publish times converted to UTC with a time zone that is known, never assumed."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from insights.ingest.staged import FileRejected
from insights.ingest.textfile import TextInfo, read_text
from insights.regions import name_key


@dataclass
class Table:
    """The header and data rows of an export; ``lines[i]`` is the 1-based line of
    ``rows[i]`` in the file (a quoted caption may span lines)."""

    header: list[str]
    rows: list[list[str]]
    lines: list[int]

    def col(self, *names: str) -> int | None:
        """Index of the first header cell whose key (case, accents, punctuation ignored) is
        one of ``names`` (already keys)."""
        keys = [name_key(h) for h in self.header]
        return next((keys.index(n) for n in names if n in keys), None)

    def cell(self, row: list[str], i: int | None) -> str:
        return row[i].strip() if i is not None and i < len(row) else ""


def header_at(info: TextInfo, wanted: set[str], within: int = 10) -> int | None:
    """Index of the first of the first lines whose cells' keys include all of ``wanted``.
    For layouts whose first data row may span lines (a quoted caption with line breaks),
    which the generic header search, comparing the widths of single lines, misplaces."""
    for i, line in enumerate(info.lines[:within]):
        cells = next(csv.reader([line], delimiter=info.delimiter), [])
        if wanted <= {name_key(c) for c in cells}:
            return i
    return None


def read_table(path: Path, info: TextInfo, header_line: int | None = None) -> Table:
    """The whole table from the header line on (lines above it are titles and comments);
    ``header_line`` overrides the one ``inspect`` found."""
    text = read_text(path, info.encoding).lstrip("\ufeff")
    lines = text.splitlines()
    first = info.header_line if header_line is None else header_line
    body = "\n".join(lines[first:])
    reader = csv.reader(io.StringIO(body), delimiter=info.delimiter)
    header = [h.strip().lstrip("\ufeff") for h in next(reader, [])]
    rows: list[list[str]] = []
    at: list[int] = []
    start = reader.line_num
    for row in reader:
        if any(c.strip() for c in row):
            rows.append(row)
            at.append(first + start + 1)
        start = reader.line_num
    return Table(header, rows, at)


def metric_key(name: str) -> str:
    """``'Watch time (hours)'`` -> ``'watch_time_hours'``."""
    return name_key(name).replace(" ", "_")


_COUNT = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+$")


def count(text: str) -> int | None:
    """A non-negative count as exported (``1234``, ``1,234``); empty -> ``None``; anything
    else raises ``ValueError`` (never read as another number)."""
    t = text.strip().strip('"')
    if t in ("", "-", "--"):
        return None
    if not _COUNT.match(t):
        if re.fullmatch(r"\d+\.0+", t):
            return int(float(t))
        raise ValueError(t[:20])
    return int(t.replace(",", ""))


def number(text: str) -> float | None:
    """A decimal with a point (``11.2``), a percentage (``2.6%`` -> 0.026) or empty."""
    t = text.strip().replace(",", "")
    if t in ("", "-", "--"):
        return None
    if t.endswith("%"):
        return float(t[:-1]) / 100
    return float(t)


MONTHS = {
    **{
        m: i
        for i, m in enumerate(
            [
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ],
            1,
        )
    },
    **{
        m: i
        for i, m in enumerate(
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
        )
    },
    "sept": 9,
    **{
        m: i
        for i, m in enumerate(
            [
                "enero",
                "febrero",
                "marzo",
                "abril",
                "mayo",
                "junio",
                "julio",
                "agosto",
                "septiembre",
                "octubre",
                "noviembre",
                "diciembre",
            ],
            1,
        )
    },
    "setiembre": 9,
    **{
        m: i
        for i, m in enumerate(
            [
                "janeiro",
                "fevereiro",
                "marco",
                "abril",
                "maio",
                "junho",
                "julho",
                "agosto",
                "setembro",
                "outubro",
                "novembro",
                "dezembro",
            ],
            1,
        )
    },
}


def month_day(text: str) -> tuple[int, int] | None:
    """``'March 1'``, ``'1 March'``, ``'1 de marzo'``, ``'Mar 1'`` -> (3, 1); else None."""
    words = [w for w in name_key(text).split() if w != "de"]
    if len(words) != 2:
        return None
    a, b = words
    if a in MONTHS and b.isdigit():
        return MONTHS[a], int(b)
    if b in MONTHS and a.isdigit():
        return MONTHS[b], int(a)
    return None


def words_date(text: str) -> date | None:
    """A date written in words with its year: ``'Fri, Mar 1, 2024'``, ``'Mar 1, 2024'``,
    ``'1 de marzo de 2024'``; else None."""
    words = [w for w in name_key(text).split() if w != "de"]
    if words and words[0] in {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}:
        words = words[1:]
    if len(words) != 3 or not words[2].isdigit() or len(words[2]) != 4:
        return None
    md = month_day(" ".join(words[:2]))
    if md is None:
        return None
    try:
        return date(int(words[2]), *md)
    except ValueError:
        return None


def zone(name: str, what: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except Exception:
        raise FileRejected(f"{what} {name!r} is not an IANA time zone") from None


def to_utc(local: datetime, tz: ZoneInfo) -> datetime | None:
    """A wall time in ``tz`` as UTC; ``None`` when it does not exist there (a DST gap) or
    occurs twice (a DST fall-back hour): never shifted silently."""
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        return None  # ambiguous or nonexistent
    back = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if back != local:
        return None
    return first.astimezone(UTC)


def labelled(df: pl.DataFrame, platform: str, channel: str, source: str) -> pl.DataFrame:
    """``df`` with the ``platform``, ``channel`` and ``source`` columns every platform table
    carries."""
    return df.with_columns(
        pl.lit(platform).alias("platform"),
        pl.lit(channel).alias("channel"),
        pl.lit(source).alias("source"),
    )
