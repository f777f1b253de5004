"""Load files into the warehouse, one transaction per file (or per run of small files).

A file either loads whole (its canonical rows merged by key, its bad rows kept
in ``rejects``) or not at all: on any rejection the transaction rolls back and
only the log of the attempt is written. A file whose content hash is already
logged as loaded is skipped, so re-running an ingest changes nothing.
Consumption rows merge by the rule of the file's shape (events add, aggregates
replace, events already loaded are recognised): see :mod:`insights.ingest.merge`.

A run of small consumption CSVs of one layout (:func:`ingest_next`) is read by one
``read_csv``, staged, merged and logged in one transaction, with exactly the results
and warehouse the same files give one by one; a run that meets anything needing the
file-by-file path (rows to reject or skip, DST fall-back hours, events or hourly keys
in common with the warehouse or within the run) is loaded file by file instead.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from insights import InsightsError, sources, sql
from insights.ingest import archive, consumption, excel, guard
from insights.ingest.detect import SUPPORTED_SUFFIXES, detect_kind, is_parquet, is_xlsx
from insights.ingest.merge import MergeCounts, merge_batch
from insights.ingest.pii import mask_pii
from insights.ingest.staged import (
    FileRejected,
    IngestOptions,
    NotBatchable,
    Staged,
    csv_rows,
)
from insights.ingest.textfile import SAMPLE_BYTES, TextInfo, inspect

# Share of bad rows above which a file is rejected whole rather than loaded
# without them: a few bad lines are normal in exports, many mean a wrong reading.
MAX_BAD_FRACTION = 0.01


@dataclass
class FileResult:
    path: str
    sha256: str
    kind: str | None
    status: str  # loaded | skipped | rejected
    rows_loaded: int = 0
    rows_rejected: int = 0
    reason: str | None = None
    # what was read around the data, and what was assumed (values-side of issue 10)
    rows_skipped: int = 0
    notes: list[str] | None = None
    details: dict | None = None
    pii_dropped: list[str] | None = None
    # what the file did to consumption (insights.ingest.merge)
    shape: str | None = None  # consumption: events | aggregates
    hourly_added: int = 0
    hourly_replaced: int = 0
    hourly_already_loaded: int = 0
    events_already_loaded: int = 0

    def as_dict(self) -> dict:
        d = asdict(self)
        details = d.pop("details") or {}
        return {**d, **details}


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def expand_paths(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            # FIFOs, sockets and devices are listed so that they are reported (guard.precheck)
            out += sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and f.suffix.lower() in SUPPORTED_SUFFIXES | archive.ARCHIVE_SUFFIXES
                or guard.special_kind(f)
            )
        elif p.is_file() or guard.special_kind(p):
            out.append(p)
        else:
            raise InsightsError(f"{p}: no such file or folder")
    return archive.expand_all(out)  # a ZIP download: its CSV members, each a file


def xlsx_as_csv(path: Path, folder: Path, sheet: str | None = None) -> Path:
    """The sheet of an Excel export that holds the data, as a UTF-8 CSV of text cells (same
    stem, so readers that use the file name see the original one). The sheet is ``sheet``
    when named, else the first one whose content is a known kind (a cover sheet first is
    common); title rows above the header are kept for the header search to skip."""
    try:
        import fastexcel

        names = fastexcel.read_excel(path).sheet_names
    except Exception as exc:  # fastexcel raises its own types for broken workbooks
        raise FileRejected(f"unreadable Excel workbook ({str(exc).splitlines()[0]})") from None
    if sheet is not None and sheet not in names:
        raise FileRejected(f"no sheet {sheet!r} (sheets: {', '.join(names)})")
    out = folder / f"{path.stem}.csv"
    for name in [sheet] if sheet else names:
        try:
            data = pl.read_excel(path, sheet_name=name, has_header=False, infer_schema_length=0)
        except Exception:  # an empty sheet
            continue
        data.write_csv(out, include_header=False)
        info = inspect(out)
        if sheet or (info.lines and detect_kind(info, path.name)):
            return out
    raise FileRejected(
        f"no sheet holds a known export (sheets: {', '.join(names)}); pass --sheet NAME"
    )


def _first_line_hint(info: TextInfo, name: str = "") -> str:
    """What the first line shows, without quoting its content (it may hold personal data):
    a source that recognises what the file looks like says so (a headerless nvidia-smi log,
    a related-queries file ...)."""
    told = sources.hint(info, name)
    if told:
        return told
    rows = csv_rows(info.lines[info.header_line : info.header_line + 1], info.delimiter)
    if rows and consumption.looks_like_data(rows[0]):
        return (
            f"no header row: line {info.header_line + 1} holds values, not column names; "
            "add a header line (timestamp, region, channel, views, engagements ...)"
        )
    cols = [mask_pii(c.strip())[:30] for c in (rows[0] if rows else [])][:8]
    return (
        f"cannot tell what this file is (columns: {', '.join(cols) or 'none'}); "
        f"pass --kind one of {', '.join(sources.kinds())} (see docs/platform-exports.md)"
    )


# A reader given a file of another kind (--kind) fails somewhere inside its parsing.
_READER_ERRORS = (
    pl.exceptions.PolarsError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    StopIteration,
    AttributeError,
)


def _stage(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str | None,
    sha: str,
    term: str | None,
    options: IngestOptions,
    name: str | None = None,
    workbook: Path | None = None,
) -> tuple[str, Staged, MergeCounts | None]:
    """Detect (unless ``kind`` is given) and stage one file through its source. ``name``:
    the file's name as handed over; ``workbook``: the Excel file ``path`` is a sheet of."""
    name = name or path.name
    if path.stat().st_size == 0:
        raise FileRejected("empty file")
    archive.reject_if_archive(path)  # a ZIP left whole holds no CSV to read
    if guard.is_gzip(path):
        with tempfile.TemporaryDirectory() as tmp:
            return _stage(
                con, guard.gunzip_to(path, Path(tmp)), kind, sha, term, options, None, workbook
            )
    if is_xlsx(path):
        with tempfile.TemporaryDirectory() as tmp:
            # bounded, and read in a child process: a reader that dies rejects this file only
            csv_path = excel.to_csv(path, Path(tmp), options.sheet)
            return _stage(con, csv_path, kind, sha, term, options, name, path)
    info: TextInfo | None = None
    if is_parquet(path):
        if dup := guard.parquet_duplicates(path):
            raise FileRejected(
                f"Parquet columns named twice: {', '.join(dup)}; which one is meant cannot be "
                "told: rename one and export again"
            )
        kind = kind or "consumption"
    else:
        info = inspect(path)
        if path.stat().st_size > SAMPLE_BYTES and len(info.lines) <= info.header_line + 1:
            # the first MiB holds no whole row after the header: a line too long to be a row
            n = info.header_line + 2 if info.lines else 1
            raise FileRejected(
                f"line {n} is longer than {SAMPLE_BYTES // 2**20} MiB: not a row of an export "
                "(a quote never closed, or no line breaks)",
                line=n,
            )
        if not any(line.strip() for line in info.lines):
            raise FileRejected("empty file")
        kind = kind or detect_kind(info, name)
        if kind is None:
            raise FileRejected(_first_line_hint(info, name), line=info.header_line + 1)
    source = sources.get(kind)
    if source is None:
        raise InsightsError(f"unknown kind {kind!r}; use one of {', '.join(sources.kinds())}")
    if info is None and not source.parquet:
        raise FileRejected(f"Parquet files load as consumption only, not {kind}")
    masked = mask_pii(f"{kind}:{path.name}")  # a file name can hold an e-mail
    s = sources.StageInput(con, path, info, sha, options, masked, term, workbook)
    try:
        staged, counts = source.stage(s)
    except FileRejected as exc:
        exc.kind = kind  # what the file was recognised as, for its log row
        raise
    except _READER_ERRORS as exc:
        detail = (str(exc).splitlines() or [type(exc).__name__])[0]
        rejected = FileRejected(f"not a valid {kind} file ({mask_pii(detail)[:120]})")
        rejected.kind = kind
        raise rejected from None
    return kind, staged, counts


def _merge(
    con: duckdb.DuckDBPyConnection, kind: str, sha: str, counts: MergeCounts | None
) -> tuple[int, MergeCounts | None]:
    """Merge ``stage`` into the table of ``kind``'s source, by that source's rule."""
    return sources.get(kind).merge(con, sha, counts)


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str | None = None,
    term: str | None = None,
    max_bad_fraction: float = MAX_BAD_FRACTION,
    options: IngestOptions | None = None,
    name: str | None = None,
) -> FileResult:
    """Load one file in one transaction (see the module). ``name``: the file's name as the
    user handed it over when ``path`` is a copy (a member extracted from a ZIP): detection
    reads it as a hint (YouTube Studio's ``Totals.csv``)."""
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    if bad := guard.precheck(path):  # never opened: a FIFO, a name DuckDB cannot take
        shown, sha = Path(guard.display_name(path)), guard.name_sha(path)
        con.execute("BEGIN TRANSACTION")
        row = _log_row(shown, sha, kind, Staged("", 0), 0, "rejected", bad, started, 0.0, None)
        _log(con, row, [(None, bad)], False)
        con.execute("COMMIT")
        return FileResult(str(shown), sha, kind, "rejected", reason=bad)
    sha = file_sha256(path)
    # whether it loaded before, and whether it was tried at all (else no rejects to clear),
    # for the brand being written (insights.brands): another brand's copy loads again
    loaded_kind, loaded_before, tried = sql.one(
        con,
        """SELECT any_value(kind) FILTER (status = 'loaded'),
                  coalesce(bool_or(status = 'loaded'), false), count(*) > 0
           FROM ingest_log WHERE sha256 = ? AND client = getvariable('insights_client')""",
        [sha],
    )
    if loaded_before:
        return FileResult(archive.shown(path), sha, loaded_kind, "skipped", reason="already loaded")
    con.execute("BEGIN TRANSACTION")
    staged: Staged | None = None
    try:
        try:
            kind, staged, counts = _stage(
                con, path, kind, sha, term, options or IngestOptions(), name
            )
        except csv.Error as exc:  # Python's csv module: a field over its 128 KiB limit ...
            raise FileRejected(guard.csv_error(exc)) from None
        if staged.rows_rejected and staged.rows_rejected > max_bad_fraction * staged.rows_read:
            first_line, first_reason = staged.rejects[0]
            raise FileRejected(
                f"{staged.rows_rejected} of {staged.rows_read} rows invalid "
                f"(first: {first_reason})",
                line=first_line,
            )
        loaded, counts = _merge(con, kind, sha, counts)
        seconds = time.perf_counter() - t0
        row = _log_row(path, sha, kind, staged, loaded, "loaded", None, started, seconds, counts)
        _log(con, row, staged.rejects, tried)
        con.execute("COMMIT")
        return _loaded(path, sha, kind, staged, loaded, counts)
    except FileRejected as exc:
        con.execute("ROLLBACK")
        kind = getattr(exc, "kind", None) or kind
        where = f"line {exc.line}: " if exc.line else ""
        con.execute("BEGIN TRANSACTION")
        rej = staged or Staged("", 0)
        if not rej.rejects:
            rej.rejects = [(exc.line, exc.reason)]
        seconds = time.perf_counter() - t0
        row = _log_row(path, sha, kind, rej, 0, "rejected", exc.reason, started, seconds, None)
        _log(con, row, rej.rejects, tried)
        con.execute("COMMIT")
        return FileResult(
            archive.shown(path),
            sha,
            kind,
            "rejected",
            0,
            rej.rows_rejected or rej.rows_read,
            mask_pii(f"{where}{exc.reason}"),
        )
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _loaded(
    path: Path, sha: str, kind: str, staged: Staged, loaded: int, counts: MergeCounts | None
) -> FileResult:
    reason = "; ".join(staged.notes) or None
    if staged.rows_rejected:
        line, why = staged.rejects[0]
        reason = f"{staged.rows_rejected} row(s) rejected, first at line {line}: {why}"
    merged = asdict(counts) if counts else {}
    return FileResult(
        archive.shown(path),
        sha,
        kind,
        "loaded",
        loaded,
        staged.rows_rejected,
        mask_pii(reason),
        staged.rows_skipped,
        staged.notes or None,
        staged.details or None,
        staged.pii_dropped or None,
        **merged,
    )


# Small consumption CSVs (wholly inside the inspected sample) of one layout are staged,
# merged and logged together, up to this many at a time: per file, DuckDB's planning of
# the dozen statements of a load costs ten times the reading of a 20-row file.
MAX_BATCH_FILES = 256


@dataclass
class _Candidate:
    path: Path
    sha: str
    plan: consumption.ConsumptionPlan


@dataclass
class Batching:
    """How many small files the next batch may hold: halved when a batch has to be loaded
    file by file (a row to reject, events or keys in common), doubled when it loads. Down
    to one, batches are tried again after :data:`RETRY_AFTER_FILES` files."""

    size: int = 16
    singles: int = 0  # files loaded one by one since batching stopped

    def fell_back(self) -> None:
        self.size = max(1, self.size // 2)

    def loaded(self) -> None:
        self.size = min(MAX_BATCH_FILES, self.size * 2)

    def single(self, files: int) -> None:
        if self.size == 1:
            self.singles += files
            if self.singles >= RETRY_AFTER_FILES:
                self.size, self.singles = 2, 0


RETRY_AFTER_FILES = 32


def ingest_next(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    start: int,
    kind: str | None = None,
    term: str | None = None,
    max_bad_fraction: float = MAX_BAD_FRACTION,
    options: IngestOptions | None = None,
    batching: Batching | None = None,
) -> list[FileResult]:
    """Load ``paths[start]``, or the run of small consumption CSVs of one layout starting
    there (staged, merged and logged in one transaction). Returns one result per file
    loaded, in order, exactly as :func:`ingest_file` file by file would: a run with a row
    to reject or skip, an ambiguous local time, or a key or event in common with the
    warehouse or with another file of the run is loaded file by file."""
    options = options or IngestOptions()
    batching = batching or Batching()
    run = _small_run(con, paths, start, kind, options, batching.size)
    if run:
        try:
            results = _load_batch(con, run, kind)
            batching.loaded()
            return results
        except NotBatchable:
            pass
    batching.fell_back()  # no run here (another layout, a large file) or one that needed it
    n = max(len(run), 1)
    batching.single(n)
    return [
        ingest_file(con, p, kind, term, max_bad_fraction, options) for p in paths[start : start + n]
    ]


def _small_run(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    start: int,
    kind: str | None,
    options: IngestOptions,
    limit: int,
) -> list[_Candidate]:
    """The files from ``start`` on that can be staged together (maybe none): small
    consumption CSVs of one layout, never tried before, none twice."""
    if kind not in (None, "consumption") or limit < 2 or options.sheet:
        return []
    window: list[Path] = []
    for path in paths[start : start + limit]:
        try:
            if path.suffix.lower() not in (".csv", ".txt", ".tsv"):
                break
            if not 0 < path.stat().st_size < SAMPLE_BYTES or is_parquet(path) or is_xlsx(path):
                break
            if guard.precheck(path) or guard.is_gzip(path):
                break
        except OSError:
            break
        window.append(path)
    if len(window) < 2:
        return []
    try:
        shas = [file_sha256(p) for p in window]
    except OSError:
        return []
    # tried before (loaded: skipped; rejected: its old rejects to clear) or a second copy of
    # a file of the run: from there on, file by file
    logged = {
        sha
        for (sha,) in con.execute(
            "SELECT DISTINCT sha256 FROM ingest_log WHERE list_contains($s, sha256) "
            "AND client = getvariable('insights_client')",
            {"s": shas},
        ).fetchall()
    }
    n = next((i for i, sha in enumerate(shas) if sha in logged or sha in shas[:i]), len(shas))
    run: list[_Candidate] = []
    for path, sha in zip(window[:n], shas[:n], strict=True):
        try:
            info = inspect(path)
            if not info.duckdb_native or (kind or detect_kind(info, path.name)) != "consumption":
                break
            source = mask_pii(f"consumption:{path.name}")
            with contextlib.ExitStack() as tmp:
                plan = consumption.plan_consumption(con, path, info, source, options, tmp)
        except Exception:  # noqa: BLE001 - loaded alone, the file reports its own problem
            break
        if (
            not plan.complete
            or plan.src != path  # read through a copy
            or (run and plan.signature != run[0].plan.signature)
        ):
            break
        run.append(_Candidate(path, sha, plan))
    return run if len(run) > 1 else []


def _load_batch(
    con: duckdb.DuckDBPyConnection, run: list[_Candidate], kind: str | None
) -> list[FileResult]:
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    try:
        staged = consumption.stage_plans(con, [c.plan for c in run], batch=True)
        counts = {c.plan.key: mc for c, (_, mc) in zip(run, staged, strict=True)}
        merge_batch(con, {c.plan.key: c.sha for c in run}, counts)
        con.execute("DROP TABLE stage")
        seconds = (time.perf_counter() - t0) / len(run)
        _log_rows(
            con,
            [
                _log_row(
                    c.path,
                    c.sha,
                    "consumption",
                    st,
                    mc.rows_written,
                    "loaded",
                    None,
                    started,
                    seconds,
                    mc,
                )
                for c, (st, mc) in zip(run, staged, strict=True)
            ],
        )
        con.execute("COMMIT")
    except (NotBatchable, FileRejected):  # loaded alone, each file says what it needs
        con.execute("ROLLBACK")
        for view in ("region_map", "zone_map", "_files", "_shas"):
            with contextlib.suppress(duckdb.Error):
                con.unregister(view)
        raise NotBatchable from None
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return [
        _loaded(c.path, c.sha, "consumption", st, mc.rows_written, mc)
        for c, (st, mc) in zip(run, staged, strict=True)
    ]


def _log(
    con: duckdb.DuckDBPyConnection,
    row: tuple,
    rejects: list[tuple[int | None, str]],
    tried_before: bool = True,
) -> None:
    """Write a file's log row (:func:`_log_row`) and its rejected rows, replacing the rejects
    of an earlier try of the same file."""
    sha, path = row[0], row[1]
    if tried_before:  # rejects are written only beside a log row of the same file
        con.execute("DELETE FROM rejects WHERE file_sha256 = ?", [sha])
    if rejects:
        frame = pl.DataFrame(
            {
                "file_sha256": sha,
                "path": path,
                "line": [line for line, _ in rejects],
                "reason": [mask_pii(why) for _, why in rejects],
            },
            schema_overrides={"line": pl.Int64},
        )
        sql.register(con, "_rejects", frame)
        con.execute("INSERT INTO rejects SELECT * FROM _rejects")
        con.unregister("_rejects")
    _log_rows(con, [row])


LOG_SCHEMA = {
    "sha256": pl.Utf8,
    "path": pl.Utf8,
    "kind": pl.Utf8,
    "rows_read": pl.Int64,
    "rows_loaded": pl.Int64,
    "rows_rejected": pl.Int64,
    "status": pl.Utf8,
    "reason": pl.Utf8,
    "pii_dropped": pl.Utf8,
    "started_at": pl.Datetime("us", "UTC"),
    "seconds": pl.Float64,
    "shape": pl.Utf8,
    "hourly_added": pl.Int64,
    "hourly_replaced": pl.Int64,
    "hourly_already_loaded": pl.Int64,
    "events_already_loaded": pl.Int64,
}


def _log_row(
    path: Path,
    sha: str,
    kind: str | None,
    st: Staged,
    loaded: int,
    status: str,
    reason: str | None,
    started: datetime,
    seconds: float,
    counts: MergeCounts | None,
) -> tuple:
    """One ``ingest_log`` row, in :data:`LOG_SCHEMA` order (``sha256`` first, masked path
    second)."""
    c = counts or MergeCounts(None)
    return (
        sha,
        mask_pii(archive.shown(path)),
        kind,
        st.rows_read,
        loaded,
        st.rows_rejected,
        status,
        mask_pii(reason),
        ",".join(st.pii_dropped) or None,
        started,
        seconds,
        c.shape,
        c.hourly_added,
        c.hourly_replaced,
        c.hourly_already_loaded,
        c.events_already_loaded,
    )


def _log_rows(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    """Append rows (see :func:`_log_row`) to ``ingest_log`` in one statement."""
    names = ", ".join(LOG_SCHEMA)
    if len(rows) == 1:
        marks = ", ".join("?" * len(LOG_SCHEMA))
        con.execute(f"INSERT INTO ingest_log ({names}) VALUES ({marks})", list(rows[0]))
        return
    sql.register(con, "_log", pl.DataFrame(rows, schema=LOG_SCHEMA, orient="row"))
    con.execute(f"INSERT INTO ingest_log ({names}) SELECT * FROM _log")
    con.unregister("_log")
