"""Exact choice of k slots with a minimum gap, for many (region, channel) pairs at once.

For each pair, among candidate start hours on a shared hourly grid (disallowed
hours carry ``-inf``), choose exactly ``k`` starts at least ``gap`` hours apart
maximising the sum of scores. Dynamic programming over the grid, vectorised
across pairs: ``best[i, j]`` is the best sum using ``j`` slots among the first
``i`` hours. Exactness matters: for an exact optimiser, raising the energy
weight can never lower the chosen slots' energy or raise their engagement; a
greedy pick does not have that property.
"""

from __future__ import annotations

import numpy as np


def select_slots(scores: np.ndarray, k: int, gap: int) -> np.ndarray:
    """``scores``: (pairs, hours), ``-inf`` where not allowed. Returns a boolean mask of chosen
    hours, (pairs, hours), with exactly ``min(k, feasible)`` chosen per pair."""
    P, n = scores.shape
    gap = max(1, gap)
    neg = -np.inf
    best = np.full((n + 1, k + 1, P), neg)
    best[:, 0, :] = 0.0
    take = np.zeros((n + 1, k + 1, P), dtype=bool)
    for i in range(1, n + 1):
        s = scores[:, i - 1]
        prev = max(0, i - gap)  # the last hour still allowed before this one, as a prefix length
        for j in range(1, k + 1):
            skip = best[i - 1, j]
            with np.errstate(invalid="ignore"):
                use = best[prev, j - 1] + s
            better = use > skip
            best[i, j] = np.where(better, use, skip)
            take[i, j] = better
    chosen = np.zeros((P, n), dtype=bool)
    feasible = np.isfinite(best[n])  # (k+1, P)
    kk = np.array([max(j for j in range(k + 1) if feasible[j, p]) for p in range(P)])
    for p in range(P):
        i, j = n, kk[p]
        while j > 0 and i > 0:
            if take[i, j, p]:
                chosen[p, i - 1] = True
                i, j = max(0, i - gap), j - 1
            else:
                i -= 1
    return chosen
