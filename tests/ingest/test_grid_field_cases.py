"""The grid field cases (tests/fixtures/field-cases-grid, README gives each right outcome),
through the real CLI into a real DuckDB file; and CENACE's clock changes and ZIP downloads."""

from __future__ import annotations

import zipfile

import pytest

from tests.conftest import ROOT, json_lines, query, run_cli, table_snapshot

FC = ROOT / "tests" / "fixtures" / "field-cases-grid"
CEN = ROOT / "tests" / "fixtures" / "cenace"


def ingest(db, *paths, extra=(), env=None):
    r = run_cli("ingest", *paths, "--db", db, "--json", *extra, env=env)
    assert "Traceback" not in r.stderr, r.stderr
    return r, json_lines(r.stdout)


def span(db, where="TRUE"):
    return query(
        db,
        f"""SELECT min(ts_utc)::VARCHAR, max(ts_utc)::VARCHAR, count(*) FROM energy
        WHERE {where}""",
    )[0]


def test_cenace_real_layouts_load_with_their_clock(db):
    files = [
        FC / "cenace-L1-2025-11-real-layout.csv",
        FC / "cenace-L3-2022-07-dst-real-layout.csv",
        FC / "cenace-L2-2024-11-hour25-real-layout.csv",
    ]
    r, res = ingest(db, *files)
    assert r.returncode == 0, r.stderr
    assert [x["kind"] for x in res] == ["cenace_generation"] * 3
    assert [x["status"] for x in res] == ["loaded"] * 3
    assert [x["rows_loaded"] for x in res] == [72, 48, 720]
    assert [x["settlement"] for x in res] == ["L1", "L3", "L2"]
    # which clock was applied is said in the result
    assert "UTC-6 all year" in res[0]["clock"] and "UTC-5" in res[1]["clock"]
    # November 2025: 72 hours x 11 technologies; hour 1 = the hour ending 01:00 at UTC-6
    assert span(db, "ts_utc >= '2025-01-01'") == (
        "2025-11-01 06:00:00+00",
        "2025-11-04 05:00:00+00",
        72,
    )
    assert query(
        db,
        """SELECT count(*), count(DISTINCT technology) FROM cenace_generation
        WHERE ts_utc >= '2025-01-01'""",
    ) == [(72 * 11, 11)]
    first = query(
        db,
        """SELECT renewable_pct, carbon_intensity_direct FROM energy
        WHERE ts_utc = '2025-11-01 06:00:00+00' AND zone = 'MX'""",
    )
    assert first == [(pytest.approx(20.414, abs=5e-4), pytest.approx(333.81, abs=5e-3))]
    # July 2022, daylight time (UTC-5): hour 1 of 01/07/2022 is 05:00 UTC
    assert span(db, "ts_utc < '2023-01-01'") == (
        "2022-07-01 05:00:00+00",
        "2022-07-03 04:00:00+00",
        48,
    )
    # November 2024: the row at Hora 25 on 03/11/2024 is rejected alone, with its line
    assert res[2]["rows_rejected"] == 1 and "line 81" in res[2]["reason"]
    assert query(db, "SELECT line, reason FROM rejects") == [
        (81, "Hora '25' on 03/11/2024, a 24-hour day on Mexico City's clock")
    ]
    assert span(db, "ts_utc BETWEEN '2024-01-01' AND '2024-12-31'") == (
        "2024-11-01 06:00:00+00",
        "2024-12-01 05:00:00+00",
        720,
    )


def test_cenace_zip_download_is_ingested_as_it_comes(db):
    z = FC / "cenace-download.zip"
    r, res = ingest(db, z)
    assert r.returncode == 0 and len(res) == 1
    member = zipfile.ZipFile(z).namelist()[0]
    assert res[0]["path"] == f"{z}:{member}" and res[0]["rows_loaded"] == 48
    assert span(db) == ("2025-11-01 06:00:00+00", "2025-11-03 05:00:00+00", 48)
    assert query(db, "SELECT path, status FROM ingest_log") == [(f"{z}:{member}", "loaded")]
    # the same download again changes nothing
    r, res = ingest(db, z)
    assert r.returncode == 0 and res[0]["status"] == "skipped"


def test_a_zip_in_a_folder_and_a_zip_of_something_else(db, tmp_path):
    folder = tmp_path / "descargas"
    folder.mkdir()
    (folder / "cenace.zip").write_bytes((FC / "cenace-download.zip").read_bytes())
    with zipfile.ZipFile(folder / "otro.zip", "w") as zf:
        zf.writestr("informe.pdf", b"%PDF-1.4")
    with zipfile.ZipFile(folder / "dos.zip", "w") as zf:  # two CSVs: each its own file
        zf.writestr("a/L0.csv", (CEN / "generacion_2025-11_L0_3dias.csv").read_bytes())
        zf.writestr("L2.csv", (CEN / "generacion_2025-11_L2_3dias.csv").read_bytes())
    (folder / "roto.zip").write_bytes(b"PK\x03\x04 not really")
    r, res = ingest(db, folder)
    assert r.returncode == 1  # two archives rejected
    got = {x["path"].replace(str(folder) + "/", ""): (x["status"], x["reason"]) for x in res}
    assert got["dos.zip:a/L0.csv"][0] == "loaded" and got["dos.zip:L2.csv"][0] == "loaded"
    assert got["otro.zip"] == (
        "rejected",
        "ZIP archive holds no CSV file (informe.pdf); only CSV members are read",
    )
    assert got["roto.zip"][0] == "rejected" and "not a readable ZIP" in got["roto.zip"][1]
    assert got[next(k for k in got if k.startswith("cenace.zip:"))][0] == "loaded"
    assert query(db, "SELECT max(settlement) FROM cenace_generation") == [(2,)]


def test_the_clock_changes_of_2022(db):
    """03/04/2022 had 23 hours and 30/10/2022 had 25 on Mexico City's clock."""
    r, res = ingest(
        db, CEN / "generacion_2022-04_L3_23h.csv", CEN / "generacion_2022-10_L3_25h.csv"
    )
    assert r.returncode == 0, r.stderr
    assert [x["rows_loaded"] for x in res] == [71, 73]
    assert "03/04/2022 has 23 hours" in res[0]["clock"]
    assert "30/10/2022 has 25 hours" in res[1]["clock"]
    # April: hour 1 of 02/04 at UTC-6, of 04/04 at UTC-5, one row an hour with no gap
    assert span(db, "ts_utc < '2022-06-01'") == (
        "2022-04-02 06:00:00+00",
        "2022-04-05 04:00:00+00",
        71,
    )
    # October: 29/10 starts at UTC-5, 31/10 ends at UTC-6; 73 distinct hours
    assert span(db, "ts_utc > '2022-06-01'") == (
        "2022-10-29 05:00:00+00",
        "2022-11-01 05:00:00+00",
        73,
    )
    assert query(db, "SELECT count(*) FROM rejects") == [(0,)]


def test_an_hour_the_day_lacks_is_one_row_and_a_second_copy_is_not_an_extra_hour(db, tmp_path):
    lines = (CEN / "generacion_2022-04_L3_23h.csv").read_bytes().split(b"\n")
    at = next(i for i, x in enumerate(lines) if x.startswith(b'"SEN","03/04/2022","23"'))
    extra = lines[at].replace(b'"23"', b'"24"', 1)
    f = tmp_path / "abril_24.csv"
    f.write_bytes(b"\n".join([*lines[: at + 1], extra, *lines[at + 1 :]]))
    _, res = ingest(db, f)
    # 1 of 72 rows is above the 1 % rule: the file is refused, naming the row
    assert res[0]["status"] == "rejected"
    assert res[0]["reason"] == (
        f"line {at + 2}: 1 of 72 rows invalid (first: Hora '24' on 03/04/2022, a 23-hour day "
        "on Mexico City's clock)"
    )
    assert table_snapshot(db)["energy"] == []


def test_title_wording_is_not_relied_on_but_the_centre_and_header_are(db, tmp_path):
    lines = (CEN / "generacion_2025-11_L0_3dias.csv").read_bytes().split(b"\n")
    old_title = tmp_path / "titulo_antiguo.csv"
    old_title.write_bytes(
        b"\n".join([lines[0], b'"Energia Generada por Tipo de Tecnologia (MWh)\r"', *lines[2:]])
    )
    _, res = ingest(db, old_title)
    assert res[0]["status"] == "loaded" and res[0]["rows_loaded"] == 72
    upper = tmp_path / "mayusculas.csv"
    upper.write_bytes(b"\n".join([lines[0].upper(), *lines[1:3], lines[3].upper(), *lines[4:]]))
    _, res = ingest(db, upper)
    assert res[0]["status"] == "loaded" and res[0]["rows_loaded"] == 72  # case is not relied on
    no_centre = tmp_path / "sin_centro.csv"
    no_centre.write_bytes(b"\n".join(lines[1:]))
    _, res = ingest(db, no_centre, extra=("--kind", "cenace_generation"))
    assert res[0]["status"] == "rejected" and res[0]["reason"].startswith("line 1: not CENACE's")


@pytest.mark.parametrize("n", [3, 4, 5])
def test_settlements_l3_to_l5_replace_earlier_never_the_reverse(db, tmp_path, n):
    src = (CEN / "generacion_2025-11_L2_3dias.csv").read_bytes()
    names = {3: b"Re-Liquidacion Final (L3)", 4: b"Re-Liquidacion por Controversia 4 (L4)"}
    names[5] = b"Re-Liquidacion por Controversia 5 (L5)"
    later = tmp_path / f"L{n}.csv"
    later.write_bytes(
        src.replace(b"Re-Liquidacion Intermedia (L2)", names[n]).replace(
            b"20/feb/2026", b"01/jun/2026"
        )
    )
    _, res = ingest(db, later, CEN / "generacion_2025-11_L2_3dias.csv")
    assert [x["settlement"] for x in res] == [f"L{n}", "L2"]
    assert res[1]["rows_loaded"] == 0 and f"older than the stored L{n}" in res[1]["reason"]
    assert query(db, "SELECT DISTINCT settlement FROM cenace_generation") == [(n,)]


GRID = ROOT / "tests" / "fixtures" / "grid"


def test_ons_balanco_loads_the_four_subsystems_and_skips_sin(db):
    r, res = ingest(db, FC / "ons-balanco-energia-subsistema.csv")
    assert r.returncode == 0, r.stderr
    x = res[0]
    assert (x["kind"], x["status"], x["rows_loaded"], x["rows_rejected"]) == (
        "ons_load",
        "loaded",
        96,
        0,
    )
    assert x["rows_skipped"] == 24 and x["sin_rows_skipped"] == 24
    assert "24 'SIN' row(s) skipped" in x["notes"][0]
    assert query(db, "SELECT zone, count(load_mw) FROM energy GROUP BY 1 ORDER BY 1") == [
        ("BR-CS", 24),
        ("BR-N", 24),
        ("BR-NE", 24),
        ("BR-S", 24),
    ]
    # Sudeste/Centro-Oeste at 2024-01-15 00:00 Brasília time = 03:00 UTC
    assert query(
        db, "SELECT load_mw FROM energy WHERE zone = 'BR-CS' AND ts_utc = '2024-01-15 03:00:00+00'"
    ) == [(41500.0,)]


def test_ons_null_load_is_missing_and_0e8_is_zero(db, tmp_path):
    lines = (FC / "ons-balanco-energia-subsistema.csv").read_text().splitlines()
    # one subsystem hour with no load (NULL) among 120 rows is above the 1 % rule; two files
    # of the same layout: a NULL load is "missing", a 0E-8 load is a zero
    head, rows = lines[0], lines[1:]
    null = [rows[0].replace(";6300.00000000;", ";NULL;")] + rows[1:]
    zero = [rows[0].replace(";6300.00000000;", ";0E-8;")] + rows[1:]
    (tmp_path / "null.csv").write_text("\n".join([head, *null]) + "\n")
    (tmp_path / "zero.csv").write_text("\n".join([head, *zero]) + "\n")
    _, res = ingest(db, tmp_path / "null.csv", tmp_path / "zero.csv")
    assert res[0]["status"] == "rejected"
    assert res[0]["reason"] == "line 2: 1 of 96 rows invalid (first: load value missing)"
    assert res[1]["status"] == "loaded" and res[1]["rows_loaded"] == 96
    assert query(
        db, "SELECT load_mw FROM energy WHERE zone = 'BR-N' AND ts_utc = '2024-01-15 03:00:00+00'"
    ) == [(0.0,)]


def test_electricitymaps_resaved_by_spanish_excel_keeps_the_estimated_flag(db):
    r, res = ingest(db, GRID / "electricitymaps-excel-es.csv")
    assert r.returncode == 0 and res[0]["status"] == "loaded" and res[0]["rows_loaded"] == 24
    assert res[0]["date_order"] == "dmy" and "day-first" in res[0]["notes"][0]
    assert query(
        db, "SELECT ts_utc::VARCHAR, carbon_intensity_direct FROM energy WHERE estimated"
    ) == [("2024-01-29 17:00:00+00", 30.32)]
    assert query(db, "SELECT count(*) FROM energy WHERE NOT estimated") == [(23,)]
    assert span(db) == ("2024-01-29 05:00:00+00", "2024-01-30 04:00:00+00", 24)


def test_electricitymaps_flag_in_no_known_language_is_a_rejected_row(db, tmp_path):
    text = (GRID / "electricitymaps-excel-es.csv").read_text(encoding="utf-8-sig")
    f = tmp_path / "tal_vez.csv"
    f.write_text(text.replace("VERDADERO", "QUIZAS"), encoding="utf-8")
    _, res = ingest(db, f)
    assert res[0]["status"] == "rejected"
    assert "Data Estimated not understood: 'QUIZAS'" in res[0]["reason"]


def test_trends_geomap_compare_and_city_level(db):
    r, res = ingest(
        db, FC / "trends-geomap-es-compare-percent.csv", FC / "trends-geomap-pt-cidade.csv"
    )
    assert r.returncode == 0, r.stderr
    assert [x["rows_loaded"] for x in res] == [8, 5]
    assert "terms compared" in res[0]["reason"] and res[1]["geo_level"] == "city"
    got = dict(
        ((g, t), v) for g, t, v in query(db, "SELECT geo, term, interest FROM search_interest")
    )
    assert got[("Yucatán", "dengue")] == 88 and got[("Nuevo León", "chikungunya")] == 3
    assert len([k for k in got if k[1] in ("dengue", "chikungunya")]) == 13
    cities = query(
        db,
        """SELECT geo, geo_raw, geo_known FROM search_interest WHERE geo_raw IN
        ('Campinas', 'Guarulhos', 'São Paulo', 'Rio de Janeiro', 'Belo Horizonte') ORDER BY 1""",
    )
    assert len({c[0] for c in cities}) == 5 and not any(c[2] for c in cities)
    assert ("São Paulo (São Paulo)", "São Paulo", False) in cities
    assert ("Campinas (São Paulo)", "Campinas", False) in cities
    assert query(db, "SELECT count(*) FROM search_interest WHERE geo = 'São Paulo'") == [(0,)]


def test_trends_english_geomap_period_is_month_first(db, tmp_path):
    f = tmp_path / "geoMap.csv"
    f.write_text(
        "Category: All categories\n\nRegion,dengue: (3/4/24 - 3/4/25)\nYucatán,100\nVeracruz,73\n",
        encoding="utf-8",
    )
    _, res = ingest(db, f)
    assert res[0]["status"] == "loaded" and res[0]["date_order"] == "mdy"
    assert "read month-first (English UI)" in res[0]["notes"][0]
    assert query(db, "SELECT DISTINCT ts::VARCHAR, ts_end::VARCHAR FROM search_interest") == [
        ("2024-03-04", "2025-03-04")
    ]


def test_nvidia_smi_across_the_tijuana_fall_back(db, tmp_path):
    r, res = ingest(
        db, FC / "nvidia-smi-tijuana-fallback.csv", env={"INSIGHTS_STUDIO_TZ": "America/Tijuana"}
    )
    assert r.returncode == 0, r.stderr
    assert res[0]["status"] == "loaded" and res[0]["rows_rejected"] == 0
    assert "fall-back repeats" in res[0]["notes"][0]
    hours = query(
        db,
        """SELECT ts_utc::VARCHAR, round(sum(kwh), 4) FROM studio_energy GROUP BY 1
        ORDER BY 1""",
    )
    assert [h for h, _ in hours] == [
        "2026-11-01 07:00:00+00",
        "2026-11-01 08:00:00+00",
        "2026-11-01 09:00:00+00",
    ]
    assert hours[2][1] == pytest.approx(0.1006, abs=1e-4)
    assert sum(k for _, k in hours) == pytest.approx(0.4022, abs=2e-4)
    # in a zone without that fall-back (Mexico City, none since 2022) the jump back is
    # still a clock that went back: refused, naming the line
    copy = tmp_path / "mexico.csv"
    copy.write_bytes((FC / "nvidia-smi-tijuana-fallback.csv").read_bytes() + b"\n")
    _, res = ingest(db, copy, env={"INSIGHTS_STUDIO_TZ": "America/Mexico_City"})
    assert res[0]["status"] == "rejected" and "clock went back" in res[0]["reason"]


def test_codecarbon_tasks_alone_and_beside_the_run(db, tmp_path):
    tasks = FC / "emissions_base_a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d.csv"
    _, res = ingest(db, tasks)
    assert res[0]["status"] == "loaded" and "3 task(s)" in res[0]["notes"][0]
    by_hour = query(
        db, "SELECT ts_utc::VARCHAR, round(sum(kwh), 6) FROM studio_energy GROUP BY 1 ORDER BY 1"
    )
    assert by_hour == [("2026-03-12 16:00:00+00", 0.3), ("2026-03-12 17:00:00+00", 0.15)]
    # the run's own emissions.csv (0.48 kWh) after its tasks: the run replaces the breakdown
    _, res = ingest(db, GRID / "codecarbon-run" / "emissions.csv")
    assert res[0]["status"] == "loaded"
    assert query(db, "SELECT round(sum(kwh), 6), count(DISTINCT job) FROM studio_energy") == [
        (0.48, 1)
    ]
    # the folder CodeCarbon leaves, in another warehouse: run first, then its tasks, which
    # never add to it nor replace it with less
    other = tmp_path / "w2.duckdb"
    _, res = ingest(other, GRID / "codecarbon-run")
    assert [x["status"] for x in res] == ["loaded", "loaded"]
    assert [x["rows_loaded"] for x in res] == [2, 0]
    assert query(other, "SELECT round(sum(kwh), 6) FROM studio_energy") == [(0.48,)]


def test_a_row_of_metric_descriptions_under_the_header_is_skipped_and_said(db, tmp_path):
    f = GRID / "consumption-description-row.csv"
    r, res = ingest(db, f)
    assert r.returncode == 0, r.stderr
    assert res[0]["status"] == "loaded" and res[0]["rows_loaded"] == 3
    assert res[0]["notes"] == ["skipped 1 column-description line(s) under the header"]
    assert query(db, "SELECT sum(views), sum(engagements) FROM consumption") == [(3190, 216)]
    # a data row with its timestamp missing is still a data row: rejected, not skipped
    lines = f.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "sin_fecha.csv"
    bad.write_text("\n".join([lines[0], ",Jalisco,facebook,1200,85", *lines[2:]]) + "\n")
    _, res = ingest(db, bad)
    assert res[0]["status"] == "rejected" and "timestamp" in res[0]["reason"]


def test_cenace_resaved_with_crlf_or_a_bom_reads_the_same(db, tmp_path):
    src = (FC / "cenace-L1-2025-11-real-layout.csv").read_bytes()
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes(src.replace(b"\n", b"\r\n"))
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + src)
    r, res = ingest(db, crlf, bom)
    assert r.returncode == 0, r.stderr
    assert [(x["kind"], x["rows_loaded"]) for x in res] == [("cenace_generation", 72)] * 2
    assert span(db) == ("2025-11-01 06:00:00+00", "2025-11-04 05:00:00+00", 72)
