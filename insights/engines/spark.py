"""A Spark session for ``--engine spark``, and mapping a function over groups with Arrow.

``SPARK_REMOTE`` set (``sc://host:15002``): Spark Connect to a cluster. Otherwise a
``local[N]`` session in this machine (``INSIGHTS_SPARK_MASTER``, default ``local[2]``).
The session is pinned to UTC, its UI off, and its Python workers run this interpreter
with one OpenMP thread each. Needs the ``spark`` extra and a Java runtime (17 or 21).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import polars as pl

from insights import InsightsError, settings


def session(master: str | None = None):
    """The (cached) Spark session; raises :class:`insights.InsightsError` (exit 2) when
    PySpark or Java is missing."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InsightsError(
            "--engine spark needs the spark extra: pip install 'insights[spark]'"
        ) from None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # workers inherit it: one thread each
    remote = os.environ.get("SPARK_REMOTE")
    b = SparkSession.builder.appName("insights")
    if remote:
        b = b.remote(remote)
    else:
        b = (
            b.master(master or settings.current().spark_master or "local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.executorEnv.OMP_NUM_THREADS", "1")
        )
    b = b.config("spark.sql.session.timeZone", "UTC")
    try:
        spark = b.getOrCreate()
    except Exception as exc:  # no Java, or the cluster refused
        raise InsightsError(f"could not start Spark: {str(exc).splitlines()[0][:200]}") from None
    spark.sparkContext.setLogLevel("ERROR") if not remote else None
    return spark


def map_groups(spark, y: pl.DataFrame, fn: Callable[[pl.DataFrame], pl.DataFrame]) -> pl.DataFrame:
    """``fn`` applied to each ``client`` group of ``y`` as one Spark task; the results
    concatenated. ``fn`` must return the columns of :data:`insights.engines.groups.OUT_SCHEMA`."""
    import pyarrow as pa

    from insights.engines.groups import OUT_SCHEMA

    want = pa.schema(
        [
            ("client", pa.string()),
            ("series_id", pa.string()),
            ("ts", pa.timestamp("us", "UTC")),
            ("yhat", pa.float64()),
            ("yhat_lo", pa.float64()),
            ("yhat_hi", pa.float64()),
            ("method", pa.string()),
        ]
    )

    def task(tbl: pa.Table) -> pa.Table:
        # Spark wants plain (not large) strings: Polars hands over large ones
        return fn(pl.from_arrow(tbl)).to_arrow().select(want.names).cast(want)

    sdf = spark.createDataFrame(y.with_columns(pl.col("ts").dt.cast_time_unit("us")).to_arrow())
    out = sdf.groupBy("client").applyInArrow(task, OUT_SCHEMA).toArrow()
    return pl.from_arrow(out).with_columns(pl.col("ts").dt.replace_time_zone("UTC"))
