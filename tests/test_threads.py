"""Threads of the boosting: one on a shared 2-core machine, the user's OMP_NUM_THREADS kept."""

from __future__ import annotations

import os

from threadpoolctl import threadpool_info

from insights import threads


def test_rule(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    for cores, want in ((1, 1), (2, 1), (4, 2), (16, 4)):
        monkeypatch.setattr(os, "sched_getaffinity", lambda _pid, n=cores: set(range(n)))
        assert threads.default_threads() == want
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert threads.default_threads() is None


def test_limit_applies_to_openmp_inside_the_block(monkeypatch):
    import sklearn.ensemble  # noqa: F401  (loads the OpenMP runtime scikit-learn uses)

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
    omp = [i for i in threadpool_info() if i["user_api"] == "openmp"]
    assert omp, "scikit-learn's OpenMP runtime not found"
    with threads.boosting_threads():
        inside = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "openmp"]
    assert inside and set(inside) == {1}
