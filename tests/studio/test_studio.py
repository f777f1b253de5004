"""Studio energy: nvidia-smi and CodeCarbon logs -> hourly kWh -> kgCO2e -> solar size.

Hand-computed values (America/Mexico_City is UTC-6):
tiny-nvidia-smi.csv, one GPU: 09:58 100 W, 10:00 200 W, 10:02 [N/A], 10:04 300 W, 10:20 300 W,
10:21 100 W. Intervals 120, 240, 960, 60 s: median 180 s, gap limit max(300, 3 x 180) = 540 s,
so 10:04 -> 10:20 (960 s) is not bridged and starts a second session (job).
  15:00 UTC: (100 + 200) / 2 W x 120 s = 5 Wh
  16:00 UTC: (200 + 300) / 2 W x 240 s = 16.667 Wh (job 1) + (300 + 100) / 2 W x 60 s = 3.333 Wh
tiny-emissions.csv: run 5b0c1f8e saved twice; the longest save (9000 s, 2.5 kWh, ended 12:30)
spreads 1.0 / 1.0 / 0.5 kWh over 16:00, 17:00, 18:00 UTC.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from insights.studio import solar
from tests.conftest import ROOT, json_lines, query, run_cli

FIX = ROOT / "tests" / "fixtures" / "studio"
JOB1 = "tiny-nvidia-smi 2026-11-16 09:58"
JOB2 = "tiny-nvidia-smi 2026-11-16 10:20"
CI = {15: 500.0, 16: 250.0, 17: 300.0, 18: 200.0, **{h: 100.0 for h in range(24, 30)}}


# Electricity Maps' newer hourly CSV header (the generation the ingest reads as electricitymaps)
EM_HEADER = [
    "Datetime (UTC)",
    "Country",
    "Zone name",
    "Zone id",
    "Carbon intensity gCO₂eq/kWh (direct)",
    "Carbon intensity gCO₂eq/kWh (Life cycle)",
    "Carbon-free energy percentage (CFE%)",
    "Renewable energy percentage (RE%)",
    "Data source",
    "Data estimated",
    "Data estimation method",
]


def write_em(path: Path) -> Path:
    """Electricity Maps hourly file for MX-CE, 2026-11-16 00:00 .. 11-17 23:00 UTC: 400 g
    except the hours in CI (counted from 11-16 00:00 UTC)."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(EM_HEADER)
        for h in range(48):
            ts = f"2026-11-{16 + h // 24} {h % 24:02d}:00:00"
            ci = CI.get(h, 400.0)
            w.writerow([ts, "Mexico", "MX-CE", "MX-CE", ci, ci + 30, 20, 15, "test", "false", ""])
    return path


def hourly(db: Path) -> dict:
    rows = query(
        db,
        "SELECT strftime(ts_utc, '%d %H'), job, kwh FROM studio_energy ORDER BY ALL",
    )
    return {(t, j): k for t, j, k in rows}


def test_trapezoid_gap_not_bridged_and_na_skipped(db):
    r = run_cli("ingest", FIX / "tiny-nvidia-smi.csv", "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    assert json_lines(r.stdout)[0]["kind"] == "nvidia_smi"
    got = hourly(db)
    assert got.keys() == {("16 15", JOB1), ("16 16", JOB1), ("16 16", JOB2)}
    assert got[("16 15", JOB1)] == pytest.approx(0.005)
    assert got[("16 16", JOB1)] == pytest.approx(0.060 / 3.6)
    assert got[("16 16", JOB2)] == pytest.approx(0.012 / 3.6)
    dev = query(db, "SELECT DISTINCT device, source FROM studio_energy")
    assert dev == [("NVIDIA GeForce RTX 4090 #0", "nvidia-smi")]


def test_reordered_nounits_repeated_header_and_duplicates_give_the_same(db):
    r = run_cli("ingest", FIX / "tiny-reordered-nounits-dups.csv", "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    got = {(t, j.split(" ", 1)[1]): k for (t, j), k in hourly(db).items()}
    assert got == pytest.approx(
        {
            ("16 15", "2026-11-16 09:58"): 0.005,
            ("16 16", "2026-11-16 09:58"): 0.060 / 3.6,
            ("16 16", "2026-11-16 10:20"): 0.012 / 3.6,
        }
    )


def test_codecarbon_spread_over_the_run_longest_save_kept(db):
    r = run_cli("ingest", FIX / "tiny-emissions.csv", "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    assert json_lines(r.stdout)[0]["kind"] == "codecarbon"
    assert hourly(db) == pytest.approx(
        {
            ("16 16", "render-spot/5b0c1f8e"): 1.0,
            ("16 17", "render-spot/5b0c1f8e"): 1.0,
            ("16 18", "render-spot/5b0c1f8e"): 0.5,
        }
    )


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("clock-jump-back.csv", "line 5: clock went back 3540 s"),
        ("power-no-timestamp.csv", "line 1: no timestamp column"),
    ],
)
def test_bad_logs_rejected_in_one_line_and_nothing_loaded(db, name, reason):
    r = run_cli("ingest", FIX / name, "--db", db)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0] and name in lines[0], r.stderr
    assert query(db, "SELECT count(*) FROM studio_energy") == [(0,)]


def test_kind_override_on_a_txt_log(db, tmp_path):
    txt = tmp_path / "gpu.txt"
    txt.write_bytes((FIX / "tiny-nvidia-smi.csv").read_bytes())
    r = run_cli("ingest", txt, "--kind", "nvidia_smi", "--db", db, "--json")
    assert r.returncode == 0 and json_lines(r.stdout)[0]["rows_loaded"] == 3


@pytest.fixture
def tiny_db(db, tmp_path) -> Path:
    em = write_em(tmp_path / "em_mx_ce.csv")
    r = run_cli("ingest", em, FIX / "tiny-nvidia-smi.csv", FIX / "tiny-emissions.csv", "--db", db)
    assert r.returncode == 0, r.stderr
    return db


def test_studio_energy_cli_hand_computed(tiny_db, monkeypatch):
    r = run_cli(
        "studio-energy",
        "--db",
        tiny_db,
        "--zone",
        "MX-CE",
        "--annual-factor",
        "400",
        "--flexible",
        "render-spot*",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    out = json_lines(r.stdout)[0]
    t = out["total"]
    # 0.005 x 500 + 1.02 x 250 + 1.0 x 300 + 0.5 x 200 = 657.5 g; 2.525 kWh x 400 = 1010 g
    assert t["kwh"] == pytest.approx(2.525, abs=1e-3)
    assert t["kgco2e"] == pytest.approx(0.6575, abs=1e-3)
    assert t["kgco2e_annual_factor"] == pytest.approx(1.010, abs=1e-3)
    assert t["kg_diff"] == pytest.approx(-0.3525, abs=1e-3)
    assert [d["day"] for d in out["days"]] == ["2026-11-16"]
    jobs = {j["job"]: j for j in out["jobs"]}
    cc = jobs["render-spot/5b0c1f8e"]
    # moved 8 h later: 1.0 x 100 + 1.0 x 100 + 0.5 x 100 = 250 g instead of 650 g
    assert cc["flexible"] and cc["best_delay_h"] == 8
    assert cc["kg_if_shifted"] == pytest.approx(0.25, abs=1e-3)
    assert out["shift"]["flexible"]["saving_kg"] == pytest.approx(0.4, abs=1e-3)
    # all jobs: + job 1 (6.667 -> 2.167 g) + job 2 (0.833 -> 0.333 g)
    assert out["shift"]["all"]["saving_kg"] == pytest.approx(0.405, abs=1e-3)
    # the text in the language asked, with es_MX's CLDR style (as the report pages)
    es = run_cli("studio-energy", "--db", tiny_db, "--annual-factor", "400", "--lang", "es")
    assert es.returncode == 0, es.stderr
    assert "Energía del estudio del lun 16 nov, " in es.stdout and "Por trabajo" in es.stdout
    assert "2.525 kWh" in es.stdout and "lun 16 nov 2026" in es.stdout  # es_MX: 2.525
    assert "Per job" not in es.stdout and "given with" not in es.stdout
    # every number, day and time of the studio commands' text goes through Babel: rendered
    # under a locale whose decimal mark is a comma and whose grouping a space (fr_FR), no
    # number is left with a point (a Python format would leave one)
    from insights import i18n, pipeline
    from insights.commands import solar_size, studio_energy

    monkeypatch.setitem(i18n.LOCALES, "es", "fr_FR")
    energy = pipeline.studio_energy(
        pipeline.StudioEnergyRequest(zone="MX-CE", flexible=("render-spot*",)), str(tiny_db)
    )
    site = pipeline.solar_size(pipeline.SolarRequest(lat=29.07, lon=-110.95), str(tiny_db))
    texts = [
        studio_energy.render(energy, "America/Mexico_City", None, "es"),
        solar_size.render(site, False, "es"),
    ]
    for text in texts:
        assert not re.search(r"\d\.\d", text), text
    assert "2,525 kWh" in texts[0] and "29,0700, -110,9500" in texts[1]


def test_solar_size_cli(tiny_db):
    r = run_cli("solar-size", "--db", tiny_db, "--json", "--target-match", "0.5")
    assert r.returncode == 0, r.stderr
    out = json_lines(r.stdout)[0]
    # 2.525 kWh logged over one day (15:00..18:00 UTC) -> x 365 a year
    assert out["logged_days"] == 1
    assert out["yearly_kwh"] == pytest.approx(2.525 * 365, abs=0.1)
    assert out["kwp_annual_net"] == pytest.approx(
        out["yearly_kwh"] / out["specific_yield_kwh_per_kwp"], abs=0.01
    )
    assert 0 < out["matched_share_as_logged"] <= out["matched_share_shifted"] <= 1
    assert "published_check" in out
    bad = run_cli("solar-size", "--db", tiny_db, "--monthly-ghi", "5,5")
    assert bad.returncode == 2 and "12" in bad.stderr


def test_sizing_hand_computed():
    s = solar.PVSettings()
    ts = pl.datetime_range(
        pl.datetime(2026, 11, 16, time_zone="UTC"),
        pl.datetime(2026, 11, 22, 23, time_zone="UTC"),
        "1h",
        eager=True,
    )
    load = pl.DataFrame({"ts_utc": ts, "job": "constant", "kwh": 1.0})  # 1 kW for 168 h
    out = solar.size(load, s, slack_hours=0)
    assert out["logged_days"] == 7 and out["yearly_kwh"] == pytest.approx(8760)
    y = out["specific_yield_kwh_per_kwp"]
    assert out["kwp_annual_net"] == pytest.approx(8760 / y, abs=0.01)
    # a flat load can be matched only in daylight hours: never more than the sunny share
    pv = solar.pv_kwh_per_kwp(ts.to_list(), s)
    assert out["matched_share_as_logged"] == pytest.approx(
        np.minimum(1.0, pv * out["kwp_annual_net"]).sum() / 168, abs=2e-3
    )


def test_battery_and_match_by_hand():
    load, pv = np.array([0.0, 2.0]), np.array([2.0, 0.0])
    assert solar.matched_share(load, pv) == 0
    # 90 % round trip: 2 kWh of surplus stores 1.8 kWh, 90 % of the 2 kWh load
    assert solar.battery_matched(load, pv, 10.0) == pytest.approx(0.9)
    assert solar.battery_for(load, pv, 0.9) == pytest.approx(1.8, abs=0.1)
    assert solar.battery_for(load, pv, 0.95) is None


def test_monthly_ghi_sets_each_months_irradiation():
    s = solar.PVSettings(monthly_ghi=tuple(4.0 + m / 4 for m in range(12)))
    idx = solar.month_index(s)
    clear = solar.month_index(solar.PVSettings(monthly_ghi=(1.0,) * 12))  # 1 / clear-sky GHI
    assert idx == pytest.approx(np.array(s.monthly_ghi) * clear)


def test_specific_yield_against_published_mexico_city():
    y = solar.specific_yield(solar.PVSettings())
    ref = solar.PUBLISHED_YIELD["kwh_per_kwp_yr"]
    assert abs(y - ref) / ref < 0.10  # within 10 % of the published long-term PVOUT
    clear = solar.specific_yield(solar.PVSettings(clear_sky_index=(1.0,) * 12))
    assert clear > y * 1.2  # clear sky is an upper bound


def test_fixture_week_end_to_end(tmp_path):
    """The layout-exact week (two nvidia-smi logs, one CodeCarbon file) against demo grid data."""
    db = tmp_path / "wh.duckdb"
    r = run_cli("demo-data", "--out", tmp_path / "raw", "--days", "21", "--end", "2026-11-26T00:00")
    assert r.returncode == 0, r.stderr
    # the demo's Mexican grid: CENACE's monthly downloads, a ZIP holding one CSV each
    grid = sorted((tmp_path / "raw").glob("energy_*.csv")) + sorted(
        (tmp_path / "raw").glob("cenace_*.zip")
    )
    r = run_cli("ingest", *grid, FIX / "week", "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    kinds = sorted(d["kind"] for d in json_lines(r.stdout) if "studio/week/" in d["path"])
    assert kinds == ["codecarbon", "nvidia_smi", "nvidia_smi"]
    r = run_cli("studio-energy", "--db", db, "--json", "--flexible", "nvidia-smi-render01*")
    assert r.returncode == 0, r.stderr
    out = json_lines(r.stdout)[0]
    (stored,) = query(db, "SELECT sum(kwh) FROM studio_energy")[0]
    assert out["total"]["kwh"] == pytest.approx(stored, abs=1e-3)
    assert sum(d["kwh"] for d in out["days"]) == pytest.approx(stored, abs=0.01)
    assert out["total"]["hours_without_intensity"] == 0
    assert out["shift"]["flexible"]["jobs"] == 6
    assert 0 <= out["shift"]["flexible"]["saving_kg"] <= out["shift"]["all"]["saving_kg"]
    r = run_cli("solar-size", "--db", db)
    assert r.returncode == 0 and "kWp covers it over a year" in r.stdout, r.stderr


def test_same_log_again_or_resaved_is_not_counted_twice(db, tmp_path):
    crlf = tmp_path / "tiny-nvidia-smi.csv"
    crlf.write_bytes((FIX / "tiny-nvidia-smi.csv").read_bytes().replace(b"\n", b"\r\n"))
    for path in (FIX / "tiny-nvidia-smi.csv", FIX / "tiny-nvidia-smi.csv", crlf):
        r = run_cli("ingest", path, "--db", db)
        assert r.returncode == 0, r.stderr
    assert query(db, "SELECT round(sum(kwh) * 1000, 3) FROM studio_energy") == [(25.0,)]


def test_region_picks_its_zone_and_unknown_zone_is_one_line(tiny_db):
    r = run_cli("studio-energy", "--db", tiny_db, "--region", "CDMX", "--json")
    assert r.returncode == 0, r.stderr
    assert json_lines(r.stdout)[0]["zone"] == "MX-CE"
    bad = run_cli("studio-energy", "--db", tiny_db, "--zone", "MX-NOPE")
    assert bad.returncode != 0 and len(bad.stderr.strip().splitlines()) == 1
