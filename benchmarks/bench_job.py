"""Wall time of `make demo`'s steps, each in its own process, optionally against a reference
checkout (a previous release) in the same run, with ratios.

Steps (as `make demo`): ``demo-data``, ``ingest``, ``status``, ``train``, ``recommend``, ``report`` of each page (``--only NN``, in the
default language), and the strategist page (05) rendered again in the other language (what
a second language costs once its advice backtest is stored). Each checkout runs the CLI
from its own sources (``PYTHONPATH=<checkout>``, the same interpreter) on its own
warehouse in a temporary folder; the reference's steps run right after this checkout's,
step by step, so that both see the same load. A step the reference lacks (an option it
does not know, a page it does not have) is shown as failed, not retried.

    python benchmarks/bench_job.py [--days 400] [--ref PATH] [--pages 02,03,04,05,06]

``--ref``: a checkout of the release to compare with, e.g.
``git worktree add /tmp/ref <commit>``. ``--days``: history of the demo data (the demo's is
400; smaller for a quick run). Prints one table; ``--json FILE`` writes the numbers too.
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

ROOT = Path(__file__).resolve().parents[1]


def steps(days: int, pages: list[str], lang: str) -> list[tuple[str, list[str]]]:
    other = "en" if lang == "es" else "es"
    out = [
        ("demo-data", ["demo-data", "--days", str(days), "--out", "{work}/raw"]),
        ("ingest", ["ingest", "{work}/raw"]),
        ("status", ["status"]),
        ("train", ["train"]),
        ("recommend", ["recommend"]),
    ]
    for p in pages:
        out.append(
            (f"report {p}", ["report", "--only", p, "--lang", lang, "--out", f"{{work}}/r{p}"])
        )
    if "05" in pages:  # the same page in the other language: the stored backtest is reused
        out.append(
            (
                f"report 05 ({other})",
                ["report", "--only", "05", "--lang", other, "--out", "{work}/r05" + other],
            )
        )
    return out


def run_step(checkout: Path, work: Path, args: list[str]) -> tuple[float, int, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(checkout),
        "INSIGHTS_DB": str(work / "warehouse.duckdb"),
    }
    cmd = [sys.executable, "-m", "insights", *(a.format(work=work) for a in args)]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=checkout, env=env, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    tail = (r.stderr or r.stdout).strip().splitlines()
    return secs, r.returncode, tail[-1] if tail else ""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=400, help="demo history in days (default 400)")
    ap.add_argument("--ref", type=Path, help="checkout of the release to compare with")
    ap.add_argument("--pages", default="02,03,04,05,06", help="report pages (comma-separated)")
    ap.add_argument("--lang", default="es", choices=("es", "en"))
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    a = ap.parse_args()
    checkouts = {"this": ROOT}
    if a.ref:
        if not (a.ref / "insights" / "__main__.py").exists():
            print(f"--ref {a.ref}: not a checkout of insights", file=sys.stderr)
            return 2
        checkouts["ref"] = a.ref.resolve()
    pages = [p.strip() for p in a.pages.split(",") if p.strip()]
    load0 = os.getloadavg()[0]
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-job-") as tmp:
        works = {k: Path(tmp) / k for k in checkouts}
        for w in works.values():
            w.mkdir()
        for name, args in steps(a.days, pages, a.lang):
            row: dict = {"step": name}
            for k, co in checkouts.items():
                secs, rc, last = run_step(co, works[k], args)
                row[k] = secs if rc == 0 else None
                if rc != 0:
                    row[f"{k}_error"] = f"exit {rc}: {last[:120]}"
            rows.append(row)
            done = [f"{k} {row[k]:.1f} s" if row[k] else f"{k} failed" for k in checkouts]
            print(f"  {name}: " + ", ".join(done), flush=True)
    total = {k: sum(r[k] or 0.0 for r in rows) for k in checkouts}
    head = f"{'step':<18} {'this s':>8}" + (f" {'ref s':>8} {'ratio':>6}" if a.ref else "")
    print(
        f"\ndemo data of {a.days} days; load average {load0:.1f} at start, "
        f"{os.getloadavg()[0]:.1f} at end; {os.cpu_count()} cores"
    )
    print(head)

    def fmt(v):
        return f"{v:>8.1f}" if v is not None else f"{'failed':>8}"

    for r in [*rows, {"step": "total (ok steps)", **total}]:
        line = f"{r['step']:<18} {fmt(r['this'])}"
        if a.ref:
            ratio = r["this"] / r["ref"] if r["this"] and r.get("ref") else None
            line += f" {fmt(r.get('ref'))} {ratio:>6.2f}" if ratio else f" {fmt(r.get('ref'))}"
        print(line)
    if "report 05" in [r["step"] for r in rows]:
        r05 = next(r for r in rows if r["step"] == "report 05")
        r05b = next(r for r in rows if r["step"].startswith("report 05 ("))
        r04 = next((r for r in rows if r["step"] == "report 04"), None)
        if r04 and r04["this"] and r05b["this"]:
            print(
                f"strategist page in the second language / recommendation page: "
                f"{r05b['this'] / r04['this']:.2f} (first language: "
                f"{(r05['this'] or 0) / r04['this']:.2f})"
            )
    for r in rows:
        for k in checkouts:
            if f"{k}_error" in r:
                print(f"{r['step']} ({k}): {r[f'{k}_error']}")
    if a.json:
        a.json.write_text(json.dumps({"days": a.days, "load": load0, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
