"""The warehouse to an Iceberg lake (SQL catalog in SQLite) and back, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import query, run_cli, table_snapshot

pytest.importorskip("pyiceberg")

BRAND = "Marca Ñandú"
SQL = "SELECT channel, count(*) AS n, sum(views) AS v FROM consumption GROUP BY channel ORDER BY channel"


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("lake")
    assert run_cli("demo-data", "--days", "14", "--seed", "3", "--out", d / "raw").returncode == 0
    r = run_cli("ingest", d / "raw", "--db", d / "wh.duckdb")
    assert r.returncode == 0, r.stderr
    return d


def test_round_trip_keeps_every_table_and_the_ingest_hashes(small: Path) -> None:
    lake = f"sqlite:///{small}/lake.db"
    r = run_cli(
        "lake", "export", "--lake", lake, "--db", small / "wh.duckdb", "--client", BRAND, "--json"
    )
    assert r.returncode == 0, r.stderr
    exported = json.loads(r.stdout)["exported"]
    n = query(small / "wh.duckdb", "SELECT count(*) FROM consumption")[0][0]
    assert exported["consumption"] == n > 0
    # a second brand in the same lake, and the first exported again: rows replaced, not added
    assert (
        run_cli(
            "lake", "export", "--lake", lake, "--db", small / "wh.duckdb", "--client", "otra"
        ).returncode
        == 0
    )
    assert (
        run_cli(
            "lake", "export", "--lake", lake, "--db", small / "wh.duckdb", "--client", BRAND
        ).returncode
        == 0
    )

    r = run_cli(
        "lake", "import", "--lake", lake, "--db", small / "back.duckdb", "--client", BRAND, "--json"
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["imported"]["consumption"] == n  # one brand's rows, once
    # the warehouse made before brands ('default') came back as the brand it was exported as
    assert query(small / "back.duckdb", "SELECT DISTINCT client FROM consumption") == [(BRAND,)]
    assert _rows(small / "back.duckdb") == _rows(small / "wh.duckdb")
    log = "SELECT sha256, path, rows_loaded FROM ingest_log ORDER BY ALL"
    assert query(small / "back.duckdb", log) == query(small / "wh.duckdb", log)
    fp = "SELECT count(*), sum(fp::HUGEINT) FROM consumption_events"
    assert query(small / "back.duckdb", fp) == query(small / "wh.duckdb", fp)
    # the files are recognised as already loaded after the round trip, for that brand
    r = run_cli("ingest", small / "raw", "--db", small / "back.duckdb", "--client", BRAND)
    assert r.returncode == 0, r.stderr
    assert "already loaded" in r.stdout and " loaded [" not in r.stdout
    assert _rows(small / "back.duckdb") == _rows(small / "wh.duckdb")


def _rows(db: Path) -> dict[str, list]:
    """:func:`table_snapshot` without the brand (a round trip may name it)."""
    snap = table_snapshot(db)
    snap["consumption"] = query(
        db, "SELECT * EXCLUDE (file_sha256, client) FROM consumption ORDER BY ALL"
    )
    return snap


def test_same_query_same_answer_from_duckdb_and_polars_over_the_lake(small: Path) -> None:
    lake = f"sqlite:///{small}/lake2.db"
    assert (
        run_cli(
            "lake", "export", "--lake", lake, "--db", small / "wh.duckdb", "--client", BRAND
        ).returncode
        == 0
    )
    a = run_cli("lake", "query", SQL, "--engine", "duckdb", "--db", small / "wh.duckdb", "--json")
    b = run_cli(
        "lake", "query", SQL, "--engine", "polars", "--lake", lake, "--client", BRAND, "--json"
    )
    assert a.returncode == b.returncode == 0, a.stderr + b.stderr
    assert json.loads(a.stdout) == json.loads(b.stdout)
    assert len(json.loads(a.stdout)) == 3
    # another brand's rows are never read
    c = run_cli("lake", "query", SQL, "--lake", lake, "--client", "nadie", "--json")
    assert c.returncode == 0 and json.loads(c.stdout) == []


def test_import_refuses_a_warehouse_with_data_and_leaves_it_as_it_was(small: Path) -> None:
    lake = f"sqlite:///{small}/lake3.db"
    assert run_cli("lake", "export", "--lake", lake, "--db", small / "wh.duckdb").returncode == 0
    before = table_snapshot(small / "wh.duckdb")
    r = run_cli("lake", "import", "--lake", lake, "--db", small / "wh.duckdb")
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "--replace" in r.stderr
    assert table_snapshot(small / "wh.duckdb") == before


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--lake", "ftp://x/y"], "unknown catalog"),
        (["--lake", "sqlite:///{d}/l.db", "--client", "a/b"], "brand"),
        (["--lake", "sqlite:///{d}/l.db", "--client", "nadie"], "no rows of brand"),
    ],
)
def test_bad_lake_or_brand_is_one_line_exit_2(small: Path, args, needle) -> None:
    args = [a.replace("{d}", str(small)) for a in args]
    r = run_cli("lake", "import", *args, "--db", small / "new.duckdb")
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and needle in r.stderr
