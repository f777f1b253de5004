"""What integrators and schedulers see: time formats, units, CSV identity, option parsing, help."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from insights.cli import build_parser
from insights.commands.common import parse_when
from insights.recommend.slots import parse_days, parse_hours
from tests.conftest import run_cli

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
ISO_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def test_recommend_json_one_time_format_tz_and_units(trained_db):
    r = run_cli(
        "recommend", "--db", trained_db, "--region", "cdmx", "--region", "Baja California",
        "--channel", "TikTok", "--format", "json",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert ISO_Z.match(doc["data_end"]) and ISO_Z.match(doc["params"]["from"])
    assert {"expected_engagement", "renewable_pct", "carbon_intensity"} <= doc["units"].keys()
    for rec in doc["recommendations"]:
        assert ISO_Z.match(rec["start_utc"]) and ISO_OFFSET.match(rec["start_local"])
        local = datetime.fromisoformat(rec["start_local"])
        assert local.utcoffset() == local.astimezone(ZoneInfo(rec["tz"])).utcoffset()
        assert rec["channel"] == "tiktok"
        assert rec["expected_engagement"] == round(rec["expected_engagement"], 1)
        assert rec["score"] == round(rec["score"], 4)
    assert {rec["tz"] for rec in doc["recommendations"]} == {
        "America/Mexico_City",
        "America/Tijuana",
    }


def test_recommend_csv_carries_run_weight_and_data_end(trained_db):
    r = run_cli(
        "recommend", "--db", trained_db, "--region", "Jalisco", "--energy-weight", "0.4",
        "--format", "csv",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert rows and {r["energy_weight"] for r in rows} == {"0.4"}
    assert all(ISO_Z.match(r["data_end"]) and r["model_run"] and r["tz"] for r in rows)
    assert len({r["recommendation_run"] for r in rows}) == 1


def test_hours_window_across_midnight(trained_db):
    r = run_cli(
        "recommend", "--db", trained_db, "--region", "Jalisco", "--hours", "22-2",
        "--format", "json", "--slots", "4", "--min-gap-hours", "1",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    hours = {int(rec["start_local"][11:13]) for rec in json.loads(r.stdout)["recommendations"]}
    assert hours and hours <= {22, 23, 0, 1, 2}


def test_days_spanish_english_and_nonsense():
    assert parse_days("lunes,Mié,sábado,dom") == ("mon", "wed", "sat", "sun")
    assert parse_days("Monday,tue,FRI") == ("mon", "tue", "fri")
    for bad in ("monkey", "sunny", "lu", "x"):
        with pytest.raises(Exception, match="--days"):
            parse_days(bad)
    assert parse_hours("22-2") == (22, 2)


def test_days_in_spanish_on_the_cli(trained_db):
    r = run_cli(
        "recommend", "--db", trained_db, "--region", "Jalisco", "--days", "sábado,domingo",
        "--format", "json",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    days = {
        datetime.fromisoformat(x["start_local"]).weekday()
        for x in json.loads(r.stdout)["recommendations"]
    }
    assert days <= {5, 6}
    bad = run_cli("recommend", "--db", trained_db, "--days", "monkey")
    assert bad.returncode == 2 and "monkey" in bad.stderr


def test_times_without_offset_are_utc_everywhere():
    assert parse_when("2026-12-01T09:00", "--from").isoformat() == "2026-12-01T09:00:00+00:00"
    assert parse_when("2026-12-01T09:00-06:00", "--deadline").utcoffset().total_seconds() == -21600


def test_every_option_has_help():
    import argparse

    missing = []
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                for a in sub._actions:
                    if not a.help:
                        missing.append(f"{name} {a.option_strings or a.dest}")
    assert not missing


def test_report_only_that_matches_nothing_is_an_error(trained_db, tmp_path):
    r = run_cli("report", "--db", trained_db, "--out", tmp_path, "--only", "99")
    assert r.returncode == 2 and "--only 99" in r.stderr and "Traceback" not in r.stderr


def test_train_logs_a_line_per_stage_when_not_a_terminal(tmp_path):
    # the real CLI with stderr a pipe (as in cron or CI): timestamped progress lines
    db = tmp_path / "w.duckdb"
    assert (
        run_cli("demo-data", "--out", tmp_path / "raw", "--days", "40", "--seed", "3").returncode
        == 0
    )
    assert run_cli("ingest", tmp_path / "raw", "--db", db).returncode == 0
    r = run_cli("train", "--db", db, "--cutoffs", "1", "--horizon-hours", "24")
    assert r.returncode == 0, r.stderr
    lines = [x for x in r.stderr.splitlines() if re.match(r"^\d{4}-\d\d-\d\dT\S+Z \+\d+\.\ds ", x)]
    assert len(lines) >= 3 and any("backtesting" in x for x in lines)
