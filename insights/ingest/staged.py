"""What a reader hands the loader: canonical rows in the temp table ``stage``, plus counts."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import duckdb
import polars as pl

from insights import errors, sql

MAX_REJECTS_KEPT = 10_000


FileRejected = errors.FileRejected  # defined with every user-facing error


class NotBatchable(Exception):
    """Files staged together need what only file-by-file loading does (line numbers of
    rejects, DST fall-back splits, events or keys they share with each other or the
    warehouse): load them one by one, in order."""


@dataclass(frozen=True)
class IngestOptions:
    """What the user settles on the command line when a file cannot say it itself."""

    decimal: str | None = None  # "." or ",": the decimal separator of every numeric column
    date_order: str | None = None  # "dmy" | "mdy" | "ymd" for slash dates
    tz: str | None = None  # IANA zone of local times without an offset (all rows)
    country: str | None = None  # ISO 3166-1 alpha-2 country the regions belong to
    sheet: str | None = None  # Excel sheet holding the data
    year: int | None = None  # year of dates exported without one (TikTok Studio: "March 1")


@dataclass
class Staged:
    table: str
    rows_read: int
    rows_rejected: int = 0
    rejects: list[tuple[int | None, str]] = field(default_factory=list)
    pii_dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows_skipped: int = 0  # totals, comment and description lines: neither loaded nor rejected
    details: dict = field(default_factory=dict)  # date_order, grain, ambiguous_local_times ...


def stage_frame(con: duckdb.DuckDBPyConnection, df: pl.DataFrame) -> None:
    """Put a Polars frame of canonical rows into the temp table ``stage``."""
    sql.register(con, "_stage_src", df)
    con.execute("CREATE OR REPLACE TEMP TABLE stage AS SELECT * FROM _stage_src")
    con.unregister("_stage_src")


def csv_rows(lines: list[str], delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))


def require(present: dict[str, str], needed: list[str], header: list[str]) -> None:
    missing = [c for c in needed if c not in present]
    if missing:
        raise FileRejected(
            f"missing column(s) {', '.join(missing)} (header has: {', '.join(header)}); "
            "see the column aliases in docs/explanation/ingest.md or pass --kind",
            line=1,
        )
