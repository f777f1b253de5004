"""Series on a regular hourly or daily grid, and train/test splits at cut-offs.

>>> import polars as pl
>>> from datetime import datetime, UTC
>>> y = pl.DataFrame({"series_id": ["a", "a"],
...                   "ts": [datetime(2024, 1, 1, 0, tzinfo=UTC), datetime(2024, 1, 1, 3, tzinfo=UTC)],
...                   "y": [1.0, 4.0]})
>>> regular_grid(y, infer_step(y["ts"]))["y"].to_list()
[1.0, None, None, 4.0]
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

SEP = " | "


def _escape_sql(col: str) -> str:
    return f"replace(replace({col}, '\\', '\\\\'), '|', '\\|')"


def series_id_sql(*cols: str) -> str:
    """SQL for a series id joining ``cols`` with :data:`SEP`, each part escaped (``\\`` and
    ``|`` get a backslash) so that no two different key tuples give the same id: region
    ``A | b`` with channel ``c`` and region ``A`` with channel ``b | c`` stay two series."""
    return f"concat_ws('{SEP}', {', '.join(_escape_sql(c) for c in cols)})"


def series_id_expr(*cols: str) -> pl.Expr:
    """The Polars twin of :func:`series_id_sql`."""
    parts = [
        pl.col(c)
        .str.replace_all("\\", "\\\\", literal=True)
        .str.replace_all("|", "\\|", literal=True)
        for c in cols
    ]
    return pl.concat_str(parts, separator=SEP)


def infer_step(ts: pl.Series) -> str:
    """``'1h'`` or ``'1d'`` from the median spacing of timestamps."""
    diffs = ts.sort().diff().drop_nulls()
    med = diffs.median() if len(diffs) else None
    return "1d" if med is not None and med.total_seconds() >= 20 * 3600 else "1h"


def regular_grid(y: pl.DataFrame, step: str) -> pl.DataFrame:
    """Each series on a complete grid from its first to last timestamp; gaps are null."""
    spans = y.group_by("series_id").agg(
        pl.col("ts").min().alias("a"), pl.col("ts").max().alias("b")
    )
    grids = spans.select("series_id", pl.datetime_ranges("a", "b", step).alias("ts")).explode(
        "ts", empty_as_null=True
    )
    agg = y.group_by("series_id", "ts").agg(pl.col("y").sum())
    return grids.join(agg, on=["series_id", "ts"], how="left").sort("series_id", "ts")


def step_delta(step: str) -> timedelta:
    return timedelta(hours=1) if step == "1h" else timedelta(days=1)


def split_at_cutoff(
    y: pl.DataFrame, horizon: int, n_cutoffs: int, k: int, step: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(train, test) for cut-off ``k`` of ``n_cutoffs``, counted back from each series' own
    end, so a series whose export stops early is still scored on its own last weeks."""
    back = step_delta(step) * horizon * (n_cutoffs - k)
    cut = pl.col("ts").max().over("series_id") - back
    train = y.filter(pl.col("ts") <= cut)
    test = y.filter(pl.col("ts") > cut, pl.col("ts") <= cut + step_delta(step) * horizon)
    return train, test.sort("series_id", "ts")


def default_meta(series_ids: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"series_id": series_ids, "tz": "UTC", "country": ""})
