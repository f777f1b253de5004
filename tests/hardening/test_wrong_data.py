"""Never act on the wrong data: a foreign DuckDB file, a warehouse planted above you."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from insights import warehouse
from tests.conftest import ROOT, json_lines, query, run_cli

GOOD = "timestamp,region,channel,views,engagements\n2026-03-01T10:00:00Z,Jalisco,tiktok,10,2\n"
OLD = ROOT / "tests" / "fixtures" / "warehouse" / "duckdb1-warehouse.duckdb"


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def foreign(tmp_path) -> Path:
    """The user's own DuckDB database, with a table of their own named like one of ours."""
    p = tmp_path / "sales.duckdb"
    con = duckdb.connect(str(p))
    con.execute("CREATE TABLE sales (id INTEGER, region VARCHAR)")
    con.execute("CREATE TABLE consumption (day DATE, kwh DOUBLE)")
    con.execute("INSERT INTO sales VALUES (1, 'Jalisco')")
    con.close()
    return p


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["status", "--json"],
        ["train"],
        ["recommend"],
        ["studio-energy"],
        ["serve", "--port", "0"],
        ["ingest", "{csv}"],
    ],
)
def test_foreign_duckdb_file_is_refused_untouched(foreign, tmp_path, args):
    csv = tmp_path / "a.csv"
    csv.write_text(GOOD)
    before = _digest(foreign)
    r = run_cli(*[a.replace("{csv}", str(csv)) for a in args], "--db", foreign, timeout=120)
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "not an insights warehouse" in lines[0], r.stderr
    assert str(foreign) in lines[0]
    assert _digest(foreign) == before
    assert query(foreign, "SELECT table_name FROM duckdb_tables() ORDER BY 1") == [
        ("consumption",),
        ("sales",),
    ]


def test_new_warehouse_carries_the_marker_and_an_old_one_is_migrated(tmp_path):
    db = tmp_path / "new.duckdb"
    csv = tmp_path / "a.csv"
    csv.write_text(GOOD)
    assert run_cli("ingest", csv, "--db", db).returncode == 0
    assert query(db, f"SELECT value FROM {warehouse.MARKER_TABLE} WHERE key = 'format'") == [
        (warehouse.MARKER_FORMAT,)
    ]
    old = tmp_path / "old.duckdb"
    shutil.copy(OLD, old)  # made by insights 0.1 on DuckDB 1.5, before the marker
    r = run_cli("status", "--db", old)
    assert r.returncode == 0, r.stderr
    assert query(old, f"SELECT value FROM {warehouse.MARKER_TABLE} WHERE key = 'format'") == [
        (warehouse.MARKER_FORMAT,)
    ]


def test_empty_duckdb_file_is_not_read_as_a_warehouse_but_can_start_one(tmp_path):
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    r = run_cli("status", "--db", db)
    assert r.returncode == 2 and "empty DuckDB database" in r.stderr
    assert query(db, "SELECT count(*) FROM duckdb_tables()") == [(0,)]
    csv = tmp_path / "a.csv"
    csv.write_text(GOOD)
    assert run_cli("ingest", csv, "--db", db).returncode == 0
    assert run_cli("status", "--db", db).returncode == 0


def _planted(tmp_path: Path) -> tuple[Path, Path]:
    """A shared folder writable by everyone (like /tmp) holding another user's
    data/warehouse.duckdb, and this user's working folder two levels below it."""
    shared = tmp_path / "shared"
    (shared / "data").mkdir(parents=True)
    shared.chmod(0o1777)
    planted = shared / "data" / "warehouse.duckdb"
    csv = tmp_path / "theirs.csv"
    csv.write_text(GOOD.replace("Jalisco", "Sonora"))
    assert run_cli("ingest", csv, "--db", planted).returncode == 0
    mine = shared / "me" / "work"
    mine.mkdir(parents=True)
    return planted, mine


def test_default_lookup_never_climbs_into_a_folder_others_can_write(tmp_path):
    planted, mine = _planted(tmp_path)
    before = _digest(planted)
    (mine / "a.csv").write_text(GOOD)
    r = run_cli("ingest", "a.csv", cwd=mine, env={"INSIGHTS_DB": ""})
    assert r.returncode == 0, r.stderr
    assert _digest(planted) == before
    own = mine / "data" / "warehouse.duckdb"
    assert query(own, "SELECT region FROM consumption") == [("Jalisco",)]
    # and the command says which file it wrote
    assert r.stdout.splitlines()[-1] == f"warehouse: {own.resolve()}"
    r = run_cli("ingest", "a.csv", "--json", cwd=mine, env={"INSIGHTS_DB": ""})
    assert json_lines(r.stdout)[0]["warehouse"] == str(own.resolve())


def test_default_lookup_never_climbs_into_another_users_folder(tmp_path):
    import os

    if os.getuid() != 0:
        pytest.skip("needs to hand a folder to another user (chown)")
    planted, mine = _planted(tmp_path)
    shared = planted.parent.parent
    shared.chmod(0o755)
    os.chown(shared, 65534, 65534)  # nobody's
    r = run_cli("status", cwd=mine, env={"INSIGHTS_DB": ""})
    assert r.returncode == 2 and "no warehouse yet" in r.stderr, r.stderr


def test_invalid_regions_table_is_refused_before_anything_is_written(tmp_path):
    regions = tmp_path / "regions.csv"
    regions.write_text(
        "region,country,grid_zone,grid_operator_code,tz,aliases\n"
        "Antioquia,CO,CO,,America/Bogota,\n"
        "Valle del Cauca,CO,CO,,America/Cali_Typo,Valle\n",
        encoding="utf-8",
    )
    csv = tmp_path / "a.csv"
    csv.write_text(GOOD)
    db = tmp_path / "wh.duckdb"
    r = run_cli("ingest", csv, "--db", db, env={"INSIGHTS_REGIONS": str(regions)})
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        f"insights ingest: error: {regions}: line 3: region 'Valle del Cauca' has tz "
        "'America/Cali_Typo', not an IANA time zone (America/Mexico_City, America/Sao_Paulo "
        "...); nothing was written"
    ]
    assert not db.exists()
