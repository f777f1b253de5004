"""GPU logs: the gap rule for every log, plausible timestamps; studio options in range."""

from __future__ import annotations

import numpy as np
import pytest

from insights.studio.integrate import gap_limit, trapezoid_hourly
from tests.conftest import json_lines, query, run_cli

HEAD = "timestamp, name, index, power.draw [W]\n"


def _log(tmp_path, name, *stamps_watts):
    f = tmp_path / name
    f.write_text(
        HEAD + "".join(f"{t}, NVIDIA GeForce RTX 4090, 0, {w:.2f} W\n" for t, w in stamps_watts)
    )
    return f


@pytest.mark.parametrize("n", [2, 3])
def test_a_tiny_log_is_not_bridged_across_days(n):
    t = np.array([0.0, 4 * 86400.0, 4 * 86400.0 + 60][:n])
    limit = gap_limit(t)
    _, kwh, _ = trapezoid_hourly(t, np.full(n, 300.0), limit)
    assert limit <= 3600 and kwh.sum() < 0.01  # 4 days at 300 W would be 28.8 kWh


def test_two_samples_days_apart_are_rejected_not_invented(tmp_path, db):
    f = _log(
        tmp_path, "gpu.csv", ("2026/11/16 09:00:00.000", 300), ("2026/11/20 09:00:00.000", 300)
    )
    r = run_cli("ingest", f, "--db", db, "--json")
    assert r.returncode == 1 and "close enough in time" in json_lines(r.stdout)[0]["reason"]


@pytest.mark.parametrize("stamp", ["1970/01/01 00:00:00.000", "2200/01/01 00:00:00.000"])
def test_studio_timestamps_obey_the_consumption_range(tmp_path, db, stamp):
    f = _log(
        tmp_path,
        "gpu.csv",
        ("2026/11/16 09:00:00.000", 300),
        ("2026/11/16 09:01:00.000", 300),
        (stamp, 300),
    )
    r = run_cli("ingest", f, "--db", db, "--json")
    assert r.returncode == 1
    res = json_lines(r.stdout)[0]
    assert "timestamp out of range" in res["reason"]
    assert query(db, "SELECT count(*) FROM studio_energy") == [(0,)]


@pytest.mark.parametrize(
    "args, names",
    [
        (["studio-energy", "--slack-hours", "100000000"], "--slack-hours"),
        (["studio-energy", "--slack-hours", "-3"], "--slack-hours"),
        (["studio-energy", "--annual-factor", "nan"], "--annual-factor"),
        (["solar-size", "--slack-hours", "-3"], "--slack-hours"),
        (["solar-size", "--alt", "1e9"], "--alt"),
        (["solar-size", "--tilt", "nan"], "--tilt"),
        (["solar-size", "--azimuth", "inf"], "--azimuth"),
        (["solar-size", "--temp-air", "1e6"], "--temp-air"),
        (["solar-size", "--clear-sky-index", "nan"], "--clear-sky-index"),
        (["solar-size", "--monthly-ghi", "inf"], "--monthly-ghi"),
    ],
)
def test_studio_options_out_of_range_are_one_line_exit_2(tmp_path, args, names):
    r = run_cli(*args, "--db", tmp_path / "none.duckdb")
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and names in lines[0] and "Traceback" not in r.stderr
