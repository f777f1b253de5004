"""Backtest table on the real reference series (accuracy, not speed).

NAB Twitter volumes resampled hourly, Wikipedia page views daily (exp of the
logged values), ONS Brazil hourly load (last 16 weeks) and the energy models on
Electricity Maps BR/CL. Usage: python benchmarks/real_series.py
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from insights.models.backtest import backtest
from insights.models.energy import EnergyForecaster, backtest_energy
from insights.models.trend import EngagementForecaster
from tests.models.test_trend import _nab_hourly, _ons_hourly, _wiki_daily


def main() -> None:
    rows = []
    for name, load, h in [
        ("NAB Twitter volume, hourly (10 series)", _nab_hourly, 168),
        ("Wikipedia page views, daily (2 series)", _wiki_daily, 7),
        ("ONS Brazil load, hourly (4 subsystems)", _ons_hourly, 168),
    ]:
        s = backtest(EngagementForecaster(horizon=h), load(), n_cutoffs=3).summary
        rows.append(
            {
                "series": name,
                **{
                    k: round(s[k], 3)
                    for k in (
                        "mase",
                        "mase_seasonal_naive",
                        "smape",
                        "smape_seasonal_naive",
                        "coverage_80",
                    )
                },
            }
        )
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    ref = Path("data/reference/energy/electricitymaps_hourly")
    df = pl.concat([pl.read_csv(f, infer_schema_length=0) for f in sorted(ref.glob("*.csv"))])
    df = df.select(
        pl.col("Zone Id").alias("series_id"),
        pl.col("Datetime (UTC)").str.to_datetime().dt.replace_time_zone("UTC").alias("ts"),
        pl.col("Renewable Percentage").cast(pl.Float64).alias("renewable_pct"),
        pl.col("Carbon Intensity gCO₂eq/kWh (direct)").cast(pl.Float64).alias("ci"),
    )
    energy = {}
    for col in ("renewable_pct", "ci"):
        bt = backtest_energy(
            EnergyForecaster(), df.select("series_id", "ts", pl.col(col).alias("y"))
        )
        energy[col] = {
            "mae": {k: round(v, 2) for k, v in bt.mae.items()},
            "per_zone": bt.per_zone.to_dicts(),
        }
        print(col, json.dumps(energy[col]["mae"]), flush=True)
        print(bt.per_zone)
    Path("benchmarks/out").mkdir(parents=True, exist_ok=True)
    Path("benchmarks/out/real_series.json").write_text(
        json.dumps({"engagement": rows, "energy": energy}, indent=2, ensure_ascii=False)
    )


if __name__ == "__main__":
    main()
