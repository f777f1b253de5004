"""The named steps that stage planned consumption files (used by
:func:`insights.ingest.consumption.stage_plans`, which runs them in order).

Each step runs one or a few SQL statements over the temp tables the step before it left
and returns a named result (a dataclass, or nothing). The tables, in the order they
appear:

* ``agg`` (a view over table ``agg_rows``): the file's rows rolled up to (file, local or offset hour, key): sums, row
  count ``n``, whether any time lies inside the hour ``sub_hour``, the rows'
  fingerprints ``fps`` and, for groups of rows that fail a check, their ``reason``
  (:func:`roll_up`);
* ``region_map`` and ``zone_map``: each exported region name resolved, with its zone;
  each local hour's UTC instant and DST status (:func:`region_map`, :func:`zone_map`);
* ``agg2``: ``agg`` joined to both maps, with ``why`` (the reason a group is not loaded,
  ``'skip'`` for totals and comment rows) (:func:`attach_zones`);
* ``stage``: one row per file, UTC hour and key, what the merge writes
  (:func:`write_stage`).

Column names, not positions, carry every result read back into Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from insights import sql
from insights.ingest.pii import mask_pii
from insights.ingest.values import sql_quote_field
from insights.regions import resolve_regions

REGION_MAP_SCHEMA = {
    "_file": pl.Utf8,
    "region_raw": pl.Utf8,
    "region": pl.Utf8,
    "region_known": pl.Boolean,
    "tz": pl.Utf8,
    "problem": pl.Utf8,
}
ZONE_MAP_SCHEMA = {
    "hour": pl.Datetime("us", "UTC"),
    "tz": pl.Utf8,
    "utc": pl.Datetime("us", "UTC"),
    "status": pl.Utf8,
}
# A group of ``agg2`` (alias ``a``) split by the fall-back rule: exactly two rows of a key
# at a local hour that happens twice are its first and second occurrence.
SPLIT = "coalesce(a.status = 'ambiguous', false) AND NOT a.has_off AND a.n = 2"


def records(
    con: duckdb.DuckDBPyConnection, query: str, params: dict | None = None
) -> list[dict[str, Any]]:
    """Every row of ``query`` as a dict keyed by its column names."""
    cur = con.execute(query, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# --- the roll-up ------------------------------------------------------------------------


@dataclass(frozen=True)
class RollupColumns:
    """What a plan contributes to the roll-up's SELECT list (all SQL over its parsed rows)."""

    present: list[str]  # numeric columns the file has (views, engagements, watch_seconds)
    nonplain: tuple[tuple[str, str], ...]  # (column, condition of a row's value not plain)
    fp: str  # the event fingerprint (insights.ingest.merge.fingerprint_sql)


# The columns ``agg`` is grouped by, besides ``_file``
GROUP_KEY = "date_trunc('hour', ts) AS hour, has_off, region_raw, channel, topic"


def _agg_view(con: duckdb.DuckDBPyConnection, file: str | None) -> None:
    # One file's name is stored once, here, rather than on each of its rows (and left out
    # of the hash key); a batch keeps its ``_file`` column.
    head = f"{file} AS _file, " if file is not None else ""
    con.execute(f"CREATE OR REPLACE TEMP VIEW agg AS SELECT {head}* FROM agg_rows")


def roll_up(
    con: duckdb.DuckDBPyConnection,
    parsed: str,
    reason: str,
    cols: RollupColumns,
    file: str | None,
) -> None:
    """Temp view ``agg`` (over table ``agg_rows``): ``parsed`` rows grouped by (file, hour,
    offset or not, region as exported, channel, topic, ``reason``). ``file``: the SQL
    literal of the one file's name (its ``_file``), or None for a batch. Raises the
    ``duckdb.Error`` of an unreadable file."""
    watch = "sum(watch_seconds_v)" if "watch_seconds" in cols.present else "NULL::DOUBLE"
    nonplain = "".join(f"count(*) FILTER ({cond}) AS np_{c}, " for c, cond in cols.nonplain)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE agg_rows AS
        SELECT {"_file, " if file is None else ""}{GROUP_KEY}, {reason} AS reason,
               sum(views_v) AS views, sum(engagements_v) AS eng, {watch} AS watch,
               count(*) AS n, {nonplain}bool_or(ts <> date_trunc('hour', ts)) AS sub_hour,
               list({cols.fp}) AS fps
        FROM ({parsed}) GROUP BY ALL""")
    _agg_view(con, file)


def cheap_reason(ok: str) -> str:
    """A reason for the first roll-up: NULL for rows passing ``ok``, else ``'unchecked'``
    (the full CASE costs a third of the statement's planning on a small file)."""
    return f"CASE WHEN {ok} THEN NULL ELSE 'unchecked' END"


@dataclass
class FileSummary:
    """What the later steps need from one file's ``agg``."""

    groups: int = 0  # rows of agg (hour x key x reason)
    rows: int = 0  # data rows read
    nonplain: dict[str, int] = field(default_factory=dict)  # per numeric column
    raws: list[str] = field(default_factory=list)  # region names as exported, sorted
    all_midnight: bool = False  # every valid hour is a midnight (a daily file?)
    labels: list[str] = field(default_factory=list)  # channels and topics
    local_times: bool = False  # some valid row has no offset
    flagged: int = 0  # groups with a reason


def summarise(
    con: duckdb.DuckDBPyConnection, keys: list[str], present: list[str], large: bool
) -> dict[str, FileSummary]:
    """:class:`FileSummary` of each file of ``agg`` (one statement: each costs ~1 ms on a
    small file). ``large``: distinct labels by a hash per column rather than a list made
    distinct (half the planning time, which dominates on small files)."""

    def distinct(c: str) -> str:
        if large:
            return f"list(DISTINCT {c}) FILTER ({c} IS NOT NULL)"
        return f"list_distinct(list({c}))"

    nonplain = "".join(f"coalesce(sum(np_{c}), 0) AS np_{c}, " for c in present)
    out = {key: FileSummary(nonplain=dict.fromkeys(present, 0)) for key in keys}
    for r in records(
        con,
        f"""SELECT _file, count(*) AS groups, coalesce(sum(n), 0) AS rows, {nonplain}
            {distinct("region_raw")} AS raws,
            coalesce(bool_and(hour = date_trunc('day', hour)) FILTER (reason IS NULL),
                     false) AS all_midnight,
            {distinct("channel")} AS channels, {distinct("topic")} AS topics,
            coalesce(bool_or(NOT has_off AND reason IS NULL AND hour IS NOT NULL), false)
                AS local_times,
            count(*) FILTER (reason IS NOT NULL) AS flagged
        FROM agg GROUP BY _file""",
    ):
        out[r["_file"]] = FileSummary(
            groups=r["groups"],
            rows=r["rows"],
            nonplain={c: r[f"np_{c}"] for c in present},
            raws=sorted(r["raws"] or []),
            all_midnight=r["all_midnight"],
            labels=(r["channels"] or []) + (r["topics"] or []),
            local_times=r["local_times"],
            flagged=r["flagged"],
        )
    return out


# --- regions, zones and grain -------------------------------------------------------------


@dataclass(frozen=True)
class RegionInput:
    """One file's side of the region map."""

    key: str  # the file (column ``_file``)
    raws: list[str]  # its region names as exported
    country: str | None  # --country
    tz: str | None  # --tz: the zone of every local time


def region_map(files: list[RegionInput], tz_of: dict[str, str]) -> pl.DataFrame:
    """Each file's exported region names resolved within its country
    (:data:`REGION_MAP_SCHEMA`): the region (or the masked name when unknown), whether it
    is known, its zone (``--tz``, else a city's own zone, else its state's from ``tz_of``),
    and the problem when it cannot be resolved."""
    maps = []
    for f in files:
        resolved = resolve_regions(f.raws, f.country)
        maps.append(
            pl.DataFrame(
                {
                    "_file": [f.key] * len(f.raws),
                    "region_raw": f.raws,
                    "region": [resolved[r].region or mask_pii(r.strip()) for r in f.raws],
                    "region_known": [resolved[r].region is not None for r in f.raws],
                    # a city's own zone (Reynosa: America/Matamoros), else its state's
                    "tz": [
                        f.tz
                        or resolved[r].tz
                        or (tz_of.get(resolved[r].region) if resolved[r].region else None)
                        for r in f.raws
                    ],
                    "problem": [mask_pii(resolved[r].problem) for r in f.raws],
                },
                schema=REGION_MAP_SCHEMA,
            )
        )
    return pl.concat(maps) if len(maps) > 1 else maps[0]


def grain_of(date_only: bool, summary: FileSummary) -> str:
    """``day`` when the timestamps are dates only and every valid one is a midnight (daily
    aggregates, never an hour of day), else ``hour``."""
    return "day" if date_only and summary.all_midnight else "hour"


def local_hours(con: duckdb.DuckDBPyConnection) -> list[tuple[datetime, str]]:
    """Distinct (local hour, zone) of the valid rows of ``agg`` without an offset."""
    return [
        (r["hour"], r["tz"])
        for r in records(
            con,
            """SELECT DISTINCT a.hour, m.tz FROM agg a JOIN region_map m
            USING (_file, region_raw) WHERE NOT a.has_off AND a.reason IS NULL
              AND m.tz IS NOT NULL AND a.hour IS NOT NULL""",
        )
    ]


def zone_status(hours: list[datetime], tz: str) -> list[tuple[datetime, str, datetime, str]]:
    """For local wall-clock hours (given as naive-at-UTC values) in zone ``tz``:
    (hour, tz, UTC instant of the first occurrence, status ok|gap|ambiguous)."""
    zone = ZoneInfo(tz)
    out = []
    for h in hours:
        wall = h.replace(tzinfo=None)
        first = wall.replace(tzinfo=zone, fold=0)
        second = wall.replace(tzinfo=zone, fold=1)
        back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if back != wall:
            status = "gap"
        elif first.utcoffset() != second.utcoffset():
            status = "ambiguous"
        else:
            status = "ok"
        out.append((h, tz, first.astimezone(UTC), status))
    return out


def zone_map(pairs: list[tuple[datetime, str]]) -> pl.DataFrame:
    """:data:`ZONE_MAP_SCHEMA` rows for (local hour, zone) pairs."""
    by_tz: dict[str, list[datetime]] = {}
    for h, tz in pairs:
        by_tz.setdefault(tz, []).append(h)
    rows = [z for tz, hs in by_tz.items() for z in zone_status(hs, tz)]
    return pl.DataFrame(rows, schema=ZONE_MAP_SCHEMA, orient="row")


def late_reason_sql(row: str, ts_text: str, day: bool) -> str:
    """SQL reason for a row or group (table alias ``row``, joined to ``region_map m`` and
    ``zone_map z``) known only once regions and zones are: the region's problem, a local
    time with no zone known, a local time in a DST gap; NULL when none. ``ts_text``: SQL
    of the time as quoted in the reason."""
    return f"""CASE WHEN m.problem IS NOT NULL THEN m.problem
        WHEN NOT {row}.has_off AND m.tz IS NULL AND NOT {day}
          THEN 'local time for unknown region ' || {sql_quote_field(f"{row}.region_raw")}
               || ': no time zone known (give times with an offset or pass --tz)'
        WHEN NOT {row}.has_off AND z.status = 'gap' AND NOT {day}
          THEN 'local time ' || {ts_text}
               || ' does not exist in ' || m.tz || ' (clocks skip this hour for DST)' END"""


def attach_zones(con: duckdb.DuckDBPyConnection, day: bool, as_view: bool) -> None:
    """Temp ``agg2`` (a view when ``as_view``: on files with many keys ``agg`` is as large as
    the file; else a table, as planning the view's joins at each use costs more on small
    ones): ``agg`` with region, zone, UTC instant, DST status and ``why``."""
    late = late_reason_sql("a", "strftime(a.hour, '%Y-%m-%d %H:%M')", day)
    con.execute(f"""CREATE OR REPLACE TEMP {"VIEW" if as_view else "TABLE"} agg2 AS
        SELECT a.*, m.region, m.region_known, m.tz, z.utc, z.status,
               CASE WHEN a.reason IS NULL THEN {late} ELSE a.reason END AS why
        FROM agg a LEFT JOIN region_map m USING (_file, region_raw)
        LEFT JOIN zone_map z ON z.hour = a.hour AND z.tz = m.tz""")


# --- counts and rejects ------------------------------------------------------------------


@dataclass(frozen=True)
class FileCounts:
    """Rows of one file by fate (from ``agg2``)."""

    read: int = 0  # data rows (totals and comment rows not counted)
    rejected: int = 0
    skipped: int = 0  # totals and comment rows
    ambiguous: int = 0  # valid local times at an hour that happens twice
    mixed_offsets: bool = False  # some valid rows carry an offset and some do not


def count_rows(con: duckdb.DuckDBPyConnection, keys: list[str]) -> dict[str, FileCounts]:
    """:class:`FileCounts` of each file (zeros for a file with no rows)."""
    found = {
        r.pop("_file"): FileCounts(**r)
        for r in records(
            con,
            """SELECT _file,
                  coalesce(sum(n) FILTER (why IS DISTINCT FROM 'skip'), 0) AS read,
                  coalesce(sum(n) FILTER (why IS NOT NULL AND why <> 'skip'), 0) AS rejected,
                  coalesce(sum(n) FILTER (why = 'skip'), 0) AS skipped,
                  coalesce(sum(n) FILTER (why IS NULL AND status = 'ambiguous'
                                          AND NOT has_off), 0) AS ambiguous,
                  coalesce(bool_or(has_off) FILTER (why IS NULL)
                           AND NOT bool_and(has_off) FILTER (why IS NULL), false)
                      AS mixed_offsets
               FROM agg2 GROUP BY _file""",
        )
    }
    return {key: found.get(key, FileCounts()) for key in keys}


def numbered_sql(parsed: str, first_line: int) -> str:
    """``parsed`` rows with their file ``line`` and local ``hour`` (one file)."""
    return f"""SELECT row_number() OVER () + {first_line} AS line, p.*,
            date_trunc('hour', p.ts) AS hour FROM ({parsed}) p"""


def valid_rows_sql(numbered: str, reason: str, fp: str) -> str:
    """The rows of ``numbered`` that pass every row check, with their fingerprint ``fp``."""
    return f"""SELECT * FROM (SELECT q.*, {reason} AS reason, {fp} AS fp
                             FROM ({numbered}) q) WHERE reason IS NULL"""


@dataclass(frozen=True)
class Rejects:
    """The first rejected rows of a file (line, reason) and the lines skipped."""

    rows: list[tuple[int, str]]
    skipped_lines: list[int]


def find_rejects(
    con: duckdb.DuckDBPyConnection, numbered: str, reason: str, day: bool, limit: int, skipped: int
) -> Rejects:
    """Read the file again, row by row, for the lines of at most ``limit`` rejected rows
    (and every one of the ``skipped`` totals/comment rows) with their reasons."""
    late = late_reason_sql("r", "r.ts_raw", day)
    found = records(
        con,
        f"""SELECT line, why FROM (
            SELECT r.line, CASE WHEN r.reason IS NULL THEN {late} ELSE r.reason END AS why
            FROM (SELECT q.*, {reason} AS reason FROM ({numbered}) q) r
            LEFT JOIN region_map m USING (_file, region_raw)
            LEFT JOIN zone_map z ON z.hour = r.hour AND z.tz = m.tz)
        WHERE why IS NOT NULL ORDER BY line
        LIMIT {limit + skipped}""",
    )
    return Rejects(
        rows=[(r["line"], r["why"]) for r in found if r["why"] != "skip"][:limit],
        skipped_lines=[r["line"] for r in found if r["why"] == "skip"],
    )


# --- the stage ---------------------------------------------------------------------------


def hourly_rows_sql(day: bool) -> str:
    """The valid groups of ``agg2`` (alias ``a``) at their UTC hour, except those the
    fall-back rule splits (:func:`split_rows_sql`)."""
    return f"""SELECT a._file, CASE WHEN a.has_off OR {day} THEN a.hour ELSE a.utc END AS ts_utc,
               a.region, a.region_raw, a.region_known, a.channel, a.topic,
               a.views, a.eng, a.watch, a.n, a.sub_hour, a.fps
        FROM agg2 a WHERE a.why IS NULL AND NOT ({SPLIT})"""


def split_rows_sql(valid_rows: str, has_watch: bool) -> str:
    """The events of the groups split by the fall-back rule, one per row: in file order,
    the first at the first occurrence of the hour, the second one hour later."""
    watch = "r.watch_seconds_v" if has_watch else "NULL::DOUBLE"
    return f"""SELECT a._file, a.utc + to_hours(row_number() OVER (PARTITION BY
                   a.hour, a.region_raw, a.channel, a.topic ORDER BY r.line) - 1),
               a.region, a.region_raw, a.region_known, a.channel, a.topic,
               r.views_v, r.engagements_v, {watch}, 1, r.ts <> r.hour, [r.fp]
        FROM agg2 a JOIN ({valid_rows}) r
          ON r.hour = a.hour AND r.region_raw = a.region_raw AND r.channel = a.channel
         AND r.topic IS NOT DISTINCT FROM a.topic AND NOT r.has_off
        WHERE a.why IS NULL AND {SPLIT}"""


def one_to_one(counts: list[FileCounts], regions: pl.DataFrame) -> bool:
    """Whether each valid group of ``agg2`` is already one UTC hour and key, so that the
    stage needs no second roll-up: no hour split by the fall-back rule, no file mixing
    rows with and without an offset (one zone per region then maps local hours to
    distinct UTC hours), and no two exported names of one file resolving to one region."""
    return (
        not any(c.ambiguous for c in counts)
        and not any(c.mixed_offsets for c in counts)
        and regions.select("_file", "region").n_unique() == regions.height
    )


@dataclass(frozen=True)
class StageSource:
    """Where each staged row's ``source`` label comes from: a literal for one file, or the
    registered ``_files`` table joined by file for a batch."""

    select: str
    join: str = ""


def write_stage(
    con: duckdb.DuckDBPyConnection,
    parts: list[str],
    source: StageSource,
    grain: str,
    direct: bool,
    as_view: bool,
) -> None:
    """Temp ``stage`` from the UNION of ``parts`` (columns as :func:`hourly_rows_sql`):
    taken as it is when ``direct`` (see :func:`one_to_one`; a view when ``as_view``), else
    summed per file, UTC hour and key."""
    grain_sql = sql.literal(grain)
    if direct:
        con.execute(f"""CREATE OR REPLACE TEMP {"VIEW" if as_view else "TABLE"} stage AS
            SELECT _file, ts_utc, region, region_raw, region_known, channel, topic,
                   views, eng AS engagements, watch AS watch_seconds,
                   {source.select} AS source, {grain_sql} AS grain,
                   n, sub_hour, fps
            FROM ({parts[0]}) {source.join}""")
        return
    con.execute(f"""CREATE OR REPLACE TEMP TABLE stage AS
        SELECT _file, ts_utc, region,
               string_agg(DISTINCT region_raw, ' | ' ORDER BY region_raw) AS region_raw,
               bool_and(region_known) AS region_known, channel, topic,
               sum(views) AS views, sum(eng) AS engagements, sum(watch) AS watch_seconds,
               any_value({source.select}) AS source, {grain_sql} AS grain,
               sum(n) AS n, bool_or(sub_hour) AS sub_hour, flatten(list(fps)) AS fps
        FROM ({" UNION ALL ".join(parts)}) {source.join} GROUP BY ALL""")


def events_sql(valid_rows: str, source: str, grain: str, day: bool, has_watch: bool) -> str:
    """The staged file's valid rows one per event, with the columns of ``stage`` less ``n``,
    ``sub_hour``, ``fps`` plus ``fp``, at UTC hours by the same rules as the stage
    (read by :func:`insights.ingest.merge.recognise_events` only if some are stored)."""
    watch = "r.watch_seconds_v" if has_watch else "NULL::DOUBLE"
    q = sql.literal(source), sql.literal(grain)
    return f"""
        SELECT a._file, CASE WHEN {SPLIT} THEN a.utc + to_hours(row_number() OVER (
                        PARTITION BY a.hour, a.region_raw, a.channel, a.topic
                        ORDER BY r.line) - 1)
                    WHEN a.has_off OR {day} THEN a.hour ELSE a.utc END AS ts_utc,
               a.region, a.region_raw, a.region_known, a.channel, a.topic,
               r.views_v AS views, r.engagements_v AS engagements, {watch} AS watch_seconds,
               {q[0]} AS source, {q[1]} AS grain, r.fp
        FROM ({valid_rows}) r
        JOIN agg2 a ON r.hour = a.hour AND r.has_off = a.has_off
         AND r.region_raw = a.region_raw AND r.channel = a.channel
         AND r.topic IS NOT DISTINCT FROM a.topic
        WHERE a.why IS NULL AND a.reason IS NULL"""


# --- personal identifiers in labels ------------------------------------------------------


def mask_labels(con: duckdb.DuckDBPyConnection, labels: list[str]) -> list[str]:
    """Put e-mail/phone masks of the stored ``labels`` (regions as exported and resolved,
    channels, topics) in temp table ``pii_masks``; the columns of ``stage`` to mask (none
    when no label holds an identifier)."""
    values = sorted({v for v in labels if v is not None})
    pairs = [(v, mask_pii(v)) for v in values if mask_pii(v) != v]
    if not pairs:
        return []
    sql.register(con, "_pii_masks", pl.DataFrame(pairs, schema=["raw", "masked"], orient="row"))
    con.execute("CREATE OR REPLACE TEMP TABLE pii_masks AS SELECT * FROM _pii_masks")
    con.unregister("_pii_masks")
    return ["region_raw", "region", "channel", "topic"]


def apply_masks(con: duckdb.DuckDBPyConnection, columns: list[str]) -> None:
    """Replace the masked labels in ``stage`` and drop ``pii_masks``."""
    for col in columns:
        con.execute(f"""UPDATE stage SET {col} = k.masked FROM pii_masks k
            WHERE stage.{col} = k.raw""")
    if columns:
        con.execute("DROP TABLE pii_masks")


def release(con: duckdb.DuckDBPyConnection, agg2_is_view: bool, batch: bool) -> None:
    """Drop what staging left for ``stage`` to read (agg2, agg and the maps)."""
    con.execute(f"DROP {'VIEW' if agg2_is_view else 'TABLE'} agg2")
    con.execute("DROP VIEW agg")
    con.execute("DROP TABLE agg_rows")
    for t in ("region_map", "zone_map") + (("_files",) if batch else ()):
        con.unregister(t)
