"""Cross-process access to one DuckDB file.

DuckDB lets only one process write a database file, and while a writer holds it
no other process may open it even read-only. Scheduled runs overlap, so every
process takes an advisory lock on a sidecar file first: shared for readers,
exclusive for writers, waiting up to a bounded timeout instead of failing with
DuckDB's lock error.

The timeout is ``INSIGHTS_LOCK_TIMEOUT`` seconds (default 900; a finite number >= 0,
anything else is a usage error). Readers on read-only storage open the lock file
read-only, or, when it cannot exist there, rely on DuckDB's own file lock. If the
lock file is deleted while a writer holds it, a second process gets the new file's
lock but DuckDB still refuses it the database: :func:`insights.warehouse` then waits
for the database itself, up to the same timeout, and stops with :class:`WarehouseBusy`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

from insights import settings
from insights.errors import InsightsError, WarehouseBusy

__all__ = ["WarehouseBusy", "busy", "lock_timeout"]

DEFAULT_TIMEOUT_S = settings.DEFAULT_LOCK_TIMEOUT_S
log = logging.getLogger(__name__)


def lock_timeout() -> float:
    """Seconds to wait for the warehouse: ``INSIGHTS_LOCK_TIMEOUT``, default 900."""
    return settings.current().lock_timeout_s


def busy(db_path: Path, timeout_s: float) -> WarehouseBusy:
    return WarehouseBusy(
        f"{db_path}: warehouse busy for {timeout_s:g}s (another insights run holds it); "
        "retry later or raise INSIGHTS_LOCK_TIMEOUT"
    )


def _open_lock(path: Path, exclusive: bool) -> int | None:
    """The lock file's descriptor; ``None`` for a reader where the storage is read-only."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise InsightsError(f"{path}: cannot open the lock file ({exc.strerror})") from None
        if exclusive:
            raise InsightsError(
                f"{path.parent}: the warehouse's folder is read-only ({exc.strerror}); "
                "read-only storage can be read (status, recommend, report) but not written"
            ) from None
    try:
        return os.open(path, os.O_RDONLY)  # flock works on a read-only descriptor
    except OSError:
        return None


def lock_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextlib.contextmanager
def warehouse_lock(
    db_path: Path, *, exclusive: bool, timeout_s: float | None = None
) -> Iterator[None]:
    """Hold the warehouse's advisory lock; wait (bounded) while another process holds it."""
    timeout_s = lock_timeout() if timeout_s is None else timeout_s
    path = lock_path_for(db_path)
    fd = _open_lock(path, exclusive)
    if fd is None:
        yield
        return
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    start = time.monotonic()
    announced = False
    try:
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                if _same_file(fd, path):
                    break
                # the lock file was deleted or replaced while we waited: lock the new one
                os.close(fd)
                fd = _open_lock(path, exclusive)
                if fd is None:
                    break
            except BlockingIOError:
                waited = time.monotonic() - start
                if waited >= timeout_s:
                    raise busy(db_path, timeout_s) from None
                if not announced and waited > 1.0:
                    log.warning("insights: waiting for %s (in use by another run)...", db_path)
                    announced = True
                time.sleep(0.05)
        yield
    finally:
        if fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path)
    except OSError:
        return False
    return os.fstat(fd).st_ino == st.st_ino and os.fstat(fd).st_dev == st.st_dev
