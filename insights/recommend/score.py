"""The score, and the selection it drives.

For the candidate slots s of one (region, channel) pair, with expected
engagement E(s) and energy availability A(s) in [0, 1]:

    score(s; w) = (1 - w) * (E(s) - E_min) / (E_max - E_min)
                +      w  * (A(s) - A_min) / (A_max - A_min)

min and max taken over the pair's allowed candidates (a range of zero counts
as 1). Both terms span [0, 1], so w is the share of attention given to
energy: w = 0 ranks by engagement alone, w = 1 by energy alone. The chosen
slots maximise the summed score under the constraints (exactly, see
``optimize``), which makes the trade-off monotone in w.
"""

from __future__ import annotations

import numpy as np

from insights import InsightsError
from insights.recommend.optimize import select_slots


def normalise(X: np.ndarray, ok: np.ndarray) -> np.ndarray:
    masked = np.where(ok, X, np.nan)
    has = np.isfinite(masked).any(axis=1, keepdims=True)
    filled = np.where(has, masked, 0.0)  # pairs with nothing allowed: any value will do
    lo = np.nanmin(filled, axis=1, keepdims=True)
    span = np.nanmax(filled, axis=1, keepdims=True) - lo
    span = np.where(span > 1e-12, span, 1.0)
    return np.nan_to_num((X - lo) / span, nan=0.0)


def scores(E: np.ndarray, A: np.ndarray, ok: np.ndarray, w: float) -> np.ndarray:
    if not 0.0 <= w <= 1.0:
        raise InsightsError(f"--energy-weight {w}: must be between 0 and 1")
    s = (1 - w) * normalise(E, ok) + w * normalise(A, ok)
    return np.where(ok, s, -np.inf)


def choose(
    E: np.ndarray, A: np.ndarray, ok: np.ndarray, w: float, k: int, gap: int
) -> tuple[np.ndarray, np.ndarray]:
    """(chosen mask, score matrix) for every pair at weight ``w``."""
    s = scores(E, A, ok, w)
    return select_slots(s, k, gap), s
