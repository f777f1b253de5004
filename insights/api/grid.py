"""Energy now and ahead for one grid zone: the latest measured hour with its level, the
forecast hours and the best start for a window. Pure functions over plain arrays.

The level (``low | moderate | high``) compares the latest hour's carbon intensity with the
zone's own mean over the :data:`LEVEL_REFERENCE_DAYS` days before it, as grid-aware websites
compare the current grid intensity with a reference average (Green Web Foundation,
grid-aware websites, "grid intensity" mode): ``low`` at or below
``LEVEL_LOW_RATIO`` x the mean (at least 10 % cleaner than usual), ``high`` at or above
``LEVEL_HIGH_RATIO`` x the mean (at least 10 % dirtier), ``moderate`` in between. Without a
carbon intensity the renewable share is compared the same way, inverted (more renewable is
lower). A relative level keeps its meaning in every zone: Chile's and Mexico's grids differ
by hundreds of gCO2eq/kWh, so fixed thresholds would call one always high.

The forecast shape follows the Green Software Foundation Carbon Aware SDK's
``/emissions/forecasts/current`` (``forecastData``, ``optimalDataPoints``, ``windowSize``
in minutes, ``value`` in gCO2eq/kWh), with ``optimalDataPoint`` as a single object too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

LEVEL_REFERENCE_DAYS = 30
LEVEL_LOW_RATIO = 0.9
LEVEL_HIGH_RATIO = 1.1


def level(value: float | None, reference: float | None, lower_is_better: bool = True) -> str | None:
    """``low | moderate | high`` of ``value`` against ``reference`` (see the module docstring).

    >>> level(90, 100), level(100, 100), level(111, 100), level(60, 40, lower_is_better=False)
    ('low', 'moderate', 'high', 'low')
    """
    if value is None or reference is None or not reference or math.isnan(value):
        return None
    ratio = value / reference if lower_is_better else reference / value if value else math.inf
    if ratio <= LEVEL_LOW_RATIO:
        return "low"
    if ratio >= LEVEL_HIGH_RATIO:
        return "high"
    return "moderate"


@dataclass(frozen=True)
class ZoneSeries:
    """One zone's hourly forecast: UTC hour starts (sorted), gCO2eq/kWh, renewable %."""

    ts: list[datetime]
    carbon_intensity: np.ndarray
    renewable_pct: np.ndarray


def _iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def _num(v: float, nd: int = 1) -> float | None:
    return None if v is None or not math.isfinite(v) else round(float(v), nd)


def forecast_window(
    series: ZoneSeries, location: str, start: datetime, end: datetime, window_minutes: int
) -> dict | None:
    """Forecast hours in ``[start, end)`` and the start of the ``window_minutes`` window with
    the lowest mean carbon intensity (the earliest of equals). ``None`` when no forecast hour
    falls in the range; ``optimalDataPoint`` is ``None`` when the window is longer than it.

    The window covers ``ceil(window_minutes / 60)`` forecast hours.
    """
    i0 = next((i for i, t in enumerate(series.ts) if t >= start), len(series.ts))
    i1 = next((i for i, t in enumerate(series.ts) if t >= end), len(series.ts))
    if i1 <= i0:
        return None
    ci = series.carbon_intensity[i0:i1]
    re = series.renewable_pct[i0:i1]
    points = [
        {
            "location": location,
            "timestamp": _iso(series.ts[i]),
            "duration": 60,
            "value": _num(ci[k]),
            "renewablePct": _num(re[k]),
        }
        for k, i in enumerate(range(i0, i1))
    ]
    hours = max(1, math.ceil(window_minutes / 60))
    best = None
    if hours <= len(ci):
        vals = np.where(np.isfinite(ci), ci, np.nan)
        csum = np.concatenate([[0.0], np.nancumsum(vals)])
        cnt = np.concatenate([[0], np.cumsum(np.isfinite(vals))])
        n = cnt[hours:] - cnt[:-hours]
        with np.errstate(invalid="ignore", divide="ignore"):
            means = np.where(n == hours, (csum[hours:] - csum[:-hours]) / hours, np.nan)
        if np.isfinite(means).any():
            k = int(np.nanargmin(means))
            best = {
                "location": location,
                "timestamp": points[k]["timestamp"],
                "duration": window_minutes,
                "value": _num(means[k]),
            }
    return {"forecastData": points, "optimalDataPoint": best}


def hour_floor(t: datetime) -> datetime:
    return t.replace(minute=0, second=0, microsecond=0)


def default_range(now: datetime, hours_ahead: int = 24) -> tuple[datetime, datetime]:
    """The hour that contains ``now`` and the ``hours_ahead`` hours after it."""
    start = hour_floor(now)
    return start, start + timedelta(hours=hours_ahead + 1)
