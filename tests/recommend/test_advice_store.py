"""The advice backtest is computed once per run, parameters and data, and read back after."""

from __future__ import annotations

import polars as pl
import pytest

from insights.recommend import advice_backtest
from insights.recommend.advice_backtest import summarise
from insights.recommend.advice_store import cached_backtest_advice
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
    real = advice_backtest.backtest_advice

    def counted(*a, **k):
        n.append(1)
        return real(*a, **k)

    monkeypatch.setattr(advice_backtest, "backtest_advice", counted)
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


def test_other_parameters_data_or_run_compute_again(small_db, calls):
    _run(small_db, "run-b")
    n = len(calls)
    _, computed = _run(small_db, "run-b", energy_weight=0.6)  # other parameters
    assert computed and len(calls) == n + 1
    _, computed = _run(small_db, "run-b", regions=("Jalisco",))  # other input data
    assert computed and len(calls) == n + 2
    _, computed = _run(small_db, "run-b")  # the first set is still stored
    assert not computed and len(calls) == n + 2
    _, computed = _run(small_db, "run-c")  # a new model run: computed again, old rows dropped
    assert computed and len(calls) == n + 3
    assert query(small_db, "SELECT DISTINCT run_id FROM advice_backtests") == [("run-c",)]


def test_read_only_warehouse_computes_without_storing(small_db, calls, tmp_path):
    ro = tmp_path / "ro.duckdb"
    ro.write_bytes(small_db.read_bytes())
    ro.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        _, computed = _run(ro, "run-ro")
        _, again = _run(ro, "run-ro")
    finally:
        tmp_path.chmod(0o755)
    assert computed and again and len(calls) == 2
