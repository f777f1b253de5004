"""A small, seeded week of studio logs in the exact layouts the tools write.

* ``nvidia-smi-ws1.csv``: a workstation with two GeForce RTX 4090, logged with
  ``nvidia-smi --query-gpu=timestamp,name,index,power.draw --format=csv -l 60 >> nvidia-smi-ws1.csv``
  started at each working session (so the header repeats): interactive work on weekdays
  10:00-18:30 (60-300 W) and overnight renders (21:00-03:00, ~420 W) three nights a week.
* ``nvidia-smi-render01.csv``: a render node with one RTX A6000, logged with
  ``--query-gpu=index,timestamp,power.draw,name,utilization.gpu --format=csv,nounits -l 60``
  (another column order, no units in the values), running a 5-8 hour render most days at
  varying hours; one ``[N/A]`` power reading now and then.
* ``emissions.csv``: CodeCarbon 2.4 output of a training machine (one row per run, written
  when it stops; duration in seconds, energies in kWh).

Local times are America/Mexico_City (UTC-6). Not real data.
"""

from __future__ import annotations

import csv
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

TZ = ZoneInfo("America/Mexico_City")
CODECARBON_LINE = (
    "timestamp,project_name,run_id,duration,emissions,emissions_rate,cpu_power,gpu_power,"
    "ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,country_name,country_iso_code,"
    "region,cloud_provider,cloud_region,os,python_version,codecarbon_version,cpu_count,"
    "cpu_model,gpu_count,gpu_model,longitude,latitude,ram_total_size,tracking_mode,on_cloud,pue"
)  # the header as CodeCarbon writes it
CODECARBON_HEADER = CODECARBON_LINE.split(",")


def _ts(t: datetime) -> str:
    return t.strftime("%Y/%m/%d %H:%M:%S.") + f"{t.microsecond // 1000:03d}"


def _session(rng, start: datetime, minutes: int, level: float, spread: float) -> list:
    out = []
    for i in range(minutes + 1):
        t = start + timedelta(seconds=60 * i, milliseconds=int(rng.integers(0, 999)))
        out.append((t, float(np.clip(level + rng.normal(0, spread), 18, 449))))
    return out


def write_studio_logs(out: str | Path, end: datetime, seed: int = 7, days: int = 7) -> dict:
    """Write the three logs for the ``days`` local days before ``end``; return rows per file."""
    rng = np.random.default_rng(seed + 14)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    end = end if end.tzinfo else end.replace(tzinfo=UTC)  # naive: UTC, as demo-data reads it
    end_local = end.astimezone(TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    first = end_local - timedelta(days=days)
    written: dict[str, int] = {}

    ws1 = out / "nvidia-smi-ws1.csv"
    n = 0
    with open(ws1, "w", encoding="utf-8", newline="\n") as fh:
        for d in range(days):
            day = first + timedelta(days=d)
            sessions = []
            if day.weekday() < 5:
                sessions.append((day.replace(hour=10), 510, 160.0, 70.0))
            if day.weekday() in (0, 2, 3):
                sessions.append((day.replace(hour=21), 360, 420.0, 12.0))
            for start, minutes, level, spread in sessions:
                fh.write("timestamp, name, index, power.draw [W]\n")
                s0 = _session(rng, start, minutes, level, spread)
                s1 = _session(rng, start, minutes, level * 0.9, spread)
                for (t0, w0), (_t1, w1) in zip(s0, s1, strict=True):
                    for idx, w in ((0, w0), (1, w1)):
                        fh.write(f"{_ts(t0)}, NVIDIA GeForce RTX 4090, {idx}, {w:.2f} W\n")
                        n += 1
    written[str(ws1)] = n

    node = out / "nvidia-smi-render01.csv"
    n = 0
    with open(node, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("index, timestamp, power.draw [W], name, utilization.gpu [%]\n")
        for d in range(days):
            if d % 7 == 5:
                continue
            start = (first + timedelta(days=d)).replace(hour=int(rng.integers(0, 17)))
            for t, w in _session(rng, start, int(rng.integers(300, 480)), 285.0, 10.0):
                p = "[N/A]" if rng.random() < 0.002 else f"{w:.2f}"
                fh.write(f"0, {_ts(t)}, {p}, NVIDIA RTX A6000, {min(100, int(w / 3))}\n")
                n += 1
    written[str(node)] = n

    cc = out / "emissions.csv"
    with open(cc, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(CODECARBON_HEADER)
        n = 0
        for d in range(0, days, 2):
            start = (first + timedelta(days=d)).replace(hour=int(rng.integers(8, 20)))
            dur = float(rng.integers(2 * 3600, 9 * 3600)) + rng.random()
            stop = start + timedelta(seconds=dur)
            cpu_w, gpu_w, ram_w = 42.5, float(rng.uniform(250, 330)), 23.4
            e = [p * dur / 3600 / 1000 for p in (cpu_w, gpu_w, ram_w)]
            total = sum(e)
            kg = total * 0.423
            w.writerow(
                [
                    stop.strftime("%Y-%m-%dT%H:%M:%S"),
                    "entrenamiento-estilo",
                    str(uuid.UUID(bytes=rng.bytes(16), version=4)),
                    dur,
                    kg,
                    kg / dur,
                    cpu_w,
                    gpu_w,
                    ram_w,
                    *e,
                    total,
                    "Mexico",
                    "MEX",
                    "ciudad de méxico",
                    "",
                    "",
                    "Linux-6.8.0-49-generic-x86_64-with-glibc2.39",
                    "3.11.9",
                    "2.4.2",
                    24,
                    "AMD Ryzen 9 7950X 16-Core Processor",
                    1,
                    "1 x NVIDIA GeForce RTX 4090",
                    -99.1,
                    19.4,
                    62.4,
                    "machine",
                    "N",
                    1.0,
                ]
            )
            n += 1
    written[str(cc)] = n
    return written
