"""Generic consumption exports (events or aggregates, CSV or Parquet) -> hourly ``consumption``.

Parsing, validation and the hourly roll-up run inside DuckDB in one scan of the
file, so a 10-million-row event export costs about what DuckDB's own
``read_csv`` costs. Timestamps with an offset are taken as given; without one
they are the region's local time (from the regions table).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import polars as pl

from insights import sql
from insights.ingest.aliases import map_columns
from insights.ingest.merge import MergeCounts, event_id_column, fingerprint_sql, recognise_events
from insights.ingest.staged import MAX_REJECTS_KEPT, FileRejected, Staged, csv_rows, require
from insights.ingest.textfile import TextInfo
from insights.ingest.values import (
    has_offset_sql,
    number_sql,
    number_style,
    quote_ident,
    text_sql,
    timestamp_format,
    timestamp_sql,
)
from insights.regions import canonicalize, load_regions

REQUIRED = ["timestamp", "region", "channel", "views", "engagements"]


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _source_relation(
    con: duckdb.DuckDBPyConnection, path: Path, info: TextInfo | None, tmpdir: str
) -> tuple[str, list[str], dict[str, list[str]]]:
    """(FROM-clause relation with all-text columns, header, samples per column)."""
    if info is None:  # Parquet
        desc = con.execute(f"DESCRIBE SELECT * FROM read_parquet({_sql_str(str(path))})").fetchall()
        header = [d[0] for d in desc]
        cols = ", ".join(f"CAST({quote_ident(h)} AS VARCHAR) AS {quote_ident(h)}" for h in header)
        rel = f"(SELECT {cols} FROM read_parquet({_sql_str(str(path))}))"
        sample = con.execute(f"SELECT * FROM {rel} LIMIT 200").fetchall()
        samples = {h: [r[i] for r in sample if r[i] is not None] for i, h in enumerate(header)}
        return rel, header, samples
    rows = csv_rows(info.lines, info.delimiter)
    if not rows:
        raise FileRejected("empty file", line=1)
    header = rows[0]
    samples = {h: [r[i] for r in rows[1:] if i < len(r)] for i, h in enumerate(header)}
    src = path
    if not info.duckdb_native:
        # DuckDB reads UTF-8 natively; Windows-1252/Latin-1 exports are transcoded once.
        src = Path(tmpdir) / "utf8.csv"
        with (
            open(path, encoding=info.encoding, newline="") as fin,
            open(src, "w", encoding="utf-8", newline="") as fout,
        ):
            while chunk := fin.read(1 << 22):
                fout.write(chunk)
    columns = "{" + ", ".join(f"{_sql_str(h)}: 'VARCHAR'" for h in header) + "}"
    rel = (
        f"read_csv({_sql_str(str(src))}, delim={_sql_str(info.delimiter)}, header=true, "
        f"quote='\"', escape='\"', auto_detect=false, columns={columns})"
    )
    return rel, header, samples


def stage_consumption(
    con: duckdb.DuckDBPyConnection, path: Path, info: TextInfo | None, source: str
) -> tuple[Staged, MergeCounts]:
    with tempfile.TemporaryDirectory() as tmpdir:
        rel, header, samples = _source_relation(con, path, info, tmpdir)
        cols, pii = map_columns(header)
        require(cols, REQUIRED, header)
        fmt = timestamp_format(samples[cols["timestamp"]][:200])
        if fmt is None:
            bad = next(iter(samples[cols["timestamp"]]), "")
            raise FileRejected(f"timestamp column {cols['timestamp']!r} not understood: {bad!r}", 2)
        prefer_comma = info is not None and info.delimiter == ";"

        def sample(c: str) -> list[str]:
            return [str(v) for v in samples[cols[c]][:200]]

        def text(c: str) -> str:
            return text_sql(cols[c], sample(c))

        def num(c: str) -> str:
            return number_sql(text(c), number_style(sample(c), prefer_comma), sample(c))

        def label(c: str) -> str:
            t = text(c)  # empty fields already read as NULL; blank-padded ones need nullif
            return f"nullif({t}, '')" if t.startswith("trim(") else t

        watch = num("watch_seconds") if "watch_seconds" in cols else "NULL::DOUBLE"
        topic = label("topic") if "topic" in cols else "NULL"
        ts = text("timestamp")
        event_id = event_id_column(header)
        fp = fingerprint_sql(
            quote_ident(event_id) if event_id else None,
            ["epoch_us(ts)", "has_off", "region_raw", "channel", "topic", "views", "eng", "watch"],
        )
        parsed = f"""
            SELECT {timestamp_sql(ts, fmt)} AS ts,
                   coalesce({has_offset_sql(ts)}, false) AS has_off,
                   {label("region")} AS region_raw, {label("channel")} AS channel,
                   {topic} AS topic, {num("views")} AS views, {num("engagements")} AS eng,
                   {watch} AS watch{f", {quote_ident(event_id)}" if event_id else ""}
            FROM {rel}"""
        reason = """CASE WHEN ts IS NULL THEN 'timestamp not understood'
                WHEN region_raw IS NULL THEN 'region missing'
                WHEN channel IS NULL THEN 'channel missing'
                WHEN views IS NULL THEN 'views is not a number'
                WHEN eng IS NULL THEN 'engagements is not a number'
                WHEN views < 0 OR eng < 0 OR watch < 0 THEN 'negative count' END"""
        try:
            con.execute(f"""CREATE OR REPLACE TEMP TABLE agg AS
                SELECT date_trunc('hour', ts) AS hour, has_off, region_raw, channel, topic,
                       {reason} AS reason, sum(views) AS views, sum(eng) AS eng,
                       sum(watch) AS watch, count(*) AS n,
                       bool_or(ts <> date_trunc('hour', ts)) AS sub_hour,
                       list({fp}) AS fps
                FROM ({parsed}) GROUP BY ALL""")
        except duckdb.Error as exc:
            raise FileRejected(f"unreadable CSV ({str(exc).splitlines()[0]})") from None
        rows_read, rows_bad = sql.one(
            con,
            "SELECT coalesce(sum(n), 0), coalesce(sum(n) FILTER (reason IS NOT NULL), 0) FROM agg",
        )
        rejects: list[tuple[int | None, str]] = []
        if rows_bad:
            rejects = con.execute(f"""
                SELECT line, reason FROM (
                    SELECT row_number() OVER () + 1 AS line, {reason} AS reason FROM ({parsed}))
                WHERE reason IS NOT NULL ORDER BY line LIMIT {MAX_REJECTS_KEPT}""").fetchall()
        raws = pl.Series(
            [r[0] for r in con.execute("SELECT DISTINCT region_raw FROM agg").fetchall()],
            dtype=pl.Utf8,
        )
        mapping = (
            canonicalize(raws)
            .join(load_regions().select("region", "tz"), on="region", how="left")
            .with_columns(pl.col("tz").fill_null("UTC"))
        )
        con.register("_region_map", mapping.to_arrow())
        utc = (
            "CASE WHEN {0}has_off THEN {0}hour ELSE timezone(m.tz, {0}hour AT TIME ZONE 'UTC') END"
        )
        # When every timestamp carries its offset and no two names map to one region, each
        # row of agg is already one UTC hour and key: no second roll-up (it costs as much as
        # the first on files with many keys).
        one_to_one = (
            mapping["region"].n_unique() == mapping.height
            and not sql.one(
                con, "SELECT coalesce(bool_or(NOT has_off), false) FROM agg WHERE reason IS NULL"
            )[0]
        )
        if one_to_one:
            con.execute(f"""CREATE OR REPLACE TEMP TABLE stage AS
                SELECT a.hour AS ts_utc, m.region, a.region_raw, m.region_known, a.channel,
                       a.topic, a.views, a.eng AS engagements, a.watch AS watch_seconds,
                       {_sql_str(source)} AS source, a.n, a.sub_hour, a.fps
                FROM agg a JOIN _region_map m ON a.region_raw = m.region_raw
                WHERE a.reason IS NULL""")
        else:
            con.execute(f"""CREATE OR REPLACE TEMP TABLE stage AS
                SELECT {utc.format("a.")} AS ts_utc, m.region, min(a.region_raw) AS region_raw,
                       bool_and(m.region_known) AS region_known, a.channel, a.topic,
                       sum(a.views) AS views, sum(a.eng) AS engagements,
                       sum(a.watch) AS watch_seconds, {_sql_str(source)} AS source,
                       sum(a.n) AS n, bool_or(a.sub_hour) AS sub_hour,
                       flatten(list(a.fps)) AS fps
                FROM agg a JOIN _region_map m ON a.region_raw = m.region_raw
                WHERE a.reason IS NULL
                GROUP BY ALL""")
        con.execute("DROP TABLE agg")
        # The same valid rows one per event, read again only if some are already loaded.
        events = f"""
            SELECT {utc.format("")} AS ts_utc, m.region, p.region_raw, m.region_known,
                   p.channel, p.topic, p.views, p.eng AS engagements, p.watch AS watch_seconds,
                   {_sql_str(source)} AS source, p.fp
            FROM (SELECT date_trunc('hour', ts) AS hour, *, {fp} AS fp FROM ({parsed})
                  WHERE {reason} IS NULL) p
            JOIN _region_map m ON p.region_raw = m.region_raw"""
        counts = recognise_events(con, events)
        con.unregister("_region_map")
    return Staged("consumption", int(rows_read), int(rows_bad), rejects, pii), counts
