"""Forecast accuracy: MASE against the seasonal-naive scale, sMAPE, interval coverage."""

from __future__ import annotations

import numpy as np


def mase_scale(history: np.ndarray, season: int) -> float:
    """Mean absolute seasonal difference of the training history (the MASE denominator)."""
    h = history[~np.isnan(history)] if season == 0 else history
    d = np.abs(h[season:] - h[:-season])
    d = d[~np.isnan(d)]
    return float(d.mean()) if len(d) and d.mean() > 0 else float("nan")


def mase(actual: np.ndarray, forecast: np.ndarray, scale: float) -> float:
    ok = ~np.isnan(actual) & ~np.isnan(forecast)
    return float(np.abs(actual[ok] - forecast[ok]).mean() / scale) if ok.any() else float("nan")


def relative_mae(actual: np.ndarray, forecast: np.ndarray, benchmark: np.ndarray) -> float:
    """MAE of ``forecast`` over MAE of ``benchmark`` on the same steps (below 1: better)."""
    ok = ~np.isnan(actual) & ~np.isnan(forecast) & ~np.isnan(benchmark)
    if not ok.any():
        return float("nan")
    base = np.abs(actual[ok] - benchmark[ok]).mean()
    return float(np.abs(actual[ok] - forecast[ok]).mean() / base) if base > 0 else float("nan")


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Symmetric MAPE in percent; pairs where both are zero count as exact."""
    ok = ~np.isnan(actual) & ~np.isnan(forecast)
    a, f = actual[ok], forecast[ok]
    denom = np.abs(a) + np.abs(f)
    terms = np.where(denom == 0, 0.0, 2 * np.abs(a - f) / np.where(denom == 0, 1, denom))
    return float(100 * terms.mean()) if len(terms) else float("nan")


def coverage(actual: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    ok = ~np.isnan(actual)
    return (
        float(((actual[ok] >= lo[ok]) & (actual[ok] <= hi[ok])).mean())
        if ok.any()
        else float("nan")
    )
