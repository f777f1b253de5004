"""insights: when, where and on which channel to publish, weighted by how green the grid is.

Everything runs locally on a DuckDB warehouse (default ``data/warehouse.duckdb``).
The computation lives in pure functions over Polars frames; IO sits at the edges
(``insights.warehouse``, ``insights.ingest``, ``insights.report``).
"""

__version__ = "0.1.0"


class InsightsError(Exception):
    """A user-facing error: printed as one line, never as a traceback.

    ``exit_code`` 2 means bad usage or set-up (wrong option, no warehouse yet),
    1 means the data or a run failed.
    """

    exit_code = 2
