"""Ingest speed and memory for every shape of file, against bare DuckDB on the same files.

Each shape is generated once, then loaded by two paths, each in its own process
so that peak memory (max RSS) is per path:

  * duckdb: bare ``CREATE TABLE t AS SELECT * FROM read_csv(...)`` (for a folder
    of parts: one ``read_csv`` over the glob; for many small files: one
    ``INSERT ... SELECT * FROM read_csv(file)`` per file, as a loader of
    arriving files would);
  * insights: ``insights ingest PATH`` (detect, validate, fingerprint every
    event and recognise already-loaded ones, roll up to the hour, commit per
    file; a run of small files of one layout is staged, merged and committed
    together, each file still whole or not at all). Event recognition cannot
    be switched off.

Shapes (sizes at ``--scale 1``):

  * ``low_card``: 10M events over few keys (5 regions x 3 channels x 2 topics),
    ISO times with each user's local offset, a personal-identifier column;
  * ``high_card``: 5M events over a year, 9 regions x 5 channels x 40 topics,
    second-resolution UTC times (the hourly roll-up keeps ~4.3M rows);
  * ``hourly_aggregates``: 2M rows, one per key and hour (nothing to roll up);
  * ``parts``: 100M events written in 20 parts (time-ordered, like daily
    exports; one a second from 2020), ingested as one folder: memory must stay
    bounded;
  * ``small_files``: 3,000 files of 20 events each (files per second).

``--scale`` multiplies every row count (``small_files`` keeps its 3,000 files
unless ``--small-files`` says otherwise). ``--pandas`` adds the hand-written pandas path on the
``low_card`` file. ``--previous DIR`` runs ``insights ingest`` from another checkout
(the previous release) on the same files, in the same run. Run under ``nice -n 10`` on
a shared machine.

Usage: python benchmarks/bench_ingest.py [--scale S] [--shapes a,b] [--pandas] [--previous DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import polars as pl

REFS = {
    "duckdb": """
import duckdb, sys
con = duckdb.connect(sys.argv[2])
con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{sys.argv[1]}')")
""",
    "duckdb_per_file": """
import duckdb, glob, sys
con = duckdb.connect(sys.argv[2])
files = sorted(glob.glob(sys.argv[1] + '/*.csv'))
con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{files[0]}')")
for f in files[1:]:
    con.execute(f"INSERT INTO t SELECT * FROM read_csv('{f}')")
""",
    "pandas_pyarrow": """
import duckdb, pandas as pd, sys
df = pd.read_csv(sys.argv[1], engine="pyarrow")
df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True)
con = duckdb.connect(sys.argv[2])
con.execute("CREATE TABLE t AS SELECT * FROM df")
""",
}

REGIONS9 = (
    "['Jalisco','Ciudad de México','Baja California','Quintana Roo','Sonora',"
    "'Nuevo León','Yucatán','Oaxaca','Puebla']"
)
CHANNELS5 = "['youtube','tiktok','instagram','facebook','x']"
YEAR_S = 365 * 86400


def _copy(sql: str, path: Path) -> None:
    con = duckdb.connect()
    con.execute(f"COPY ({sql}) TO '{path}' (HEADER, DELIMITER ',')")
    con.close()


def low_card_sql(rows: int, start: int = 0, step_s: int = 3, origin: str = "2024-01-01") -> str:
    # every timestamp must lie in the past, or insights rightly rejects it
    return f"""
        SELECT strftime(TIMESTAMP '{origin}' + to_seconds(i * {step_s}), '%Y-%m-%dT%H:%M:%S')
                 || ['-06:00', '-06:00', '-08:00', '-05:00', '-07:00'][1 + i % 5] AS timestamp,
               ['Jalisco', 'Ciudad de México', 'Baja California', 'Quintana Roo',
                'Sonora'][1 + i % 5] AS region,
               ['youtube','tiktok','instagram'][1 + i % 3] AS channel,
               ['música','deportes'][1 + i % 2] AS topic,
               1 AS views, (hash(i) % 4 = 0)::INT AS engagements,
               (hash(i) % 120)::INT AS watch_seconds,
               'user' || (hash(i) % 100000) AS user_id
        FROM range({start}, {start + rows}) t(i)"""


def high_card_sql(rows: int) -> str:
    # distinct seconds spread over the year (7919 is prime, coprime with the year)
    return f"""
        SELECT strftime(TIMESTAMP '2024-01-01'
                 + to_seconds((i * 7919) % {YEAR_S}), '%Y-%m-%dT%H:%M:%SZ') AS timestamp,
               {REGIONS9}[1 + (hash(i, 'r') % 9)::INT] AS region,
               {CHANNELS5}[1 + (hash(i, 'c') % 5)::INT] AS channel,
               'tema ' || (hash(i, 't') % 40) AS topic,
               1 + (hash(i, 'v') % 3)::INT AS views, (hash(i) % 4 = 0)::INT AS engagements,
               (hash(i) % 120)::INT AS watch_seconds
        FROM range({rows}) t(i)"""


def hourly_sql(rows: int) -> str:
    keys = 9 * 5 * 40
    return f"""
        SELECT strftime(TIMESTAMP '2024-01-01' + to_hours(i // {keys}), '%Y-%m-%dT%H:%M:%SZ')
                 AS timestamp,
               {REGIONS9}[1 + (i % 9)::INT] AS region,
               {CHANNELS5}[1 + ((i // 9) % 5)::INT] AS channel,
               'tema ' || ((i // 45) % 40) AS topic,
               1 + (hash(i) % 500)::INT AS views, (hash(i, 'e') % 50)::INT AS engagements
        FROM range({rows}) t(i)"""


def make_shape(name: str, folder: Path, scale: float, small_files: int = 3000) -> Path:
    n = lambda x: max(1, int(x * scale))  # noqa: E731
    if name == "low_card":
        _copy(low_card_sql(n(10_000_000)), folder / "low_card.csv")
        return folder / "low_card.csv"
    if name == "high_card":
        _copy(high_card_sql(n(5_000_000)), folder / "high_card.csv")
        return folder / "high_card.csv"
    if name == "hourly_aggregates":
        _copy(hourly_sql(n(2_000_000)), folder / "hourly.csv")
        return folder / "hourly.csv"
    if name == "parts":
        d = folder / "parts"
        d.mkdir()
        per = n(5_000_000)
        for k in range(20):
            # one event a second from 2020: 100M events end in March 2023
            _copy(
                low_card_sql(per, start=k * per, step_s=1, origin="2020-01-01"),
                d / f"part{k:02d}.csv",
            )
        return d
    if name == "small_files":
        d = folder / "small"
        d.mkdir()
        count = small_files
        con = duckdb.connect()
        frame = con.sql(
            f"""SELECT (i // 20) AS f, strftime(TIMESTAMP '2024-01-01' + to_seconds(i * 97),
                   '%Y-%m-%dT%H:%M:%SZ') AS timestamp,
                   {REGIONS9}[1 + (i % 9)::INT] AS region, {CHANNELS5}[1 + (i % 5)::INT]
                   AS channel, 'tema ' || (i % 40) AS topic, 1 + i % 7 AS views,
                   i % 2 AS engagements FROM range({count * 20}) t(i)"""
        ).pl()
        con.close()
        for (f,), part in frame.partition_by("f", as_dict=True).items():
            part.drop("f").write_csv(d / f"export_{f:05d}.csv")
        return d
    raise SystemExit(f"unknown shape {name}")


def run(cmd: list[str], env: dict | None = None) -> tuple[float, float, float]:
    """(wall seconds, peak RSS MB, CPU seconds user+system) of one child process.

    CPU time is reported beside wall time: on a shared machine it is the steadier one."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"{cmd[:4]} failed with status {status}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def size_mb(path: Path) -> float:
    files = [path] if path.is_file() else list(path.iterdir())
    return sum(f.stat().st_size for f in files) / 1e6


def measure(name: str, src: Path, tmp: Path, pandas: bool, previous: str | None = None) -> dict:
    out: dict = {
        "csv_mb": round(size_mb(src)),
        "files": 1 if src.is_file() else len(list(src.iterdir())),
    }
    paths = ["duckdb", "insights"] + (["pandas_pyarrow"] if pandas and name == "low_card" else [])
    paths += ["previous"] if previous else []
    for path in paths:
        db = tmp / f"{name}_{path}.duckdb"
        env = None
        if path in ("insights", "previous"):
            cmd = [sys.executable, "-m", "insights", "ingest", str(src), "--db", str(db)]
            if path == "previous":  # the same command on another checkout's code
                env = {**os.environ, "PYTHONPATH": str(Path(previous).resolve())}
        elif src.is_dir() and name == "small_files":
            cmd = [sys.executable, "-c", REFS["duckdb_per_file"], str(src), str(db)]
        elif src.is_dir():
            cmd = [sys.executable, "-c", REFS["duckdb"], str(src / "*.csv"), str(db)]
        else:
            cmd = [sys.executable, "-c", REFS[path], str(src), str(db)]
        wall, rss, cpu = run(cmd, env)
        out[path] = {
            "seconds": round(wall, 2),
            "cpu_seconds": round(cpu, 2),
            "peak_rss_mb": round(rss),
        }
        if path == "insights":
            con = duckdb.connect(str(db), read_only=True)
            out["events"] = con.execute("SELECT count(*) FROM consumption_events").fetchone()[0]
            out["hourly_rows"] = con.execute("SELECT count(*) FROM consumption").fetchone()[0]
            con.close()
        print(f"{name:<18} {path:<9} {wall:8.2f} s wall {cpu:8.2f} s CPU {rss:6.0f} MB", flush=True)
        db.unlink(missing_ok=True)
    base, ours = out["duckdb"], out["insights"]
    out["time_ratio"] = round(ours["seconds"] / base["seconds"], 2)
    out["cpu_ratio"] = round(ours["cpu_seconds"] / base["cpu_seconds"], 2)
    out["memory_ratio"] = round(ours["peak_rss_mb"] / base["peak_rss_mb"], 2)
    if previous:
        prev = out["previous"]
        out["previous_time_ratio"] = round(prev["seconds"] / base["seconds"], 2)
        out["previous_cpu_ratio"] = round(prev["cpu_seconds"] / base["cpu_seconds"], 2)
        out["previous_memory_ratio"] = round(prev["peak_rss_mb"] / base["peak_rss_mb"], 2)
    if out["files"] > 1:
        out["insights_files_per_s"] = round(out["files"] / ours["seconds"], 1)
        out["duckdb_files_per_s"] = round(out["files"] / base["seconds"], 1)
    return out


SHAPES = ["low_card", "high_card", "hourly_aggregates", "parts", "small_files"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every size (0.2: a fifth)")
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--small-files", type=int, default=3000, help="files in small_files")
    ap.add_argument("--pandas", action="store_true", help="add pandas(pyarrow) on low_card")
    ap.add_argument("--tmp", default=None, help="folder for the generated files (default: /tmp)")
    ap.add_argument("--out", default="benchmarks/out/ingest.json")
    ap.add_argument(
        "--previous",
        default=None,
        help="a checkout of the previous release (git worktree add DIR REF): its ingest "
        "runs beside this one on the same files",
    )
    args = ap.parse_args()
    summary: dict = {
        "scale": args.scale,
        "small_files": args.small_files,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "polars": pl.__version__,
        "shapes": {},
    }
    for name in args.shapes.split(","):
        with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
            t0 = time.perf_counter()
            src = make_shape(name, Path(tmp), args.scale, args.small_files)
            print(f"{name}: generated in {time.perf_counter() - t0:.1f} s", flush=True)
            summary["shapes"][name] = measure(name, src, Path(tmp), args.pandas, args.previous)
    summary["load_average_after"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(summary, indent=2))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
