"""Ranges for numeric options: one line naming the option, never inf, nan or a traceback.

Python reads ``nan``, ``inf`` and ``1e8`` as floats; comparisons with nan are all false, so
a check written ``if x < 0`` lets nan through. :func:`check` tests the range positively.
"""

from __future__ import annotations

import math

from insights import InsightsError

# (low, high, what): physical or practical ranges, each with its reason
SLACK_HOURS = (0.0, 168.0, "hours, 0 to 168 (a week)")
ALTITUDE_M = (-430.0, 9000.0, "metres, -430 (Dead Sea shore) to 9000")
TILT_DEG = (0.0, 90.0, "degrees, 0 (flat) to 90 (vertical)")
AZIMUTH_DEG = (0.0, 360.0, "degrees, 0 to 360 (180 = south)")
TEMP_AIR_C = (-60.0, 60.0, "°C, -60 to 60 (the range of recorded air temperatures)")
ANNUAL_FACTOR_G = (0.0, 2000.0, "gCO2e/kWh, 0 to 2000 (coal is about 1000)")


def check(name: str, value: float | None, bounds: tuple[float, float, str]) -> None:
    """Raise :class:`InsightsError` (exit 2) unless ``value`` is finite and within bounds."""
    if value is None:
        return
    lo, hi, what = bounds
    if not (math.isfinite(value) and lo <= value <= hi):
        raise InsightsError(f"{name} {value:g}: use {what}")
