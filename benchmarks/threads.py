"""OpenMP threads of the boosting: one against two, on a small panel, in one process.

Fits the engagement forecaster on a few series of a warehouse and the energy forecaster
on its grid series, alternating the thread limit (``threadpoolctl``) so that both see
the same load, and prints the median wall time of each.

Usage: python benchmarks/threads.py [--db WAREHOUSE] [--series 6] [--repeats 3]
       [--jobs engagement,energy] [--history-days 180]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import polars as pl
from threadpoolctl import threadpool_limits

from insights.models.energy import RESID_SCHEMA, EnergyForecaster
from insights.models.trend import EngagementForecaster
from insights.training import load_energy, load_engagement_series


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=None)
    ap.add_argument("--series", type=int, default=6)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--jobs", default="engagement,energy", help="which fits (comma-separated)")
    ap.add_argument("--history-days", type=int, default=180, help="energy training window")
    a = ap.parse_args()
    # the product limits its own fits (insights.threads) unless OMP_NUM_THREADS is set: set it
    # so that the limits below decide
    os.environ["OMP_NUM_THREADS"] = "2"
    y, meta = load_engagement_series(a.db)
    ids = y["series_id"].unique().sort().head(a.series)
    panel = y.filter(pl.col("series_id").is_in(ids.implode())).select("series_id", "ts", "y")
    energy = load_energy(a.db)
    grid = energy.select(
        pl.col("zone").alias("series_id"), "ts", pl.col("renewable_pct").alias("y")
    ).drop_nulls("y")
    jobs = {
        "engagement": lambda: EngagementForecaster(horizon=168).fit(panel, meta),
        "energy": lambda: EnergyForecaster(horizon=168, history_days=a.history_days).fit(
            grid, residuals=pl.DataFrame(schema=RESID_SCHEMA)
        ),
    }
    jobs = {k: v for k, v in jobs.items() if k in a.jobs.split(",")}
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    print(f"panel: {panel.height} rows, {ids.len()} series; grid: {grid.height} hours")
    times: dict[tuple[str, int], list[float]] = {}
    for _ in range(a.repeats):
        for name, job in jobs.items():
            for n in (1, 2):
                with threadpool_limits(n, user_api="openmp"):
                    t0 = time.perf_counter()
                    job()
                    times.setdefault((name, n), []).append(time.perf_counter() - t0)
    print(f"{'job':<16} {'1 thread s':>11} {'2 threads s':>12} {'2/1':>6}")
    for name in jobs:
        one = statistics.median(times[(name, 1)])
        two = statistics.median(times[(name, 2)])
        print(f"{name:<16} {one:>11.2f} {two:>12.2f} {two / one:>6.2f}", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
