from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "data" / "reference"
SHARED_REF = ROOT.parent / "shared" / "reference-data"
INSIGHTS = [sys.executable, "-m", "insights"]  # the real CLI, in a real process


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "wh.duckdb"


def run_cli(
    *args: str, env: dict | None = None, cwd: Path | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*INSIGHTS, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=cwd or ROOT,
    )


def json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip().startswith("{")]


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute("SET TimeZone='UTC'")
        return con.execute(sql).fetchall()
    finally:
        con.close()


def table_snapshot(db: Path) -> dict[str, list]:
    """Every data table's full content, to compare a warehouse before and after."""
    out = {}
    for t in ("consumption", "search_interest", "energy"):
        out[t] = query(db, f"SELECT * EXCLUDE (file_sha256) FROM {t} ORDER BY ALL")
    return out


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory) -> Path:
    """A project folder run as `make demo` runs it, with the default paths: data/raw/demo
    (150 days of demo data) and data/raw/demo-platforms (a post history and platform
    downloads, ingested with the options the demo wrote for them), data/warehouse.duckdb
    ingested and trained. Shared by the session."""
    d = tmp_path_factory.mktemp("project")
    plat = "data/raw/demo-platforms"
    for args in (
        ["demo-data", "--days", "150", "--seed", "11", "--platforms", plat],
        ["ingest", "data/raw/demo"],
        ["ingest", plat, "OPTIONS"],  # the options demo-data wrote (Makefile: `cat`)
        ["train", "--cutoffs", "2"],
    ):
        if args[-1] == "OPTIONS":
            args = [*args[:-1], *(d / plat / "ingest-options").read_text().split()]
        r = run_cli(*args, cwd=d, env={"INSIGHTS_DB": ""})
        assert r.returncode == 0, r.stderr
    assert (d / "data" / "warehouse.duckdb").exists()
    return d


@pytest.fixture(scope="session")
def trained_db(demo_project) -> Path:
    return demo_project / "data" / "warehouse.duckdb"


@pytest.fixture(scope="session")
def small_trained_db(tmp_path_factory) -> Path:
    """A smaller demo warehouse (60 days, one backtest cut-off), trained: for tests of what
    the surfaces show, which need real forecasts but not a long history. Shared.

    ``INSIGHTS_TEST_SMALL_DB`` names one built by an earlier run of this fixture, copied
    instead of trained again (local iteration on a slow machine; CI never sets it)."""
    d = tmp_path_factory.mktemp("small")
    prebuilt = os.environ.get("INSIGHTS_TEST_SMALL_DB")
    if prebuilt:
        import shutil

        shutil.copy(prebuilt, d / "wh.duckdb")
        return d / "wh.duckdb"
    for args in (
        ["demo-data", "--days", "60", "--seed", "5", "--out", "raw"],
        ["ingest", "raw", "--db", "wh.duckdb"],
        ["train", "--cutoffs", "1", "--db", "wh.duckdb"],
    ):
        r = run_cli(*args, cwd=d, env={"INSIGHTS_DB": ""}, timeout=1800)
        assert r.returncode == 0, r.stderr
    return d / "wh.duckdb"


OTHER_BRAND = "Café Ñ"


@pytest.fixture(scope="session")
def two_brand_db(small_trained_db, tmp_path_factory) -> Path:
    """A copy of the small trained warehouse (brand 'default') with a second brand,
    :data:`OTHER_BRAND`, written beside it: Jalisco's consumption with three times the
    engagements, and a model run 'cafe-run' whose Jalisco forecasts are three times the
    default's (grid forecasts the same). Built by SQL, not trained: no training run added."""
    import shutil

    d = tmp_path_factory.mktemp("brands")
    shutil.copy(small_trained_db, d / "two.duckdb")
    with duckdb.connect(str(d / "two.duckdb")) as con:
        b = f"'{OTHER_BRAND}'"
        con.execute(f"""INSERT INTO consumption SELECT * REPLACE ({b} AS client,
            engagements * 3 AS engagements) FROM consumption WHERE region = 'Jalisco'""")
        con.execute(f"""INSERT INTO model_runs SELECT * REPLACE ('cafe-run' AS run_id,
            {b} AS client, created_at + INTERVAL 1 SECOND AS created_at) FROM model_runs""")
        con.execute(f"""INSERT INTO forecasts SELECT * REPLACE ('cafe-run' AS run_id,
            {b} AS client, yhat * 3 AS yhat, yhat_lo * 3 AS yhat_lo, yhat_hi * 3 AS yhat_hi)
            FROM forecasts WHERE region = 'Jalisco' OR zone IS NOT NULL""")
    return d / "two.duckdb"
