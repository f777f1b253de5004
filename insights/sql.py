"""Query helpers over a DuckDB 2 connection that always consume their result, and the
package's only SQL quoting (:func:`ident`, :func:`literal`).

DuckDB 2 removed ``.pl()`` / ``.arrow()`` from ``execute()`` results, and a SELECT run
with ``execute()`` and not fetched to the end blocks the connection for the next
relation (``ResourceInUseException``). Every read in the package goes through these.

Values are bound as parameters wherever DuckDB takes them; quoting is for what cannot be
bound: identifiers (a file's column names, a catalog name) and literals inside generated
SQL (a view's body, a column default).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl

if TYPE_CHECKING:  # pyarrow loads only where an Arrow table is asked for
    import pyarrow as pa


def ident(name: str) -> str:
    """``name`` as a SQL identifier: double-quoted, embedded ``"`` doubled (``a"b`` ->
    ``"a""b"``). Any text is safe, accents and spaces included."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """``text`` as a SQL string literal: single-quoted, embedded ``'`` doubled
    (``São Paulo's`` -> ``'São Paulo''s'``)."""
    return "'" + text.replace("'", "''") + "'"


def frame(
    con: duckdb.DuckDBPyConnection, query: str, params: Sequence | None = None
) -> pl.DataFrame:
    """Run ``query`` and return all its rows as a Polars frame."""
    return con.sql(query, params=params).pl()


def arrow(con: duckdb.DuckDBPyConnection, query: str, params: Sequence | None = None) -> pa.Table:
    """Run ``query`` and return all its rows as an Arrow table."""
    return con.sql(query, params=params).to_arrow_table()


def one(
    con: duckdb.DuckDBPyConnection, query: str, params: Sequence | None = None
) -> tuple[Any, ...] | None:
    """Run ``query`` and return its first row (or None), consuming the whole result."""
    rows = con.execute(query, params).fetchall()
    return rows[0] if rows else None


class _ArrowStream:
    """A frame DuckDB scans through the Arrow C stream interface (no pyarrow needed)."""

    def __init__(self, df: pl.DataFrame) -> None:
        self._df = df

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self._df.__arrow_c_stream__(requested_schema)


def register(con: duckdb.DuckDBPyConnection, name: str, df: pl.DataFrame) -> None:
    """Make ``df`` readable as ``name`` on ``con`` (until ``con.unregister(name)``).

    Goes through the Arrow C stream interface rather than ``df.to_arrow()``, so that
    pyarrow (0.1 s and about 40 MB per process) is not imported on the ingest path."""
    con.register(name, _ArrowStream(df))
