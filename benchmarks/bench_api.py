"""Load on `insights serve`: requests/s and p50/p99 latency while an ingest runs.

Serves a copy of a trained warehouse on a free loopback port (a real `insights serve`
process), and meanwhile ingests freshly generated Electricity Maps CSV files into the same
warehouse one after another (each a real write under the exclusive lock). For
``/v1/energy/now`` (rotating over the 9 demo zones and 3 window sizes) and
``/v1/publish-windows`` (rotating over the Mexican regions and 5 energy weights), it runs
1, 10 and 50 concurrent keep-alive clients, each sending its requests back to back, and
reports throughput, p50/p99 latency, errors (any status but 200) and the server process's
CPU time per request (which, unlike latency, does not depend on how busy the machine is). Bounded: at most
``--requests`` requests per endpoint and concurrency, and ``--seconds`` each.

The client is a minimal HTTP/1.1 client on asyncio streams in this process, so that the
load generator costs little of the 2 cores it shares with the server.

Usage: nice -n 10 python benchmarks/bench_api.py --db data/warehouse.duckdb
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "insights"]
ZONES = ["MX-BC", "MX-BCS", "MX-CE", "MX-NE", "MX-NO", "MX-NW", "MX-OC", "MX-OR", "MX-PN"]
REGIONS = ["Sonora", "Oaxaca", "Jalisco", "Yucatán", "Nuevo León", "Ciudad de México", "Chiapas"]
EM_HEADER = (
    "Datetime (UTC),Country,Zone name,Zone id,Carbon intensity gCO₂eq/kWh (direct),"
    "Carbon intensity gCO₂eq/kWh (Life cycle),Carbon-free energy percentage (CFE%),"
    "Renewable energy percentage (RE%),Data source,Data estimated,Data estimation method"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def paths(endpoint: str) -> list[str]:
    if endpoint == "energy-now":
        return [
            "/v1/energy/now?" + urlencode({"zone": z, "windowSize": w})
            for z in ZONES
            for w in (60, 120, 240)
        ]
    return [
        "/v1/publish-windows?" + urlencode({"region": r, "energyWeight": w})
        for r in REGIONS
        for w in (0.0, 0.25, 0.5, 0.75, 1.0)
    ]


async def client(port: int, todo: list[str], lat: list[float], errors: list[str], end: float):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while todo and time.perf_counter() < end:
            path = todo.pop()
            t0 = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            lat.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(f"{status} {path}")
    finally:
        writer.close()


async def level(port: int, endpoint: str, conc: int, n: int, seconds: float) -> dict:
    base = paths(endpoint)
    todo = [base[i % len(base)] for i in range(n)][::-1]
    lat: list[float] = []
    errors: list[str] = []
    t0 = time.perf_counter()
    end = t0 + seconds
    await asyncio.gather(*(client(port, todo, lat, errors, end) for _ in range(conc)))
    wall = time.perf_counter() - t0
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else [lat[0]] * 99
    return {
        "endpoint": endpoint,
        "clients": conc,
        "requests": len(lat),
        "errors": len(errors),
        "error_sample": errors[:3],
        "req_per_s": round(len(lat) / wall, 1),
        "p50_ms": round(q[49] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
    }


def cpu_s(pid: int) -> float:
    """User + system CPU seconds the process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ingest_loop(db: Path, workdir: Path, stop: threading.Event, log: list[dict]) -> None:
    """Ingest a new generated energy file after another until told to stop."""
    i = 0
    while not stop.is_set():
        f = workdir / f"bench_energy_{i}.csv"
        rows = [
            f"2025-{1 + i % 12:02d}-{1 + d:02d} {h:02d}:00:00,Chile,Chile,CL-SEN,"
            f"{200 + h + i % 50},{250 + h},{50 + i % 30},{45 + i % 30},bench,false,"
            for d in range(28)
            for h in range(24)
        ]
        f.write_text(EM_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
        t0 = time.perf_counter()
        r = subprocess.run(
            [*CLI, "ingest", str(f), "--db", str(db), "--json"],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        log.append({"rc": r.returncode, "s": round(time.perf_counter() - t0, 2)})
        i += 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="data/warehouse.duckdb", help="a trained warehouse (copied)")
    ap.add_argument("--requests", type=int, default=600, help="per endpoint and concurrency")
    ap.add_argument("--seconds", type=float, default=30, help="per endpoint and concurrency")
    ap.add_argument("--clients", default="1,10,50")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_api_"))
    db = tmp / "wh.duckdb"
    shutil.copy(args.db, db)
    port = free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--db", str(db), "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.PIPE,
        text=True,
    )
    stop = threading.Event()
    ingests: list[dict] = []
    results = []
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("server did not start") from None
                time.sleep(0.3)
        # warm-up: one pass over every distinct request (first answers of the minute)
        for endpoint in ("energy-now", "publish-windows"):
            asyncio.run(level(port, endpoint, 1, len(paths(endpoint)), 300))
        t = threading.Thread(target=ingest_loop, args=(db, tmp, stop, ingests), daemon=True)
        t.start()
        for endpoint in ("energy-now", "publish-windows"):
            for conc in [int(c) for c in args.clients.split(",")]:
                c0 = cpu_s(server.pid)
                res = asyncio.run(level(port, endpoint, conc, args.requests, args.seconds))
                res["server_cpu_ms_per_request"] = round(
                    1000 * (cpu_s(server.pid) - c0) / max(res["requests"], 1), 2
                )
                res["ingests_so_far"] = len(ingests)
                results.append(res)
                print(json.dumps(res, ensure_ascii=False), flush=True)
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    ok = sum(1 for x in ingests if x["rc"] == 0)
    print(
        json.dumps(
            {
                "ingests": len(ingests),
                "ingests_ok": ok,
                "ingest_s_median": statistics.median([x["s"] for x in ingests])
                if ingests
                else None,
                "cpus": os.cpu_count(),
            }
        )
    )
    print(
        "\n| endpoint | clients | requests | errors | req/s | p50 ms | p99 ms | server CPU ms/req |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['endpoint']} | {r['clients']} | {r['requests']} | {r['errors']} | "
            f"{r['req_per_s']} | {r['p50_ms']} | {r['p99_ms']} | "
            f"{r['server_cpu_ms_per_request']} |"
        )
    return 0 if all(r["errors"] == 0 for r in results) and ok == len(ingests) else 1


if __name__ == "__main__":
    sys.exit(main())
