"""Brands (``client``): the key that keeps each brand's rows apart in one warehouse.

An agency's warehouse holds several brands. Every brand-owned table (:data:`TABLES`) has a
``client`` column; a warehouse made before brands existed gets it on first use, every
existing row becoming brand :data:`DEFAULT` (``'default'``), so a one-brand user never
sees it.

Writing: :func:`insights.warehouse.write` sets the connection's DuckDB variable
``insights_client`` (:data:`CURRENT`); the column's default reads it, so every insert
that does not name ``client`` is stamped with the brand being written, and the merges
compare ``client`` against :data:`CURRENT` (two brands never replace each other's rows).

Reading: :func:`scope` shadows each brand table with a temporary view of one brand's rows
(DuckDB resolves a bare table name to the ``temp`` schema first), so every query of the
stages reads one brand without knowing about brands. Without a brand on a warehouse of
several, the views raise instead (:func:`guard`): no query can mix brands silently.

A brand name is 1-64 letters (accents too), digits, spaces, ``.``, ``-`` or ``_``: it names
lake partitions and model folders.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import duckdb

from insights import errors
from insights.settings import CLIENT_ENV
from insights.sql import ident
from insights.sql import literal as sql_literal

DEFAULT = "default"
#: Read every brand's rows on purpose (status, lake export): no view, no guard.
ALL = "*"
VARIABLE = "insights_client"
#: The brand a write connection stamps (set by ``warehouse.write``), as SQL.
CURRENT = f"getvariable('{VARIABLE}')"
#: The tables whose rows belong to one brand. Shared data (grid energy, search interest,
#: regions, studio logs, CENACE generation) and per-file tables keyed by hash (rejects,
#: advice_backtests and backtest_scores keyed by run_id) have no brand.
TABLES = (
    "consumption",
    "consumption_events",
    "ingest_log",
    "model_runs",
    "forecasts",
    "recommendations",
    "posts",
    "audience_activity",
    "audience_shares",
    "daily_series",
)
#: Tables whose rows say a brand exists (a log or a model run alone does too).
_PRESENCE = ("consumption", "posts", "daily_series", "audience_activity", "audience_shares")

_NAME = re.compile(r"^[\w.\- ]{1,64}$")  # \w: letters with accents, digits, _
# The text of the guard's error, recognised where DuckDB's error is turned into one line.
GUARD_TEXT = "holds several brands"


BrandError = errors.BrandError  # defined with every user-facing error


def check(client: str) -> str:
    """``client`` stripped; :class:`BrandError` when empty, over 64 characters or with
    characters other than letters, digits, spaces, ``.``, ``-``, ``_``."""
    c = (client or "").strip()
    if not _NAME.match(c):
        raise BrandError(
            f"brand {client!r}: use 1-64 letters, digits, spaces, '.', '-' or '_' "
            f"(--client / {CLIENT_ENV})"
        )
    return c


class Layout:
    """The stored brand tables of a connection's warehouse (``catalog``: its database name),
    and whether each has the ``client`` column (``has``), read once per connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        # duckdb_columns() alone: joining duckdb_tables() costs three times as much
        rows = con.execute(
            """SELECT current_database(), table_name, bool_or(column_name = 'client')
            FROM duckdb_columns()
            WHERE database_name = current_database() AND schema_name = 'main'
              AND list_contains($tables, table_name)
            GROUP BY ALL""",
            {"tables": list(TABLES)},
        ).fetchall()
        self.catalog: str = (
            rows[0][0] if rows else con.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
        )
        self.has: dict[str, bool] = {t: bool(h) for _, t, h in rows}

    def source(self, table: str) -> str:
        """The stored table's full name (a bare name would find the view of :func:`scope`)."""
        return f"{ident(self.catalog)}.main.{table}"

    @property
    def branded(self) -> bool:
        """Every brand table carries ``client`` (else made before brands: migrated on first
        write)."""
        return all(self.has.values())


def present(con: duckdb.DuckDBPyConnection, layout: Layout | None = None) -> list[str]:
    """The brands with data or model runs in the warehouse, sorted (the stored tables, never
    the views of :func:`scope`)."""
    lay = layout or Layout(con)
    tables = [t for t in (*_PRESENCE, "model_runs") if t in lay.has]
    if not tables:
        return []
    col = {t: "client" if lay.has[t] else f"'{DEFAULT}'" for t in tables}
    # min and max come from the column statistics (about 1 ms on the demo warehouse, where
    # DISTINCT scans: 17 ms); only when they differ are the names listed
    bounds = con.execute(
        " UNION ALL ".join(
            f"SELECT min({col[t]}), max({col[t]}) FROM {lay.source(t)}" for t in tables
        )
    ).fetchall()
    found = {v for row in bounds for v in row if v is not None}
    if len(found) <= 1 and all(lo == hi for lo, hi in bounds):
        return sorted(found)
    rows = con.execute(
        " UNION ".join(f"SELECT DISTINCT {col[t]} FROM {lay.source(t)}" for t in tables)
        + " ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows if r[0] is not None]


def branded(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether every brand table the warehouse has carries the ``client`` column."""
    return Layout(con).branded


def unknown(client: str, names: Sequence[str]) -> BrandError:
    """The error for a brand the warehouse has no data of."""
    return BrandError(
        f"brand {client!r} has no data in this warehouse; brands: "
        + (", ".join(names[:20]) or "none yet")
    )


def several(names: Sequence[str]) -> str:
    """The sentence that asks for a brand, naming the ones there are."""
    shown = ", ".join(names[:20]) + (" ..." if len(names) > 20 else "")
    return (
        f"this warehouse {GUARD_TEXT} ({shown}): pass --client NAME "
        f"(or set {CLIENT_ENV}) to say which; brands are never mixed"
    )


def resolve(con: duckdb.DuckDBPyConnection, client: str | None) -> str:
    """The brand a reader means: ``client`` (checked, and it must have data), else the only
    brand of the warehouse (``'default'`` when it has none yet).

    :raises BrandError: a malformed or unknown brand, or none given where there are several.
    """
    names = present(con)
    if client:
        c = check(client)
        if c not in names:
            raise unknown(c, names)
        return c
    if len(names) > 1:
        raise BrandError(several(names))
    return names[0] if names else DEFAULT


def scope(
    con: duckdb.DuckDBPyConnection,
    client: str | None,
    layout: Layout | None = None,
    names: list[str] | None = None,
) -> None:
    """Shadow every brand table of ``con`` with a temporary view of brand ``client``'s rows;
    with ``client`` ``None`` on a warehouse of several brands, with a view that raises
    :data:`GUARD_TEXT` once a row would be read (empty tables still read as empty).
    ``layout`` and ``names`` (:func:`present`) when the caller has them already."""
    lay = layout or Layout(con)
    if client is None:
        names = present(con, lay) if names is None else names
        if len(names) <= 1:
            return
        cond = f"error({sql_literal(several(names))})"
    else:
        cond = f"client = {sql_literal(client)}"
    views = []
    for t, has in lay.has.items():
        src = lay.source(t)
        body = (
            f"SELECT * FROM {src} WHERE {cond}"
            if has  # a read-only warehouse too old to have brands: every row is 'default'
            else f"SELECT * FROM (SELECT *, '{DEFAULT}' AS client FROM {src}) WHERE {cond}"
        )
        views.append(f"CREATE OR REPLACE TEMP VIEW {t} AS {body}")
    con.execute(";\n".join(views))  # one round trip
