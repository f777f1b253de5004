"""No pair dropped in silence: every selected pair without a slot is named with its reason
(table, JSON, CSV's companion, API), the answer for a pair whose forecasts end before the
horizon says so about that pair, and pairs forecast from the pooled profile are named.

The demo warehouse is trained for real, then three pairs' forecasts are cut the way the
issue's brand sheet left them (ending before now; one row a day; none at all)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_cli

CUT = ("Ciudad de México", "instagram")  # forecasts end before the horizon
DAILY = ("Estado de México", "tiktok")  # one forecast row a day
GONE = ("Jalisco", "youtube")  # no forecasts in the run
POOLED = [("Sonora", "youtube"), ("Yucatán", "youtube")]


@pytest.fixture(scope="module")
def cut_db(small_trained_db, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("coverage") / "wh.duckdb"
    shutil.copy(small_trained_db, db)
    con = duckdb.connect(str(db))
    try:
        con.execute("SET TimeZone='UTC'")
        # as a run trained on data that stopped weeks ago: its forecasts end before now
        con.execute(
            "UPDATE forecasts SET ts_utc = ts_utc - INTERVAL 30 DAY "
            "WHERE region = ? AND channel = ?",
            list(CUT),
        )
        con.execute(
            "DELETE FROM forecasts WHERE region = ? AND channel = ? AND hour(ts_utc) <> 0",
            list(DAILY),
        )
        con.execute("DELETE FROM forecasts WHERE region = ? AND channel = ?", list(GONE))
        for pair in POOLED:
            con.execute(
                "UPDATE forecasts SET method = 'profile' WHERE region = ? AND channel = ?",
                list(pair),
            )
    finally:
        con.close()
    return db


def test_a_pair_whose_forecasts_end_before_the_horizon_is_told_about_itself(cut_db):
    r = run_cli("recommend", "--db", cut_db, "--region", "CDMX", "--channel", "instagram")
    assert r.returncode == 2 and r.stdout == ""
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert "no forecast hours after" not in line  # the old message named the run's end
    assert "Ciudad de México/instagram: its forecasts end" in line
    assert "before the horizon starts" in line and "insights train" in line


def test_every_pair_without_a_slot_is_listed_with_its_reason(cut_db):
    j = run_cli("recommend", "--db", cut_db, "--format", "json", "--slots", "1")
    assert j.returncode == 0, j.stderr
    out = json.loads(j.stdout)
    skipped = {(s["region"], s["channel"]): s for s in out["not_recommended"]}
    assert set(skipped) == {CUT, DAILY, GONE}
    assert skipped[CUT]["code"] == "forecasts_end_before_horizon"
    assert skipped[DAILY]["code"] == "forecasts_not_hourly"
    assert "one row every 1 day" in skipped[DAILY]["reason"]
    assert skipped[GONE]["code"] == "no_forecasts"
    recommended = {(x["region"], x["channel"]) for x in out["recommendations"]}
    # closed before the next command: an open connection, even read-only, keeps DuckDB's
    # file lock and the next `recommend` (which stores its run) would wait for it
    with duckdb.connect(str(cut_db), read_only=True) as con:
        pairs = con.execute(
            "SELECT count(*) FROM (SELECT DISTINCT region, channel FROM consumption)"
        ).fetchone()[0]
    assert len(recommended) + len(skipped) == pairs  # nothing unaccounted
    text = run_cli("recommend", "--db", cut_db, "--slots", "1")
    assert text.returncode == 0, text.stderr
    assert "not recommended (3 pair(s)):" in text.stdout
    assert "Jalisco / youtube: no forecasts in model run" in text.stdout
    # a selection that keeps some pairs lists only its own left-out pairs
    one = json.loads(
        run_cli("recommend", "--db", cut_db, "--format", "json", "--region", "Jalisco").stdout
    )
    assert [(s["region"], s["channel"]) for s in one["not_recommended"]] == [GONE]


def test_pairs_sharing_the_pooled_profile_are_named(cut_db):
    out = json.loads(run_cli("recommend", "--db", cut_db, "--format", "json").stdout)
    pooled = [(p["region"], p["channel"]) for p in out["pooled_profile"]["pairs"]]
    assert pooled == POOLED and "pooled hour-of-week profile" in out["pooled_profile"]["note"]
    text = run_cli("recommend", "--db", cut_db, "--region", "Sonora").stdout
    assert "pooled profile (1 pair(s): Sonora / youtube)" in text
