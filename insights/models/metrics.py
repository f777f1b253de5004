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


def avg_rel_mae(mae: np.ndarray, mae_benchmark: np.ndarray, n: np.ndarray) -> float:
    """AvgRelMAE (Davydenko & Fildes, 2013, *Int. J. Forecasting* 29(3)): the geometric
    mean, weighted by scored steps ``n``, of each series' MAE over the benchmark's MAE on
    the same steps. Inputs are per series (1-D, same length); series where either MAE is
    not positive are skipped. The arithmetic mean of per-window ratios is not used: on
    short windows it is dominated by the few where the benchmark happened to be exact.

    >>> round(avg_rel_mae(np.array([1.0, 4.0]), np.array([2.0, 2.0]), np.array([1, 1])), 3)
    1.0
    """
    mae, bench, n = (np.asarray(a, dtype=float) for a in (mae, mae_benchmark, n))
    ok = (mae > 0) & (bench > 0) & (n > 0)
    if not ok.any():
        return float("nan")
    return float(np.exp(np.average(np.log(mae[ok] / bench[ok]), weights=n[ok])))


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
