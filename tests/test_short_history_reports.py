"""Short history never fails a report: at 20, 30 and 40 days of data every page runs, says
what could not be backtested and why, and still shows what it can (issue: `insights report
--only 05` failed in its backtest cell at 30 days with "not enough history to train the
energy model (needs 36+ days)")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from insights import i18n
from insights.narrative import TEXT
from insights.recommend.advice_replay import replay_for_report as backtest_for_report
from insights.recommend.io import load_backtest_inputs
from tests.conftest import run_cli


def _warehouse(root: Path, days: int) -> Path:
    for args in (
        ["demo-data", "--days", str(days), "--seed", "7", "--out", "raw"],
        ["ingest", "raw", "--db", "wh.duckdb"],
        ["train", "--cutoffs", "1", "--db", "wh.duckdb"],
    ):
        r = run_cli(*args, cwd=root, env={"INSIGHTS_DB": ""}, timeout=1800)
        assert r.returncode == 0, (args, r.stderr[-2000:])
    return root / "wh.duckdb"


@pytest.fixture(scope="module", params=[20, 30, 40], ids=lambda d: f"{d}d")
def short_db(request, tmp_path_factory) -> tuple[int, Path]:
    return request.param, _warehouse(
        tmp_path_factory.mktemp(f"short{request.param}"), request.param
    )


def test_the_report_backtest_replays_what_it_can_and_names_the_rest(short_db):
    days, db = short_db
    inp = load_backtest_inputs(str(db), 2)
    regions = sorted(set(inp["actual"]["region"]))[:2]
    bt, skipped = backtest_for_report(inp, regions, 2)  # never raises
    # the grid model needs more than 35 days before a week: the later of two weeks starts
    # 7 days before the data ends, so up to 42 days of data neither week can be replayed
    assert len(skipped) == 2 and bt is None
    assert all("history" in s["reason"] for s in skipped)
    one = backtest_for_report(inp, regions, 1)[1]  # one week: the same reason, once
    assert len(one) == 1 and "36+ days" in one[0]["reason"]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_page_runs_and_says_why_at_short_history(short_db, tmp_path, lang):
    days, db = short_db
    out = tmp_path / "reports"
    r = run_cli("report", "--db", db, "--out", out, "--lang", lang, "--read-only", timeout=3600)
    assert r.returncode == 0, r.stderr[-3000:]
    pages = sorted(p.stem for p in out.glob("*.html"))
    assert pages == [
        "01_ingest", "02_explore", "03_train", "04_recommend", "05_report", "06_studio_energy",
    ]  # fmt: skip
    report = re.sub(r"<[^>]+>", " ", (out / "05_report.html").read_text(encoding="utf-8"))
    assert "Traceback" not in report and "ValueError" not in report
    if days <= 42:  # nothing replayed, and the page says why
        why = "Sin backtest para 2 de 2 semanas" if lang == "es" else "No backtest for 2 of 2"
        assert why in report
    # page 04, from the same run (no extra cost): it shows the slots it can, with the
    # signal that ranked them beside each, and says why the grid columns are blank
    page = (out / "04_recommend.html").read_text(encoding="utf-8")
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)  # code, not words
    recs = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))
    assert "Traceback" not in recs and "RuntimeWarning" not in recs and "NaN" not in recs
    cols = i18n.COLUMNS[lang]
    for col in ("rank", "renewable_vs_best_pp", "carbon_vs_best_pct"):
        assert f"<th>{cols[col]}</th>" in page
    assert page.count("<td>") > 0  # slots are shown
    if days <= 35:  # no grid model yet: said in words, and no Pareto front of nothing
        for key in ("no_grid", "no_grid_chart"):
            assert re.sub(r"\*\*", "", TEXT[lang][key])[:40] in recs
