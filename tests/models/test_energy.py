"""Energy forecasts on the real Electricity Maps files for Brazil and Chile."""

from __future__ import annotations

import polars as pl
import pytest

from insights.models.backtest import backtest as backtest_energy
from insights.models.energy import EnergyForecaster
from tests.conftest import REF


@pytest.fixture(scope="module")
def em() -> pl.DataFrame:
    frames = [
        pl.read_csv(f, infer_schema_length=0)
        for f in sorted((REF / "energy" / "electricitymaps_hourly").glob("*.csv"))
    ]
    df = pl.concat(frames)
    return df.select(
        pl.col("Zone Id").alias("series_id"),
        pl.col("Datetime (UTC)").str.to_datetime().dt.replace_time_zone("UTC").alias("ts"),
        pl.col("Renewable Percentage").cast(pl.Float64).alias("renewable_pct"),
        pl.col("Carbon Intensity gCO₂eq/kWh (direct)").cast(pl.Float64).alias("ci"),
    )


@pytest.fixture(scope="module")
def backtests(em) -> dict:
    """One backtest per signal, shared by the tests below (each takes ~35 s)."""
    cache: dict = {}

    def get(signal: str):
        if signal not in cache:
            df = em.select("series_id", "ts", pl.col(signal).alias("y"))
            cache[signal] = backtest_energy(EnergyForecaster(), df)
        return cache[signal]

    return get


@pytest.mark.parametrize("signal", ["renewable_pct", "ci"])
def test_beats_persistence_and_seasonal_naive_on_average(backtests, signal):
    bt = backtests(signal)
    assert set(bt.per_zone["zone"]) == {"BR-CS", "BR", "CL-SEN"}
    assert bt.mae["model"] < bt.mae["persistence"]
    assert bt.mae["model"] < bt.mae["seasonal_naive_24h"]
    # MAE and MAPE per zone, horizon bucket and method
    by = bt.by_horizon
    assert set(by["bucket"]) == {"1-24", "25-48", "49-96", "97-168"}
    assert set(by["method"]) == {"model", "served", "persistence", "seasonal_naive_24h"}
    assert by.height == 3 * 4 * 4 and by["mape"].is_finite().all()
    first = by.filter(pl.col("bucket") == "1-24").pivot("method", index="zone", values="mae")
    assert first["model"].mean() < first["persistence"].mean()  # a zone may differ: see the docs
    # per (zone, bucket), seasonal naive serves where it beat the model on older blocks:
    # the first day, where the model lost to it in every zone, gets closer to it
    assert first["served"].mean() < first["model"].mean(), first
    assert bt.mae["served"] < bt.mae["seasonal_naive_24h"], bt.mae
    # 80 % bands calibrated on older blocks only, scored on the newer ones
    cov = bt.per_zone["coverage_80"].drop_nulls()
    assert cov.len() == 3 and 0.70 <= cov.mean() <= 0.90, bt.per_zone


def test_forecast_carries_an_80_percent_band(em):
    df = em.filter(pl.col("series_id") == "BR-CS").select(
        "series_id", "ts", pl.col("renewable_pct").alias("y")
    )
    fc = EnergyForecaster(horizon=48, max_iter=50).fit(df).predict()
    assert fc.height == 48 and fc["yhat_lo"].null_count() == 0
    assert (fc["yhat_lo"] <= fc["yhat"]).all() and (fc["yhat"] <= fc["yhat_hi"]).all()
    assert (fc["yhat_hi"] - fc["yhat_lo"]).min() > 0


def test_forecast_keeps_chiles_solar_dip(em):
    df = em.filter(pl.col("series_id") == "CL-SEN").select(
        "series_id", "ts", pl.col("ci").alias("y")
    )
    fc = EnergyForecaster(horizon=48).fit(df).predict()
    assert fc.height == 48
    by_hour = (
        fc.group_by(pl.col("ts").dt.convert_time_zone("America/Santiago").dt.hour().alias("h"))
        .agg(pl.col("yhat").mean())
        .sort("yhat")
    )
    assert 10 <= by_hour["h"][0] <= 16  # lowest carbon around solar noon


# measured gap (docs/models.md "Energy"): in Central Brazil's renewable share the model
# fell ~4 pp below the level in the newest block (December 2024) while yesterday's same
# hour held; after the first day, where the model serves unless beaten by 5 %, the older
# blocks it is chosen on gave no sign of it
KNOWN_GAPS = {("renewable_pct", "BR-CS", "25-48"), ("renewable_pct", "BR-CS", "49-96")}
# served may exceed the better baseline's MAE by this share (choice noise): measured
# 2.0 % (BR-CS renewable share) and 1.9 % (BR carbon) in hours 1-24, 0 % later
TOLERANCE = {"1-24": 0.03}


@pytest.mark.parametrize("signal", ["renewable_pct", "ci"])
def test_served_is_no_worse_than_the_better_baseline_per_bucket(backtests, signal):
    """Every zone and horizon bucket, on the blocks whose choice came from older blocks:
    what is served (hours 1-24: the better of persistence and seasonal naive unless the
    model or a mean of it with the baselines beat it by 2 %; later: the model unless a
    baseline or the mean beat it by 5 %) is within 3 % (hours 1-24) or 1 % (later) of,
    or better than, the better of persistence and 24 h seasonal naive (issue 27), except
    the documented gaps, which must stay visible until closed."""
    by = backtests(signal).by_horizon_chosen.pivot("method", index=["zone", "bucket"], values="mae")
    assert by.height == 12
    for zone, bucket, served, p, sn in by.select(
        "zone", "bucket", "served", "persistence", "seasonal_naive_24h"
    ).iter_rows():
        ok = served <= (1 + TOLERANCE.get(bucket, 0.01)) * min(p, sn)
        assert ok != ((signal, zone, bucket) in KNOWN_GAPS), (zone, bucket, served, p, sn)
