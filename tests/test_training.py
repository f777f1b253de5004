"""`insights train`: the JSON summary, the stored run and forecasts, topics, on the demo."""

from __future__ import annotations

import json
import shutil

import duckdb
import polars as pl
import pytest

from insights import sql
from tests.conftest import run_cli


def _copy_warehouse(demo_project, tmp_path):
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_project / "data" / "warehouse.duckdb", db)
    return db


def test_train_json_summary_and_stored_run(demo_project, tmp_path):
    db = _copy_warehouse(demo_project, tmp_path)
    r = run_cli(
        "train", "--db", db, "--horizon-hours", "48", "--cutoffs", "2", "--json", cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout)
    assert m["n_series"] == 96 and m["seconds"] > 0
    # the demo's engagement forecasts beat seasonal naive with calibrated 80% intervals
    assert m["mase"] < 1.0 and m["mase"] < m["mase_seasonal_naive"], m
    assert m["relative_mae"] < 1.0 and 0.0 < m["smape"] < 100.0, m
    assert 0.70 <= m["coverage_80"] <= 0.90, m
    assert m["by_frequency"]["1h"]["horizon"] == 48
    for target in ("renewable_pct", "carbon_intensity_direct"):
        mae = m["energy"][target]["mae"]
        assert mae["model"] < mae["persistence"], mae
        buckets = {r["bucket"] for r in m["energy"][target]["by_horizon"]}
        assert buckets == {"1-24", "25-48"}, buckets  # a 48 h horizon
    assert sum(m["chosen"]["1h"].values()) == 96  # every series served by a named forecast

    with duckdb.connect(str(db), read_only=True) as con:
        run = sql.one(
            con,
            "SELECT params, metrics, package_version, sklearn_version, data_start, data_end "
            "FROM model_runs WHERE run_id = ?",
            [m["run_id"]],
        )
        steps = con.execute(
            "SELECT series_id, count(*), bool_and(yhat_lo <= yhat AND yhat <= yhat_hi) "
            "FROM forecasts WHERE run_id = ? AND target = 'engagements' GROUP BY ALL",
            [m["run_id"]],
        ).fetchall()
        energy_bands = con.execute(
            "SELECT count(*), bool_and(yhat_lo <= yhat AND yhat <= yhat_hi AND yhat_lo < yhat_hi) "
            "FROM forecasts WHERE run_id = ? AND target <> 'engagements'",
            [m["run_id"]],
        ).fetchall()[0]
    assert energy_bands[0] > 0 and energy_bands[1], energy_bands
    params, metrics, pkg, skl, start, end = run
    assert json.loads(params)["horizon_hours"] == 48
    assert json.loads(metrics)["mase"] == m["mase"]
    assert pkg and skl and start < end
    assert len(steps) == 96
    # 48 hours ahead, plus the hour or two the data may already be behind the clock
    assert all(48 <= n <= 50 and inside for _, n, inside in steps)
    # the model is saved beside the warehouse it was trained on, not under the cwd
    assert list(db.with_name(db.name + ".models").glob(f"{m['run_id']}-engagement-1h.pkl"))
    assert not (tmp_path / "data" / "models").exists()


def test_train_by_topic_forecasts_each_topic(demo_project, tmp_path):
    db = _copy_warehouse(demo_project, tmp_path)
    r = run_cli(
        "train",
        "--db",
        db,
        "--by-topic",
        "--horizon-hours",
        "24",
        "--cutoffs",
        "1",
        "--json",
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout)
    assert m["n_series"] > 96
    with duckdb.connect(str(db), read_only=True) as con:
        ids = [
            row[0]
            for row in con.execute(
                "SELECT DISTINCT series_id FROM forecasts WHERE run_id = ?", [m["run_id"]]
            ).fetchall()
            if row[0]
        ]
    assert any("música" in s for s in ids), ids[:5]  # accents survive into series ids


def test_backtests_are_stored_with_the_run_and_agree_with_its_summary(trained_db):
    """The scores `train` computed are read back, not recomputed: per series and cut-off
    they average to the run's summary, per zone to each energy target's MAE."""
    from insights.queries import backtest_scores, latest_run

    run = latest_run(str(trained_db))
    m = run["metrics"]
    scores = backtest_scores(str(trained_db))
    eng = scores.filter(pl.col("target") == "engagements", pl.col("step") == "1h")
    assert eng["cutoff"].n_unique() == run["params"]["n_cutoffs"]  # the fixture's 2 cut-offs
    for metric in ("mase", "smape", "coverage_80"):
        got = eng.filter(pl.col("metric") == metric)["value"].mean()
        assert got == pytest.approx(m[metric], rel=1e-9), metric
    for target, e in m["energy"].items():
        zone = scores.filter(pl.col("target") == target, pl.col("metric") == "mae")
        for method in ("model", "persistence"):
            got = zone.filter(pl.col("method") == method, pl.col("bucket").is_null())["value"]
            assert got.mean() == pytest.approx(e["mae"][method], rel=1e-9), (target, method)
        buckets = zone.filter(pl.col("bucket").is_not_null())["bucket"].unique().sort()
        assert buckets.to_list() == sorted({r["bucket"] for r in e["by_horizon"]})
    # another run's scores are not mixed in; an unknown run has none
    assert backtest_scores(str(trained_db), "no-such-run").height == 0
