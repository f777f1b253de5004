"""The energy model reads only the hours it uses; its backtest replays only recent blocks."""

from __future__ import annotations

import polars as pl
import pytest

from insights.models.backtest import backtest as backtest_energy
from insights.models.energy import (
    RESID_SCHEMA,
    EnergyForecaster,
    backtest_window,
    trim_to_window,
)
from tests.models.test_energy import em  # noqa: F401  (the Electricity Maps fixture)

SMALL = {"horizon": 24, "history_days": 40, "max_iter": 20}


@pytest.fixture(scope="module")
def brcs(em) -> pl.DataFrame:  # noqa: F811
    return em.filter(pl.col("series_id") == "BR-CS").select(
        "series_id", "ts", pl.col("renewable_pct").alias("y")
    )


def _fit(df: pl.DataFrame) -> pl.DataFrame:
    none = pl.DataFrame(schema=RESID_SCHEMA)
    return EnergyForecaster(**SMALL).fit(df, residuals=none).predict()


def test_hours_before_the_window_change_nothing(brcs):
    est = EnergyForecaster(**SMALL)
    full = _fit(brcs)
    window = trim_to_window(brcs, est.fit_window_hours())
    assert window.height == est.fit_window_hours() < brcs.height
    assert _fit(window).equals(full)
    # cutting inside the window changes the model: the comparison can fail
    inside = trim_to_window(brcs, est.fit_window_hours() - 24 * 7)
    assert not _fit(inside)["yhat"].equals(full["yhat"])


def test_backtest_reads_the_hours_its_blocks_read(brcs):
    est = EnergyForecaster()
    n, hours = backtest_window(est, n_blocks=4, block_days=14, spacing_days=91)
    assert n == 4 and hours == 168 + 24 * (3 * 91 + 14) + 24 * 180 + 24 * 35 + 168 + 1
    # the measured, not adopted, rule: blocks inside the 180-day training window only
    assert backtest_window(est, 4, 14, 91, limit_blocks=True)[0] == 2
    assert backtest_window(EnergyForecaster(history_days=365), 4, 14, 91, True)[0] == 4
    small = EnergyForecaster(**{**SMALL, "horizon": 168})
    n, hours = backtest_window(small, 4, 14, 91)
    assert brcs.height > hours  # the reference series is longer than what is read
    # the same blocks and scores from the hours read as from all of them
    a = backtest_energy(small, brcs)
    b = backtest_energy(small, trim_to_window(brcs, hours))
    assert a.per_zone["n_blocks"].to_list() == [4]
    assert a.per_zone.equals(b.per_zone)
    limited = backtest_energy(small, brcs, limit_to_window=True)
    assert limited.per_zone["n_blocks"].to_list() == [2]
