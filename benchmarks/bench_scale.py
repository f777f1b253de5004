"""Train one forecaster per brand for N synthetic brands: local loop vs Spark local[2].

Each engine runs in its own process; wall time, CPU time and the peak resident memory of
the largest process are reported, with Spark's ratios against the local loop of the same
run. CPU and memory come from getrusage of reaped children: the JVM's Python workers are
not among them, so for Spark only the wall time is meaningful.
Forecasts are checked equal between the engines.

    python benchmarks/bench_scale.py --brands 50 --weeks 8
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def panel(brands: int, weeks: int, series: int = 3):
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(1)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    end = datetime.fromtimestamp(start.timestamp() + (weeks * 168 - 1) * 3600, UTC)
    t = pl.datetime_range(start, end, "1h", eager=True)
    h = np.arange(t.len())
    parts = []
    for b in range(brands):
        for s in range(series):
            lvl = rng.uniform(20, 200)
            y = lvl * (1.4 + np.sin(2 * np.pi * (h + 3 * s) / 24)) * (1 + 0.2 * (h % 168 > 120))
            y = np.clip(y + rng.normal(0, lvl * 0.1, t.len()), 0, None)
            parts.append(
                pl.DataFrame({"client": f"marca-{b:03d}", "series_id": f"s{s}", "ts": t, "y": y})
            )
    return pl.concat(parts)


def child(engine: str, brands: int, weeks: int, out: str) -> None:
    sys.path.insert(0, str(ROOT))
    from insights.engines.groups import forecast_groups

    y = panel(brands, weeks)
    spark = None
    if engine == "spark":
        from insights.engines.spark import session

        spark = session("local[2]")
    t0 = time.perf_counter()
    fc = forecast_groups(y, settings={"horizon": 48}, engine=engine, spark=spark)
    wall = time.perf_counter() - t0
    fc.write_parquet(out)
    print(json.dumps({"fit_wall_s": wall}))
    if spark is not None:
        spark.stop()


def measure(engine: str, brands: int, weeks: int, out: Path) -> dict:
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            engine,
            "--brands",
            str(brands),
            "--weeks",
            str(weeks),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    inner = json.loads(r.stdout.strip().splitlines()[-1])
    return {
        "engine": engine,
        "wall_s": round(time.perf_counter() - t0, 1),
        "fit_wall_s": round(inner["fit_wall_s"], 1),
        "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
        "peak_rss_mb": round(after.ru_maxrss / 1024),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--brands", type=int, default=50)
    ap.add_argument("--weeks", type=int, default=8)
    ap.add_argument("--child", default=None)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if a.child:
        child(a.child, a.brands, a.weeks, a.out)
        return
    import tempfile

    import polars as pl

    d = Path(tempfile.mkdtemp())
    rows = [measure(e, a.brands, a.weeks, d / f"{e}.parquet") for e in ("local", "spark")]
    same = pl.read_parquet(d / "local.parquet").equals(pl.read_parquet(d / "spark.parquet"))
    base = rows[0]
    for r in rows:
        r["wall_ratio"] = round(r["wall_s"] / base["wall_s"], 2)
        r["cpu_ratio"] = round(r["cpu_s"] / base["cpu_s"], 2)
    print(
        f"{a.brands} brands x 3 hourly series x {a.weeks} weeks, horizon 48 h; "
        f"forecasts identical: {same}"
    )
    print(
        "| engine | wall s (fit s) | CPU s | peak RSS MB (largest process) | wall / CPU vs local |"
    )
    print("|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['engine']} | {r['wall_s']} ({r['fit_wall_s']}) | {r['cpu_s']} | "
            f"{r['peak_rss_mb']} | {r['wall_ratio']} / {r['cpu_ratio']} |"
        )


if __name__ == "__main__":
    main()
