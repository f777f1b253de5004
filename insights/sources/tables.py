"""How staged rows meet each warehouse table (the ``merge`` of a :class:`Source`), and the
stager shared by sources whose reader returns a Polars frame of the table's columns.

Every merger reads the temp table ``stage`` and drops it. Rules:

* ``consumption``: by the file's shape (events add, aggregates replace):
  :mod:`insights.ingest.merge`.
* ``energy``: column-wise on (ts_utc, zone), a value in the new file replacing an old one,
  a value it lacks leaving the old one (:func:`insights.warehouse.energy.upsert_energy`).
* ``search_interest``: replace on (export_id, ts, geo, term).
* ``posts``: upsert on (platform, post_id): a re-export replaces the same post's metrics.
* ``daily_series``: replace on (day, platform, channel, region, metric).
* ``audience_shares``: a new export replaces the whole distribution of (platform, channel,
  geo_level, metric): shares of one export are relative to its own total.
* ``audience_activity``: a new export replaces the whole profile of (platform, channel,
  metric).
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import polars as pl

from insights import brands, platform_schema, sql
from insights.ingest.merge import MergeCounts, merge_consumption
from insights.ingest.staged import FileRejected, Staged, stage_frame
from insights.sources.base import Merger, StageInput, Stager
from insights.warehouse.energy import upsert_energy

# The platform tables whose contract is fixed with the models that read them (names and
# types must not change without a migration).
PLATFORM_SCHEMA = platform_schema.PLATFORM_SCHEMA


def conform(table: str, df: pl.DataFrame, sha: str) -> pl.DataFrame:
    """``df`` with exactly the columns of a platform table, in order and typed (missing
    nullable columns as nulls), ``file_sha256`` set."""
    df = df.with_columns(pl.lit(sha).alias("file_sha256"))
    return df.select(
        (pl.col(c) if c in df.columns else pl.lit(None)).cast(t).alias(c)
        for c, t in PLATFORM_SCHEMA[table].items()
    )


FrameReader = Callable[[StageInput], tuple]


def frame_stager(table: str, read: FrameReader, *, with_sha: bool = False) -> Stager:
    """A stager for a reader returning ``(frame, rows_read)`` or ``(frame, rows_read,
    Staged)`` (row rejects, notes, details). ``with_sha``: the table keeps the file's hash
    in ``file_sha256`` and the reader does not set it; platform tables are conformed to
    their contract (:data:`PLATFORM_SCHEMA`)."""

    def stage(s: StageInput) -> tuple[Staged, None]:
        got = read(s)
        extra = got[2] if len(got) > 2 else Staged("", 0)
        df, rows_read = got[0], got[1]
        if df.height == 0 and not extra.rows_rejected:
            raise FileRejected("no data rows", line=2)
        if table in PLATFORM_SCHEMA:
            df = conform(table, df, s.sha)
        elif with_sha:
            df = df.with_columns(pl.lit(s.sha).alias("file_sha256"))
        stage_frame(s.con, df)
        staged = Staged(
            table,
            rows_read,
            extra.rows_rejected,
            extra.rejects,
            notes=extra.notes,
            details=extra.details,
            rows_skipped=extra.rows_skipped,
        )
        return staged, None

    return stage


def _counted(apply: Callable[[duckdb.DuckDBPyConnection, str], None]) -> Merger:
    def merge(con: duckdb.DuckDBPyConnection, sha: str, counts: MergeCounts | None):
        n = sql.one(con, "SELECT count(*) FROM stage")[0]
        apply(con, sha)
        con.execute("DROP TABLE stage")
        return int(n), None

    return merge


def merge_consumption_table(con, sha: str, counts: MergeCounts | None):
    counts = merge_consumption(con, sha, counts)
    con.execute(f"DROP {'VIEW' if counts.stage_view else 'TABLE'} stage")
    if counts.release:  # what a view stage read (insights.ingest.consumption)
        counts.release()
    return counts.rows_written, counts


def _energy(con, sha: str) -> None:
    # Carbon data and load data for the same zone and hour arrive in different
    # files: merged column-wise (the rule is upsert_energy's).
    upsert_energy(con, sha)


def _search_interest(con, sha: str) -> None:
    con.execute("""DELETE FROM search_interest t USING stage s
        WHERE t.export_id = s.export_id AND t.ts = s.ts AND t.geo = s.geo
          AND t.term = s.term""")
    con.execute("INSERT INTO search_interest BY NAME SELECT * FROM stage")


def _replace_on(table: str, keys: list[str]) -> Callable[[duckdb.DuckDBPyConnection, str], None]:
    match = " AND ".join(f"t.{k} IS NOT DISTINCT FROM s.{k}" for k in keys)

    def apply(con, sha: str) -> None:
        # only the brand being written (insights.brands): another brand's rows stay
        con.execute(
            f"DELETE FROM {table} t WHERE t.client = {brands.CURRENT} "
            f"AND EXISTS (SELECT 1 FROM stage s WHERE {match})"
        )
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM stage")

    return apply


merge_energy = _counted(_energy)
merge_search_interest = _counted(_search_interest)
merge_posts = _counted(_replace_on("posts", ["platform", "post_id"]))
merge_daily_series = _counted(
    _replace_on("daily_series", ["day", "platform", "channel", "region", "metric"])
)
merge_audience_shares = _counted(
    _replace_on("audience_shares", ["platform", "channel", "geo_level", "metric"])
)
merge_audience_activity = _counted(
    _replace_on("audience_activity", ["platform", "channel", "metric"])
)


def studio_merge(con, sha: str, counts: MergeCounts | None):
    from insights.studio import readers as studio

    studio.merge(con, sha)
    n = sql.one(con, "SELECT count(*) FROM stage")[0]  # a run kept whole drops rows
    con.execute("DROP TABLE stage")
    return int(n), None
