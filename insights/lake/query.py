"""One SQL query, three engines: the DuckDB file, Polars over the lake, Spark over the lake.

Each answers with an Arrow table; sessions are pinned to UTC so timestamps compare equal.
Spark reads the lake through pyiceberg and Arrow here (no Iceberg runtime jar needed); a
cluster that ships the Iceberg Spark runtime reads the same tables natively through its
catalog settings (see the docs' scale page).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from insights import sql, warehouse
from insights.lake.transfer import read_client

if TYPE_CHECKING:
    import pyarrow as pa


def on_warehouse(db: str | None, query: str) -> pa.Table:
    """``query`` over the DuckDB warehouse ``db``."""
    with warehouse.read(db) as con:
        return sql.arrow(con, query)


def on_lake_polars(lake: str | None, client: str, query: str) -> pa.Table:
    """``query`` over brand ``client``'s lake tables with Polars' SQL engine."""
    import os

    import polars as pl

    from insights.lake.catalog import NAMESPACE, open_catalog
    from insights.lake.transfer import check_client

    os.environ.setdefault("POLARS_ICEBERG_PLANNER", "pyiceberg")  # the plan is pyiceberg's
    client = check_client(client)
    cat = open_catalog(lake)
    frames = {
        name: pl.scan_iceberg(cat.load_table(f"{NAMESPACE}.{name}"))
        .filter(pl.col("client") == client)
        .drop("client")
        for _ns, name in cat.list_tables(NAMESPACE)
    }
    return pl.SQLContext(frames).execute(query).collect().to_arrow()


def on_lake_spark(lake: str | None, client: str, query: str, spark) -> pa.Table:
    """``query`` over brand ``client``'s lake tables with Spark SQL (``spark``: a session
    from :func:`insights.engines.spark.session`)."""
    for name, tbl in read_client(lake, client).items():
        spark.createDataFrame(tbl).createOrReplaceTempView(name)
    return spark.sql(query).toArrow()
