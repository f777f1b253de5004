"""N synthetic brands end to end: ingest, then `train` on the local engine and on Spark local[2].

Each brand is the demo's second brand (insights/demo_brand.py: 3 states x 2 channels,
hourly) drawn with its own seed, written as its own Parquet export and ingested with
``--client``. Each step runs in its own process, measured from outside with psutil over the
whole process tree (the JVM and Spark's Python workers included): wall time, CPU time
(user + system, summed over every process seen; a process is sampled every 0.1 s, so up to
0.1 s of each is missed) and the peak of the tree's summed resident memory. The two trained
warehouses' forecasts are checked equal. The machine's load average is printed before and
after: on a shared machine read the ratios, not the seconds.

    python benchmarks/bench_brands.py --brands 50 --days 21

Ingest on Spark is not built (docs/scale.md says what is there): ingest is measured on the
local engine only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OPTS = {"horizon_hours": 24, "cutoffs": 1}


def child(step: str, work: Path, brands: int) -> None:
    sys.path.insert(0, str(ROOT))
    from insights import pipeline

    quiet = lambda _m: None  # noqa: E731
    t0 = time.perf_counter()
    if step == "ingest-local":
        for i in range(brands):
            request = pipeline.IngestRequest(paths=(str(work / "raw" / f"b{i:03d}"),))
            pipeline.ingest(request, str(work / "local.duckdb"), client=f"marca-{i:03d}")
    elif step == "train-local":
        pipeline.train(pipeline.TrainRequest(**OPTS), str(work / "local.duckdb"), quiet)
    elif step == "train-spark":
        from insights.engines.spark import session

        s = session("local[2]")
        t_start = time.perf_counter() - t0
        pipeline.train(
            pipeline.TrainRequest(**OPTS, engine="spark"), str(work / "spark.duckdb"), quiet
        )
        print(json.dumps({"inner_s": time.perf_counter() - t0, "session_s": t_start}))
        s.stop()
        return
    print(json.dumps({"inner_s": time.perf_counter() - t0}))


def measure(step: str, work: Path, brands: int) -> dict:
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", step, "--work", str(work), "--brands", str(brands)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)},
    )
    root = psutil.Process(proc.pid)
    cpu: dict[tuple[int, float], float] = {}  # (pid, start time) -> last CPU seconds seen
    peak = 0
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        rss = 0
        for p in tree:
            try:
                with p.oneshot():
                    t = p.cpu_times()
                    cpu[(p.pid, p.create_time())] = t.user + t.system
                    rss += p.memory_info().rss
            except psutil.Error:
                continue
        peak = max(peak, rss)
        time.sleep(0.1)
    out = proc.stdout.read() if proc.stdout else ""
    if proc.wait() != 0:
        raise SystemExit(f"{step} failed (exit {proc.returncode})")
    inner = json.loads(out.strip().splitlines()[-1])
    return {
        "step": step,
        "wall_s": round(time.perf_counter() - t0, 1),
        "inner_s": round(inner["inner_s"], 1),
        "session_s": round(inner["session_s"], 1) if "session_s" in inner else None,
        "cpu_s": round(sum(cpu.values()), 1),
        "peak_mb": round(peak / 2**20),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--brands", type=int, default=50)
    ap.add_argument("--days", type=int, default=21)
    ap.add_argument("--child", default=None)
    ap.add_argument("--work", default=None)
    a = ap.parse_args()
    if a.child:
        child(a.child, Path(a.work), a.brands)
        return
    sys.path.insert(0, str(ROOT))
    import duckdb

    from insights.demo_brand import write_brand_data

    work = Path(tempfile.mkdtemp(prefix="bench-brands-"))
    # data ending 40 days ago: the horizon does not depend on when each run starts
    end = datetime.now(UTC) - timedelta(days=40)
    for i in range(a.brands):
        write_brand_data(work / "raw" / f"b{i:03d}", end, seed=i, days=a.days)
    load_before = os.getloadavg()
    rows = [measure("ingest-local", work, a.brands)]
    shutil.copy(work / "local.duckdb", work / "spark.duckdb")
    rows += [measure(s, work, a.brands) for s in ("train-local", "train-spark")]
    load_after = os.getloadavg()
    q = """SELECT m.client, target, series_id, ts_utc, yhat, yhat_lo, yhat_hi, method
        FROM forecasts f JOIN model_runs m USING (run_id) ORDER BY ALL"""
    got = []
    for name in ("local", "spark"):
        with duckdb.connect(str(work / f"{name}.duckdb"), read_only=True) as con:
            got.append(con.execute(q).fetchall())
    series = 6 * a.brands
    print(
        f"{a.brands} brands x 6 hourly series x {a.days} days; train: horizon 24 h, 1 cut-off; "
        f"forecasts identical: {got[0] == got[1]} ({len(got[0]):,} rows, {series} series)"
    )
    print(
        f"load average (1, 5, 15 min) before {tuple(round(x, 1) for x in load_before)}, "
        f"after {tuple(round(x, 1) for x in load_after)}; {os.cpu_count()} cores"
    )
    base = {r["step"].split("-")[0]: r for r in rows if r["step"].endswith("local")}
    print("| step | engine | wall s (in the step) | CPU s | peak memory MB | wall / CPU vs local |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        what, engine = r["step"].split("-")
        b = base[what]
        note = f", of which session start {r['session_s']}" if r["session_s"] is not None else ""
        print(
            f"| {what} | {engine} | {r['wall_s']} ({r['inner_s']}{note}) | {r['cpu_s']} | "
            f"{r['peak_mb']} | {r['wall_s'] / b['wall_s']:.2f} / {r['cpu_s'] / b['cpu_s']:.2f} |"
        )
    print("| ingest | spark | not built | | | |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
