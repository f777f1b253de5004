"""insights: when, where and on which channel to publish, weighted by how green the grid is.

Everything runs locally on a DuckDB warehouse (default ``data/warehouse.duckdb``).
The computation lives in pure functions over Polars frames; IO sits at the edges
(``insights.warehouse``, ``insights.ingest``, ``insights.report``).
"""

from insights.errors import InsightsError

__version__ = "0.1.0"

__all__ = ["InsightsError", "__version__"]
