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

from insights.errors import InsightsError
from insights.settings import CLIENT_ENV

DEFAULT = "default"
#: Read every brand's rows on purpose (status, lake export): no view, no guard.
ALL = "*"
VARIABLE = "insights_client"
#: The brand a write connection stamps (set by ``warehouse.write``), as SQL.
CURRENT = f"getvariable('{VARIABLE}')"
#: The tables whose rows belong to one brand. Shared data (grid energy, search interest,
#: regions, studio logs, CENACE generation) and per-file tables keyed by hash (rejects,
#: advice_backtests keyed by run_id) have no brand.
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
COLUMN = f"client VARCHAR DEFAULT coalesce({CURRENT}, '{DEFAULT}')"
#: The migration that adds the key to a warehouse made before brands (rows become 'default').
MIGRATIONS = [f"ALTER TABLE {t} ADD COLUMN IF NOT EXISTS {COLUMN}" for t in TABLES]

_NAME = re.compile(r"^[\w.\- ]{1,64}$")  # \w: letters with accents, digits, _
# The text of the guard's error, recognised where DuckDB's error is turned into one line.
GUARD_TEXT = "holds several brands"


class BrandError(InsightsError):
    """A brand that is malformed, unknown to the warehouse, or not given where the warehouse
    holds several (exit 2)."""


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


def _catalog(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _with_client(con: duckdb.DuckDBPyConnection, cat: str) -> dict[str, bool]:
    """``{brand table present in the file: whether it has the client column}``."""
    rows = con.execute(
        """SELECT t.table_name, bool_or(c.column_name = 'client')
        FROM duckdb_tables() t JOIN duckdb_columns() c
          ON c.database_name = t.database_name AND c.table_name = t.table_name
        WHERE t.database_name = $cat AND t.schema_name = 'main'
          AND list_contains($tables, t.table_name)
        GROUP BY 1""",
        {"cat": cat, "tables": list(TABLES)},
    ).fetchall()
    return {t: bool(has) for t, has in rows}


def present(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The brands with data or model runs in the warehouse, sorted (the stored tables, never
    the views of :func:`scope`)."""
    cat = _catalog(con)
    have = _with_client(con, cat)
    parts = []
    for t in (*_PRESENCE, "model_runs"):
        if t not in have:
            continue
        col = "client" if have[t] else f"'{DEFAULT}'"
        parts.append(f"SELECT DISTINCT {col} AS client FROM {_quote(cat)}.main.{t}")
    if not parts:
        return []
    rows = con.execute(" UNION ".join(parts) + " ORDER BY 1").fetchall()
    return [r[0] for r in rows if r[0] is not None]


def branded(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether every brand table the warehouse has carries the ``client`` column (else it
    was made before brands: migrated on first write)."""
    return all(_with_client(con, _catalog(con)).values())


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


def scope(con: duckdb.DuckDBPyConnection, client: str | None) -> None:
    """Shadow every brand table of ``con`` with a temporary view of brand ``client``'s rows;
    with ``client`` ``None`` on a warehouse of several brands, with a view that raises
    :data:`GUARD_TEXT` once a row would be read (empty tables still read as empty)."""
    cat = _catalog(con)
    have = _with_client(con, cat)
    if client is None:
        names = present(con)
        if len(names) <= 1:
            return
        cond = f"error({sql_literal(several(names))})"
    else:
        cond = f"client = {sql_literal(client)}"
    con.execute(f"SET VARIABLE {VARIABLE} = ?", [client or DEFAULT])
    for t, has in have.items():
        src = f"{_quote(cat)}.main.{t}"
        body = (
            f"SELECT * FROM {src} WHERE {cond}"
            if has  # a read-only warehouse too old to have brands: every row is 'default'
            else f"SELECT * FROM (SELECT *, '{DEFAULT}' AS client FROM {src}) WHERE {cond}"
        )
        con.execute(f"CREATE OR REPLACE TEMP VIEW {t} AS {body}")


def sql_literal(text: str) -> str:
    """``text`` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"
