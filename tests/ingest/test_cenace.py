"""CENACE's generation-by-technology report, from layout-exact fixtures (synthetic values)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.conftest import ROOT, json_lines, query, run_cli, table_snapshot

FIX = ROOT / "tests" / "fixtures" / "cenace"
L1 = FIX / "generacion_2025-11_L1.csv"
L0 = FIX / "generacion_2025-11_L0_3dias.csv"
L2 = FIX / "generacion_2025-11_L2_3dias.csv"
# gCO2eq/kWh written out again here (direct, life cycle), so a changed factor fails a test
FACTORS = {
    "Eolica": (0, 11),
    "Fotovoltaica": (0, 48),
    "Biomasa": (0, 230),
    "Carboelectrica": (760, 820),
    "Ciclo Combinado": (370, 490),
    "Combustion Interna": (702, 757.4),
    "Geotermoelectrica": (0, 38),
    "Hidroelectrica": (0, 24),
    "Nucleoelectrica": (0, 12),
    "Termica Convencional": (844, 910.6),
    "Turbo Gas": (673, 891.3),
}
RENEWABLE = {"Eolica", "Fotovoltaica", "Biomasa", "Geotermoelectrica", "Hidroelectrica"}


def ingest(db, *paths, extra=()):
    r = run_cli("ingest", *paths, "--db", db, "--json", *extra)
    return r, json_lines(r.stdout)


def rows_of(path: Path) -> list[dict]:
    """The data rows as a spreadsheet would read them: names and values stripped."""
    lines = path.read_bytes().decode().split("\n")
    reader = csv.reader(io.StringIO("\n".join(lines[7:])))
    header = [h.strip() for h in next(reader)]
    return [dict(zip(header, (c.strip() for c in r), strict=True)) for r in reader if r]


def test_layout_is_the_published_one():
    """Line by line as CENACE.md (intermittentnrg/intermittent-docs) shows a real download."""
    raw = L1.read_bytes()
    lines = raw.split(b"\n")
    assert all(line.endswith(b'\r"') for line in lines[:6])  # CR inside the quotes, then LF
    assert lines[0] == b'"Centro Nacional de Control de Energia\r"'
    assert lines[1] == (
        b'"Estadistica de la Energia Generada Liquidada Agregada (MWh) Intermitente y Firme '
        b'por Tipo de Tecnologia\r"'
    )
    assert lines[3] == b'"Dias de Operacion del Mes de: noviembre 2025\r"'
    assert lines[4] == b'"Proceso de Liquidacion: Re-Liquidacion Inicial (L1) \r"'
    assert (
        lines[6] == b'"Nota: Los acentos de este reporte se omiten intencionalmente por sistema."'
    )
    assert lines[7].startswith(b'"Sistema"," Dia"," Hora"," Eolica"," Fotovoltaica","  Biomasa"')
    assert lines[8].startswith(b'"SEN","01/11/2025","1","')
    assert len(rows_of(L1)) == 30 * 24


def test_month_loads_with_derived_national_energy(db):
    r, res = ingest(db, L1)
    assert r.returncode == 0, r.stderr
    assert res[0]["kind"] == "cenace_generation" and res[0]["status"] == "loaded"
    assert res[0]["rows_loaded"] == 720
    assert query(db, "SELECT count(*), count(DISTINCT technology) FROM cenace_generation") == [
        (720 * 11, 11)
    ]
    # hour 1 of 01/11/2025 is 00:00-01:00 at UTC-6: the energy row starts 06:00 UTC
    first = rows_of(L1)[0]
    mwh = {t: float(first[t]) for t in FACTORS}
    total = sum(mwh.values())
    direct = sum(mwh[t] * FACTORS[t][0] for t in FACTORS) / total
    lca = sum(mwh[t] * FACTORS[t][1] for t in FACTORS) / total
    ren = 100 * sum(mwh[t] for t in RENEWABLE) / total
    low = ren + 100 * mwh["Nucleoelectrica"] / total
    got = query(
        db,
        """SELECT carbon_intensity_direct, carbon_intensity_lca, renewable_pct, low_carbon_pct,
            estimated FROM energy WHERE zone = 'MX' ORDER BY ts_utc LIMIT 1""",
    )[0]
    assert got[:4] == pytest.approx((direct, lca, ren, low), rel=1e-9)
    assert got[4] is False
    span = query(db, "SELECT min(ts_utc)::VARCHAR, max(ts_utc)::VARCHAR, count(*) FROM energy")
    assert span == [("2025-11-01 06:00:00+00", "2025-12-01 05:00:00+00", 720)]
    # the synthetic values are calibrated to a plausible national mix
    mean = query(db, "SELECT avg(renewable_pct), avg(carbon_intensity_direct) FROM energy")[0]
    assert 15 < mean[0] < 35 and 300 < mean[1] < 450


def _mean_solar_and_wind(db):
    return query(
        db,
        """SELECT sum(mwh) FILTER (technology = 'fotovoltaica'),
            sum(mwh) FILTER (technology = 'eolica'), max(settlement), min(settlement)
        FROM cenace_generation WHERE ts_utc < TIMESTAMPTZ '2025-11-04 06:00:00+00'""",
    )[0]


def test_later_settlement_replaces_earlier_never_the_reverse(db, tmp_path):
    r, res = ingest(db, L0, L1)
    assert r.returncode == 0 and [x["rows_loaded"] for x in res] == [72, 720]
    three_days = {row["Dia"] for row in rows_of(L0)}
    assert three_days == {"01/11/2025", "02/11/2025", "03/11/2025"}
    l1_solar = sum(float(x["Fotovoltaica"]) for x in rows_of(L0))  # L0 and L1 share solar
    l1_wind = sum(float(x["Eolica"]) for x in rows_of(L1) if x["Dia"] in three_days)
    solar, wind, hi, lo = _mean_solar_and_wind(db)
    assert (hi, lo) == (1, 1) and wind == pytest.approx(l1_wind)
    r, res = ingest(db, L2)
    assert res[0]["rows_loaded"] == 72
    solar2, _, hi, lo = _mean_solar_and_wind(db)
    assert (hi, lo) == (2, 2) and solar2 == pytest.approx(1.5 * l1_solar, rel=1e-6)
    energy_after_l2 = table_snapshot(db)["energy"]
    # an earlier settlement arriving late (downloaded again) changes nothing, and says why
    again = tmp_path / "generacion_L0_otra_descarga.csv"
    again.write_bytes(L0.read_bytes().replace(b"14/nov/2025 08:00:00", b"21/feb/2026 10:00:00"))
    r, res = ingest(db, again)
    assert r.returncode == 0 and res[0]["status"] == "loaded" and res[0]["rows_loaded"] == 0
    assert "L0 is older than the stored L2" in res[0]["reason"]
    assert _mean_solar_and_wind(db)[2:] == (2, 2)
    assert table_snapshot(db)["energy"] == energy_after_l2


def test_kind_override_and_detection_agree(db):
    r, res = ingest(db, L0, extra=("--kind", "cenace_generation"))
    assert r.returncode == 0 and res[0]["kind"] == "cenace_generation"
    assert res[0]["rows_loaded"] == 72


@pytest.mark.parametrize(
    ("name", "expect"),
    [
        ("cortado.csv", "line 70: file cut short"),
        ("sin_mes.csv", "line 4: no month line"),
        # hour 24 replaced by 25: the 25 is a rejected row, and then hour 24 is missing
        (
            "hora_25.csv",
            "line 57: hours out of sequence: 03/11/2025 hour 1 after 02/11/2025 hour 23",
        ),
        (
            "columna_renombrada.csv",
            "line 8: header is not the report's: unknown column(s) 'Eolicas'",
        ),
        (
            "otro_reporte.csv",
            "line 2: CENACE demand report 'Estimacion de Demanda Real por Balance",
        ),
    ],
)
def test_bad_files_get_one_line_naming_the_line(db, name, expect):
    ingest(db, L0)
    before = table_snapshot(db)
    r, res = ingest(db, FIX / "bad" / name)
    assert res[0]["status"] == "rejected"
    assert res[0]["reason"].startswith(expect), res[0]["reason"]
    assert "\n" not in res[0]["reason"] and "Traceback" not in r.stderr
    assert table_snapshot(db) == before
    assert query(db, "SELECT count(*) FROM cenace_generation") == [(72 * 11,)]


def test_cut_at_a_line_end_and_other_misreadings(db, tmp_path):
    lines = L0.read_bytes().decode().split("\n")
    cases = {
        # cut after a complete line: the last day stops at hour 5
        "whole_lines.csv": ("\n".join(lines[: 8 + 48 + 5]) + "\n", "line 61: file cut short"),
        "dia_fuera.csv": (
            "\n".join(x.replace('"01/11/2025"', '"01/12/2025"') for x in lines),
            "line 9: Dia 01/12/2025 is outside the month",
        ),
        "valor.csv": (
            "\n".join(
                lines[:9]
                + [lines[9].replace('"SEN","01/11/2025","2","', '"SEN","01/11/2025","2","n/d')]
                + lines[10:]
            ),
            "line 10: Eolica value",
        ),
        "sin_liquidacion.csv": (
            "\n".join(lines[:4] + ['"Liquidacion\r"'] + lines[5:]),
            "line 5: no settlement line",
        ),
    }
    for name, (text, expect) in cases.items():
        f = tmp_path / name
        f.write_text(text, encoding="utf-8")
        _, res = ingest(db, f, extra=("--kind", "cenace_generation"))
        assert res[0]["status"] == "rejected" and res[0]["reason"].startswith(expect), (
            name,
            res[0]["reason"],
        )
    # a file of another kind is not read as CENACE's with --kind either
    other = tmp_path / "em.csv"
    other.write_text("Datetime (UTC),Zone id,Carbon intensity gCO₂eq/kWh (direct)\n")
    _, res = ingest(db, other, extra=("--kind", "cenace_generation"))
    assert res[0]["status"] == "rejected" and "line 1: not CENACE's" in res[0]["reason"]
