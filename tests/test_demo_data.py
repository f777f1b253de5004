"""The demo data is seeded and has the structure its docstring promises."""

from __future__ import annotations

import polars as pl
import pytest

from insights.demo_data import cenace_mix_frame, write_demo_data
from tests.conftest import json_lines, query, run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    write_demo_data(out, seed=3, end="2025-01-15T23:00", days=60)
    return out


def test_seeded_and_ends_at_end(demo, tmp_path):
    again = tmp_path / "again"
    write_demo_data(again, seed=3, end="2025-01-15T23:00", days=60)
    a = pl.read_parquet(demo / "consumption.parquet")
    assert a.equals(pl.read_parquet(again / "consumption.parquet"))
    assert a["timestamp"].max().isoformat() == "2025-01-15T23:00:00+00:00"
    assert a.select(pl.struct("region", "channel", "topic").n_unique()).item() == 32 * 3 * 3


def test_ingests_and_has_evening_weekend_and_holiday_peaks(demo, tmp_path):
    db = tmp_path / "w.duckdb"
    r = run_cli("ingest", demo, "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    assert {x["status"] for x in json_lines(r.stdout)} == {"loaded"}
    peak = query(
        db,
        """SELECT hour(timezone('America/Mexico_City', ts_utc)) h
        FROM consumption WHERE region='Jalisco' AND channel='instagram'
        GROUP BY h ORDER BY sum(engagements) DESC LIMIT 1""",
    )[0][0]
    assert 20 <= peak <= 22
    trough = query(
        db,
        """SELECT hour(timezone('America/Tijuana', ts_utc)) h
        FROM consumption WHERE region='Baja California'
        GROUP BY h ORDER BY sum(engagements) LIMIT 1""",
    )[0][0]
    assert 2 <= trough <= 7
    wk = dict(
        query(
            db,
            """SELECT dayofweek(timezone('America/Mexico_City', ts_utc)) IN (0, 6),
        avg(engagements) FROM consumption GROUP BY 1""",
        )
    )
    assert wk[True] > 1.1 * wk[False]
    # 1 January (Año Nuevo, holidays.MX) beats the Wednesdays around it
    day = dict(
        query(
            db,
            """SELECT strftime(timezone('America/Mexico_City', ts_utc), '%m-%d') d,
        sum(engagements) FROM consumption WHERE topic='música' GROUP BY 1""",
        )
    )
    assert day["01-01"] > 1.15 * day["01-08"]


def test_grid_is_cenace_monthly_files_with_plausible_national_shares(demo, tmp_path):
    import zipfile

    import numpy as np

    files = sorted(p.name for p in demo.glob("cenace_*"))
    # 60 days to 2025-01-15: November (part), December, January (part); no per-zone files.
    # Each month is the SIM page's download: a ZIP holding one CSV.
    assert files == [
        "cenace_generacion_tecnologia_2024-11.zip",
        "cenace_generacion_tecnologia_2024-12.zip",
        "cenace_generacion_tecnologia_2025-01.zip",
    ]
    assert not list(demo.glob("energy_*.csv"))
    with zipfile.ZipFile(demo / files[1]) as zf:
        (member,) = zf.namelist()
        head = zf.read(member).split(b"\n")
    assert member == "Generacion Liquidada_L1 SEN diciembre 2024 v2025 01 15_23 00 00.csv"
    assert head[0] == b'"Centro Nacional de Control de Energia\r"'
    assert head[3] == b'"Dias de Operacion del Mes de: diciembre 2024\r"'
    assert head[4] == b'"Proceso de Liquidacion: Re-Liquidacion Inicial (L1) \r"'
    assert head[5].startswith(b'"Archivo descargado desde el Sistema de Informacion del Mercado')
    assert b"creado el 15/ene/2025 23:00:00 hrs." in head[5]
    assert head[6] == b'"Nota: Los acentos de este reporte se omiten intencionalmente por sistema."'
    assert head[8].startswith(b'"SEN","01/12/2024","1","')
    assert len(head) == 8 + 31 * 24 + 1  # whole month, trailing LF

    hours = np.arange(
        np.datetime64("2024-01-01T06"), np.datetime64("2025-01-01T06"), dtype="datetime64[h]"
    ).astype("datetime64[us]")
    mix = cenace_mix_frame(hours, seed=1)
    assert mix.height == 366 * 24
    tech = mix.columns[2:]
    total = mix.select(pl.sum_horizontal(tech)).to_series()
    clean = mix.select(
        pl.sum_horizontal(
            "Eolica",
            "Fotovoltaica",
            "Biomasa",
            "Geotermoelectrica",
            "Hidroelectrica",
            "Nucleoelectrica",
        )
    ).to_series()
    assert 0.22 < clean.sum() / total.sum() < 0.30  # about a quarter clean
    solar = mix.group_by("Hora").agg(pl.col("Fotovoltaica").mean()).sort("Fotovoltaica")
    assert 12 <= solar["Hora"][-1] <= 14  # hour ending 12-14 local: midday
    assert solar["Fotovoltaica"][0] == 0  # none at night
    month = pl.col("Dia").dt.month()
    norte = mix.filter(month.is_in([11, 12, 1, 2]))["Eolica"].mean()
    summer = mix.filter(month.is_in([6, 7, 8, 9]))["Eolica"].mean()
    assert norte > 1.3 * summer  # the Isthmus winds
    # before 2022-10-30 the demo follows Mexico City's clock as it was: 23 and 25-hour days
    dst = np.arange(
        np.datetime64("2022-04-01T06"), np.datetime64("2022-11-02T06"), dtype="datetime64[h]"
    ).astype("datetime64[us]")
    days = cenace_mix_frame(dst, seed=1).group_by("Dia").agg(pl.len(), pl.col("Hora").max())
    odd = {str(d): (n, h) for d, n, h in days.filter(pl.col("len") != 24).iter_rows()}
    assert odd == {"2022-04-03": (23, 23), "2022-10-30": (25, 25)}


def test_demo_recommendations_use_the_national_signal(demo, tmp_path):
    db = tmp_path / "w.duckdb"
    assert run_cli("ingest", demo, "--db", db).returncode == 0
    zones = query(db, "SELECT zone, count(*), avg(renewable_pct) FROM energy GROUP BY 1")
    assert [z[0] for z in zones] == ["MX"] and 15 < zones[0][2] < 40
    assert run_cli("train", "--db", db, "--cutoffs", "1").returncode == 0
    r = run_cli(
        "recommend",
        "--db",
        db,
        "--region",
        "Ciudad de México",
        "--format",
        "json",
        "--from",
        "2025-01-16T00:00",
        "--energy-weight",
        "0.5",
    )
    assert r.returncode == 0, r.stderr
    import json

    out = json.loads(r.stdout)
    assert out["regions_on_national_signal"] == ["Ciudad de México"]
    recs = out["recommendations"]
    assert recs and {x["grid_zone"] for x in recs} == {"MX"}
    assert all(x["renewable_pct"] is not None and x["renewable_pct"] > 0 for x in recs)
