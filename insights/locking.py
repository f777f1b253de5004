"""Cross-process access to one DuckDB file.

DuckDB lets only one process write a database file, and while a writer holds it
no other process may open it even read-only. Scheduled runs overlap, so every
process takes an advisory lock on a sidecar file first: shared for readers,
exclusive for writers, waiting up to a bounded timeout instead of failing with
DuckDB's lock error.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from insights import InsightsError


class WarehouseBusy(InsightsError):
    """Another run held the warehouse past the timeout."""

    exit_code = 3


DEFAULT_TIMEOUT_S = float(os.environ.get("INSIGHTS_LOCK_TIMEOUT", "900"))


def lock_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextlib.contextmanager
def warehouse_lock(
    db_path: Path, *, exclusive: bool, timeout_s: float | None = None
) -> Iterator[None]:
    """Hold the warehouse's advisory lock; wait (bounded) while another process holds it."""
    timeout_s = DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s
    path = lock_path_for(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    start = time.monotonic()
    announced = False
    try:
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - start
                if waited >= timeout_s:
                    raise WarehouseBusy(
                        f"{db_path}: warehouse busy for {timeout_s:.0f}s (another insights run "
                        "holds it); retry later or raise INSIGHTS_LOCK_TIMEOUT"
                    ) from None
                if not announced and waited > 1.0:
                    print(
                        f"insights: waiting for {db_path} (in use by another run)...",
                        file=sys.stderr,
                    )
                    announced = True
                time.sleep(0.05)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
