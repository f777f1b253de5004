"""Properties of the score and the exact selection, checked with hypothesis."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from insights.recommend.render_window import best_start
from insights.recommend.score import choose


@st.composite
def instances(draw):
    n = draw(st.integers(3, 11))
    k = draw(st.integers(1, 3))
    gap = draw(st.integers(1, 4))
    floats = st.floats(0, 1000, allow_nan=False, allow_infinity=False)
    E = np.array(draw(st.lists(floats, min_size=n, max_size=n)))[None, :]
    A = np.array(draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))[None, :]
    ok = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))[None, :]
    return E, A, ok, k, gap


def feasible_sets(ok: np.ndarray, k: int, gap: int):
    allowed = np.flatnonzero(ok[0])
    for size in range(min(k, len(allowed)), 0, -1):
        sets = [
            c
            for c in itertools.combinations(allowed, size)
            if all(b - a >= gap for a, b in itertools.pairwise(c))
        ]
        if sets:
            return sets
    return []


@settings(max_examples=300, deadline=None)
@given(instances(), st.floats(0, 1))
def test_constraints_always_hold(inst, w):
    E, A, ok, k, gap = inst
    chosen, _ = choose(E, A, ok, w, k, gap)
    idx = np.flatnonzero(chosen[0])
    sets = feasible_sets(ok, k, gap)
    assert len(idx) == (len(sets[0]) if sets else 0)  # as many as can be placed, at most k
    assert ok[0, idx].all()
    assert all(b - a >= gap for a, b in itertools.pairwise(idx))


@settings(max_examples=300, deadline=None)
@given(instances())
def test_weight_zero_is_engagement_alone_and_one_is_energy_alone(inst):
    E, A, ok, k, gap = inst
    sets = feasible_sets(ok, k, gap)
    if not sets:
        return
    for w, X in ((0.0, E), (1.0, A)):
        chosen, _ = choose(E, A, ok, w, k, gap)
        best = max(X[0, list(c)].sum() for c in sets)
        assert X[0, chosen[0]].sum() >= best - 1e-9 * max(1.0, abs(best))


@settings(max_examples=300, deadline=None)
@given(instances(), st.floats(0, 1), st.floats(0, 1))
def test_trade_off_is_monotone_in_the_weight(inst, w1, w2):
    E, A, ok, k, gap = inst
    lo, hi = sorted((w1, w2))
    s_lo, _ = choose(E, A, ok, lo, k, gap)
    s_hi, _ = choose(E, A, ok, hi, k, gap)
    tol = 1e-9 * (1 + E.max())
    assert A[0, s_hi[0]].sum() >= A[0, s_lo[0]].sum() - 1e-9
    assert E[0, s_hi[0]].sum() <= E[0, s_lo[0]].sum() + tol


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.floats(1, 900), min_size=1, max_size=60),
    st.integers(1, 12),
    st.floats(0.1, 500),
    st.data(),
)
def test_render_window_matches_brute_force(ci, hours, kw, data):
    ci = np.array(ci)
    if hours > len(ci):
        return
    last = data.draw(st.integers(0, len(ci) - hours))
    plan = best_start(ci, hours, kw, last)
    brute = [kw * hours * ci[s : s + hours].mean() / 1000 for s in range(last + 1)]
    assert np.isclose(plan.kgco2, min(brute))
    assert np.isclose(plan.kgco2_now, brute[0])
    assert 0 <= plan.start_index <= last
    assert plan.saving_pct >= -1e-9
