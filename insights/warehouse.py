"""The DuckDB warehouse: schema, and connections taken under the cross-process lock.

Open it only through :func:`read` and :func:`write`: they take the advisory lock
(shared or exclusive), open DuckDB, and close it again promptly so that
overlapping scheduled runs take turns instead of failing on DuckDB's file lock.

Faults end in one line (:class:`insights.InsightsError`), never a traceback: a
damaged file, a full disk or a write refused by the storage (exit 1), a file that
is not a warehouse or read-only storage asked to write (exit 2), another process
holding the file past ``INSIGHTS_LOCK_TIMEOUT`` (exit 3). A warehouse made by an
older insights that lacks tables is migrated on first use (``CREATE TABLE IF NOT
EXISTS``), or, on read-only storage, read with the missing tables empty.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from insights import InsightsError, brands, errors, settings, sql
from insights.locking import busy, lock_timeout, warehouse_lock
from insights.regions import load_regions

DEFAULT_DB = Path("data/warehouse.duckdb")

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS consumption (
        ts_utc TIMESTAMPTZ NOT NULL, region VARCHAR NOT NULL, region_raw VARCHAR,
        region_known BOOLEAN, channel VARCHAR NOT NULL, topic VARCHAR,
        views DOUBLE, engagements DOUBLE, watch_seconds DOUBLE,
        source VARCHAR, file_sha256 VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS search_interest (
        ts DATE NOT NULL, ts_end DATE, resolution VARCHAR, geo VARCHAR, geo_raw VARCHAR,
        geo_known BOOLEAN, term VARCHAR, interest DOUBLE, export_id VARCHAR,
        scale_group VARCHAR, file_sha256 VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS energy (
        ts_utc TIMESTAMPTZ NOT NULL, zone VARCHAR NOT NULL,
        carbon_intensity_direct DOUBLE, carbon_intensity_lca DOUBLE,
        renewable_pct DOUBLE, low_carbon_pct DOUBLE, load_mw DOUBLE,
        estimated BOOLEAN, source VARCHAR, load_source VARCHAR, file_sha256 VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS regions (
        region VARCHAR PRIMARY KEY, country VARCHAR, grid_zone VARCHAR,
        grid_operator_code VARCHAR, tz VARCHAR, aliases VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS ingest_log (
        sha256 VARCHAR, path VARCHAR, kind VARCHAR, rows_read BIGINT, rows_loaded BIGINT,
        rows_rejected BIGINT, status VARCHAR, reason VARCHAR, pii_dropped VARCHAR,
        started_at TIMESTAMPTZ, seconds DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS rejects (
        file_sha256 VARCHAR, path VARCHAR, line BIGINT, reason VARCHAR)""",
    # issue 10: daily consumption aggregates are stored at their grain ('day'), never posing
    # as an hour; hourly Google Trends exports keep their hour (wall time as exported).
    "ALTER TABLE consumption ADD COLUMN IF NOT EXISTS grain VARCHAR",
    "ALTER TABLE search_interest ADD COLUMN IF NOT EXISTS ts_hour TIMESTAMP",
    # What each loaded file did to consumption (see insights.ingest.merge).
    "ALTER TABLE ingest_log ADD COLUMN IF NOT EXISTS shape VARCHAR",
    "ALTER TABLE ingest_log ADD COLUMN IF NOT EXISTS hourly_added BIGINT",
    "ALTER TABLE ingest_log ADD COLUMN IF NOT EXISTS hourly_replaced BIGINT",
    "ALTER TABLE ingest_log ADD COLUMN IF NOT EXISTS hourly_already_loaded BIGINT",
    "ALTER TABLE ingest_log ADD COLUMN IF NOT EXISTS events_already_loaded BIGINT",
    # One 64-bit fingerprint per event loaded (its UTC hour; no personal identifier),
    # to recognise the same events in another file.
    """CREATE TABLE IF NOT EXISTS consumption_events (ts_utc TIMESTAMPTZ, fp UBIGINT)""",
    """CREATE TABLE IF NOT EXISTS model_runs (
        run_id VARCHAR PRIMARY KEY, kind VARCHAR, created_at TIMESTAMPTZ, params JSON,
        metrics JSON, package_version VARCHAR, sklearn_version VARCHAR,
        data_start TIMESTAMPTZ, data_end TIMESTAMPTZ)""",
    """CREATE TABLE IF NOT EXISTS forecasts (
        run_id VARCHAR, target VARCHAR, series_id VARCHAR, region VARCHAR, channel VARCHAR,
        zone VARCHAR, ts_utc TIMESTAMPTZ, yhat DOUBLE, yhat_lo DOUBLE, yhat_hi DOUBLE,
        method VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS recommendations (
        run_id VARCHAR, created_at TIMESTAMPTZ, params JSON, rank INTEGER, region VARCHAR,
        channel VARCHAR, grid_zone VARCHAR, start_local VARCHAR, start_utc TIMESTAMPTZ,
        window_hours INTEGER, expected_engagement DOUBLE, engagement_low DOUBLE,
        engagement_high DOUBLE, renewable_pct DOUBLE, carbon_intensity DOUBLE,
        energy_availability DOUBLE, score DOUBLE, engagement_vs_best_pct DOUBLE,
        carbon_vs_best_pct DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS studio_energy (
        ts_utc TIMESTAMPTZ NOT NULL, source VARCHAR NOT NULL, device VARCHAR NOT NULL,
        job VARCHAR NOT NULL, kwh DOUBLE, seconds_covered DOUBLE, file_sha256 VARCHAR)""",
    # CENACE's generation by technology: MWh per national system, technology and hour, with
    # the settlement it comes from (0..5; a later one replaces an earlier one)
    """CREATE TABLE IF NOT EXISTS cenace_generation (
        ts_utc TIMESTAMPTZ NOT NULL, system VARCHAR NOT NULL, technology VARCHAR NOT NULL,
        mwh DOUBLE, settlement INTEGER, month DATE, source VARCHAR, file_sha256 VARCHAR)""",
    # The platforms' own downloads (insights.sources; contract shared with the models that
    # read them: names fixed). Per-post lifetime totals, keyed by (platform, post_id):
    """CREATE TABLE IF NOT EXISTS posts (
        platform VARCHAR NOT NULL, account VARCHAR, post_id VARCHAR NOT NULL,
        published_utc TIMESTAMPTZ, post_type VARCHAR, channel VARCHAR, region VARCHAR,
        impressions BIGINT, reach BIGINT, views BIGINT, likes BIGINT, comments BIGINT,
        shares BIGINT, saves BIGINT, engagements BIGINT, source VARCHAR,
        file_sha256 VARCHAR, exported_at TIMESTAMPTZ)""",
    # followers/users active by hour of day: a profile without dates (weekday 0 = Monday)
    """CREATE TABLE IF NOT EXISTS audience_activity (
        platform VARCHAR, channel VARCHAR, weekday SMALLINT, hour_local SMALLINT, tz VARCHAR,
        value DOUBLE, metric VARCHAR, source VARCHAR, file_sha256 VARCHAR)""",
    # shares by geography without time (geo: gazetteer region name or ISO 3166-1 alpha-2)
    """CREATE TABLE IF NOT EXISTS audience_shares (
        platform VARCHAR, channel VARCHAR, geo VARCHAR, geo_level VARCHAR, metric VARCHAR,
        value DOUBLE, share DOUBLE, source VARCHAR, file_sha256 VARCHAR)""",
    # daily totals at grain day, never given an hour
    """CREATE TABLE IF NOT EXISTS daily_series (
        day DATE, platform VARCHAR, channel VARCHAR, region VARCHAR, metric VARCHAR,
        value DOUBLE, source VARCHAR, file_sha256 VARCHAR)""",
    # The strategist report's advice backtest, computed once per model run, parameter set
    # and input data (insights.recommend.advice_store): the per-slot frame as Parquet bytes
    """CREATE TABLE IF NOT EXISTS advice_backtests (
        run_id VARCHAR, params_hash VARCHAR, params JSON, created_at TIMESTAMPTZ,
        package_version VARCHAR, slots BLOB)""",
    # issue 32: the forecast backtests `train` computed, stored with the run (long: one row
    # per series or zone, cut-off or horizon bucket, method and metric; insights.training.io)
    # and read back (insights.queries.backtest_scores) instead of recomputed
    """CREATE TABLE IF NOT EXISTS backtest_scores (
        run_id VARCHAR, target VARCHAR, step VARCHAR, series VARCHAR, cutoff INTEGER,
        bucket VARCHAR, method VARCHAR, metric VARCHAR, value DOUBLE)""",
    *(
        f"ALTER TABLE recommendations ADD COLUMN IF NOT EXISTS {c} DOUBLE"
        for c in (
            "renewable_pct_low",
            "renewable_pct_high",
            "carbon_intensity_low",
            "carbon_intensity_high",
            "renewable_vs_best_pp",
        )
    ),
    # issue 29: the brand key (insights.brands); existing rows become brand 'default'
    *brands.MIGRATIONS,
    # one signal's change against the other's (insights.recommend.engine.disagree)
    "ALTER TABLE recommendations ADD COLUMN IF NOT EXISTS energy_signals_disagree BOOLEAN",
]


def db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the warehouse path: explicit argument, then ``INSIGHTS_DB``, then the default.

    A relative path is found the same way from the CLI, papermill and JupyterLab
    (whose kernels start in ``notebooks/``): see :func:`insights.paths.resolve`.
    """
    from insights.paths import resolve

    return resolve(path or settings.current().db or DEFAULT_DB)


# The warehouses this process opened for writing (resolved paths, in order): the CLI names
# them when a command ends, so a user always sees which file received the writes.
WRITTEN: list[Path] = []

WarehouseFault = errors.WarehouseFault  # defined with every user-facing error


_FULL = ("no space left", "file too large", "disk quota", "could not write", "could not truncate")
_DAMAGED = ("checksum", "corrupt", "invalid block", "failed to read", "could not read")


def _explain(path: Path, exc: BaseException) -> InsightsError:
    """One line for a DuckDB or OS failure on the warehouse file (the whole exception chain)."""
    chain, e = [], exc
    while e is not None and len(chain) < 5:
        chain.append(e)
        e = e.__cause__ or e.__context__
    text = " / ".join(str(c).splitlines()[0] if str(c) else type(c).__name__ for c in chain)
    low = text.lower()
    errnos = {getattr(c, "errno", None) for c in chain}
    if errnos & {errno.ENOSPC, errno.EFBIG, errno.EDQUOT} or any(k in low for k in _FULL):
        return WarehouseFault(
            f"{path}: cannot write the warehouse: the disk is full or the file hit a size limit "
            f"({chain[-1]}); what was being written was not kept: free space and run again"
        )
    if errnos & {errno.EROFS, errno.EACCES, errno.EPERM} or "read-only" in low:
        return InsightsError(
            f"{path}: the warehouse is on read-only storage or not writable by you ({chain[-1]}); "
            "reading works (status, recommend, report), writing needs a writable copy"
        )
    if "not a valid duckdb" in low or "unable to open" in low and "magic" in low:
        return InsightsError(
            f"{path}: not a DuckDB warehouse ({chain[0]}); check --db / INSIGHTS_DB"
        )
    if any(k in low for k in _DAMAGED):
        return WarehouseFault(
            f"{path}: the warehouse file is damaged ({chain[0]}); restore it from a backup, "
            "or ingest the exports again into a new file (--db NEW.duckdb)"
        )
    return WarehouseFault(f"{path}: warehouse I/O failed ({text[:300]})")


def storage_error(path: Path, exc: OSError) -> InsightsError:
    """One line for a failed write of a file beside the warehouse (models, reports, outputs):
    a full disk or size limit (exit 1), read-only storage or no permission (exit 2)."""
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return WarehouseFault(
            f"{path}: cannot write: the disk is full or the file hit a size limit "
            f"({exc.strerror}); nothing of this run was kept: free space and run again"
        )
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return InsightsError(
            f"{path}: cannot write: read-only storage or not writable by you ({exc.strerror})"
        )
    return WarehouseFault(f"{path}: cannot write ({exc.strerror or exc})")


_DB_FAULTS = (duckdb.IOException, duckdb.FatalException, duckdb.InternalException)


def is_fault(exc: BaseException) -> bool:
    """A failure of the file or the disk (not of a query): damaged, full, refused."""
    if isinstance(exc, _DB_FAULTS + (OSError,)):
        return True
    low = str(exc).lower()
    return isinstance(exc, duckdb.Error) and any(k in low for k in _DAMAGED + _FULL)


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    # The advisory lock covers insights processes; a foreign process (the duckdb CLI, a
    # stray notebook kernel, or a run whose lock file was deleted under it) can still hold
    # the file: wait for it as for the lock, then stop as busy (exit 3).
    timeout = lock_timeout()
    deadline = time.monotonic() + timeout
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            con.execute("SET TimeZone='UTC'")
            # DuckDB prints its own progress bar by default; the CLI turns it on for terminals
            con.execute("SET enable_progress_bar = false")
            return con
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise _explain(path, exc) from None
            if time.monotonic() > deadline:
                raise busy(path, timeout) from None
            time.sleep(0.2)
        except (duckdb.Error, OSError) as exc:
            raise _explain(path, exc) from None


# The marker an insights warehouse carries (written on creation, and into a warehouse made
# before the marker existed on its first use): a file is a warehouse because it says so,
# never because tables are absent. A DuckDB file without it, holding tables that are not an
# older insights warehouse's, is someone else's database: opened read-only, and refused.
MARKER_TABLE = "insights_warehouse"
MARKER_FORMAT = "insights-warehouse"
# What the first insights wrote (its consumption table, SCHEMA[0]); a warehouse made before
# the marker is recognised by this table having all these columns.
_LEGACY_COLUMNS = {
    "ts_utc", "region", "region_raw", "region_known", "channel", "topic", "views",
    "engagements", "watch_seconds", "source", "file_sha256",
}  # fmt: skip


def identify(con: duckdb.DuckDBPyConnection) -> str:
    """What a DuckDB database is: ``"warehouse"`` (carries the marker), ``"legacy"`` (an
    insights warehouse from before the marker), ``"empty"`` (no tables or views at all), or
    ``"foreign"`` (anything else: never written by insights)."""
    names = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal "
            "AND database_name = current_database()"
        ).fetchall()
    }
    if MARKER_TABLE in names:
        got = con.execute(
            f"SELECT value FROM {MARKER_TABLE} WHERE key = 'format'"  # noqa: S608 (constant)
        ).fetchall()
        if got and got[0][0] == MARKER_FORMAT:
            return "warehouse"
        return "foreign"
    if not names:
        return "empty"
    if "consumption" in names:
        cols = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = 'consumption' "
                "AND database_name = current_database()"
            ).fetchall()
        }
        if cols >= _LEGACY_COLUMNS:
            return "legacy"
    return "foreign"


def _refuse_foreign(path: Path, con: duckdb.DuckDBPyConnection) -> InsightsError:
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "ORDER BY 1 LIMIT 6"
        ).fetchall()
    ]
    shown = ", ".join(tables[:5]) + (" ..." if len(tables) > 5 else "")
    return InsightsError(
        f"{path}: a DuckDB database that is not an insights warehouse (tables: "
        f"{shown or 'views only'}); it was opened read-only and left untouched; "
        "pass --db (or INSIGHTS_DB) for a warehouse, or a new file name to start one"
    )


# (device, inode) of files this process has already found to be warehouses: a folder of
# many batches opens the warehouse once per batch, and the probe need not be repeated
_KNOWN: set[tuple[int, int]] = set()


def _check_identity(path: Path) -> None:
    """Refuse an existing DuckDB file that is not a warehouse, having opened it read-only."""
    if not path.exists() or path.stat().st_size == 0:
        return
    st = path.stat()
    if (st.st_dev, st.st_ino) in _KNOWN:
        return
    con = _connect(path, read_only=True)
    try:
        what = identify(con)
        if what == "foreign":
            raise _refuse_foreign(path, con)
        if what == "warehouse":
            _KNOWN.add((st.st_dev, st.st_ino))
    finally:
        with contextlib.suppress(duckdb.Error):
            con.close()


def _write_marker(con: duckdb.DuckDBPyConnection) -> None:
    from insights import __version__

    con.execute(
        f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (key VARCHAR PRIMARY KEY, value VARCHAR)"
    )
    con.execute(
        f"INSERT OR IGNORE INTO {MARKER_TABLE} VALUES ('format', ?), ('created_by', ?)",
        [MARKER_FORMAT, f"insights {__version__}"],
    )


def missing_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables of :data:`SCHEMA` this warehouse lacks (made by an older insights)."""
    want = [
        s.split("EXISTS", 1)[1].split("(", 1)[0].strip()
        for s in SCHEMA
        if s.startswith("CREATE TABLE")
    ]
    have = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    return [t for t in want if t not in have]


def _ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    _write_marker(con)
    for stmt in SCHEMA:
        con.execute(stmt)
    # Regions are configuration (bundled table plus INSIGHTS_REGIONS): refresh on every write.
    sql.register(con, "_regions_src", load_regions())
    con.execute("DELETE FROM regions")
    con.execute("INSERT INTO regions SELECT * FROM _regions_src")
    con.unregister("_regions_src")


@contextlib.contextmanager
def write(
    path: str | os.PathLike[str] | None = None, *, client: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """An exclusive, schema-initialised connection; closed (and the lock released) on exit.

    Rows inserted without a ``client`` belong to brand ``client`` (default
    ``INSIGHTS_CLIENT``, else ``'default'``; see :mod:`insights.brands`).
    """
    p = db_path(path)
    brand = brands.check(client or settings.current().client or brands.DEFAULT)
    load_regions()  # a team's regions table is validated before anything is written
    if p.exists() and not os.access(p, os.W_OK) or not os.access(_existing_parent(p), os.W_OK):
        raise _explain(p, PermissionError(errno.EACCES, "not writable"))
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _explain(p, exc) from None
    with warehouse_lock(p, exclusive=True):
        _check_identity(p)  # read-only first: a foreign database is never written
        con = _connect(p, read_only=False)
        if p.resolve() not in WRITTEN:
            WRITTEN.append(p.resolve())
        try:
            try:
                _ensure_schema(con)
                con.execute(f"SET VARIABLE {brands.VARIABLE} = ?", [brand])
                yield con
            except duckdb.Error as exc:
                # a failed write is often followed by "cannot rollback": explain the first
                first = exc
                if isinstance(exc, duckdb.TransactionException) and exc.__context__ is not None:
                    first = exc.__context__  # ("Failed to commit: Could not write" is its own)
                if first is not None and is_fault(first):
                    raise _explain(p, first) from None
                raise
        finally:
            with contextlib.suppress(duckdb.Error):
                con.close()


def _existing_parent(p: Path) -> Path:
    p = p.absolute().parent
    while not p.exists():
        p = p.parent
    return p


def writable(path: str | os.PathLike[str] | None = None) -> bool:
    """Whether this process could write the warehouse (its file and its folder)."""
    p = db_path(path)
    return (not p.exists() or os.access(p, os.W_OK)) and os.access(_existing_parent(p), os.W_OK)


@contextlib.contextmanager
def read(
    path: str | os.PathLike[str] | None = None,
    *,
    timeout_s: float | None = None,
    client: str | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A shared, read-only connection. Fails with a clear message when there is no warehouse.

    ``timeout_s``: how long to wait for a writer to finish (default ``INSIGHTS_LOCK_TIMEOUT``);
    past it :class:`insights.locking.WarehouseBusy` is raised.

    ``client``: the brand whose rows the brand tables show (default ``INSIGHTS_CLIENT``);
    :data:`insights.brands.ALL` shows every brand's. Without one, a warehouse of several
    brands refuses to read brand rows (:class:`insights.brands.BrandError`, naming them).
    An unknown or malformed brand is a :class:`~insights.brands.BrandError` too.
    """
    p = db_path(path)
    brand = client or settings.current().client
    if brand and brand != brands.ALL:
        brand = brands.check(brand)
    if not p.exists():
        raise InsightsError(
            f"{p}: no warehouse yet; run `insights ingest PATH` (or `make demo`) first"
        )
    with warehouse_lock(p, exclusive=False, timeout_s=timeout_s):
        con = _connect(p, read_only=True)
        try:
            what = identify(con)
            if what == "foreign":
                raise _refuse_foreign(p, con)
            if what == "empty":  # reading never turns someone's empty database into one
                raise InsightsError(
                    f"{p}: an empty DuckDB database, not a warehouse yet; "
                    "run `insights ingest PATH --db` on it first"
                )
            lacking = missing_tables(con)
            layout = brands.Layout(con)
            if what == "warehouse" and not lacking and layout.branded or not writable(p):
                for t in lacking:  # read-only storage: the missing tables read as empty
                    stmt = next(s for s in SCHEMA if f"EXISTS {t} (" in s)
                    con.execute(stmt.replace("CREATE TABLE IF NOT EXISTS", "CREATE TEMP TABLE"))
                if brand != brands.ALL:
                    names = brands.present(con, layout)
                    if brand and brand not in names:
                        raise brands.unknown(brand, names)
                    brands.scope(con, brand, layout, names)
                yield con
                return
        except duckdb.Error as exc:
            if brands.GUARD_TEXT in str(exc):  # a brand row read without saying which brand
                msg = str(exc)
                raise brands.BrandError(msg[msg.find("this warehouse") :]) from None
            if is_fault(exc):
                raise _explain(p, exc) from None
            raise
        finally:
            with contextlib.suppress(duckdb.Error):
                con.close()
    # an older warehouse lacking tables, the brand key or the marker: migrate it once
    # (exclusive), then read
    with write(p, client=brands.DEFAULT):
        pass
    with read(p, timeout_s=timeout_s, client=client) as con:
        yield con
