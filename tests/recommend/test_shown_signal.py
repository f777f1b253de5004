"""The signal shown beside a rank is the one that ranked it (issue 26).

A real trained warehouse, one grid hour changed in its energy forecast: that hour becomes
far more renewable and far dirtier than any other. Ranked by renewable share, the slot
moves there and the shown renewable change moves with it, while the carbon change says
the grid emits more, flagged as a disagreement; ranked by carbon, the slot stays away.
The same on the API (in process, over the same file) and the real CLI's JSON; the CLI's
table shows the change of the signal ranked by and flags the disagreement."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta

import duckdb
import pytest

from tests.conftest import query, run_cli

PAIR = {"region": "Jalisco", "channel": "tiktok"}
RENEWABLE, CARBON = 60.0, 900.0  # far above every forecast hour (demo: ~10-20 %, ~400 g)


@pytest.fixture(scope="module")
def wh(small_trained_db, tmp_path_factory):
    d = tmp_path_factory.mktemp("shown-signal")
    shutil.copy(small_trained_db, d / "wh.duckdb")
    return d / "wh.duckdb"


def cli(db, signal: str, start: str) -> dict:
    r = run_cli(
        "recommend", "--db", db, "--region", PAIR["region"], "--channel", PAIR["channel"],
        "--energy-weight", "1", "--slots", "1", "--signal", signal, "--from", start,
        "--format", "json",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["recommendations"][0]


def api_first(client, signal: str, start: str) -> dict:
    r = client.get(
        "/v1/publish-windows",
        params={**PAIR, "energyWeight": 1, "slots": 1, "signal": signal, "from": start},
    )
    assert r.status_code == 200, r.text
    return r.json()["recommendations"][0]


SHOWN = ("start_utc", "renewable_pct", "carbon_intensity", "renewable_vs_best_pp")
SHOWN += ("carbon_vs_best_pct", "energy_signals_disagree", "engagement_vs_best_pct")


def test_the_ranking_and_the_signal_shown_beside_it_move_together(wh):
    from fastapi.testclient import TestClient

    from insights.api.app import create_app
    from insights.api.snapshot import SnapshotStore

    first = query(wh, "SELECT min(ts_utc) FROM forecasts WHERE target = 'engagements'")[0][0]
    start = (first + timedelta(hours=1)).strftime("%Y-%m-%dT%H:00:00Z")
    # noon in Jalisco (UTC-6) two days in: allowed (8-23), and no pair's engagement peak
    hour = (first + timedelta(days=2)).replace(hour=18, minute=0, second=0, microsecond=0)
    target = hour.strftime("%Y-%m-%dT%H:%M:%SZ")

    store = SnapshotStore(str(wh))
    with TestClient(create_app(store)) as client:
        before = {s: api_first(client, s, start) for s in ("renewable", "carbon")}
        assert before["renewable"]["start_utc"] != target
        for rec in before.values():  # nothing to disagree about in the demo's grid
            assert rec["energy_signals_disagree"] is False

        with duckdb.connect(str(wh)) as con:  # the input signal changes at one hour
            for tgt, v in (("renewable_pct", RENEWABLE), ("carbon_intensity_direct", CARBON)):
                con.execute(
                    "UPDATE forecasts SET yhat = ?, yhat_lo = ?, yhat_hi = ? "
                    "WHERE target = ? AND zone IS NOT NULL AND ts_utc = ?",
                    [v, v, v, tgt, hour],
                )
        assert store.refresh()
        after = {s: api_first(client, s, start) for s in ("renewable", "carbon")}

    ren, car = after["renewable"], after["carbon"]
    # ranked by renewable share: the slot moves to the greener mix, and what is shown
    # beside it is that mix's renewable share and its change, with the carbon it costs
    assert ren["start_utc"] == target
    assert ren["renewable_pct"] == RENEWABLE and ren["carbon_intensity"] == CARBON
    best_re = ren["renewable_pct"] - ren["renewable_vs_best_pp"]  # engagement-only best
    assert ren["renewable_vs_best_pp"] > before["renewable"]["renewable_vs_best_pp"]
    assert ren["renewable_vs_best_pp"] == pytest.approx(RENEWABLE - best_re, abs=0.01)
    assert ren["carbon_vs_best_pct"] > 50 and ren["energy_signals_disagree"] is True
    # ranked by carbon: the dirtier hour is never chosen; its slot and shown values stay
    assert car == before["carbon"] and car["start_utc"] != target
    assert car["carbon_vs_best_pct"] <= 0
    # the real CLI's JSON gives the same slot and the same shown values
    assert cli(wh, "renewable", start) == ren

    # the CLI's table: the change of the signal ranked by, beside the rank, and the flag
    from insights import pipeline
    from insights.commands.recommend import disagreement_note, format_table
    from insights.recommend.plan import RecommendParams

    p = RecommendParams(
        regions=(PAIR["region"],), channels=(PAIR["channel"],), energy_weight=1.0, slots=1,
        start=datetime.fromisoformat(start),
    )  # fmt: skip
    recs = pipeline.recommend(p, str(wh), store=False).result.recs
    row = format_table(recs).splitlines()[-1]
    assert row.endswith(" !") and f"{ren['renewable_vs_best_pp']:+.1f}" in row
    note = disagreement_note(recs, "renewable")
    assert note.startswith("! 1 slot(s)") and "--signal carbon ranks by it" in note


def test_report_sentences_write_every_number_through_babel(monkeypatch):
    """The report's sentences (headline, trade-off, uncertainty, weight, the front's next
    step) take their numbers from insights.i18n: under a locale with a comma decimal mark
    and space grouping (fr_FR), none is left in Python's 1,234.5 style."""
    import re

    from insights import i18n
    from insights.narrative import headline, say, tradeoff
    from insights.recommend.tradeoff import tradeoff_sentence

    monkeypatch.setitem(i18n.LOCALES, "es", "fr_FR")
    rec = {
        "region": "Jalisco", "channel": "tiktok", "start_local": "2026-12-05T21:00:00-06:00",
        "expected_engagement": 12345.6, "engagement_low": 11000.2, "engagement_high": 14000.7,
        "renewable_pct": 31.4, "renewable_pct_low": 12.5, "renewable_pct_high": 20.5,
        "carbon_intensity": 1320.5, "engagement_vs_best_pct": -1.04,
        "renewable_vs_best_pp": 2.46, "carbon_vs_best_pct": 3.31, "energy_signals_disagree": True,
    }  # fmt: skip
    effect = {"weight": 0.25, "signal": "renewable", "n_slots": 12, "n_moved": 5,
              "next_weight": 0.35, "next_cost_pct": 41.2, "next_renewable_pp": 6.5}  # fmt: skip
    texts = [
        headline(rec, "es"),
        tradeoff(rec, "es"),
        say("uncertainty", "es", coverage=0.805, mase=0.8512),
        say("weight", "es", w=0.25),
        tradeoff_sentence(effect, "es"),
    ]
    for text in texts:
        assert not re.search(r"\d[.,]\d{3}\b|\d\.\d", text), text
    assert "12\u202f346" in texts[0] and "+2,5\u00a0p. p." in texts[1]
