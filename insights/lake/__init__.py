"""The warehouse as Apache Iceberg tables (optional extra ``insights[lake]``).

One DuckDB file stays the default warehouse. A *lake* is an Iceberg catalog that
several machines and engines share: :mod:`insights.lake.catalog` opens it from a URI,
:mod:`insights.lake.transfer` moves a warehouse to and from it through Arrow (no
DuckDB extension needed), :mod:`insights.lake.query` answers one SQL query from the
DuckDB file, from Polars over the lake and from Spark.

Every lake table is the warehouse table of the same name plus a ``client`` (brand)
column, partitioned by ``client`` and, where the table has ``ts_utc``, by its month.
"""
