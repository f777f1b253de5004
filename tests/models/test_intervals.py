"""Split-conformal bounds and residuals."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest

from insights.models.intervals import conformal_bounds, log_residuals


def test_conformal_bounds_widen_with_few_residuals():
    rng = np.random.default_rng(1)
    many = rng.normal(size=5000)
    lo, hi = conformal_bounds(many, 0.8)
    assert lo == pytest.approx(-1.2816, abs=0.08) and hi == pytest.approx(1.2816, abs=0.08)
    few = np.arange(9.0)  # n = 9: the finite-sample rule takes the extremes
    assert conformal_bounds(few, 0.8) == (0.0, 8.0)
    assert conformal_bounds(np.arange(19.0), 0.8) == (1.0, 17.0)  # 2nd and 18th of 19


def test_log_residuals_are_relative_and_skip_missing_actuals():
    ts = [datetime(2024, 1, 1, h, tzinfo=UTC) for h in range(3)]
    fc = pl.DataFrame({"series_id": "a", "ts": ts, "yhat": [9.0, 99.0, 5.0]})
    actual = pl.DataFrame({"series_id": "a", "ts": ts, "y": [19.0, 99.0, None]})
    r = log_residuals(fc, actual)
    assert r["resid"].to_list() == pytest.approx([np.log(2.0), 0.0])
