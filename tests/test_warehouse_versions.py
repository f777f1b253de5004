"""A warehouse written by DuckDB 1.x (insights 0.1 on DuckDB 1.5) keeps working with DuckDB 2."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import json_lines, query, run_cli

FIXTURE = Path(__file__).parent / "fixtures" / "warehouse" / "duckdb1-warehouse.duckdb"


def test_duckdb1_warehouse_is_read_and_written_in_place(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    shutil.copy(FIXTURE, db)
    r = run_cli("status", "--json", "--db", db)
    assert r.returncode == 0, r.stderr
    st = json_lines(r.stdout)[0]
    assert st["warehouse"]["storage_version"].startswith("v1.")
    assert st["consumption"]["rows"] == 2
    assert "São Paulo" in st["consumption"]["keys"]

    csv = tmp_path / "new.csv"
    csv.write_text(
        "timestamp,region,channel,topic,views,engagements\n"
        "2024-03-17T02:00:00Z,Jalisco,youtube,música,7,1\n",
        encoding="utf-8",
    )
    r = run_cli("ingest", csv, "--db", db)
    assert r.returncode == 0, r.stderr
    rows = query(db, "SELECT region, topic, views FROM consumption ORDER BY ts_utc")
    assert rows == [
        ("Jalisco", "música", 100.0),
        ("São Paulo", None, 50.0),
        ("Jalisco", "música", 7.0),
    ]
    # still in the 1.x storage format, so DuckDB 1.x tools can keep reading it
    st = json_lines(run_cli("status", "--json", "--db", db).stdout)[0]
    assert st["warehouse"]["storage_version"].startswith("v1.")
    # the old rows are untouched and the new tables of this version exist
    assert query(db, "SELECT count(*) FROM energy") == [(1,)]


def test_new_warehouse_uses_the_duckdb2_storage_format(tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    csv = tmp_path / "a.csv"
    csv.write_text(
        "timestamp,region,channel,views,engagements\n2024-03-17T02:00:00Z,Jalisco,youtube,7,1\n"
    )
    assert run_cli("ingest", csv, "--db", db).returncode == 0
    r = run_cli("status", "--db", db)
    assert r.returncode == 0, r.stderr
    assert "storage format v2." in r.stdout
