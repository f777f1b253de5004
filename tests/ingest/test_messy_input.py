"""The messy input the design lists loads with the right values, or is rejected by line."""

from __future__ import annotations

import pytest

from tests.conftest import json_lines, query, run_cli, table_snapshot


def ingest(db, *paths):
    r = run_cli("ingest", *paths, "--db", db, "--json")
    return r, json_lines(r.stdout)


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-8-sig"])
def test_semicolons_decimal_commas_encodings_day_first_local_times(db, tmp_path, encoding):
    f = tmp_path / "exportación.csv"
    f.write_text(
        "Fecha;Región;Canal;Tema;Visualizaciones;Interacciones;segundos_vistos;correo\n"
        "01/07/2024 12:00;Baja California;Instagram;Música;1.234;10;1.500,5;a@b.mx\n"
        "01/07/2024 12:30;Baja California;Instagram;Música;766;5;0,5;c@d.mx\n"
        "01/07/2024 12:00;Sonora;Instagram;Música;2.000,0;1;0;e@f.mx\n"
        "01/07/2024 12:00;Quintana Roo;Instagram;Música;3;1;0;x@y.mx\n"
        "01/07/2024 12:00;CDMX;Instagram;Música;4;1;0;z@z.mx\n"
        "15/01/2024 12:00;Baja California;Instagram;Música;5;1;0;q@q.mx\n",
        encoding=encoding,
    )
    r, res = ingest(db, f)
    assert r.returncode == 0, r.stderr
    assert res[0]["status"] == "loaded" and res[0]["rows_rejected"] == 0
    got = query(
        db,
        "SELECT region, ts_utc::VARCHAR, views, engagements, watch_seconds, topic "
        "FROM consumption ORDER BY region, ts_utc",
    )
    assert got == [
        # Tijuana observes DST: July is UTC-7, January UTC-8
        ("Baja California", "2024-01-15 20:00:00+00", 5.0, 1.0, 0.0, "Música"),
        ("Baja California", "2024-07-01 19:00:00+00", 2000.0, 15.0, 1501.0, "Música"),
        ("Ciudad de México", "2024-07-01 18:00:00+00", 4.0, 1.0, 0.0, "Música"),  # UTC-6, no DST
        ("Quintana Roo", "2024-07-01 17:00:00+00", 3.0, 1.0, 0.0, "Música"),  # Cancún UTC-5
        ("Sonora", "2024-07-01 19:00:00+00", 2000.0, 1.0, 0.0, "Música"),  # Hermosillo UTC-7
    ]
    assert query(db, "SELECT region_raw FROM consumption WHERE region='Ciudad de México'") == [
        ("CDMX",)
    ]
    # personal identifiers are never stored
    assert query(db, "SELECT pii_dropped FROM ingest_log") == [("correo",)]
    cols = [c[0] for c in query(db, "DESCRIBE consumption")]
    assert "correo" not in cols


def test_iso_offsets_and_mixed_offsets_are_respected(db, tmp_path):
    f = tmp_path / "events.csv"
    f.write_text(
        "timestamp,region,channel,views,engagements,user_id\n"
        "2024-03-10T01:30:00-08:00,Baja California,tiktok,1,1,u1\n"
        "2024-03-10T03:10:00-07:00,Baja California,tiktok,1,0,u2\n"
        "2024-03-10T10:05:00Z,Nuevo León,tiktok,1,1,u3\n"
        "2024-03-10 04:05:00,Nuevo Leon,tiktok,1,1,u4\n",
        encoding="utf-8",
    )
    r, _ = ingest(db, f)
    assert r.returncode == 0, r.stderr
    assert query(db, "SELECT region, ts_utc::VARCHAR, views FROM consumption ORDER BY ALL") == [
        ("Baja California", "2024-03-10 09:00:00+00", 1.0),
        ("Baja California", "2024-03-10 10:00:00+00", 1.0),
        ("Nuevo León", "2024-03-10 10:00:00+00", 2.0),  # Monterrey UTC-6; both spellings merged
    ]


def test_bad_rows_are_kept_in_rejects_with_their_line(db, tmp_path):
    rows = [f"2024-05-0{1 + i % 9}T10:00:00Z,Jalisco,web,{i},1" for i in range(300)]
    rows[41] = "yesterday,Jalisco,web,3,1"  # line 43 of the file
    f = tmp_path / "agg.csv"
    f.write_text("timestamp,region,channel,views,engagements\n" + "\n".join(rows) + "\n")
    r, res = ingest(db, f)
    assert r.returncode == 0
    assert res[0]["status"] == "loaded" and res[0]["rows_rejected"] == 1
    assert "line 43" in res[0]["reason"]
    assert query(db, "SELECT line, reason FROM rejects") == [(43, "timestamp not understood")]
    assert query(db, "SELECT sum(views)::BIGINT FROM consumption") == [(sum(range(300)) - 41,)]


def test_mostly_bad_file_is_rejected_whole_and_changes_nothing(db, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(
        "timestamp,region,channel,views,engagements\n2024-05-01T10:00:00Z,Jalisco,web,5,1\n"
    )
    assert run_cli("ingest", good, "--db", db).returncode == 0
    before = table_snapshot(db)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "timestamp,region,channel,views,engagements\n"
        "2024-05-01T10:00:00Z,Jalisco,web,many,1\n"
        "2024-05-01T11:00:00Z,Jalisco,web,7,1\n"
    )
    r = run_cli("ingest", bad, "--db", db)
    assert r.returncode == 1
    line = r.stderr.strip().splitlines()[-1]
    assert str(bad) in line and "line 2" in line and "views is not a number" in line
    assert "Traceback" not in r.stderr
    assert table_snapshot(db) == before


@pytest.mark.parametrize(
    ("content", "expect"),
    [
        ("fecha,región\n2024-01-01,Jalisco\n", "cannot tell what this file is"),
        (
            "timestamp,region,channel,views\n2024-01-01T00:00Z,Jalisco,web,1\n",
            "missing column(s) engagements",
        ),
        ("", "empty file"),  # issue 10: a 0-byte file is named as such
    ],
)
def test_structural_problems_get_one_line(db, tmp_path, content, expect):
    f = tmp_path / "x.csv"
    f.write_text(content)
    r = run_cli("ingest", f, "--db", db)
    assert r.returncode == 1
    assert expect in r.stderr and str(f) in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_usage_errors_exit_2(db, tmp_path):
    r = run_cli("ingest", tmp_path / "nope.csv", "--db", db)
    assert r.returncode == 2 and "no such file" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("ingest", "--kind", "bogus", tmp_path, "--db", db)
    assert r.returncode == 2
    r = run_cli("status", "--db", tmp_path / "missing.duckdb")
    assert r.returncode == 2 and "no warehouse yet" in r.stderr


def test_excel_export_with_spanish_headers(db, tmp_path):
    from datetime import datetime

    import polars as pl

    f = tmp_path / "exportación_marzo.xlsx"
    pl.DataFrame(
        {
            "Fecha": [
                datetime(2024, 7, 1, 12, 0),
                datetime(2024, 7, 1, 12, 40),
                datetime(2024, 7, 1, 13, 5),
            ],
            "Región": ["Nuevo León", "Nuevo Leon", "Yucatán"],
            "Canal": ["tiktok", "tiktok", "tiktok"],
            "Tema": ["música", "música", "niñez"],
            "Visualizaciones": [100, 50, 7],
            "Interacciones": [10.0, 5.0, 1.0],
        }
    ).write_excel(f)
    r, res = ingest(db, f)
    assert r.returncode == 0, r.stderr
    assert res[0]["status"] == "loaded" and res[0]["kind"] == "consumption"
    assert query(
        db,
        "SELECT region, ts_utc::VARCHAR, topic, views, engagements FROM consumption "
        "ORDER BY region",
    ) == [
        ("Nuevo León", "2024-07-01 18:00:00+00", "música", 150.0, 15.0),  # Monterrey UTC-6
        ("Yucatán", "2024-07-01 19:00:00+00", "niñez", 7.0, 1.0),  # Mérida UTC-6
    ]
    assert query(db, "SELECT path FROM ingest_log") == [(str(f),)]
