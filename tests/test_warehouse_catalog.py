"""The table catalog (insights.warehouse.tables) is what a warehouse holds: a new warehouse
and a migrated old one have exactly the spec'd columns; every module writing a table is
declared; the one energy upsert keeps its rule through the real CLI."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from insights import platform_schema, sql, warehouse
from insights.warehouse import migrations, runs
from insights.warehouse.energy import upsert_energy
from insights.warehouse.tables import BY_NAME, MARKER, TABLES
from tests.conftest import json_lines, query, run_cli

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "warehouse" / "duckdb1-warehouse.duckdb"


def stored(db: Path) -> dict[str, list[tuple[str, str]]]:
    """Each stored table's (column, type) in stored order."""
    out: dict[str, list[tuple[str, str]]] = {}
    for t, c, ty in query(
        db,
        """SELECT table_name, column_name, data_type FROM duckdb_columns()
        WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
        ORDER BY table_name, column_index""",
    ):
        out.setdefault(t, []).append((c, ty))
    return out


def spec_columns() -> dict[str, list[tuple[str, str]]]:
    """Each spec's (column, type) as DuckDB names the types (TIMESTAMPTZ -> TIMESTAMP WITH
    TIME ZONE), from its full definition in a scratch database."""
    con = duckdb.connect()
    try:
        for t in (MARKER, *TABLES):
            con.execute(migrations.create_statement(t, temp=True))
        rows = con.execute(
            """SELECT table_name, column_name, data_type FROM duckdb_columns()
            WHERE database_name = 'temp' ORDER BY table_name, column_index"""
        ).fetchall()
    finally:
        con.close()
    out: dict[str, list[tuple[str, str]]] = {}
    for t, c, ty in rows:
        out.setdefault(t, []).append((c, ty))
    return out


def assert_matches_catalog(db: Path) -> None:
    got = stored(db)
    assert sorted(got) == sorted(BY_NAME), "tables differ from the catalog"
    want = spec_columns()
    for t in (MARKER, *TABLES):
        assert [c for c, _ in want[t.name]] == t.column_names, t.name
        assert got[t.name] == want[t.name], t.name


def test_new_warehouse_holds_exactly_the_catalogs_columns(tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    with warehouse.write(db):
        pass
    assert_matches_catalog(db)


def _first_versions(db: Path) -> None:
    """Every table as first created (no migration run, no marker): an insights from before
    the first migration."""
    con = duckdb.connect(str(db))
    for t in TABLES:
        con.execute(migrations.create_statement(t))
    con.execute("INSERT INTO consumption VALUES (now(), 'Jalisco', 'Jalisco', true, 'web', "
                "NULL, 10, 1, NULL, 'csv', 'x')")  # fmt: skip
    con.close()


@pytest.mark.parametrize("old", ["duckdb1-fixture", "first-versions"])
def test_old_warehouse_is_migrated_in_place_to_the_catalogs_columns(
    tmp_path: Path, old: str
) -> None:
    db = tmp_path / "old.duckdb"
    if old == "duckdb1-fixture":
        shutil.copy(FIXTURE, db)
    else:
        _first_versions(db)
    before = stored(db)
    assert before != {}
    # a reader (status) migrates a writable old warehouse once, then reads it
    r = run_cli("status", "--json", "--db", db)
    assert r.returncode == 0, r.stderr
    assert_matches_catalog(db)
    # the stored rows survive; rows from before brands belong to brand 'default'
    assert query(db, "SELECT DISTINCT client FROM consumption") == [("default",)]


def test_every_added_column_names_a_known_migration_and_adds_after_the_first_columns():
    for t in TABLES:
        added = [c.added for c in t.columns]
        assert all(a is None or a in migrations.MIGRATIONS for a in added), t.name
        # the stored order is the first columns, then each migration's, oldest first
        order = [-1 if a is None else list(migrations.MIGRATIONS).index(a) for a in added]
        assert order == sorted(order), t.name
        assert set(t.key) <= set(t.column_names), t.name


def test_brand_tables_are_the_catalogs_tables_with_a_client_key():
    from insights import brands

    assert sorted(t.name for t in TABLES if t.branded) == sorted(brands.TABLES)


def test_platform_tables_agree_with_the_platform_contract():
    for name, cols in platform_schema.PLATFORM_SCHEMA.items():
        spec = [c for c in BY_NAME[name].column_names if c != "client"]
        assert spec == list(cols), name


_WRITE = re.compile(
    r"\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|ALTER\s+TABLE)\s+(\w+)", re.I
)


def test_every_module_writing_a_table_is_declared_in_its_spec():
    """A module whose SQL writes a catalog table by name is one of the spec's writers (the
    migrations aside), and each declared writer names its table."""
    found: dict[str, set[str]] = {}
    for p in (ROOT / "insights").rglob("*.py"):
        mod = ".".join(p.relative_to(ROOT).with_suffix("").parts)
        if mod == "insights.warehouse.migrations":
            continue
        for name in _WRITE.findall(p.read_text("utf-8")):
            if name in BY_NAME:
                found.setdefault(name, set()).add(mod)
    for name, mods in found.items():
        assert mods <= set(BY_NAME[name].writers), (name, sorted(mods))
    for t in TABLES:  # (the marker's writer names it through MARKER_TABLE)
        for mod in t.writers:
            src = ROOT / (mod.replace(".", "/") + ".py")
            assert src.is_file(), mod
            assert t.name in src.read_text("utf-8"), (t.name, mod)


def test_the_latest_run_query_is_written_once():
    hits = []
    for p in (ROOT / "insights").rglob("*.py"):
        text = p.read_text("utf-8")
        if re.search(r"FROM\s+model_runs\s+ORDER\s+BY", text):
            hits.append(p.relative_to(ROOT).as_posix())
    assert hits == ["insights/warehouse/runs.py"]


def test_quoting_lives_in_one_module():
    hits = []
    for p in (ROOT / "insights").rglob("*.py"):
        text = p.read_text("utf-8")
        if re.search(r"""replace\(\s*(["'])(?:"|\\'|')\1\s*,""", text) and "''" in text:
            hits.append(p.relative_to(ROOT).as_posix())
    assert hits == ["insights/sql.py"]
    assert sql.ident('a"b') == '"a""b"' and sql.literal("São Paulo's") == "'São Paulo''s'"


def test_docs_table_list_is_generated_from_the_catalog():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import docs_hooks
    finally:
        sys.path.remove(str(ROOT / "tools"))
    page = (ROOT / "docs" / "explanation" / "warehouse.md").read_text("utf-8")
    assert docs_hooks.TABLES_MARK in page
    out = docs_hooks.on_page_markdown(page, None, None, None)
    assert docs_hooks.TABLES_MARK not in out
    for t in (MARKER, *TABLES):
        assert f"### `{t.name}`" in out
        for c in t.columns:
            assert f"| `{c.name}` |" in out.split(f"### `{t.name}`")[1], (t.name, c.name)


# --- the energy upsert -----------------------------------------------------------------------

# Electricity Maps' hourly export, newer header (as in tests/ingest/test_reference_formats.py)
EM_HEADER = (
    "Datetime (UTC),Country,Zone name,Zone id,Carbon intensity gCO₂eq/kWh (direct),"
    "Carbon intensity gCO₂eq/kWh (Life cycle),Carbon-free energy percentage (CFE%),"
    "Renewable energy percentage (RE%),Data source,Data estimated,Data estimation method\n"
)


def test_a_later_energy_file_replaces_values_it_has_and_keeps_values_it_lacks(tmp_path: Path):
    db = tmp_path / "wh.duckdb"
    first = tmp_path / "MX-OC_first.csv"
    first.write_text(
        EM_HEADER + "2021-03-01 18:00:00,Mexico,Occidental,OCC,401.5,455.0,22.5,20.25,"
        "cenace.gob.mx,false,\n"
        "2021-03-01 19:00:00,Mexico,Occidental,OCC,410.0,460.0,21.0,19.0,cenace.gob.mx,false,\n",
        encoding="utf-8",
    )
    # a corrected export: 19:00 has a new direct intensity and no life-cycle value; 20:00 new
    later = tmp_path / "MX-OC_later.csv"
    later.write_text(
        EM_HEADER + "2021-03-01 19:00:00,Mexico,Occidental,OCC,380.0,,23.0,21.5,"
        "cenace.gob.mx,false,\n"
        "2021-03-01 20:00:00,Mexico,Occidental,OCC,390.0,450.0,22.0,20.0,cenace.gob.mx,false,\n",
        encoding="utf-8",
    )
    for f in (first, later):
        r = run_cli("ingest", f, "--db", db, "--json")
        assert r.returncode == 0, r.stderr
        assert json_lines(r.stdout)[0]["status"] == "loaded", r.stdout
    rows = query(
        db,
        """SELECT hour(ts_utc), carbon_intensity_direct, carbon_intensity_lca, renewable_pct
        FROM energy WHERE zone = 'MX-OC' ORDER BY ts_utc""",
    )
    assert rows == [
        (18, 401.5, 455.0, 20.25),  # only in the first file: as it was
        (19, 380.0, 460.0, 21.5),  # corrected values win; the missing LCA keeps the known one
        (20, 390.0, 450.0, 20.0),  # only in the later file: added
    ]


def test_replace_takes_a_derived_columns_null_too(tmp_path: Path):
    """CENACE's carbon columns are derived in full from an hour's mix: with ``replace``, a
    NULL (no positive generation) clears the old value; a load stays."""
    db = tmp_path / "wh.duckdb"
    with warehouse.write(db) as con:
        con.execute(
            "INSERT INTO energy (ts_utc, zone, carbon_intensity_direct, load_mw, source) "
            "VALUES ('2024-01-01 00:00:00+00', 'MX', 400, 30000, 'a')"
        )
        con.execute("CREATE TEMP TABLE stage AS SELECT * EXCLUDE (file_sha256) FROM energy LIMIT 0")
        con.execute(
            "INSERT INTO stage (ts_utc, zone, carbon_intensity_direct, load_mw, source) "
            "VALUES ('2024-01-01 00:00:00+00', 'MX', NULL, NULL, 'b')"
        )
        upsert_energy(con, "sha-b", replace=["carbon_intensity_direct"])
        with pytest.raises(ValueError, match="zone"):
            upsert_energy(con, "sha-c", replace=["zone"])
    assert query(
        db, "SELECT carbon_intensity_direct, load_mw, source, file_sha256 FROM energy"
    ) == [(None, 30000.0, "b", "sha-b")]


def test_runs_read_the_newest_model_run(tmp_path: Path):
    db = tmp_path / "wh.duckdb"
    with warehouse.write(db) as con:
        assert runs.latest_run_id(con) is None
        con.execute(
            "INSERT INTO model_runs (run_id, created_at) VALUES "
            "('old', '2024-01-01 00:00:00+00'), ('new', '2024-02-01 00:00:00+00')"
        )
        assert runs.latest_run(con, "run_id", "created_at::DATE::VARCHAR") == ("new", "2024-02-01")
        assert sql.one(con, f"SELECT {runs.LATEST_RUN_ID}") == ("new",)
