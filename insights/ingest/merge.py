"""How a consumption file's hourly rows meet what the warehouse already holds.

A file is one of two shapes, decided from its own rows:

* **events**: several rows per key and hour, or timestamps inside the hour
  (``10:17:03``). Their hourly sums **add** to what other files brought. Each
  event leaves a 64-bit fingerprint in ``consumption_events`` (with its UTC
  hour): the hash of the file's event-id column when it has one, otherwise of
  the normalised row (timestamp as read to the microsecond and whether it had
  an offset, region as exported, channel, topic, views, engagements, watch
  seconds; never a personal identifier). An
  event whose fingerprint is already stored is *recognised* and not added
  again, so a re-export (other line endings, column order, a wider date range)
  counts each event once. Identical rows inside one file are each an event: a
  fingerprint seen k times in the warehouse and n times in a new file adds
  n - k events when n > k.
* **aggregates**: one row per key and period (hourly or daily totals). A later
  export of the same keys **replaces** the earlier values; a row with the same
  values as the stored one is counted as already loaded.

Fingerprints use DuckDB's ``hash`` (64 bits: two different events collide with
probability about n^2 / 2^65, 1 in 3.7 million for a billion stored events).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from insights import brands, sql
from insights.ingest.staged import NotBatchable
from insights.regions import name_key

# Column names (case, accents and punctuation ignored) that identify an event.
EVENT_ID_NAMES = [
    "event_id",
    "eventid",
    "event_uuid",
    "id_evento",
    "evento_id",
    "id_del_evento",
    "id_do_evento",
    "insert_id",
    "message_id",
    "interaction_id",
    "id_interaccion",
    "id_interacao",
]
_EVENT_ID_KEYS = {name_key(n) for n in EVENT_ID_NAMES}

# columns of ``stage`` that are not written to ``consumption``
STAGE_ONLY = ("_file", "fps", "n", "sub_hour")

# Rows of the brand being written (insights.brands): another brand's rows are never
# matched, added to or replaced.
OWN = f"client = {brands.CURRENT}"
KEY_MATCH = """c.ts_utc = s.ts_utc AND c.region = s.region AND c.channel = s.channel
    AND c.topic IS NOT DISTINCT FROM s.topic"""


def event_id_column(header: list[str]) -> str | None:
    """The file's event-id column, if its header has one."""
    return next((h for h in header if name_key(h) in _EVENT_ID_KEYS), None)


def fingerprint_sql(event_id: str | None, fields: list[str]) -> str:
    """A UBIGINT expression identifying one event row: its id, else its normalised fields."""
    if event_id is not None:
        return f"hash('id', trim(CAST({event_id} AS VARCHAR)))"
    return f"hash({', '.join(fields)})"


@dataclass
class MergeCounts:
    shape: str  # events | aggregates
    hourly_added: int = 0
    hourly_replaced: int = 0
    hourly_already_loaded: int = 0
    events_already_loaded: int = 0
    # not a field (asdict leaves it out): (min ts_utc, max ts_utc, rows) of ``stage`` as
    # recognise_events leaves it, so that merge_consumption need not ask again
    stage_bounds = None
    # nor these: whether ``stage`` is a view (over what staging left for it to read), and
    # what drops that once the merge is done (insights.ingest.consumption)
    stage_view = False
    release = None

    @property
    def rows_written(self) -> int:
        return self.hourly_added + self.hourly_replaced


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}


def recognise_events(
    con: duckdb.DuckDBPyConnection, events_sql: str, stage_view: bool = False
) -> MergeCounts:
    """Decide the shape of the file in temp table ``stage`` and drop its already-loaded events.

    ``stage`` holds one row per UTC hour and key with ``n`` (events) ``sub_hour``
    (any timestamp inside the hour) and ``fps`` (the events' fingerprints).
    ``events_sql`` gives the same valid rows one per event (columns of ``stage``, ``grain``
    plus ``fp``, without ``n``, ``sub_hour``, ``fps``); it is read again only when
    some of the file's events are already in the warehouse. Afterwards ``stage``
    holds only what is new (columns ``n``, ``sub_hour`` and ``fps`` are left for
    :func:`merge_consumption`, which does not write them). ``stage_view``: ``stage``
    is a view (then it becomes a table if some events are already loaded).
    """
    shape_row = sql.one(
        con,
        """SELECT coalesce(bool_or(n > 1 OR sub_hour), false), min(ts_utc), max(ts_utc),
                  count(*) FROM stage""",
    )
    is_events, lo, hi, total = shape_row
    counts = MergeCounts("events" if is_events else "aggregates")
    counts.stage_bounds = (lo, hi, total)
    counts.stage_view = stage_view
    if not is_events:
        return counts
    in_range = f"ts_utc BETWEEN $lo AND $hi AND {OWN}"
    params = {"lo": lo, "hi": hi}
    # one statement whether or not anything is stored in the range (each costs ~1 ms to plan
    # on a small file, more than the join itself)
    seen = sql.one(
        con,
        f"""SELECT count(*) FROM (SELECT unnest(fps) AS fp FROM stage) n
            SEMI JOIN (SELECT fp FROM consumption_events WHERE {in_range}) e USING (fp)""",
        params,
    )[0]
    if seen:
        # Some events are already loaded: read the file's events one by one and keep, for
        # each fingerprint, the occurrences beyond those the warehouse already holds.
        before = sql.one(con, "SELECT count(*), sum(n) FROM stage")
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _events AS
            SELECT *, row_number() OVER (PARTITION BY fp) AS k FROM ({events_sql})""")
        if counts.stage_view:  # replaced by a table of what is new
            con.execute("DROP VIEW stage")
            counts.stage_view = False
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _stored AS
            SELECT fp, count(*) AS c FROM consumption_events
            WHERE {in_range} AND fp IN (SELECT fp FROM _events) GROUP BY fp""",
            params,
        )
        con.execute("""CREATE OR REPLACE TEMP TABLE stage AS
            SELECT _file, ts_utc, region, min(region_raw) AS region_raw,
                   bool_and(region_known) AS region_known, channel, topic,
                   sum(views) AS views, sum(engagements) AS engagements,
                   sum(watch_seconds) AS watch_seconds, any_value(source) AS source,
                   any_value(grain) AS grain, list(fp) AS fps,
                   NULL::BIGINT AS n, NULL::BOOLEAN AS sub_hour
            FROM _events e LEFT JOIN _stored s USING (fp)
            WHERE e.k > coalesce(s.c, 0)
            GROUP BY _file, ts_utc, region, channel, topic""")
        after = sql.one(con, "SELECT count(*), coalesce(sum(len(fps)), 0) FROM stage")
        counts.stage_bounds = None  # fewer rows now: asked again when merged
        counts.hourly_already_loaded = int(before[0] - after[0])
        counts.events_already_loaded = int(before[1] - after[1])
        con.execute("DROP TABLE _events")
        con.execute("DROP TABLE _stored")
    return counts


def merge_consumption(
    con: duckdb.DuckDBPyConnection, sha: str, counts: MergeCounts | None
) -> MergeCounts:
    """Write temp table ``stage`` into ``consumption`` by the rule of its shape.

    Readers that roll up in Python (series, YouTube) stage aggregates without
    ``counts``.
    """
    if counts is None:  # a reader's own frame
        counts = MergeCounts("aggregates")
        have = _columns(con, "stage")
        extra = [c for c in STAGE_ONLY if c in have]
    else:  # staged by insights.ingest.consumption, through recognise_events
        extra = list(STAGE_ONLY)
    bounds = counts.stage_bounds or sql.one(
        con, "SELECT min(ts_utc), max(ts_utc), count(*) FROM stage"
    )
    lo, hi, total = bounds
    if not total:
        return counts
    params = {"lo": lo, "hi": hi}
    # Stored rows of the same key as a staged one: without any, the file's rows are all new
    # and one INSERT writes them (the UPDATE and the ANTI JOIN below would change nothing and
    # cost ~3 ms of planning per small file).
    overlap = sql.one(
        con,
        f"""SELECT count(*) FROM stage s
            SEMI JOIN (SELECT * FROM consumption WHERE ts_utc BETWEEN $lo AND $hi AND {OWN}) c
            ON {KEY_MATCH}""",
        params,
    )[0]
    data = f"* EXCLUDE ({', '.join(extra)})" if extra else "*"
    if counts.shape == "events":
        if overlap:
            con.execute(f"""UPDATE consumption c SET views = c.views + s.views,
                    engagements = c.engagements + s.engagements,
                    watch_seconds = CASE WHEN c.watch_seconds IS NULL THEN s.watch_seconds
                        WHEN s.watch_seconds IS NULL THEN c.watch_seconds
                        ELSE c.watch_seconds + s.watch_seconds END,
                    file_sha256 = '{sha}'
                FROM stage s WHERE {KEY_MATCH} AND c.{OWN}""")
            con.execute(
                f"""INSERT INTO consumption BY NAME
                SELECT {data}, '{sha}' AS file_sha256 FROM stage s
                ANTI JOIN (SELECT * FROM consumption WHERE ts_utc BETWEEN $lo AND $hi AND {OWN}) c
                ON {KEY_MATCH}""",
                params,
            )
        else:
            con.execute(
                f"INSERT INTO consumption BY NAME SELECT {data}, '{sha}' AS file_sha256 FROM stage"
            )
        con.execute(
            "INSERT INTO consumption_events (ts_utc, fp) SELECT ts_utc, unnest(fps) FROM stage"
        )
        counts.hourly_added = int(total)
        return counts
    # aggregates: replace rows of the same key, keep identical ones, add new ones
    if overlap:
        if counts.stage_view:  # identical rows are deleted from it below: a table now
            con.execute("CREATE TEMP TABLE _stage AS SELECT * FROM stage")
            con.execute("DROP VIEW stage")
            con.execute("ALTER TABLE _stage RENAME TO stage")
            counts.stage_view = False
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _match AS
            SELECT s.ts_utc, s.region, s.channel, s.topic,
                   bool_and(c.views IS NOT DISTINCT FROM s.views
                        AND c.engagements IS NOT DISTINCT FROM s.engagements
                        AND c.watch_seconds IS NOT DISTINCT FROM s.watch_seconds) AS same
            FROM stage s JOIN (SELECT * FROM consumption WHERE ts_utc BETWEEN $lo AND $hi AND {OWN}) c
            ON {KEY_MATCH} GROUP BY ALL""",
            params,
        )
        same, matched = sql.one(con, "SELECT count(*) FILTER (same), count(*) FROM _match")
        counts.hourly_already_loaded = int(same)
        counts.hourly_replaced = int(matched - same)
        con.execute(f"""DELETE FROM stage s USING _match c WHERE c.same AND {KEY_MATCH}""")
        con.execute(f"""DELETE FROM consumption c USING stage s WHERE {KEY_MATCH} AND c.{OWN}""")
        con.execute("DROP TABLE _match")
        total -= same
    con.execute(f"INSERT INTO consumption BY NAME SELECT {data}, '{sha}' AS file_sha256 FROM stage")
    counts.hourly_added = int(total - counts.hourly_replaced)
    return counts


def recognise_batch(con: duckdb.DuckDBPyConnection) -> dict[str, MergeCounts]:
    """:func:`recognise_events` for temp table ``stage`` holding several files (column
    ``_file``): each file's shape. Raises :class:`NotBatchable` when an event of one file
    is already stored or is also in another file of the batch."""
    counts = {}
    for key, is_events, lo, hi, total in con.execute(
        """SELECT _file, coalesce(bool_or(n > 1 OR sub_hour), false), min(ts_utc),
                  max(ts_utc), count(*) FROM stage GROUP BY _file"""
    ).fetchall():
        counts[key] = MergeCounts("events" if is_events else "aggregates")
        counts[key].stage_bounds = (lo, hi, total)
    events = [k for k, c in counts.items() if c.shape == "events"]
    if not events:
        return counts
    lo = min(counts[k].stage_bounds[0] for k in events)
    hi = max(counts[k].stage_bounds[1] for k in events)
    stored, shared = sql.one(
        con,
        f"""WITH f AS (SELECT _file, unnest(fps) AS fp FROM stage
                      WHERE list_contains($files, _file))
           SELECT (SELECT count(*) FROM f SEMI JOIN (SELECT fp FROM consumption_events
                   WHERE ts_utc BETWEEN $lo AND $hi AND {OWN}) e USING (fp)),
                  (SELECT count(*) FROM (SELECT fp FROM f GROUP BY fp
                                         HAVING count(DISTINCT _file) > 1))""",
        {"lo": lo, "hi": hi, "files": events},
    )
    if stored or shared:
        raise NotBatchable
    return counts


def merge_batch(
    con: duckdb.DuckDBPyConnection, shas: dict[str, str], counts: dict[str, MergeCounts]
) -> None:
    """:func:`merge_consumption` for temp table ``stage`` holding several files, whose
    hourly rows are all new (no key stored or in two files: else :class:`NotBatchable`,
    having written nothing). Fills each file's counts."""
    bounds = [c.stage_bounds for c in counts.values() if c.stage_bounds[2]]
    if not bounds:
        return
    lo, hi = min(b[0] for b in bounds), max(b[1] for b in bounds)
    stored, repeated = sql.one(
        con,
        f"""SELECT (SELECT count(*) FROM stage s
                    SEMI JOIN (SELECT * FROM consumption WHERE ts_utc BETWEEN $lo AND $hi AND {OWN}) c
                    ON {KEY_MATCH}),
                   (SELECT count(*) FROM (SELECT 1 FROM stage
                                          GROUP BY ts_utc, region, channel, topic
                                          HAVING count(*) > 1))""",
        {"lo": lo, "hi": hi},
    )
    if stored or repeated:
        raise NotBatchable
    sql.register(
        con,
        "_shas",
        pl.DataFrame({"_file": list(shas), "file_sha256": list(shas.values())}),
    )
    con.execute(f"""INSERT INTO consumption BY NAME
        SELECT * EXCLUDE ({", ".join(STAGE_ONLY)}) FROM stage JOIN _shas USING (_file)""")
    events = [k for k, c in counts.items() if c.shape == "events"]
    if events:
        con.execute(
            """INSERT INTO consumption_events (ts_utc, fp) SELECT ts_utc, unnest(fps) FROM stage
            WHERE list_contains($files, _file)""",
            {"files": events},
        )
    con.unregister("_shas")
    for c in counts.values():
        c.hourly_added = int(c.stage_bounds[2])
