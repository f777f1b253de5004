"""Ingest speed and memory against references measured in the same run.

Generates an events CSV (default 10 million rows, ISO 8601 timestamps with
each user's local offset, as a national export from Mexico has them: -05:00
Cancún, -06:00 Mexico City, -07:00 Hermosillo, -08:00 Tijuana; a
personal-identifier column) and times, each in its own process so
that peak memory (max RSS) is per path:

  * duckdb_ctas: bare ``CREATE TABLE AS SELECT * FROM read_csv(...)``;
  * insights: ``insights ingest FILE`` (detect, validate, roll up, commit);
  * pandas: the path an analyst writes by hand (``pandas.read_csv`` default
    engine, ``to_datetime`` on the offsets, insert into DuckDB);
  * pandas_pyarrow: the same with ``engine="pyarrow"``.

Usage: python benchmarks/bench_ingest.py [--rows N] [--skip-pandas]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REFS = {
    "duckdb_ctas": """
import duckdb, sys
con = duckdb.connect(sys.argv[2])
con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{sys.argv[1]}')")
""",
    "pandas": """
import duckdb, pandas as pd, sys
df = pd.read_csv(sys.argv[1])
df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True)
con = duckdb.connect(sys.argv[2])
con.execute("CREATE TABLE t AS SELECT * FROM df")
""",
    "pandas_pyarrow": """
import duckdb, pandas as pd, sys
df = pd.read_csv(sys.argv[1], engine="pyarrow")
df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True)
con = duckdb.connect(sys.argv[2])
con.execute("CREATE TABLE t AS SELECT * FROM df")
""",
}


def make_events(path: Path, rows: int) -> None:
    con = duckdb.connect()
    con.execute(f"""COPY (
        SELECT strftime(TIMESTAMP '2024-01-01' + to_seconds(i * 3), '%Y-%m-%dT%H:%M:%S')
                 || ['-06:00', '-06:00', '-08:00', '-05:00', '-07:00'][1 + i % 5] AS timestamp,
               ['Jalisco', 'Ciudad de México', 'Baja California', 'Quintana Roo',
                'Sonora'][1 + i % 5] AS region,
               ['youtube','tiktok','instagram'][1 + i % 3] AS channel,
               ['música','deportes'][1 + i % 2] AS topic,
               1 AS views, (hash(i) % 4 = 0)::INT AS engagements,
               (hash(i) % 120)::INT AS watch_seconds,
               'user' || (hash(i) % 100000) AS user_id
        FROM range({rows}) t(i)) TO '{path}' (HEADER, DELIMITER ',')""")
    con.close()


def run(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"{cmd[:3]} failed with status {status}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--skip-pandas", action="store_true", help="the default-engine path is slow")
    ap.add_argument("--out", default="benchmarks/out/ingest.json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "events.csv"
        make_events(csv, args.rows)
        size_mb = csv.stat().st_size / 1e6
        results = {}
        for name in ["duckdb_ctas", "insights", "pandas_pyarrow", "pandas"]:
            if name.startswith("pandas") and args.skip_pandas and name == "pandas":
                continue
            db = Path(tmp) / f"{name}.duckdb"
            if name == "insights":
                cmd = [sys.executable, "-m", "insights.cli", "ingest", str(csv), "--db", str(db)]
            else:
                cmd = [sys.executable, "-c", REFS[name], str(csv), str(db)]
            wall, rss = run(cmd)
            results[name] = {"seconds": round(wall, 2), "peak_rss_mb": round(rss)}
            print(f"{name:<15} {wall:8.2f} s  {rss:8.0f} MB peak", flush=True)
        base = results["duckdb_ctas"]["seconds"]
        ours = results["insights"]["seconds"]
        summary = {
            "rows": args.rows,
            "csv_mb": round(size_mb),
            "cpus": os.cpu_count(),
            "results": results,
            "insights_vs_duckdb_ctas": round(ours / base, 2),
        }
        for ref in ("pandas", "pandas_pyarrow"):
            if ref in results:
                summary[f"{ref}_vs_insights"] = round(results[ref]["seconds"] / ours, 1)
        print(json.dumps(summary, indent=2))
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
