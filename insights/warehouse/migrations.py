"""The warehouse's DDL and its in-place migrations, generated from the table specs
(:mod:`insights.warehouse.tables`).

A table is created with the columns of its first version; each later column is added by
the migration its spec names, in the order of :data:`MIGRATIONS`. A new warehouse and an
old one therefore run the same statements (``CREATE TABLE IF NOT EXISTS``, then
``ALTER TABLE ... ADD COLUMN IF NOT EXISTS``) and end with the same columns in the same
order; a migration is idempotent, so every write connection runs them all
(:func:`insights.warehouse.connect.write`).
"""

from __future__ import annotations

import duckdb

from insights.warehouse.tables import MARKER, TABLES, Column, Table

#: The migrations that added columns to existing tables, oldest first, with why.
MIGRATIONS: dict[str, str] = {
    "grain": "issue 10: daily consumption aggregates keep their grain ('day') and hourly "
    "Google Trends exports their hour",
    "merge-counts": "what each loaded file did to consumption (insights.ingest.merge)",
    "energy-intervals": "the grid forecast's interval beside each recommendation",
    "renewable-vs-best": "the renewable share's change against the best slot",
    "brands": "issue 29: the brand key (insights.brands); existing rows become 'default'",
    "signals-disagree": "one grid signal's change against the other's "
    "(insights.recommend.engine.disagree)",
}


def _definition(c: Column) -> str:
    return f"{c.name} {c.type}"


def create_statement(t: Table, *, temp: bool = False) -> str:
    """``CREATE TABLE IF NOT EXISTS`` with the table's first columns; ``temp``: a temporary
    table with every current column instead (an absent table read as empty on read-only
    storage)."""
    if temp:
        cols = ", ".join(_definition(c) for c in t.columns)
        return f"CREATE TEMP TABLE {t.name} ({cols})"
    cols = ", ".join(_definition(c) for c in t.columns if c.added is None)
    return f"CREATE TABLE IF NOT EXISTS {t.name} ({cols})"


def _check(tables: tuple[Table, ...]) -> None:
    """Every ``added`` names a known migration (a typo would silently skip a column)."""
    for t in tables:
        for c in t.columns:
            if c.added is not None and c.added not in MIGRATIONS:
                raise ValueError(f"{t.name}.{c.name}: unknown migration {c.added!r}")


def statements(tables: tuple[Table, ...] = TABLES) -> list[str]:
    """Every table's ``CREATE`` (first version) in catalog order, then each migration's
    ``ALTER TABLE ... ADD COLUMN IF NOT EXISTS``, oldest first. Idempotent."""
    _check(tables)
    out = [create_statement(t) for t in tables]
    for m in MIGRATIONS:
        out += [
            f"ALTER TABLE {t.name} ADD COLUMN IF NOT EXISTS {_definition(c)}"
            for t in tables
            for c in t.columns
            if c.added == m
        ]
    return out


#: The statements that make or bring up to date a warehouse (``SCHEMA[0]`` creates the
#: first version of ``consumption``).
SCHEMA: list[str] = statements()


def apply(con: duckdb.DuckDBPyConnection) -> None:
    """Create the marker table and every missing table, and add every missing column
    (a write connection)."""
    con.execute(create_statement(MARKER))
    for stmt in SCHEMA:
        con.execute(stmt)


def stored_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The columns of each stored table of the connection's database (schema ``main``),
    in their stored order."""
    rows = con.execute(
        """SELECT table_name, column_name FROM duckdb_columns()
        WHERE database_name = current_database() AND schema_name = 'main'
        ORDER BY table_name, column_index"""
    ).fetchall()
    out: dict[str, list[str]] = {}
    for t, c in rows:
        out.setdefault(t, []).append(c)
    return out


def missing(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[str]]:
    """``(tables, columns)`` of the catalog this warehouse lacks (made by an older
    insights): table names, and ``table.column`` of the tables it has, in catalog order."""
    have = stored_columns(con)
    tables = [t.name for t in TABLES if t.name not in have]
    columns = [
        f"{t.name}.{c.name}"
        for t in TABLES
        if t.name in have
        for c in t.columns
        if c.name not in have[t.name]
    ]
    return tables, columns


def missing_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The catalog's tables this warehouse lacks, in catalog order."""
    return missing(con)[0]
