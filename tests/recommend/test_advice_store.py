"""The advice backtest is computed once per run, parameters and data, and read back after."""

from __future__ import annotations

import polars as pl
import pytest

from insights.recommend import advice_replay, advice_store
from insights.recommend.advice_replay import summarise
from insights.recommend.advice_store import cached_replay_advice as cached_backtest_advice
from insights.recommend.advice_store import replay_once as backtest_once
from insights.recommend.io import load_backtest_inputs
from tests.conftest import query, run_cli


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    d = tmp_path_factory.mktemp("advice")
    db = d / "wh.duckdb"
    for args in (
        ["demo-data", "--days", "60", "--seed", "3", "--out", d / "raw"],
        ["ingest", d / "raw", "--db", db],
    ):
        r = run_cli(*args)
        assert r.returncode == 0, r.stderr
    return db


@pytest.fixture
def calls(monkeypatch):
    """Counts real computations of the backtest (the real function still runs)."""
    n = []
    real = advice_replay.replay_advice

    def counted(*a, **k):
        n.append(1)
        return real(*a, **k)

    monkeypatch.setattr(advice_replay, "replay_advice", counted)
    return n


def _run(db, run_id, energy_weight=0.25, regions=("Ciudad de México",)):
    inp = load_backtest_inputs(str(db), 1)
    actual = inp["actual"].filter(pl.col("region").is_in(regions))
    meta = inp["meta"].filter(pl.col("series_id").str.split(" | ").list.first().is_in(regions))
    return cached_backtest_advice(
        str(db),
        run_id,
        actual,
        inp["energy"],
        inp["regions"],
        meta,
        weeks=1,
        energy_weight=energy_weight,
        slots=2,
        gap=12,
        hours=(8, 23),
    )


def test_second_render_reads_the_stored_result(small_db, calls):
    first, computed = _run(small_db, "run-a")
    assert computed and len(calls) == 1 and first.height > 0
    # another language renders the same cell with the same run, parameters and data
    again, computed = _run(small_db, "run-a")
    assert not computed and len(calls) == 1
    assert again.equals(first)
    assert summarise(again) == summarise(first)
    assert query(small_db, "SELECT run_id, count(*) FROM advice_backtests GROUP BY 1") == [
        ("run-a", 1)
    ]
    # the stored slots keep their time zone and Spanish region names
    assert again["ts"].dtype == first["ts"].dtype
    assert "Ciudad de México" in again["region"].to_list()


def _cheap(db, run_id, n, energy_weight=0.25, regions=("Ciudad de México",)):
    """backtest_once on the real inputs with a counted stand-in for the slow computation
    (the real one is exercised above): the keying, not the backtest, is under test here."""
    inp = load_backtest_inputs(str(db), 1)
    actual = inp["actual"].filter(pl.col("region").is_in(regions))

    def compute():
        n.append(1)
        return actual.head(5)

    params = {"weeks": 1, "energy_weight": energy_weight, "slots": 2, "hours": (8, 23)}
    inputs = {"actual": actual, "energy": inp["energy"], "regions": inp["regions"]}
    return backtest_once(str(db), run_id, inputs, params, compute)


def test_other_parameters_data_or_run_compute_again(small_db):
    n = []
    first, computed = _cheap(small_db, "run-b", n)
    assert computed and len(n) == 1
    _, computed = _cheap(small_db, "run-b", n, energy_weight=0.6)  # other parameters
    assert computed and len(n) == 2
    _, computed = _cheap(small_db, "run-b", n, regions=("Jalisco",))  # other input data
    assert computed and len(n) == 3
    again, computed = _cheap(small_db, "run-b", n)  # the first set is still stored
    assert not computed and len(n) == 3 and again.equals(first)
    _, computed = _cheap(small_db, "run-c", n)  # a new model run: computed again, old rows dropped
    assert computed and len(n) == 4
    assert query(small_db, "SELECT DISTINCT run_id FROM advice_backtests") == [("run-c",)]


def test_read_only_warehouse_computes_without_storing(small_db, monkeypatch):
    # read-only storage as warehouse.writable sees it (chmod does not bind root, who runs
    # some of these tests; the CLI's read-only case is in test_outputs_trust)
    monkeypatch.setattr(advice_store.warehouse, "writable", lambda _db=None: False)
    n = []
    _, computed = _cheap(small_db, "run-ro", n)
    _, again = _cheap(small_db, "run-ro", n)
    assert computed and again and len(n) == 2
    assert query(small_db, "SELECT count(*) FROM advice_backtests WHERE run_id = 'run-ro'") == [
        (0,)
    ]


def test_store_false_reads_but_never_writes(small_db):
    n = []
    _cheap(small_db, "run-d", n)
    before = query(small_db, "SELECT count(*) FROM advice_backtests")
    inp = load_backtest_inputs(str(small_db), 1)
    got, computed = backtest_once(
        str(small_db), "run-d", {"a": inp["regions"]}, {"x": 1}, lambda: inp["regions"], save=False
    )
    assert computed and query(small_db, "SELECT count(*) FROM advice_backtests") == before
