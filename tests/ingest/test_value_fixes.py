"""Silent wrong values found in testing: number-format conflicts after the sample, border
cities' own time zones, and a separate hour column. Real CLI, real DuckDB file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import query
from tests.ingest.test_field_cases import ingest, one

HEADER = "timestamp,region,channel,views,engagements\n"


def _rejected(db: Path, f: Path, column: str) -> dict:
    r, res = ingest(db, f)
    assert r.returncode == 1 and res[0]["status"] == "rejected", (r.stdout, r.stderr)
    assert f"'{column}'" in res[0]["reason"] and "--decimal" in res[0]["reason"]
    assert "\n" not in res[0]["reason"]
    assert query(db, "SELECT count(*) FROM consumption") == [(0,)]
    return res[0]


def _ts(i: int) -> str:
    return f"2024-01-{1 + i // 24:02d}T{i % 24:02d}:00:00Z"


# --- 1. number-format evidence both ways, wherever in the column it is ------------------------


def test_thousands_comma_after_the_sample_conflicts_with_thousands_dots(db, tmp_path):
    f = tmp_path / "late-conflict.csv"
    f.write_text(
        "timestamp;region;channel;views;engagements\n"
        + "".join(f"{_ts(i)};Jalisco;yt;1.{100 + i % 900};1\n" for i in range(499))
        + "2024-02-01T00:00:00Z;Jalisco;yt;1,000;1\n"
    )
    _rejected(db, f, "views")
    res = one(db, f, "--decimal", ",")  # the user settles it: 1.100 is 1100, 1,000 is 1.0
    assert res["status"] == "loaded"
    assert query(db, "SELECT min(views), max(views) FROM consumption") == [(1.0, 1598.0)]


def test_thousands_dot_after_the_sample_conflicts_with_thousands_commas(db, tmp_path):
    f = tmp_path / "late-conflict-mirror.csv"
    f.write_text(
        HEADER
        + "".join(f'{_ts(i)},Jalisco,yt,1,"1,{100 + i % 900}"\n' for i in range(499))
        + '2024-02-01T00:00:00Z,Jalisco,yt,1,"1.000"\n'
    )
    _rejected(db, f, "engagements")


def test_thousands_dot_alone_after_the_sample_is_thousands(db, tmp_path):
    # nothing in the sample had a separator; "1.000" at line 301 is a count: 1000, not 1.0
    f = tmp_path / "late-dot.csv"
    f.write_text(
        HEADER
        + "".join(f"{_ts(i)},Jalisco,yt,5,1\n" for i in range(300))
        + '2024-02-01T00:00:00Z,Jalisco,yt,"1.000",1\n'
    )
    res = one(db, f)
    assert res["status"] == "loaded" and res["decimal"]["views"] == ","
    assert query(db, "SELECT max(views), sum(views) FROM consumption") == [(1000.0, 2500.0)]


def test_a_decimal_comma_never_makes_grouped_counts_fractional(db, tmp_path):
    f = tmp_path / "late-decimal.csv"
    f.write_text(
        HEADER
        + "".join(f'{_ts(i)},Jalisco,yt,"1,{100 + i % 900}",1\n' for i in range(499))
        + '2024-02-01T00:00:00Z,Jalisco,yt,"1,5",1\n'
    )
    _rejected(db, f, "views")
    # inside the sample too
    f.write_text(
        HEADER
        + '2024-02-01T00:00:00Z,Jalisco,yt,"1,100",1\n'
        + '2024-02-01T01:00:00Z,Jalisco,yt,"1,5",1\n'
    )
    _rejected(db, f, "views")
    assert query(db, "SELECT count(*) FROM consumption WHERE views <> floor(views)") == [(0,)]


# --- 2. a city resolves to its state, but its local time is the city's own zone ---------------


def test_border_cities_keep_their_own_time_zone(db, tmp_path):
    f = tmp_path / "border.csv"
    rows = [
        ("2024-07-01 12:00", "Reynosa", "2024-07-01 17:00:00+00"),  # America/Matamoros, US DST
        ("2024-01-15 12:00", "Reynosa", "2024-01-15 18:00:00+00"),  # winter: CST
        ("2024-07-01 12:00", "Nuevo Laredo", "2024-07-01 17:00:00+00"),
        ("2024-07-01 12:00", "Matamoros", "2024-07-01 17:00:00+00"),
        ("2024-01-15 12:00", "Ciudad Juárez", "2024-01-15 19:00:00+00"),  # MST all year
        ("2024-07-01 12:00", "Ciudad Juárez", "2024-07-01 18:00:00+00"),  # MDT, US DST
        ("2024-07-01 12:00", "Tijuana", "2024-07-01 19:00:00+00"),  # PDT
        ("2024-07-01 12:00", "Tamaulipas", "2024-07-01 18:00:00+00"),  # the state: no DST
        ("2024-01-15 12:00", "Chihuahua", "2024-01-15 18:00:00+00"),  # the state: CST
    ]
    f.write_text(
        HEADER + "".join(f"{ts},{name},yt{i},{i + 1},1\n" for i, (ts, name, _) in enumerate(rows)),
        encoding="utf-8",
    )
    res = one(db, f)
    assert res["status"] == "loaded" and res["rows_rejected"] == 0, res
    got = query(db, "SELECT views, region, ts_utc::VARCHAR FROM consumption ORDER BY views")
    states = {"Reynosa": "Tamaulipas", "Nuevo Laredo": "Tamaulipas", "Matamoros": "Tamaulipas"}
    states |= {"Ciudad Juárez": "Chihuahua", "Tijuana": "Baja California"}
    assert got == [
        (float(i + 1), states.get(name, name), utc) for i, (_, name, utc) in enumerate(rows)
    ]


# --- 3. a separate hour-of-day column is joined to the date, never dropped --------------------


@pytest.mark.parametrize(
    "head",
    ["fecha,hora,estado,canal,vistas,interacciones", "date,hour,region,channel,views,engagements"],
)
@pytest.mark.parametrize("hour", ["{h}", "{h}:00", "{h}:00:00"])
def test_hour_column_is_joined_to_the_date(db, tmp_path, head, hour):
    f = tmp_path / "hour.csv"
    f.write_text(
        head
        + "\n"
        + "".join(
            f"2024-03-15,{hour.format(h=h)},Jalisco,youtube,{v},1\n"
            for h, v in ((10, 100), (11, 200), (12, 300))
        )
    )
    res = one(db, f)
    assert res["status"] == "loaded" and res["grain"] == "hour" and res["rows_rejected"] == 0
    assert any("hour" in n for n in res["notes"])
    got = query(db, "SELECT ts_utc::VARCHAR, views, grain FROM consumption ORDER BY 1")
    assert got == [  # Jalisco local time is UTC-6
        ("2024-03-15 16:00:00+00", 100.0, "hour"),
        ("2024-03-15 17:00:00+00", 200.0, "hour"),
        ("2024-03-15 18:00:00+00", 300.0, "hour"),
    ]


def test_hora_local_next_to_a_slash_date(db, tmp_path):
    f = tmp_path / "hora-local.csv"
    f.write_text(
        "fecha;hora_local;estado;canal;vistas;interacciones\n"
        "15/03/2024;9;Jalisco;youtube;100;1\n"
        "15/03/2024;23:30;Jalisco;youtube;200;1\n"
    )
    res = one(db, f)
    assert res["status"] == "loaded" and res["grain"] == "hour"
    got = query(db, "SELECT ts_utc::VARCHAR, views FROM consumption ORDER BY 1")
    assert got == [("2024-03-15 15:00:00+00", 100.0), ("2024-03-16 05:00:00+00", 200.0)]


def test_an_hour_column_not_understood_rejects_the_file_naming_it(db, tmp_path):
    f = tmp_path / "hour-words.csv"
    f.write_text(
        "fecha,hora,estado,canal,vistas,interacciones\n"
        "2024-03-15,mañana,Jalisco,youtube,100,1\n"
        "2024-03-15,tarde,Jalisco,youtube,200,1\n"
    )
    r, res = ingest(db, f)
    assert r.returncode == 1 and res[0]["status"] == "rejected"
    assert "'hora'" in res[0]["reason"] and "\n" not in res[0]["reason"]
    assert query(db, "SELECT count(*) FROM consumption") == [(0,)]
