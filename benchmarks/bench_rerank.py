"""Re-ranking after an energy-weight change, as a slider does it.

32 regions x 5 channels x 14 days of hourly candidate slots, forecasts already
computed. Times the median of repeated re-ranks at random weights: the core
(score + exact selection on prepared matrices) and the full ``recommend`` call
(matrices, selection and the output table), against the reference of one
Polars sort of the same candidates by the score in the same process.

Usage: python benchmarks/bench_rerank.py
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from insights.recommend.engine import recommend
from insights.recommend.score import choose
from insights.recommend.slots import SlotRules, build_candidates, to_matrices
from insights.regions import load_regions


def candidates() -> pl.DataFrame:
    rng = np.random.default_rng(0)
    regions = load_regions().filter(pl.col("country") == "MX", pl.col("region") != "México")
    start = datetime(2026, 12, 1, tzinfo=UTC)
    ts = pl.datetime_range(start, start.replace(day=15), "1h", eager=True, closed="left")
    eng = pl.concat(
        [
            pl.DataFrame({"region": r, "channel": c, "ts": ts, "yhat": rng.gamma(5, 100, len(ts))})
            for r in regions["region"]
            for c in ["youtube", "instagram", "tiktok", "facebook", "web"]
        ]
    ).with_columns((pl.col("yhat") * 0.8).alias("yhat_lo"), (pl.col("yhat") * 1.2).alias("yhat_hi"))
    energy = pl.concat(
        [
            pl.DataFrame(
                {
                    "zone": z,
                    "ts": ts,
                    "renewable_pct": rng.uniform(5, 90, len(ts)),
                    "carbon_intensity": rng.uniform(50, 600, len(ts)),
                }
            )
            for z in regions["grid_zone"].unique()
        ]
    )
    return build_candidates(
        eng,
        energy,
        regions.select("region", "grid_zone", "tz"),
        SlotRules(start=start, horizon_days=14),
    )


def median_ms(fn, n: int = 30) -> float:
    rng = np.random.default_rng(1)
    times = []
    for _ in range(n):
        w = float(rng.uniform())
        t0 = time.perf_counter()
        fn(w)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    c = candidates()
    pairs, E, A, ok, _ = to_matrices(c)
    core = median_ms(lambda w: choose(E, A, ok, w, 3, 12))
    full = median_ms(lambda w: recommend(c, w, 3, 12, 1))
    ref = median_ms(
        lambda w: c.with_columns(
            ((1 - w) * pl.col("yhat") + w * pl.col("energy_availability")).alias("s")
        ).sort("s")
    )
    out = {
        "pairs": pairs.height,
        "candidate_slots": c.height,
        "median_ms_core_rerank": round(core, 1),
        "median_ms_full_recommend": round(full, 1),
        "median_ms_reference_polars_sort": round(ref, 1),
        "full_vs_reference": round(full / ref, 1),
    }
    print(json.dumps(out, indent=2))
    Path("benchmarks/out").mkdir(parents=True, exist_ok=True)
    Path("benchmarks/out/rerank.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
