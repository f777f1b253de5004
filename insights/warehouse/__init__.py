"""The DuckDB warehouse: its table catalog, schema and migrations, connections under the
cross-process lock, and the model runs.

Open it only through :func:`read` and :func:`write`. One module per concern:

- :mod:`insights.warehouse.tables`: one spec per table (columns, key, migrations, writers);
- :mod:`insights.warehouse.migrations`: the DDL and in-place migrations made from the specs;
- :mod:`insights.warehouse.connect`: connections, the lock, faults in one line;
- :mod:`insights.warehouse.runs`: the latest model run, its forecasts, recommendation runs;
- :mod:`insights.warehouse.energy`: the one upsert into ``energy``.

SQL quoting lives in :mod:`insights.sql` (:func:`~insights.sql.ident`,
:func:`~insights.sql.literal`).
"""

from __future__ import annotations

from insights.warehouse.connect import (
    DEFAULT_DB,
    MARKER_FORMAT,
    MARKER_TABLE,
    WRITTEN,
    WarehouseFault,
    db_path,
    identify,
    is_fault,
    read,
    storage_error,
    writable,
    write,
)
from insights.warehouse.migrations import SCHEMA, missing_tables
from insights.warehouse.tables import TABLES, Column, Table, table

__all__ = [
    "DEFAULT_DB",
    "MARKER_FORMAT",
    "MARKER_TABLE",
    "SCHEMA",
    "TABLES",
    "WRITTEN",
    "Column",
    "Table",
    "WarehouseFault",
    "db_path",
    "identify",
    "is_fault",
    "missing_tables",
    "read",
    "storage_error",
    "table",
    "writable",
    "write",
]
