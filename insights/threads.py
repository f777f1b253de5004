"""OpenMP threads for the gradient boosting, chosen per process.

scikit-learn's ``HistGradientBoostingRegressor`` runs on OpenMP threads, one per core by
default. On a machine of two cores that other work shares, two threads that spin-wait for
a core held by another process cost far more than they gain (measured in
``docs/performance.md``); one thread is the default there. Rule: ``OMP_NUM_THREADS`` when
set (the user's choice, left alone); else one thread on two cores or fewer, else half the
cores, at most four.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from threadpoolctl import threadpool_limits


def default_threads() -> int | None:
    """Threads for one process's boosting; ``None`` when ``OMP_NUM_THREADS`` decides."""
    if os.environ.get("OMP_NUM_THREADS"):
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    return 1 if cores <= 2 else min(4, cores // 2)


@contextlib.contextmanager
def boosting_threads() -> Iterator[None]:
    """Limit OpenMP to :func:`default_threads` inside the block (nothing when ``None``)."""
    n = default_threads()
    if n is None:
        yield
        return
    with threadpool_limits(limits=n, user_api="openmp"):
        yield
