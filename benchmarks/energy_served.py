"""What the energy forecast serves, by zone and horizon bucket, against persistence and
24-hour seasonal naive, on the blocks whose per-bucket choice came from older blocks only
(``backtest(EnergyForecaster(), ...).by_horizon_chosen``): the numbers of ``docs/models.md`` "Energy".

Series: the Electricity Maps reference files (``data/reference/energy``: BR, BR-CS,
CL-SEN; renewable share and direct carbon intensity) and the CENACE demo series (the demo
generator's mix through the ingest derivation, as ``benchmarks/cenace_horizon.py``).
Also prints each zone's 80 % band coverage (bands calibrated on older blocks).

Usage: OMP_NUM_THREADS=1 python benchmarks/energy_served.py [--only em|cenace]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from insights.models.backtest import backtest
from insights.models.energy import EnergyForecaster

REF = Path(__file__).resolve().parents[1] / "data" / "reference" / "energy"


def electricity_maps() -> pl.DataFrame:
    frames = [
        pl.read_csv(f, infer_schema_length=0)
        for f in sorted((REF / "electricitymaps_hourly").glob("*.csv"))
    ]
    return pl.concat(frames).select(
        pl.col("Zone Id").alias("series_id"),
        pl.col("Datetime (UTC)").str.to_datetime().dt.replace_time_zone("UTC").alias("ts"),
        pl.col("Renewable Percentage").cast(pl.Float64).alias("renewable_pct"),
        pl.col("Carbon Intensity gCO₂eq/kWh (direct)").cast(pl.Float64).alias("ci"),
    )


def cenace() -> pl.DataFrame:
    from benchmarks.cenace_horizon import national_series

    e = national_series([])
    return e.select(
        pl.col("zone").alias("series_id"),
        pl.col("ts_utc").alias("ts"),
        "renewable_pct",
        pl.col("carbon_intensity_direct").alias("ci"),
    )


def report(name: str, df: pl.DataFrame) -> None:
    for signal in ("renewable_pct", "ci"):
        bt = backtest(EnergyForecaster(), df.select("series_id", "ts", pl.col(signal).alias("y")))
        t = bt.by_horizon_chosen.pivot("method", index=["zone", "bucket"], values="mae")
        print(f"\n{name} {signal}: MAE on blocks chosen from older blocks")
        print("| zone | bucket | served | model | persistence | seasonal naive 24 h |")
        print("|---|---|---|---|---|---|")
        for r in t.iter_rows(named=True):
            print(
                f"| {r['zone']} | {r['bucket']} | {r['served']:.2f} | {r['model']:.2f} | "
                f"{r['persistence']:.2f} | {r['seasonal_naive_24h']:.2f} |"
            )
        cov = bt.per_zone.select("zone", "coverage_80").rows()
        print("coverage 80 %: " + ", ".join(f"{z} {c:.3f}" for z, c in cov if c is not None))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=("em", "cenace"))
    a = ap.parse_args()
    if a.only != "cenace":
        report("Electricity Maps", electricity_maps())
    if a.only != "em":
        report("CENACE demo", cenace())


if __name__ == "__main__":
    main()
