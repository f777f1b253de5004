"""Generic consumption exports (events or aggregates, CSV or Parquet) -> hourly ``consumption``.

Parsing, validation and the hourly roll-up run inside DuckDB in one scan of the
file, so a 10-million-row event export costs about what DuckDB's own
``read_csv`` costs. Timestamps with an offset are taken as given; without one
they are the region's local time (from the regions table) or ``--tz``.

What is decided over the whole file, not a sample: the decimal separator of each
numeric column (a second scan only when separators appear beyond the sample), the
day/month order of slash dates, and the file's country (for region names two
countries share). Row by row, a value that is not a plain finite number, a negative
or implausibly large count, a timestamp before 1990 or more than a day after the
ingest, a local time that does not exist in its zone (DST gap) or whose region is
unknown is rejected with its line and reason (quoting at most the offending field).
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from insights import sql
from insights.ingest import rollup
from insights.ingest.aliases import map_columns
from insights.ingest.merge import (
    MergeCounts,
    event_id_column,
    fingerprint_sql,
    recognise_batch,
    recognise_events,
)
from insights.ingest.pii import mask_pii
from insights.ingest.staged import (
    MAX_REJECTS_KEPT,
    FileRejected,
    IngestOptions,
    NotBatchable,
    Staged,
    csv_rows,
    require,
)
from insights.ingest.textfile import (
    SAMPLE_BYTES,
    WIDE_ROW_MARK,
    TextInfo,
    has_glob,
    mark_wide_rows,
    transcode,
)
from insights.ingest.values import (
    DEFAULT_DATE_ORDER,
    ISO_RE,
    NUMBER_CLASSES,
    YMD_SLASH_RE,
    decide_date_order,
    decide_decimal,
    has_offset_sql,
    number_classes_sql,
    number_ok_sql,
    number_reason_sql,
    quote_ident,
    slash_fields_sql,
    slash_format,
    slash_layout,
    sql_quote_field,
    strict_number_sql,
    text_sql,
    timestamp_format,
    timestamp_sql,
)
from insights.regions import load_regions, name_key
from insights.sql import literal as _sql_str

REQUIRED = ["timestamp", "region", "channel", "views", "engagements"]
NUMERIC = {"views": True, "engagements": True, "watch_seconds": False}  # name -> is a count
# First cell of a totals row (skipped, not counted, reported)
TOTAL_WORDS = (
    "total",
    "totales",
    "totais",
    "total general",
    "total geral",
    "grand total",
    "subtotal",
    "suma",
    "soma",
)
# Stored escaped, as the text ``\\u2028`` etc. (insights.textsafe shows them so on every
# surface): the line and paragraph separators break JavaScript and chart code, and the
# noncharacters U+FFFE/U+FFFF broke the notebook kernel; a name keeps its row.
ESCAPED_IN_NAMES = ("\u2028", "\u2029", "\ufffe", "\uffff")


def escaped_names_sql(expr: str) -> str:
    """SQL for ``expr`` (a region, channel or topic) with :data:`ESCAPED_IN_NAMES` as text."""
    for ch in ESCAPED_IN_NAMES:
        expr = f"replace({expr}, chr({ord(ch)}), '\\u{ord(ch):04x}')"
    return expr


EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
MAX_AHEAD = timedelta(days=1)  # measured data cannot be dated after the ingest (plus a day)
HOUR = timedelta(hours=1)
# Files with more hourly keys than this are staged through views rather than copies (each
# copy of a large roll-up costs time and its size in memory; a view's joins cost planning
# at each use, more than the copy on small files).
VIEW_ABOVE_GROUPS = 100_000
NUMBER_RE = re.compile(r"^\s*[-+]?[\d.,]+([eE][-+]?\d+)?\s*$")

# Placeholders in a plan's SQL, bound when staged (one file or a batch of files)
SRC = "\x01SRC\x01"
FILE = "\x01FILE\x01"


def looks_like_data(cells: list[str]) -> bool:
    """Whether a would-be header row holds values (a date, a number) rather than names."""
    return any(
        ISO_RE.match(c.strip()) or timestamp_format([c]) or NUMBER_RE.match(c)
        for c in cells
        if c.strip()
    )


def _description_rows(rows: list[list[str]], header: list[str], cols: dict[str, str]) -> int:
    """How many rows right under the header describe the columns instead of holding data
    (a second header row of metric descriptions): neither a timestamp nor a number in them.
    Meta's Page Insights exports leave the identifying columns' descriptions empty
    (``,,,"Lifetime: The number of times..."``): an empty timestamp cell does not make such a
    row data."""
    ti, vi = header.index(cols["timestamp"]), header.index(cols["views"])
    n = 0
    for r in rows[:3]:
        ts = r[ti].strip() if ti < len(r) else ""
        v = r[vi].strip() if vi < len(r) else ""
        if ts.casefold() in TOTAL_WORDS or ts.startswith("#"):
            break
        if ts and timestamp_format([ts]) is None and not NUMBER_RE.match(v):
            n += 1
        elif not ts and v and not NUMBER_RE.match(v) and not looks_like_data(r):
            n += 1  # ,,,"Lifetime: ..." : text where the values go, nothing that is one
        else:
            break
    return n


def _source_relation(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    info: TextInfo | None,
    tmp: contextlib.ExitStack,
) -> tuple[str, list[str], list[list[str]], int, list[str], Path]:
    """(FROM-clause relation of all-text columns, reading :data:`SRC`; header, sample rows,
    number of file lines before the first row of the relation, notes, the file to read)."""
    if info is None:  # Parquet
        if has_glob(path):  # read_parquet would read the files the name matches
            link = Path(tmp.enter_context(tempfile.TemporaryDirectory())) / "data.parquet"
            link.symlink_to(path.resolve())
            path = link
        try:
            desc = con.execute(
                f"DESCRIBE SELECT * FROM read_parquet({_sql_str(str(path))})"
            ).fetchall()
        except duckdb.Error as exc:
            raise FileRejected(f"unreadable Parquet file ({str(exc).splitlines()[0]})") from None
        header = [d[0] for d in desc]
        cols = ", ".join(f"CAST({quote_ident(h)} AS VARCHAR) AS {quote_ident(h)}" for h in header)
        rel = f"(SELECT {cols} FROM read_parquet({_sql_str(str(path))}))"
        sample = con.execute(f"SELECT * FROM {rel} LIMIT 200").fetchall()
        sample_rows = [["" if v is None else str(v) for v in r] for r in sample]
        return rel, header, sample_rows, 1, [], path
    rows = csv_rows(info.lines[info.header_line :], info.delimiter)
    if not rows or not any(c.strip() for c in rows[0]):
        raise FileRejected("empty file", line=1)
    header = rows[0]
    notes = []
    if info.header_line:
        notes.append(f"skipped {info.header_line} title, comment or blank line(s) above the header")
    if looks_like_data(header):
        raise FileRejected(
            f"no header row: line {info.header_line + 1} holds values, not column names "
            "(add a header line: timestamp, region, channel, views, engagements ...)",
            line=info.header_line + 1,
        )
    cols, _ = map_columns(header)
    require(cols, REQUIRED, header)
    desc_rows = _description_rows(rows[1:], header, cols)
    if desc_rows:
        notes.append(f"skipped {desc_rows} column-description line(s) under the header")
    skip = info.header_line + 1 + desc_rows
    src = path
    if not info.duckdb_native:
        # DuckDB reads UTF-8 natively; other encodings (and a trailing Ctrl-Z) are transcoded once.
        tmpdir = tmp.enter_context(tempfile.TemporaryDirectory())  # removed when staged
        src = transcode(path, info, Path(tmpdir) / "utf8.csv")
    columns = "{" + ", ".join(f"{_sql_str(h)}: 'VARCHAR'" for h in header) + "}"
    rel = (
        f"read_csv({SRC}, delim={_sql_str(info.delimiter)}, header=false, "
        f"skip={skip}, quote='\"', escape='\"', auto_detect=false, null_padding=true, "
        # line breaks inside quoted fields: DuckDB's parallel scanner refuses them with
        # null padding ("disable the parallel csv reader"), one thread reads them
        f"{'parallel=false, ' if info.quoted_newlines else ''}columns={columns})"
    )
    return rel, header, rows[1 + desc_rows :], skip, notes, src


# A separate hour-of-day column next to a date column (fecha,hora: 2024-03-15,10)
HOUR_NAMES = {"hora", "hour", "hora local", "hour of day", "hora del dia", "hora do dia"}
HOUR_RE = re.compile(r"^\s*(\d{1,2})(:(\d{2})(:\d{2})?)?\s*$")
DATE_ONLY_RE = re.compile(r"^\s*[\d/.-]+\s*$")


def _with_hour_column(
    rel: str,
    header: list[str],
    rows: list[list[str]],
    cols: dict[str, str],
    notes: list[str],
    first_line: int,
) -> tuple[str, list[list[str]]]:
    """When the timestamp column holds dates only and another column holds the hour of day
    (``hora``, ``hour``, ``hora_local``: ``10``, ``10:00``, ``10:00:00``), the relation and
    sample rows with ``date HH:MM`` in the timestamp column, read as any timestamp after it.
    A row whose hour is missing or not understood gets an unreadable timestamp (rejected row
    by row); a file whose hour column is mostly not understood is rejected naming it."""
    ts_col = cols["timestamp"]
    hour_col = next(
        (h for h in header if h != ts_col and name_key(h) in HOUR_NAMES and h not in cols.values()),
        None,
    )
    if hour_col is None:
        return rel, rows
    ti, hi = header.index(ts_col), header.index(hour_col)
    dates = [r[ti].strip() for r in rows[:200] if ti < len(r) and r[ti].strip()]
    dated = [d for d in dates if DATE_ONLY_RE.match(d)]
    if not dated or len(dated) < 0.9 * len(dates):
        return rel, rows  # the timestamp column already has times: the hour column is redundant
    hours = [r[hi].strip() for r in rows[:200] if hi < len(r) and DATE_ONLY_RE.match(r[ti])]
    if sum(bool(HOUR_RE.match(h)) for h in hours) < 0.9 * max(len(hours), 1):
        bad = next((h for h in hours if not HOUR_RE.match(h)), "")
        raise FileRejected(
            f"hour column {hour_col!r} not understood: {mask_pii(bad[:20])!r} "
            "(expected 10, 10:00 or 10:00:00 next to the date)",
            first_line + 1,
        )

    def combine(d: str, h: str) -> str:
        m = HOUR_RE.match(h)
        if not DATE_ONLY_RE.match(d):
            return d  # totals and comment rows stay as they are
        if not m:
            return f"{d.strip()} ?{h.strip()}"  # unreadable: rejected row by row
        return f"{d.strip()} {int(m.group(1)):02d}:{m.group(3) or '00'}"

    out = []
    for r in rows:
        r = list(r)
        if ti < len(r):
            r[ti] = combine(r[ti], r[hi] if hi < len(r) else "")
        out.append(r)
    d, h = f"trim({quote_ident(ts_col)})", f"coalesce(trim({quote_ident(hour_col)}), '')"
    hour_rx, dt_rx = r"^(\d{1,2})(:(\d{2})(:\d{2})?)?$", r"^[\d/.-]+$"

    def part(group: int) -> str:
        return f"regexp_extract({h}, '{hour_rx}', {group})"

    combined = f"""CASE WHEN NOT regexp_full_match({d}, '{dt_rx}') THEN {quote_ident(ts_col)}
        WHEN NOT regexp_full_match({h}, '{hour_rx}') THEN {d} || ' ?' || {h}
        ELSE {d} || ' ' || lpad({part(1)}, 2, '0') || ':'
             || coalesce(nullif({part(3)}, ''), '00') END"""
    notes.append(
        f"hour of day taken from column {hour_col!r} and joined to the dates of {ts_col!r}"
    )
    return f"(SELECT * REPLACE ({combined} AS {quote_ident(ts_col)}) FROM {rel})", out


@dataclass
class ConsumptionPlan:
    """What is decided about one consumption file before its rows are read in full.

    ``parsed`` is the SQL of the file's rows (typed, one per data line) with the
    placeholders :data:`SRC` (the file, or a list of files of the same layout) and
    :data:`FILE` (the column telling files apart); files whose plans share a
    :attr:`signature` can be staged together by :func:`stage_plans`.
    """

    path: Path
    src: Path  # the file DuckDB reads (a UTF-8 copy of a transcoded one)
    source: str
    opts: IngestOptions
    header: list[str]
    cols: dict[str, str]
    pii: list[str]
    notes: list[str]
    details: dict
    first_line: int
    sample_rows: list[list[str]]
    delimiter: str
    present: list[str]
    decimals: dict[str, str]
    date_only: bool
    complete: bool  # every data row is in the sample (small files)
    build: Callable[[dict[str, str]], tuple[str, str, str, str, tuple[tuple[str, str], ...]]]
    tmp: contextlib.ExitStack | None = None  # where a repaired copy lives while staged
    wide_rows: int = 0  # rows with more fields than the header, marked in a copy
    parsed: str = ""
    reason: str = ""
    ok: str = ""
    fp: str = ""
    # (numeric column, SQL condition of a row whose value is not plain: see build)
    nonplain: tuple[tuple[str, str], ...] = ()

    def rebuild(self) -> None:
        self.parsed, self.reason, self.ok, self.fp, self.nonplain = self.build(self.decimals)

    @property
    def key(self) -> str:
        return str(self.path)

    @property
    def signature(self) -> tuple:
        return (self.parsed, self.reason, self.ok, self.fp, self.nonplain, self.date_only)

    def bound(self) -> str:
        """``parsed`` for this file alone."""
        return _bind(self.parsed, _sql_str(str(self.src)), _sql_str(self.key))

    def mark_wide_rows(self, exc: duckdb.Error) -> bool:
        """After DuckDB stopped on a row with more fields than the header, read a copy in
        which such rows are marked (rejected row by row, with their line); whether it did."""
        if self.tmp is None or self.wide_rows:
            return False
        marked = _marked_copy(
            exc,
            self.src,
            self.tmp,
            self.delimiter,
            self.first_line,
            self.header,
            self.cols["timestamp"],
        )
        if marked is None:
            return False
        self.src, self.wide_rows = marked
        return True


def _marked_copy(
    exc: duckdb.Error,
    src: Path,
    tmp: contextlib.ExitStack,
    delimiter: str,
    skip: int,
    header: list[str],
    ts_col: str,
) -> tuple[Path, int] | None:
    """(copy, rows marked) when ``exc`` is DuckDB stopping on a row with more fields than the
    header (see :func:`insights.ingest.textfile.mark_wide_rows`), else None."""
    if "Expected Number of Columns" not in str(exc):
        return None
    dest = Path(tmp.enter_context(tempfile.TemporaryDirectory())) / "marked.csv"
    n = mark_wide_rows(src, dest, delimiter, skip, len(header), header.index(ts_col))
    return (dest, n) if n else None


def _bind(text: str, src: str, file: str) -> str:
    return text.replace(SRC, src).replace(FILE, file)


def stage_consumption(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    info: TextInfo | None,
    source: str,
    options: IngestOptions | None = None,
) -> tuple[Staged, MergeCounts]:
    """Stage one consumption file into temp table ``stage`` (see :func:`stage_plans`)."""
    with contextlib.ExitStack() as tmp:  # a temporary folder only for a transcoded copy
        plan = plan_consumption(con, path, info, source, options or IngestOptions(), tmp)
        return stage_plans(con, [plan])[0]


def plan_consumption(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    info: TextInfo | None,
    source: str,
    opts: IngestOptions,
    tmp: contextlib.ExitStack,
) -> ConsumptionPlan:
    """Decide how to read a consumption file (columns, timestamp format, day/month order,
    decimal separators from the sample); raises :class:`FileRejected` when it cannot be."""
    rel, header, sample_rows, first_line, notes, src = _source_relation(con, path, info, tmp)
    cols, pii = map_columns(header)
    require(cols, REQUIRED, header)
    rel, sample_rows = _with_hour_column(rel, header, sample_rows, cols, notes, first_line)
    samples = {
        h: [r[i] for r in sample_rows if i < len(r) and r[i] != ""] for i, h in enumerate(header)
    }
    delimiter = info.delimiter if info else ","
    details: dict = {}

    def sample(c: str) -> list[str]:
        return [str(v) for v in samples[cols[c]][:200]]

    def text(c: str) -> str:
        return text_sql(cols[c], sample(c))

    def label(c: str) -> str:
        t = text(c)  # empty fields already read as NULL; blank-padded ones need nullif
        return escaped_names_sql(f"nullif({t}, '')" if t.startswith("trim(") else t)

    # --- timestamps: format, and the day/month order over the whole column
    ts = text("timestamp")
    ts_samples = [  # totals and comment rows are skipped row by row, not read as times
        v
        for v in sample("timestamp")
        if v.strip().casefold() not in TOTAL_WORDS and not v.strip().startswith("#")
    ]
    if not sample_rows:
        raise FileRejected("no data rows", line=first_line + 1)
    fmt = timestamp_format(ts_samples)
    if fmt is None and ts_samples and all(YMD_SLASH_RE.match(v.strip()) for v in ts_samples):
        m = YMD_SLASH_RE.match(ts_samples[0].strip())
        sep = ts_samples[0].strip()[4]
        fmt = slash_format("ymd", sep, m.group(4) is not None, m.group(7) is not None)
        details["date_order"] = "ymd"
    if fmt is None:
        bad = next((v for v in ts_samples if timestamp_format([v]) is None), "")
        raise FileRejected(
            f"timestamp column {cols['timestamp']!r} not understood: {mask_pii(bad[:40])!r}",
            first_line + 1,
        )
    layout = slash_layout(ts_samples) if not fmt.startswith(("iso", "%Y")) else None
    wide_rows = 0
    if layout:
        if opts.date_order:
            order, assumed = opts.date_order, False
        else:
            for attempt in range(2):
                src_sql = _sql_str(str(src))
                try:
                    first_max, second_max = sql.one(
                        con, f"SELECT {slash_fields_sql(ts)} FROM {_bind(rel, src_sql, src_sql)}"
                    ) or (None, None)
                    break
                except duckdb.Error as exc:
                    marked = None
                    if attempt == 0 and info is not None:
                        marked = _marked_copy(
                            exc, src, tmp, delimiter, first_line, header, cols["timestamp"]
                        )
                    if marked is None:
                        raise FileRejected(f"unreadable CSV ({str(exc).splitlines()[0]})") from None
                    src, wide_rows = marked
                    _restart_transaction(con)
            proven = decide_date_order(first_max, second_max, cols["timestamp"])
            order, assumed = proven or DEFAULT_DATE_ORDER, proven is None
        fmt = slash_format(order, *layout)
        details["date_order"] = order
        details["date_order_assumed"] = assumed
        if assumed:
            notes.append(
                f"no date proves the day/month order: assumed {order} "
                f"({'day' if order == 'dmy' else 'month'}-first); "
                "pass --date-order dmy|mdy to settle it"
            )
    date_only = bool(ts_samples) and all(len(v.strip()) <= 10 for v in ts_samples)

    # --- numbers: separators decided over the whole column (see values.decide_decimal)
    present = [c for c in NUMERIC if c in cols]
    sample_counts = {c: _classes(sample(c)) for c in present}
    decimals = {
        c: decide_decimal(sample_counts[c], NUMERIC[c], delimiter, cols[c], opts.decimal)
        for c in present
    }

    event_id = event_id_column(header)
    watch_v = "watch_seconds_v" if "watch_seconds" in cols else "NULL::DOUBLE"
    # one 64-bit fingerprint per event row (insights.ingest.merge): its id, else its fields
    fp = fingerprint_sql(
        quote_ident(event_id) if event_id else None,
        [
            "epoch_us(ts)",
            "has_off",
            "region_raw",
            "channel",
            "topic",
            "views_v",
            "engagements_v",
            watch_v,
        ],
    )
    id_col = f", {quote_ident(event_id)}" if event_id else ""

    def build(decimals: dict[str, str]) -> tuple[str, str, str, str, str]:
        vals = {c: strict_number_sql(text(c), decimals[c]) for c in present}
        topic = label("topic") if "topic" in cols else "NULL::VARCHAR"
        parsed = f"""
            SELECT {FILE} AS _file, {timestamp_sql(ts, fmt)} AS ts, {ts} AS ts_raw,
                   coalesce({has_offset_sql(ts)}, false) AS has_off,
                   {label("region")} AS region_raw, {label("channel")} AS channel,
                   {topic} AS topic,
                   {", ".join(f"{text(c)} AS {c}_raw, {vals[c]} AS {c}_v" for c in present)}
                   {id_col}
            FROM {rel}"""
        total_words = ", ".join(_sql_str(w) for w in TOTAL_WORDS)
        lead = "coalesce(nullif(trim(ts_raw), ''), trim(region_raw), '')"
        # the next whole hour: files planned in one run share their SQL
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + HOUR + MAX_AHEAD
        checks = " ".join(number_reason_sql(c, f"{c}_raw", f"{c}_v", NUMERIC[c]) for c in present)
        # Rows that pass these few tests cannot meet any branch below: they skip the
        # CASE (which costs about a tenth of the roll-up's CPU on large files).
        ok = " AND ".join(
            [
                f"ts BETWEEN TIMESTAMPTZ '{EARLIEST.isoformat()}' "
                f"AND TIMESTAMPTZ '{now.isoformat()}'",
                "region_raw IS NOT NULL",
                "channel IS NOT NULL",
            ]
            + [number_ok_sql(f"{c}_raw", f"{c}_v", NUMERIC[c]) for c in present]
        )
        reason = f"""CASE WHEN {ok} THEN NULL ELSE CASE
            WHEN starts_with(ts_raw, chr({ord(WIDE_ROW_MARK)}))
              THEN 'row has ' || substr(ts_raw, 2) || ' fields, the header {len(header)} '
                   || '(a value holding the separator without quotes?)'
            WHEN ts IS NULL AND (lower({lead}) IN ({total_words})
                                 OR starts_with({lead}, '#')) THEN 'skip'
            WHEN ts IS NULL THEN 'timestamp not understood'
            WHEN ts < TIMESTAMPTZ '{EARLIEST.isoformat()}'
              OR ts > TIMESTAMPTZ '{now.isoformat()}'
              THEN 'timestamp out of range (before 1990 or after the ingest): '
                   || {sql_quote_field("ts_raw")}
            WHEN region_raw IS NULL THEN 'region missing'
            WHEN channel IS NULL THEN 'channel missing'
            {checks} END END"""
        # Values that may call for another reading or conflict with it: a fractional count
        # (1.137 read with a decimal point), a value the chosen style cannot read, a value
        # holding the chosen decimal separator (1,000 read with a decimal comma), or, in
        # ';' files, any separator in a non-count column.
        nonplain = tuple(
            (
                c,
                f"{c}_v <> trunc({c}_v) OR ({c}_v IS NULL AND {c}_raw "
                f"IS NOT NULL) OR contains({c}_raw, '{decimals[c]}')"
                if NUMERIC[c] or delimiter != ";"
                else f"contains({c}_raw, ',') OR contains({c}_raw, '.')",
            )
            for c in present
        )
        return parsed, reason, ok, fp, nonplain

    complete = info is not None and path.stat().st_size < SAMPLE_BYTES and len(info.lines) < 200
    plan = ConsumptionPlan(
        path=path,
        src=src,
        source=source,
        opts=opts,
        header=header,
        cols=cols,
        pii=pii,
        notes=notes,
        details=details,
        first_line=first_line,
        sample_rows=sample_rows,
        delimiter=delimiter,
        present=present,
        decimals=decimals,
        date_only=date_only,
        complete=complete,
        build=build,
        tmp=tmp,
        wide_rows=wide_rows,
    )
    plan.rebuild()
    return plan


def stage_plans(
    con: duckdb.DuckDBPyConnection, plans: list[ConsumptionPlan], batch: bool = False
) -> list[tuple[Staged, MergeCounts]]:
    """Parse, validate and roll up the files of ``plans`` into temp table ``stage`` (one row
    per file, UTC hour and key; column ``_file`` tells files apart).

    One file (``batch=False``) goes through every rule. Several files of one layout
    (``batch=True``, plans sharing a :attr:`ConsumptionPlan.signature`) are read by one
    ``read_csv`` and staged together; :class:`NotBatchable` is raised, leaving only temp
    tables behind, when any of them has a rejected or skipped row, an ambiguous local time,
    a region two exported names share, or events already in the warehouse.

    The steps (each in :mod:`insights.ingest.rollup`, each a named result): roll up and
    summarise each file; settle separators the sample did not show; resolve regions,
    grain and local times; count rows by fate and find the rejected lines; write the
    stage; recognise events already stored.
    """
    first = plans[0]
    by_key = {p.key: p for p in plans}
    keys = list(by_key)
    # the SQL the file is read by changes when a marked copy replaces it (wide rows) or
    # the separators are settled again: each step reads the latest
    parsed, summaries = _rolled_up(con, first, _parsed_of(plans, batch), batch, keys)
    if not batch:
        if _settle_decimals(con, first, summaries[first.key], parsed):
            parsed, summaries = _rolled_up(con, first, first.bound(), batch, keys)
    elif any(s.rows > len(by_key[k].sample_rows) for k, s in summaries.items()):
        raise NotBatchable  # rows beyond the sample: separators decided file by file
    for p in plans:
        p.details["decimal"] = {c: p.decimals[c] for c in p.present}

    tz_of = dict(load_regions().select("region", "tz").iter_rows())
    regions = rollup.region_map(
        [
            rollup.RegionInput(k, summaries[k].raws, p.opts.country, p.opts.tz)
            for k, p in by_key.items()
        ],
        tz_of,
    )
    sql.register(con, "region_map", regions)  # read in place, not copied
    grain = _grain(plans, summaries)
    day = grain == "day"
    # local times: DST gaps rejected, repeated (fall-back) hours by the documented rule
    # (none to look up when every valid time carries an offset: one statement less)
    local = any(s.local_times for s in summaries.values())
    sql.register(con, "zone_map", rollup.zone_map(rollup.local_hours(con) if local else []))
    agg2_is_view = sum(s.groups for s in summaries.values()) > VIEW_ABOVE_GROUPS
    rollup.attach_zones(con, day, as_view=agg2_is_view)
    counts = rollup.count_rows(con, keys)
    ambiguous = sum(c.ambiguous for c in counts.values())
    if batch and (ambiguous or any(c.rejected or c.skipped for c in counts.values())):
        raise NotBatchable

    plan = first  # from here on, what is not batched concerns one file
    numbered = rollup.numbered_sql(parsed, plan.first_line)
    valid_rows = rollup.valid_rows_sql(numbered, plan.reason, plan.fp)
    has_watch = "watch_seconds" in plan.present
    own = counts[plan.key]
    rejects: list[tuple[int | None, str]] = []
    if not batch and (own.rejected or own.skipped):
        found = rollup.find_rejects(con, numbered, plan.reason, day, MAX_REJECTS_KEPT, own.skipped)
        rejects = list(found.rows)
        if own.skipped:
            plan.notes.append(
                f"skipped {own.skipped} totals/comment row(s) (line(s) "
                f"{', '.join(map(str, found.skipped_lines[:5]))}): not counted"
            )
    parts = [rollup.hourly_rows_sql(day)]
    if ambiguous:
        plan.details["ambiguous_local_times"] = int(ambiguous)
        plan.notes.append(
            f"{ambiguous} row(s) at a local time that happens twice (DST fall-back): "
            "two rows of a key at that hour are its first and second occurrence in file "
            "order; otherwise the first occurrence (daylight time)"
        )
        parts.append(rollup.split_rows_sql(valid_rows, has_watch))
    labels = [v for s in summaries.values() for v in s.raws + s.labels]
    masked = rollup.mask_labels(con, labels + regions["region"].to_list())
    if batch:
        files = pl.DataFrame(
            {"_file": keys, "source": [p.source for p in by_key.values()]},
            schema={"_file": pl.Utf8, "source": pl.Utf8},
        )
        sql.register(con, "_files", files)
        source = rollup.StageSource("f.source", "JOIN _files f USING (_file)")
    else:
        source = rollup.StageSource(_sql_str(plan.source))
    direct = rollup.one_to_one(list(counts.values()), regions)
    # On a large file with nothing to mask, ``stage`` is a view over agg2 rather than a
    # copy of it (the copy cost a tenth of the ingest and its size in memory): agg2, agg
    # and the maps stay until the merge has read it (MergeCounts.release).
    stage_view = direct and agg2_is_view and not masked and not batch
    rollup.write_stage(con, parts, source, grain, direct, as_view=stage_view)
    if batch:
        shapes = recognise_batch(con)
    else:
        events = rollup.events_sql(valid_rows, plan.source, grain, day, has_watch)
        shapes = {plan.key: recognise_events(con, events, stage_view)}
    rollup.apply_masks(con, masked)

    def release() -> None:
        rollup.release(con, agg2_is_view, batch)

    if stage_view:
        shapes[plan.key].release = release
    else:
        release()
    out = []
    for key, p in by_key.items():
        c = counts[key]
        if c.read == 0:
            if batch:
                raise NotBatchable
            raise FileRejected("no data rows", line=p.first_line + 1)
        staged = Staged(
            "consumption",
            int(c.read),
            int(c.rejected),
            rejects if not batch else [],
            p.pii,
            p.notes,
            rows_skipped=int(c.skipped),
            details=p.details,
        )
        out.append((staged, shapes[key]))
    return out


def _parsed_of(plans: list[ConsumptionPlan], batch: bool) -> str:
    """The parsed rows of one file, or of a batch read by one ``read_csv`` over the list
    (``_file`` then the name DuckDB gives each row's file)."""
    if not batch:
        return plans[0].bound()
    src = "[" + ", ".join(_sql_str(str(p.src)) for p in plans) + "], filename=true"
    return _bind(plans[0].parsed, src, "filename")


def _roll_up(
    con: duckdb.DuckDBPyConnection, plan: ConsumptionPlan, parsed: str, reason: str, batch: bool
) -> None:
    """:func:`rollup.roll_up`, with a read error as this file's rejection (or
    :class:`NotBatchable` in a batch; :class:`_WideRows` when a marked copy is ready)."""
    cols = rollup.RollupColumns(plan.present, plan.nonplain, plan.fp)
    try:
        rollup.roll_up(con, parsed, reason, cols, None if batch else _sql_str(plan.key))
    except duckdb.Error as exc:
        if batch:
            raise NotBatchable from None
        if plan.mark_wide_rows(exc):
            raise _WideRows from None
        raise FileRejected(f"unreadable CSV ({str(exc).splitlines()[0]})") from None


def _checked(
    con: duckdb.DuckDBPyConnection, plan: ConsumptionPlan, parsed: str, batch: bool, keys: list[str]
) -> dict[str, rollup.FileSummary]:
    """Roll up with the cheap reason; made again with the full reasons only when some row
    fails the cheap checks (as if made with them at once)."""
    large = not batch and plan.src.stat().st_size > 8_000_000
    _roll_up(con, plan, parsed, rollup.cheap_reason(plan.ok), batch)
    summaries = rollup.summarise(con, keys, plan.present, large)
    if any(s.flagged for s in summaries.values()):
        if batch:
            raise NotBatchable
        _roll_up(con, plan, parsed, plan.reason, batch)
        summaries = rollup.summarise(con, keys, plan.present, large)
    return summaries


def _rolled_up(
    con: duckdb.DuckDBPyConnection, plan: ConsumptionPlan, parsed: str, batch: bool, keys: list[str]
) -> tuple[str, dict[str, rollup.FileSummary]]:
    """:func:`_checked`, read again from a marked copy when DuckDB stopped on wide rows:
    (the SQL of the rows as finally read, each file's summary)."""
    try:
        return parsed, _checked(con, plan, parsed, batch, keys)
    except _WideRows:
        _restart_transaction(con)
        parsed = plan.bound()
        return parsed, _checked(con, plan, parsed, batch, keys)


def _settle_decimals(
    con: duckdb.DuckDBPyConnection, plan: ConsumptionPlan, summary: rollup.FileSummary, parsed: str
) -> bool:
    """A separator the sample did not show: count the number classes over the whole column
    and decide again; whether a decimal changed (the plan is then rebuilt)."""
    beyond_sample = summary.rows > len(plan.sample_rows)
    recheck = [
        c for c in plan.present if beyond_sample and not plan.opts.decimal and summary.nonplain[c]
    ]
    if not recheck:
        return False
    classes = rollup.records(
        con,
        "SELECT "
        + ", ".join(number_classes_sql(f"trim({c}_raw)", prefix=f"{c}__") for c in recheck)
        + f" FROM ({parsed})",
    )[0]
    changed = False
    for c in recheck:
        col_counts = {name: classes[f"{c}__{name}"] for name in NUMBER_CLASSES}
        d = decide_decimal(col_counts, NUMERIC[c], plan.delimiter, plan.cols[c], plan.opts.decimal)
        changed |= d != plan.decimals[c]
        plan.decimals[c] = d
    if changed:
        plan.rebuild()
    return changed


def _grain(plans: list[ConsumptionPlan], summaries: dict[str, rollup.FileSummary]) -> str:
    """The grain of the files (:func:`rollup.grain_of`), noted in each plan;
    :class:`NotBatchable` when files of a batch differ."""
    grains = set()
    for p in plans:
        g = rollup.grain_of(p.date_only, summaries[p.key])
        grains.add(g)
        p.details["grain"] = g
        if g == "day":
            p.notes.append(
                "daily rows (dates without a time of day): stored at daily grain "
                "(grain = 'day'); usable for trends and forecasts, never for hour-of-day "
                "charts or hourly slots"
            )
    if len(grains) > 1:
        raise NotBatchable
    return grains.pop()


def _restart_transaction(con: duckdb.DuckDBPyConnection) -> None:
    """A failed statement aborts DuckDB's transaction. Before the roll-up nothing has been
    written in it (the file was only read), so the loader's transaction starts again."""
    with contextlib.suppress(duckdb.TransactionException):  # none open (autocommit)
        con.execute("ROLLBACK")
        con.execute("BEGIN TRANSACTION")


class _WideRows(Exception):
    """DuckDB stopped on rows with more fields than the header; a marked copy is ready."""


def _classes(values: list[str]) -> dict[str, int]:
    """:data:`NUMBER_CLASSES` counts over sample values (as :func:`number_classes_sql`)."""
    out = dict.fromkeys(NUMBER_CLASSES, 0)
    for v in (v.strip() for v in values):
        for name, rx in NUMBER_CLASSES.items():
            if re.fullmatch(rx, v):
                group = "dot_group" if name == "dot_decimal" else "comma_group"
                if name.endswith("_decimal") and re.fullmatch(NUMBER_CLASSES[group], v):
                    continue
                out[name] += 1
    return out
