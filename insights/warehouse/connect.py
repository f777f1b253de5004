"""Connections to the DuckDB warehouse, taken under the cross-process lock.

Open it only through :func:`read` and :func:`write`: they take the advisory lock
(shared or exclusive), open DuckDB, and close it again promptly so that
overlapping scheduled runs take turns instead of failing on DuckDB's file lock.

Faults end in one line (:class:`insights.InsightsError`), never a traceback: a
damaged file, a full disk or a write refused by the storage (exit 1), a file that
is not a warehouse or read-only storage asked to write (exit 2), another process
holding the file past ``INSIGHTS_LOCK_TIMEOUT`` (exit 3). A warehouse made by an
older insights that lacks tables or columns is migrated on first use
(:mod:`insights.warehouse.migrations`), or, on read-only storage, read with the missing
tables empty.
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
from insights.warehouse import migrations, tables
from insights.warehouse.tables import MARKER

DEFAULT_DB = Path("data/warehouse.duckdb")


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
MARKER_TABLE = MARKER.name
MARKER_FORMAT = "insights-warehouse"
# What the first insights wrote (its consumption table's first columns); a warehouse made
# before the marker is recognised by this table having all these columns.
_LEGACY_COLUMNS = {c.name for c in tables.table("consumption").columns if c.added is None}


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

    con.execute(migrations.create_statement(MARKER))
    con.execute(
        f"INSERT OR IGNORE INTO {MARKER_TABLE} VALUES ('format', ?), ('created_by', ?)",
        [MARKER_FORMAT, f"insights {__version__}"],
    )


def _ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    _write_marker(con)
    migrations.apply(con)
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
    _migrated: bool = False,
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
            lacking, columns = migrations.missing(con)
            layout = brands.Layout(con)
            current = not lacking and not columns and layout.branded
            # _migrated: just brought up to date; never migrate twice in one call
            if what == "warehouse" and (current or _migrated) or not writable(p):
                for t in lacking:  # read-only storage: the missing tables read as empty
                    con.execute(migrations.create_statement(tables.table(t), temp=True))
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
    # an older warehouse lacking tables, columns, the brand key or the marker: migrate it once
    # (exclusive), then read
    with write(p, client=brands.DEFAULT):
        pass
    with read(p, timeout_s=timeout_s, client=client, _migrated=True) as con:
        yield con
