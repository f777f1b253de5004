"""Readers for the logs studios already keep: ``nvidia-smi`` CSV and CodeCarbon ``emissions.csv``.

Both become hourly rows ``ts_utc, source, device, job, kwh, seconds_covered`` (the
warehouse table ``studio_energy``).

**nvidia-smi** (``nvidia-smi --query-gpu=timestamp,name,index,power.draw --format=csv -l 60``):
columns are found by name, in any order; units may be in the header (``power.draw [W]``)
and in the values (``285.43 W``, or bare numbers with ``nounits``); the power column is
``power.draw``, else ``power.draw.average``, else ``power.draw.instant``. ``[N/A]``,
``[Not Supported]`` and other bracketed values are missing samples (skipped; the samples
around them are bridged if close enough). Headers repeated by appended runs are skipped.
Each GPU (``uuid``, else ``name`` and ``index``) is integrated on its own (see
:mod:`insights.studio.integrate`). A job is a logging session: the file's stem and the local
start time, a new session starting after a gap that is not bridged. Identical repeated
samples (same GPU, time and power) count once; the same GPU and time with different power
are averaged. Local times in the hour a daylight-saving fall-back repeats are placed by the
samples' order: a sample that would go back in time is the repeated hour's second pass when
that reading follows the previous sample (said in a note). Any other clock that goes back (a
later line earlier than one already read, for the same GPU) rejects the file with the line. A log without ``timestamp`` is rejected:
power without times cannot be integrated.

**CodeCarbon** (``emissions.csv``; columns per its documentation, docs/edit/output.rst in
mlco2/codecarbon: ``timestamp`` ``%Y-%m-%dT%H:%M:%S`` written when the run stops,
``duration`` in seconds, ``energy_consumed`` in kWh = cpu_energy + gpu_energy + ram_energy,
``emissions`` in kg): each run's ``energy_consumed`` is spread evenly over
[timestamp - duration, timestamp]. Rows of the same ``run_id`` are cumulative saves of one
run: the longest is kept. Older files (``experiment_id``, no ``run_id``) count each row as a run.
The job is ``project_name/`` + the first 8 characters of ``run_id`` (or the local start).
CodeCarbon's per-task file (``emissions_<experiment>_<run_id>.csv``, written by
``start_task``/``stop_task``: the same columns plus ``task_name``, one row per task, all with
the run's id) is one run broken into tasks: its rows are summed, not the longest kept. Beside
the run's own ``emissions.csv`` both describe the same run (same job): :func:`merge` keeps
whichever gives the run more energy, so the tasks never add to the run nor replace it with
less.

Times without an offset are the studio's local time: ``$INSIGHTS_STUDIO_TZ`` (IANA name,
default ``America/Mexico_City``, which has had no DST since 2022).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from insights import settings
from insights.ingest.staged import FileRejected, Staged
from insights.ingest.textfile import TextInfo, read_text

DEFAULT_TZ = "America/Mexico_City"
POWER_COLUMNS = ("power.draw", "power.draw.average", "power.draw.instant")
CODECARBON_NEEDED = ("timestamp", "duration", "energy_consumed")
CLOCK_TOLERANCE_S = 1.0
OUT_SCHEMA = {
    "ts_utc": pl.Datetime("us", "UTC"),
    "source": pl.Utf8,
    "device": pl.Utf8,
    "job": pl.Utf8,
    "kwh": pl.Float64,
    "seconds_covered": pl.Float64,
}


def studio_tz() -> ZoneInfo:
    name = settings.current().studio_tz_name or DEFAULT_TZ
    try:
        return ZoneInfo(name)
    except Exception:
        raise FileRejected(f"INSIGHTS_STUDIO_TZ={name!r} is not an IANA time zone") from None


def _key(h: str) -> str:
    """``' power.draw [W]'`` -> ``'power.draw'``."""
    return re.sub(r"\s*\[[^\]]*\]\s*$", "", h.strip().lstrip("\ufeff")).strip().lower()


def is_nvidia_smi(header: list[str]) -> bool:
    keys = {_key(h) for h in header}
    return bool(keys & set(POWER_COLUMNS)) and bool(
        keys & {"timestamp", "name", "index", "uuid", "pci.bus_id"}
    )


def is_codecarbon(header: list[str]) -> bool:
    keys = {_key(h) for h in header}
    return set(CODECARBON_NEEDED) <= keys and ("project_name" in keys or "emissions" in keys)


def _epoch(text: str, line: int, tz: ZoneInfo, fold: int = 0) -> float:
    """Seconds since the epoch; a local time without offset is read in ``tz``, as the first
    (``fold=0``) or the second (``fold=1``) pass of an hour a DST fall-back repeats. Within
    the range consumption accepts (1990 to a day after the ingest): a sample dated 1970 or
    2200 is a clock fault, never energy to count."""
    s = text.strip()
    t = None
    for fmt in ("%Y/%m/%d %H:%M:%S.%f", "%Y/%m/%d %H:%M:%S"):
        try:
            t = datetime.strptime(s, fmt).replace(tzinfo=tz, fold=fold).timestamp()
            break
        except ValueError:
            pass
    if t is None:
        try:
            dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
            t = (dt if dt.tzinfo else dt.replace(tzinfo=tz, fold=fold)).timestamp()
        except (ValueError, OverflowError):
            raise FileRejected(f"timestamp not understood: {s[:40]!r}", line=line) from None
    from insights.ingest.consumption import EARLIEST, MAX_AHEAD

    if not EARLIEST.timestamp() <= t <= (datetime.now(UTC) + MAX_AHEAD).timestamp():
        raise FileRejected(
            f"timestamp out of range (before 1990 or after the ingest): {s[:40]!r}", line=line
        )
    return t


def _rows(path: Path, info: TextInfo) -> list[list[str]]:
    text = read_text(path, info.encoding).replace("\x1a", "")
    return list(csv.reader(io.StringIO(text), delimiter=info.delimiter, skipinitialspace=True))


def _watts(value: str, line: int) -> float | None:
    v = value.strip()
    if not v or v.startswith("[") or v.upper() in ("N/A", "NAN"):
        return None
    m = re.fullmatch(r"([-+]?\d+(?:\.\d+)?)\s*(m?W|kW)?", v)
    if not m:
        raise FileRejected(f"power value not understood: {v[:30]!r}", line=line)
    w = float(m.group(1)) * {"mW": 1e-3, "kW": 1e3}.get(m.group(2) or "W", 1.0)
    if w < 0 or w > 5000:
        raise FileRejected(f"implausible GPU power {v[:30]!r}", line=line)
    return w


def _frame(hours: list, source: str, device: str, job: str, kwh, cov) -> pl.DataFrame:
    import numpy as np  # numpy loads only when studio logs are read

    return pl.DataFrame(
        {
            "ts_utc": (np.asarray(hours, dtype=np.int64) * 1_000_000).astype("datetime64[us]"),
            "source": source,
            "device": device,
            "job": job,
            "kwh": np.asarray(kwh, dtype=float),
            "seconds_covered": np.asarray(cov, dtype=float),
        }
    ).with_columns(pl.col("ts_utc").dt.replace_time_zone("UTC"))


def read_nvidia_smi(path: Path, info: TextInfo) -> tuple[pl.DataFrame, int, Staged]:
    import numpy as np

    from insights.studio.integrate import gap_limit, trapezoid_hourly

    tz = studio_tz()
    rows = _rows(path, info)
    if not rows:
        raise FileRejected("no data rows", line=2)
    header = [_key(h) for h in rows[0]]
    if "timestamp" not in header:
        raise FileRejected(
            "no timestamp column: power samples cannot be integrated without times "
            "(log with --query-gpu=timestamp,name,index,power.draw ...)",
            line=1,
        )
    power = next((c for c in POWER_COLUMNS if c in header), None)
    if power is None:
        raise FileRejected("no power.draw column", line=1)
    col = {c: header.index(c) for c in header}
    samples: dict[str, list[tuple[float, float, int, float]]] = {}
    read = 0
    for n, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip() or [_key(c) for c in row] == header:
            continue  # blank line, or the header again (runs appended to one file)
        read += 1
        if len(row) < len(header):
            raise FileRejected(f"{len(row)} fields, the header has {len(header)}", line=n)
        w = _watts(row[col[power]], n)
        if "uuid" in col:
            dev = row[col["uuid"]].strip()
        else:
            name = row[col["name"]].strip() if "name" in col else "GPU"
            idx = row[col["index"]].strip() if "index" in col else "0"
            dev = f"{name} #{idx}"
        t = _epoch(row[col["timestamp"]], n, tz)
        second = _epoch(row[col["timestamp"]], n, tz, fold=1)  # differs in a repeated hour
        if w is not None:
            samples.setdefault(dev, []).append((t, w, n, second))
    if not samples:
        raise FileRejected("no power values (every sample is [N/A] or [Not Supported])", line=2)
    limits, cleaned = [], {}
    repeated = 0
    for dev, s in samples.items():
        seen: dict[tuple[float, float], int] = {}
        kept = []
        for t, w, n, second in s:
            if (
                kept
                and t < kept[-1][0] - CLOCK_TOLERANCE_S
                and second >= kept[-1][0] - CLOCK_TOLERANCE_S
            ):
                # the hour a fall-back repeats, second pass: placed by the samples' order
                t = second
                repeated += 1
            if (t, w) in seen:
                continue  # the same sample again (a log appended twice)
            seen[(t, w)] = n
            if kept and t < kept[-1][0] - CLOCK_TOLERANCE_S:
                back = kept[-1][0] - t
                raise FileRejected(
                    f"clock went back {back:.0f} s for {dev} "
                    f"(after {datetime.fromtimestamp(kept[-1][0], tz):%Y-%m-%d %H:%M:%S}); "
                    "split the log at the jump",
                    line=n,
                )
            kept.append((t, w, n))
        df = pl.DataFrame({"t": [k[0] for k in kept], "w": [k[1] for k in kept]})
        df = df.group_by("t", maintain_order=True).agg(pl.col("w").mean()).sort("t")
        cleaned[dev] = (df["t"].to_numpy(), df["w"].to_numpy())
        limits.append(gap_limit(cleaned[dev][0]))
    limit = max(limits)
    # sessions: the file's sample times split where no GPU logged for longer than the limit
    all_t = np.unique(np.concatenate([t for t, _ in cleaned.values()]))
    breaks = all_t[1:][np.diff(all_t) > limit]
    starts = np.concatenate([[all_t[0]], breaks])
    frames = []
    for dev, (t, w) in cleaned.items():
        session = np.searchsorted(starts, t, side="right") - 1
        for s in np.unique(session):
            sel = session == s
            h, kwh, cov = trapezoid_hourly(t[sel], w[sel], limit)
            if len(h):
                job = f"{path.stem} {datetime.fromtimestamp(starts[s], tz):%Y-%m-%d %H:%M}"
                frames.append(_frame(h.tolist(), "nvidia-smi", dev, job, kwh, cov))
    if not frames:
        raise FileRejected("fewer than two samples close enough in time to integrate", line=2)
    out = (
        pl.concat(frames)
        .group_by(["ts_utc", "source", "device", "job"])
        .agg(pl.col("kwh").sum(), pl.col("seconds_covered").sum())
    )
    extra = Staged("", read)
    if repeated:
        extra.details["dst_repeated_samples"] = repeated
        extra.notes.append(
            f"{repeated} sample(s) in the hour the daylight-saving fall-back repeats "
            f"({tz.key}) placed in its second pass, by the samples' order"
        )
    return out.sort("ts_utc", "device").select(list(OUT_SCHEMA)), read, extra


def _number(row: list[str], col: dict[str, int], name: str, n: int) -> float | None:
    import numpy as np

    if name not in col or col[name] >= len(row) or not row[col[name]].strip():
        return None
    try:
        x = float(row[col[name]])
    except ValueError:
        raise FileRejected(f"{name} not a number: {row[col[name]][:30]!r}", line=n) from None
    if not np.isfinite(x) or x < 0:
        raise FileRejected(f"{name} must be a non-negative number, not {x}", line=n)
    return x


def read_codecarbon(path: Path, info: TextInfo) -> tuple[pl.DataFrame, int, Staged]:
    from insights.studio.integrate import spread_hourly

    tz = studio_tz()
    rows = _rows(path, info)
    header = [_key(h) for h in rows[0]]
    col = {c: i for i, c in enumerate(header)}
    tasks = "task_name" in col  # the per-task file: one row per task of one run
    runs: dict[str, tuple] = {}
    read = 0
    for n, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip() or [_key(c) for c in row] == header:
            continue
        read += 1
        end = _epoch(row[col["timestamp"]], n, tz)
        dur = _number(row, col, "duration", n)
        kwh = _number(row, col, "energy_consumed", n)
        if dur is None or kwh is None:
            raise FileRejected("duration and energy_consumed are needed on every row", line=n)
        if dur > 366 * 86400 or kwh > 1e5:
            raise FileRejected(f"implausible run: {dur:.0f} s, {kwh} kWh", line=n)
        get = lambda c, row=row: row[col[c]].strip() if col.get(c, 1 << 30) < len(row) else ""  # noqa: E731
        project = get("project_name") or "codecarbon"
        run_id = get("run_id")
        key = run_id or f"{get('experiment_id')}@{end - dur:.0f}"
        if tasks:
            key = f"{key}:{get('task_name')}"  # tasks of a run add up
        label = run_id[:8] if run_id else f"{datetime.fromtimestamp(end - dur, tz):%m-%dT%H:%M}"
        device = get("gpu_model") or get("cpu_model") or "machine"
        if key not in runs or dur > runs[key][1]:
            runs[key] = (end, dur, kwh, f"{project}/{label}", device)
    if not runs:
        raise FileRejected("no data rows", line=2)
    frames = []
    for end, dur, kwh, job, device in runs.values():
        h, k, cov = spread_hourly(end - dur, end, kwh)
        frames.append(_frame(h.tolist(), "codecarbon", device, job, k, cov))
    out = (
        pl.concat(frames)
        .group_by(["ts_utc", "source", "device", "job"])
        .agg(pl.col("kwh").sum(), pl.col("seconds_covered").sum())
    )
    extra = Staged("", read)
    if tasks:
        jobs = sorted({r[3] for r in runs.values()})
        extra.details["codecarbon_tasks"] = len(runs)
        extra.notes.append(
            f"{len(runs)} task(s) of {', '.join(jobs)} summed ({sum(r[2] for r in runs.values()):.4g}"
            " kWh); beside the run's emissions.csv the larger total of the run is kept"
        )
    return out.sort("ts_utc", "job").select(list(OUT_SCHEMA)), read, extra


def merge(con, sha: str) -> None:
    """Replace rows of the same hour, source, device and job; insert the rest.

    CodeCarbon rows are a run's whole energy (``job`` = the run): a run already stored with
    more energy than the staged rows give it keeps its rows (its per-task file and its
    ``emissions.csv`` describe the same run; a file never replaces a run with less), else
    all the run's stored rows give way to the staged ones."""
    con.execute("""CREATE OR REPLACE TEMP TABLE _less AS
        SELECT s.source, s.device, s.job FROM
          (SELECT source, device, job, sum(kwh) k FROM stage WHERE source = 'codecarbon'
           GROUP BY ALL) s
        JOIN (SELECT source, device, job, sum(kwh) k FROM studio_energy
              WHERE source = 'codecarbon' GROUP BY ALL) t
          USING (source, device, job)
        WHERE t.k > s.k + 1e-12""")
    con.execute("""DELETE FROM stage s USING _less l
        WHERE s.source = l.source AND s.device = l.device AND s.job = l.job""")
    con.execute("DROP TABLE _less")
    con.execute("""DELETE FROM studio_energy t USING
          (SELECT DISTINCT source, device, job FROM stage WHERE source = 'codecarbon') s
        WHERE t.source = s.source AND t.device = s.device AND t.job = s.job""")
    con.execute("""DELETE FROM studio_energy t USING stage s
        WHERE t.ts_utc = s.ts_utc AND t.source = s.source AND t.device = s.device
          AND t.job = s.job""")
    con.execute(f"INSERT INTO studio_energy BY NAME SELECT *, '{sha}' AS file_sha256 FROM stage")
