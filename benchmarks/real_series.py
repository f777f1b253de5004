"""Backtest table on the real reference series (accuracy, not speed).

NAB Twitter volumes resampled hourly, Wikipedia page views daily (exp of the
logged values), ONS Brazil hourly load (2022 to Nov 2024, Brazil's holidays) and
the energy models on Electricity Maps BR/CL; ISLP's Bikeshare and plotnine's page
views (``insights.datasets``). Hourly series: 3 and 6 weekly
cut-offs; daily: 3, 13 and 26 (7 steps each). Usage:
PYTHONPATH=. python benchmarks/real_series.py
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import polars as pl

from insights import datasets
from insights.models.backtest import backtest
from insights.models.energy import EnergyForecaster
from insights.models.trend import EngagementForecaster
from tests.models.real_series import (
    demo_hourly,
    nab_hourly,
    ons_hourly,
    ons_last_weeks,
    wiki_daily,
)

KEYS = (
    "mase",
    "mase_seasonal_naive",
    "relative_mae",
    "smape",
    "smape_seasonal_naive",
    "coverage_80",
)


FAMILIES = {
    "demo": ("demo, region x channel, 180 days", demo_hourly, 168, (3,)),
    "nab": ("NAB Twitter volume, hourly (10 series)", nab_hourly, 168, (3,)),
    "ons": ("ONS Brazil load, hourly (4 subsystems)", ons_hourly, 168, (3, 6)),
    "ons12": ("ONS Brazil load, last 12 weeks only", ons_last_weeks, 168, (3,)),
    "wiki": ("Wikipedia page views, daily (2 series)", wiki_daily, 7, (3, 26)),
    # shipped inside installed packages (insights.datasets; `make` installs them)
    "bike1": ("ISLP Bikeshare riders, hourly 2011 (one series)", datasets.bikeshare, 168, (3,)),
    "bike4": (
        "ISLP Bikeshare cut into four quarters",
        lambda: datasets.cut_panel(*datasets.bikeshare(), 4),
        168,
        (3,),
    ),
    "pageviews": ("plotnine page views, hourly with gaps", datasets.pageviews, 24, (3,)),
}


def main() -> None:
    import sys

    rows = []
    only = sys.argv[1:] or list(FAMILIES)  # "energy" alone: only the energy backtest
    skip_energy = "--no-energy" in only
    only = [f for f in only if f in FAMILIES]
    for key in only:
        name, load, h, cutoffs = FAMILIES[key]
        y, meta = load()
        for n in cutoffs:
            t0 = time.perf_counter()
            res = backtest(EngagementForecaster(horizon=h), y, meta, n_cutoffs=n)
            s = res.summary
            if not s.get("n_backtested"):
                reasons = res.per_series["reason"].drop_nulls().unique().to_list()
                print(json.dumps({"family": key, "not_backtested": reasons}), flush=True)
                continue
            chosen = res.per_series.group_by("method").len().sort("method").rows()
            rows.append(
                {
                    "family": key,
                    "series": name,
                    "n_cutoffs": n,
                    **{k: round(s[k], 3) for k in KEYS},
                    "chosen": dict(chosen),
                    "seconds": round(time.perf_counter() - t0, 1),
                }
            )
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    if skip_energy:
        Path("benchmarks/out").mkdir(parents=True, exist_ok=True)
        Path(f"benchmarks/out/real_series_{'_'.join(only)}.json").write_text(
            json.dumps({"engagement": rows}, indent=2, ensure_ascii=False)
        )
        return
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
        bt = backtest(EnergyForecaster(), df.select("series_id", "ts", pl.col(col).alias("y")))
        energy[col] = {
            "mae": {k: round(v, 2) for k, v in bt.mae.items()},
            "per_zone": bt.per_zone.to_dicts(),
            "by_horizon": bt.by_horizon.to_dicts(),
        }
        print(col, json.dumps(energy[col]["mae"]), flush=True)
        print(bt.per_zone)
        with pl.Config(tbl_rows=60):
            print(
                bt.by_horizon.pivot(
                    "method", index=["zone", "bucket"], values=["mae", "mape"]
                ).with_columns(pl.selectors.float().round(2))
            )
    Path("benchmarks/out").mkdir(parents=True, exist_ok=True)
    Path("benchmarks/out/real_series.json").write_text(
        json.dumps({"engagement": rows, "energy": energy}, indent=2, ensure_ascii=False)
    )


if __name__ == "__main__":
    main()
