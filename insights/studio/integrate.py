"""Power samples and run totals -> energy per clock hour.

* :func:`trapezoid_hourly`: power samples (W) integrated by the trapezoid rule; the
  trapezoid between two samples is split exactly at each hour boundary it crosses (power
  interpolated linearly there). Two samples further apart than ``max_gap_s`` are NOT
  bridged: the logger was off or the machine asleep, and nothing is assumed for that time.
* :func:`spread_hourly`: a run's energy spread evenly over its interval (CodeCarbon
  reports one total per run), each hour getting the share of the run it overlaps.
"""

from __future__ import annotations

import numpy as np

HOUR = 3600.0
# Gaps up to this long are bridged; longer ones are not. nvidia-smi `-l N` logs sample every
# N seconds, so the limit is max(MIN_GAP_LIMIT_S, GAP_FACTOR x the median sampling interval).
MIN_GAP_LIMIT_S = 300.0
GAP_FACTOR = 3.0
# ... and never more than this, for every log: the median of a tiny log is its gap itself
# (two samples four days apart would bridge four days), and no logger samples power less
# often than every 20 minutes in practice (nvidia-smi -l 600 is 10 minutes).
MAX_GAP_LIMIT_S = 3600.0


def gap_limit(t_s: np.ndarray) -> float:
    """The longest interval bridged for samples at times ``t_s`` (seconds, sorted).

    >>> gap_limit(np.arange(0, 600, 60.0)), gap_limit(np.arange(0, 6000, 600.0))
    (300.0, 1800.0)
    >>> gap_limit(np.array([0.0, 4 * 86400.0]))  # two samples four days apart: not bridged
    3600.0
    """
    dt = np.diff(t_s)
    dt = dt[dt > 0]
    med = float(np.median(dt)) if len(dt) else 0.0
    return min(MAX_GAP_LIMIT_S, max(MIN_GAP_LIMIT_S, GAP_FACTOR * med))


def trapezoid_hourly(
    t_s: np.ndarray, p_w: np.ndarray, max_gap_s: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Energy per hour from power samples.

    ``t_s``: sample times, seconds since the epoch (UTC), strictly increasing;
    ``p_w``: power in watts. Returns ``(hour_start_s, kwh, seconds_covered)``, one entry per
    hour that got any bridged interval, sorted.

    >>> h, kwh, cov = trapezoid_hourly(np.array([3000.0, 4200]), np.array([100.0, 200]), 1800)
    >>> h.tolist(), [round(float(x) * 1000, 4) for x in kwh], cov.tolist()
    ([0, 3600], [20.8333, 29.1667], [600.0, 600.0])
    """
    t = np.asarray(t_s, dtype=float)
    p = np.asarray(p_w, dtype=float)
    a, b, pa, pb = t[:-1], t[1:], p[:-1], p[1:]
    ok = (b > a) & (b - a <= max_gap_s)
    a, b, pa, pb = a[ok], b[ok], pa[ok], pb[ok]
    ha = np.floor(a / HOUR).astype(np.int64)
    inside = b <= (ha + 1) * HOUR  # most intervals stay within one clock hour
    hours = [ha[inside]]
    kwh = [(pa[inside] + pb[inside]) / 2 * (b[inside] - a[inside]) / HOUR / 1000]
    cov = [b[inside] - a[inside]]
    for a0, b0, p0, p1 in zip(a[~inside], b[~inside], pa[~inside], pb[~inside], strict=True):
        start = a0
        while start < b0:  # split at each hour boundary, power interpolated linearly there
            h = int(start // HOUR)
            end = min(b0, (h + 1) * HOUR)
            q0 = p0 + (p1 - p0) * (start - a0) / (b0 - a0)
            q1 = p0 + (p1 - p0) * (end - a0) / (b0 - a0)
            hours.append(np.array([h]))
            kwh.append(np.array([(q0 + q1) / 2 * (end - start) / HOUR / 1000]))
            cov.append(np.array([end - start]))
            start = end
    h_all = np.concatenate(hours) if hours else np.array([], dtype=np.int64)
    uniq, inv = np.unique(h_all, return_inverse=True)
    k = np.bincount(inv, weights=np.concatenate(kwh), minlength=len(uniq))
    c = np.bincount(inv, weights=np.concatenate(cov), minlength=len(uniq))
    return uniq.astype(np.int64) * int(HOUR), k, c


def spread_hourly(
    start_s: float, end_s: float, kwh: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spread ``kwh`` evenly over [start_s, end_s); a zero-length run lands in its hour.

    >>> h, k, c = spread_hourly(1800.0, 9000.0, 2.0)
    >>> h.tolist(), k.tolist(), c.tolist()
    ([0, 3600, 7200], [0.5, 1.0, 0.5], [1800.0, 3600.0, 1800.0])
    """
    if end_s <= start_s:
        h = int(end_s // HOUR) * int(HOUR)
        return np.array([h], dtype=np.int64), np.array([kwh]), np.array([0.0])
    first, last = int(start_s // HOUR), int(np.ceil(end_s / HOUR)) - 1
    hours = np.arange(first, last + 1, dtype=np.int64)
    lo = np.maximum(hours * HOUR, start_s)
    hi = np.minimum((hours + 1) * HOUR, end_s)
    cov = hi - lo
    return hours * int(HOUR), kwh * cov / (end_s - start_s), cov
