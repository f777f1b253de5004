"""What the studio commands say when an option would otherwise change nothing in silence:
a --flexible label that matches no job, a solar site away from Mexico City, a region scored
on the national grid signal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import json_lines, run_cli
from tests.studio.test_studio import FIX, write_em


@pytest.fixture
def studio_db(db, tmp_path) -> Path:
    em = write_em(tmp_path / "em_mx_ce.csv")
    r = run_cli("ingest", em, FIX / "tiny-nvidia-smi.csv", FIX / "tiny-emissions.csv", "--db", db)
    assert r.returncode == 0, r.stderr
    return db


@pytest.mark.parametrize("command", ["studio-energy", "solar-size"])
def test_flexible_label_that_matches_no_job_is_named_with_the_labels(studio_db, command):
    r = run_cli(command, "--db", studio_db, "--flexible", "render01", "--json")
    assert r.returncode == 2 and r.stdout == ""
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert "--flexible render01: matches no logged job" in line
    assert "render-spot/5b0c1f8e" in line  # the labels there are
    ok = run_cli(command, "--db", studio_db, "--flexible", "render-spot*", "--json")
    assert ok.returncode == 0, ok.stderr


def test_solar_size_elsewhere_does_not_keep_mexico_citys_altitude_or_sunshine(studio_db):
    cdmx = json_lines(run_cli("solar-size", "--db", studio_db, "--json").stdout)[0]
    assert cdmx["location"]["altitude_m"] == 2240.0 and "notes" not in cdmx
    # Hermosillo, Sonora: about 200 m above sea level, not 2,240 m
    r = run_cli("solar-size", "--db", studio_db, "--lat", "29.07", "--lon", "-110.95", "--json")
    assert r.returncode == 0, r.stderr
    out = json_lines(r.stdout)[0]
    assert out["location"]["altitude_m"] < 600
    notes = " ".join(out["notes"])
    assert "--alt" in notes and "clear-sky index" in notes and "--monthly-ghi" in notes
    text = run_cli(
        "solar-size", "--db", studio_db, "--lat", "29.07", "--lon", "-110.95", "--lang", "es"
    )  # the notes in the language of the text (es_MX style: 29.0700, 1,344.4 kWh/kWp/año)
    assert text.returncode == 0 and text.stdout.count("nota: ") == 2, text.stderr
    assert "FV en 29.0700, -110.9500" in text.stdout and "note:" not in text.stdout
    assert re.search(r"\b\d,\d{3}\.\d kWh/kWp/año", text.stdout), text.stdout  # was 1344.4
    given = run_cli(
        "solar-size", "--db", studio_db, "--lat", "29.07", "--lon", "-110.95",
        "--alt", "210", "--monthly-ghi", "4,5,6,7,7.5,7.4,6.5,6.3,6,5.5,4.5,4", "--json",
    )  # fmt: skip
    out = json_lines(given.stdout)[0]
    assert out["location"]["altitude_m"] == 210 and "notes" not in out


def test_studio_energy_region_says_it_used_the_national_signal(db, tmp_path):
    em = write_em(tmp_path / "em.csv")
    national = tmp_path / "em_mx.csv"
    national.write_text(em.read_text().replace("MX-CE", "MX"), encoding="utf-8")
    r = run_cli("ingest", national, FIX / "tiny-nvidia-smi.csv", "--db", db)
    assert r.returncode == 0, r.stderr
    j = run_cli("studio-energy", "--db", db, "--region", "Jalisco", "--json")
    assert j.returncode == 0, j.stderr
    out = json_lines(j.stdout)[0]
    assert out["zone"] == "MX" and out["own_zone"] == "MX-OC" and out["national_signal"]
    assert "national grid signal MX used" in out["note"]
    text = run_cli("studio-energy", "--db", db, "--region", "Jalisco")
    assert "national grid signal MX used: no carbon data for MX-OC (Jalisco)" in text.stdout
