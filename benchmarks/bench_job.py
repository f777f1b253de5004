"""Wall time of `make demo`'s steps, each in its own process, optionally against a reference
checkout (a previous release) in the same run, with ratios.

Steps (as `make demo`): ``demo-data``, ``ingest``, ``status``, ``train``, ``recommend``, ``report`` of each page (``--only NN``, in the
default language), and the strategist page (05) rendered again in the other language (what
a second language costs once its advice replay is stored), then one more year of grid
history before the demo's (the demo's CENACE files for the year before, ingested alone) and
``train`` again: what a year of grid costs ``train``. Each checkout runs the CLI
from its own sources (``PYTHONPATH=<checkout>``, the same interpreter) on its own
warehouse in a temporary folder; the reference's steps run right after this checkout's,
step by step, so that both see the same load. A step the reference lacks (an option it
does not know, a page it does not have) is shown as failed, not retried.

    python benchmarks/bench_job.py [--days 400] [--ref PATH] [--pages 02,03,04,05,06]

Both checkouts get the same data (the same seed and last hour). ``train`` runs with
``--json``: its accuracy (engagement MASE and 80 % coverage, each energy target's MAE) is
printed beside the times, so that a speed-up that costs accuracy shows.

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
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def steps(days: int, pages: list[str], lang: str, end: datetime) -> list[tuple[str, list[str]]]:
    other = "en" if lang == "es" else "es"
    out = [
        ("demo-data", ["demo-data", "--days", str(days), "--end", end.isoformat(),
                       "--out", "{work}/raw"]),
        ("ingest", ["ingest", "{work}/raw"]),
        ("status", ["status"]),
        ("train", ["train", "--json"]),
        ("recommend", ["recommend"]),
    ]  # fmt: skip
    for p in pages:
        out.append(
            (f"report {p}", ["report", "--only", p, "--lang", lang, "--out", f"{{work}}/r{p}"])
        )
    if "05" in pages:  # the same page in the other language: the stored replay is reused
        out.append(
            (
                f"report 05 ({other})",
                ["report", "--only", "05", "--lang", other, "--out", "{work}/r05" + other],
            )
        )
    before = end - timedelta(days=days)  # the year of grid before the demo's first day
    out += [
        ("grid year data", ["demo-data", "--days", "366", "--end", before.isoformat(),
                            "--out", "{work}/year"]),
        ("ingest grid year", ["ingest", "{cenace}"]),
        ("train +1y grid", ["train", "--json"]),
    ]  # fmt: skip
    return out


def accuracy(stdout: str) -> dict[str, float | None]:
    """Engagement MASE and 80 % coverage, each energy target's backtest MAE, from
    ``train --json`` (one brand)."""
    try:
        m = json.loads(stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {}
    out = {"mase": m.get("mase"), "coverage_80": m.get("coverage_80")}
    for target, e in (m.get("energy") or {}).items():
        out[f"{target} mae"] = (e.get("mae") or {}).get("model")
    return out


def run_step(checkout: Path, work: Path, args: list[str]) -> tuple[float, int, str, str]:
    """(seconds, exit code, last line of output, stdout) of one CLI step."""
    env = {
        **os.environ,
        "PYTHONPATH": str(checkout),
        "INSIGHTS_DB": str(work / "warehouse.duckdb"),
    }
    argv: list[str] = []
    for a in args:
        if a == "{cenace}":  # the grid year's CENACE files only (not its audience)
            argv += sorted(str(f) for f in (work / "year").glob("cenace_*.zip"))
        else:
            argv.append(a.format(work=work))
    cmd = [sys.executable, "-m", "insights", *argv]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=checkout, env=env, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    tail = (r.stderr or r.stdout).strip().splitlines()
    return secs, r.returncode, tail[-1] if tail else "", r.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=400, help="demo history in days (default 400)")
    ap.add_argument("--ref", type=Path, help="checkout of the release to compare with")
    ap.add_argument("--pages", default="02,03,04,05,06", help="report pages (comma-separated)")
    ap.add_argument("--lang", default="es", choices=("es", "en"))
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    ap.add_argument("--end", help="the demo's last hour, ISO 8601 (default: this hour, UTC)")
    a = ap.parse_args()
    end = (
        datetime.fromisoformat(a.end)
        if a.end
        else datetime.now(UTC).replace(minute=0, second=0, microsecond=0, tzinfo=None)
    )
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
        for name, args in steps(a.days, pages, a.lang, end):
            row: dict = {"step": name}
            for k, co in checkouts.items():
                secs, rc, last, stdout = run_step(co, works[k], args)
                row[k] = secs if rc == 0 else None
                if name.startswith("train") and rc == 0:
                    row[f"{k}_accuracy"] = accuracy(stdout)
                if rc != 0:
                    row[f"{k}_error"] = f"exit {rc}: {last[:120]}"
            rows.append(row)
            done = [f"{k} {row[k]:.1f} s" if row[k] else f"{k} failed" for k in checkouts]
            print(f"  {name}: " + ", ".join(done), flush=True)
    job = [r for r in rows if r["step"] in ("demo-data", "ingest", "train")
           or r["step"].startswith("report ") and "(" not in r["step"]]  # fmt: skip
    total = {k: sum(r[k] or 0.0 for r in job) for k in checkouts}
    head = f"{'step':<18} {'this s':>8}" + (f" {'ref s':>8} {'ratio':>6}" if a.ref else "")
    print(
        f"\ndemo data of {a.days} days; load average {load0:.1f} at start, "
        f"{os.getloadavg()[0]:.1f} at end; {os.cpu_count()} cores"
    )
    print(head)

    def fmt(v):
        return f"{v:>8.1f}" if v is not None else f"{'failed':>8}"

    for r in [*rows, {"step": "demo job", **total}]:
        line = f"{r['step']:<18} {fmt(r['this'])}"
        if a.ref:
            ratio = r["this"] / r["ref"] if r["this"] and r.get("ref") else None
            line += f" {fmt(r.get('ref'))} {ratio:>6.2f}" if ratio else f" {fmt(r.get('ref'))}"
        print(line)
    print("(demo job: demo-data, ingest, train and each page's report, first language)")
    by = {r["step"]: r for r in rows}
    for k in checkouts:
        r04, r05, r05b = by.get("report 04"), by.get("report 05"), None
        r05b = next((r for r in rows if r["step"].startswith("report 05 (")), None)
        if r04 and r05 and r05b and r04[k] and r05b[k]:
            print(
                f"{k}: strategist page in the second language / recommendation page: "
                f"{r05b[k] / r04[k]:.2f} (first language: {(r05[k] or 0) / r04[k]:.2f})"
            )
        t, ty = by["train"][k], by["train +1y grid"][k]
        if t and ty:
            print(f"{k}: train with one more year of grid / train: {ty / t:.2f}")
        for step in ("train", "train +1y grid"):
            acc = by[step].get(f"{k}_accuracy") or {}
            print(f"{k}: {step} accuracy: " + ", ".join(
                f"{m} {v:.3f}" if isinstance(v, float) else f"{m} {v}" for m, v in acc.items()
            ))  # fmt: skip
    for r in rows:
        for k in checkouts:
            if f"{k}_error" in r:
                print(f"{r['step']} ({k}): {r[f'{k}_error']}")
    if a.json:
        a.json.write_text(
            json.dumps(
                {"days": a.days, "end": end.isoformat(), "load": load0, "rows": rows}, indent=1
            )  # fmt: skip
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
