"""Fit and forecast one :class:`~insights.models.trend.EngagementForecaster` per group.

A group is a brand (``client``), or a slice of a large brand's series: each is fitted on
its own series only, so the answer does not depend on where or in which order groups run.
``engine="local"`` loops in this process; ``engine="spark"`` runs one task per group with
``groupBy(group).applyInArrow`` (Spark >= 4.0) on the session given, each task single
threaded (OpenMP threads per worker: one; two threads on a busy 2-core machine ran 3-6x
slower in the scale measurements of the docs' scale page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
import pyarrow as pa

OUT_SCHEMA = (
    "client string, series_id string, ts timestamp, yhat double, "
    "yhat_lo double, yhat_hi double, method string"
)


def fit_predict_group(
    y: pl.DataFrame, meta: pl.DataFrame | None, settings: dict[str, Any]
) -> pl.DataFrame:
    """Forecasts of one group: ``y`` (``client``, ``series_id``, ``ts``, ``y``) -> ``client``,
    ``series_id``, ``ts`` (UTC, microseconds), ``yhat``, ``yhat_lo``, ``yhat_hi``, ``method``.
    ``settings``: constructor parameters of the forecaster."""
    from threadpoolctl import threadpool_limits

    from insights.models.trend import EngagementForecaster

    client = y["client"][0]
    y = y.with_columns(pl.col("ts").dt.cast_time_unit("us").dt.convert_time_zone("UTC"))
    ids = y["series_id"].unique()
    m = meta.filter(pl.col("series_id").is_in(ids)) if meta is not None else None
    with threadpool_limits(1):
        fc = EngagementForecaster(**settings).fit(y.drop("client"), m).predict()
    return fc.select(pl.lit(client).alias("client"), pl.all()).with_columns(
        pl.col("ts").dt.cast_time_unit("us")
    )


def forecast_groups(
    y: pl.DataFrame,
    meta: pl.DataFrame | None = None,
    settings: dict[str, Any] | None = None,
    engine: str = "local",
    spark=None,
    progress: Callable[[str], None] | None = None,
) -> pl.DataFrame:
    """Forecasts of every group of ``y`` (long format with a ``client`` column), sorted by
    ``client``, ``series_id``, ``ts``. ``engine``: ``local`` or ``spark`` (then ``spark`` is
    a session, see :func:`insights.engines.spark.session`). Raises ``ValueError`` for an
    unknown engine."""
    settings = dict(settings or {})
    say = progress or (lambda _m: None)
    if engine == "local":
        parts = []
        for i, ((_c,), g) in enumerate(y.partition_by("client", as_dict=True).items(), 1):
            parts.append(fit_predict_group(g, meta, settings))
            say(f"group {i}")
        out = pl.concat(parts)
    elif engine == "spark":
        from insights.engines.spark import map_groups

        out = map_groups(spark, y, lambda g: fit_predict_group(g, meta, settings))
    else:
        raise ValueError(f"engine {engine!r}: use local or spark")
    return out.sort("client", "series_id", "ts")


def to_arrow(df: pl.DataFrame) -> pa.Table:
    return df.to_arrow()
