"""CENACE's "Energía Generada por Tipo de Tecnología" (SIM report, one CSV per month) -> the
hourly generation mix (table ``cenace_generation``) and derived national ``energy`` rows.

Sources of the layout: ``intermittentnrg/intermittent-docs`` (``CENACE.md``, the file line by
line), and two public parsers of the same report, ``electricitymaps/electricitymaps-contrib``
(``electricitymap/contrib/parsers/CENACE.py``) and ``intermittentnrg/intermittent-importers``
(``lib/cenace.rb``). The page's download is a ZIP holding one CSV named like
``Generacion Liquidada_L0 SEN noviembre 2025 v2025 12 14_05 00 01.csv`` (``lib/cenace.rb``);
the ZIP is opened by :mod:`insights.ingest.archive`. The CSV, as published (accents are
omitted by CENACE itself)::

    "Centro Nacional de Control de Energia\\r"       <- title lines: a CR inside the quotes,
    "Estadistica de la Energia Generada Liquidada Agregada (MWh) Intermitente y Firme por
     Tipo de Tecnologia\\r"                              then LF
    "Sistema Electrico Nacional\\r"
    "Dias de Operacion del Mes de: noviembre 2025\\r"  <- month, lower case
    "Proceso de Liquidacion: Re-Liquidacion Inicial (L1) \\r"   <- settlement L0 .. L5
    "Archivo descargado desde el Sistema de Informacion del Mercado (Area Publica) creado el
     25/ene/2026 05:05:01 hrs.\\r"
    "Nota: Los acentos de este reporte se omiten intencionalmente por sistema."   <- no CR
    "Sistema"," Dia"," Hora"," Eolica"," Fotovoltaica","  Biomasa", ... ," Turbo Gas"
    "SEN","01/11/2025","1","3044.9291","0.0424", ...

The report is recognised by what is stable in it: the centre's name on the first line, the
technology header, and the month and settlement lines; its title wording is not relied on
(an earlier version of this reader checked a title phrase the real report does not carry, and
refused every real download). The month name is matched without regard to case.

Settlements (``intermittent-docs``): L0 Original, L1 Re-Liquidacion Inicial, L2
Re-Liquidacion Intermedia, L3 Re-Liquidacion Final, L4 and L5 Re-Liquidacion por
Controversia.

Time: ``Dia`` is day-first; ``Hora`` counts the hours of the operating day on Mexico City's
clock *as it was*: until 2022-10-30 central Mexico observed daylight saving time (first
Sunday of April to last Sunday of October) and CENACE's hours followed it (both public
parsers localise with ``America/Mexico_City``); since the Ley de los Husos Horarios (DOF
2022-10-28) it is UTC-6 all year. Hour ``k`` of a day is the k-th hour after local midnight,
so a spring-forward day has 23 hours and a fall-back day 25 (demandcast's CENACE retrieval,
``open-energy-transition/demandcast``, notes the extra hour of 2022-10-30). Hour 1 of
01/11/2025 is 00:00-01:00 at UTC-6: ``ts_utc`` 2025-11-01 06:00 (an hour's start, like every
``energy`` row); hour 1 of 01/07/2022 is 2022-07-01 05:00 UTC. A row whose hour the day does
not have (``Hora`` 25 on the 24-hour 03/11/2024, seen in a real file and dropped by the
electricitymaps parser) is rejected alone with its line; the rule applied is stated in the
result (``clock`` detail).

Settlement: a later settlement (L1 > L0 ...) of an hour replaces an earlier one;
an earlier one never replaces a later one (the file still loads, with a note and
the hours it does not replace left alone).

Emission factors (gCO2eq per kWh generated), per CENACE technology column:

* life cycle: IPCC AR5 WGIII (2014) Annex III, Table A.III.2, medians: coal PC 820,
  gas combined cycle 490, biomass dedicated 230, geothermal 38, hydropower 24,
  nuclear 12, utility PV 48, onshore wind 11. AR5 has no oil-fired or open-cycle
  technology: for those the direct factor below is scaled by the AR5 life-cycle /
  direct ratio of the nearest AR5 technology (coal PC 820/760 for oil-fired steam and
  engines, gas CC 490/370 for gas turbines).
* direct (combustion at the plant): AR5 Table A.III.2 direct-emission medians for
  coal PC (760) and gas CC (370); for technologies AR5 lacks, the IPCC 2006
  Guidelines Vol. 2 Ch. 2 Table 2.2 default CO2 factor of the fuel divided by a
  typical net efficiency: residual fuel oil 77.4 t/TJ at 33 % (steam, "Termica
  Convencional": 844), natural gas 56.1 t/TJ at 30 % (open cycle, "Turbo Gas": 673),
  gas/diesel oil 74.1 t/TJ at 38 % (engines, "Combustion Interna": 702). Non-combustion
  technologies are 0; biomass is 0 direct (biogenic CO2, IPCC reporting convention).

Renewable: wind, PV, biomass, geothermal, hydro. Low-carbon: those plus nuclear.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from insights import sql
from insights.ingest.staged import FileRejected, Staged, stage_frame
from insights.ingest.textfile import detect_encoding
from insights.regions import name_key
from insights.warehouse.energy import upsert_energy

KIND = "cenace_generation"
REPORT = "Energia Generada por Tipo de Tecnologia"  # the page's name (SIM > Reportes)
CENTRE = "centro nacional de control de energia"  # first line of every SIM download
NATIONAL_ZONE = "MX"  # the zone the national mix is written to (Mexico's Electricity Maps id)
CLOCK = ZoneInfo("America/Mexico_City")  # the operating day's clock, DST until 2022-10-30
DST_ABOLISHED = date(2022, 10, 30)  # last day central Mexico changed its clocks
SYSTEMS = {"SEN": "MX", "SIN": "MX"}  # national system codes in the report
TITLE_LINES = 7
# column as published -> (technology key, direct gCO2eq/kWh, life-cycle gCO2eq/kWh, renewable,
# low-carbon). Sources in the module docstring.
TECHNOLOGIES = {
    "Eolica": ("eolica", 0.0, 11.0, True, True),
    "Fotovoltaica": ("fotovoltaica", 0.0, 48.0, True, True),
    "Biomasa": ("biomasa", 0.0, 230.0, True, True),
    "Carboelectrica": ("carboelectrica", 760.0, 820.0, False, False),
    "Ciclo Combinado": ("ciclo_combinado", 370.0, 490.0, False, False),
    "Combustion Interna": ("combustion_interna", 702.0, round(702 * 820 / 760, 1), False, False),
    "Geotermoelectrica": ("geotermoelectrica", 0.0, 38.0, True, True),
    "Hidroelectrica": ("hidroelectrica", 0.0, 24.0, True, True),
    "Nucleoelectrica": ("nucleoelectrica", 0.0, 12.0, False, True),
    "Termica Convencional": (
        "termica_convencional",
        844.0,
        round(844 * 820 / 760, 1),
        False,
        False,
    ),
    "Turbo Gas": ("turbo_gas", 673.0, round(673 * 490 / 370, 1), False, False),
}
HEADER = ["Sistema", "Dia", "Hora", *TECHNOLOGIES]
MESES = (
    "Enero",
    "Febrero",
    "Marzo",
    "Abril",
    "Mayo",
    "Junio",
    "Julio",
    "Agosto",
    "Septiembre",
    "Octubre",
    "Noviembre",
    "Diciembre",
)
MONTHS = {name_key(m): i + 1 for i, m in enumerate(MESES)}
MONTH_RE = re.compile(r"mes de\s*:?\s*([a-z]+)\s+(\d{4})")
SETTLEMENT_RE = re.compile(r"\(\s*L\s*([0-5])\s*\)", re.IGNORECASE)
DAY_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")


# The demand report's columns, as the public readers of it name them (see the note in
# docs/grid-files.md): recognised so that it is named in the rejection, not misread.
DEMAND_COLUMN = "estimacion de demanda por balance mwh"


def _cells(line: str) -> list[str]:
    row = next(csv.reader(io.StringIO(line, newline="")), [])
    return [c.replace("\r", "").strip() for c in row]


def _title(lines: list[str]) -> list[str]:
    """The leading title lines (text before the header), quotes and CRs removed."""
    out = []
    for line in lines[: TITLE_LINES + 2]:
        cells = _cells(line)
        if cells and name_key(cells[0]) == "sistema":
            break
        out.append(" ".join(c for c in cells if c))
    return out


def _pieces(lines: list[str]) -> list[str]:
    """The first non-empty lines with quotes and CRs removed. ``lines`` may be split at the
    CRs inside the quotes (``str.splitlines``) or only at LF: the pieces are the same."""
    out = []
    for line in lines[:30]:
        for piece in line.split("\r"):
            piece = piece.strip().strip('"').strip()
            if piece:
                out.append(piece)
    return out


def cenace_report(lines: list[str]) -> str | None:
    """The report name of a CENACE download (the line under the centre's name), or ``None``
    when the first line is not the centre's name."""
    pieces = _pieces(lines)
    if len(pieces) < 2 or name_key(pieces[0]) != CENTRE:
        return None
    return pieces[1]


def _header_of(lines: list[str]) -> list[str] | None:
    """The column names of the first line whose first cell is ``Sistema`` (name keys)."""
    for line in lines[: TITLE_LINES + 8]:
        cells = _cells(line.replace("\r", ""))
        if cells and name_key(cells[0]) == "sistema":
            return [name_key(c) for c in cells]
    return None


def is_generation_report(lines: list[str]) -> bool:
    """True for CENACE's generation-by-technology report: the centre's name first, and the
    report's technology header. Another CENACE report is rejected with a message naming it
    (it must not be mistaken for this one, nor read as something else)."""
    report = cenace_report(lines)
    if report is None:
        return False
    header = _header_of(lines)
    # "Sistema, Dia, Hora" then technologies: a renamed technology is this report with a
    # header to reject (by the reader, naming the column), not another report
    if header and header[:3] == [name_key(h) for h in HEADER[:3]]:
        return True
    if header and DEMAND_COLUMN in header:
        raise FileRejected(
            f"CENACE demand report {report!r}: its layout is not established from public "
            "sources yet, so insights does not read it (see docs/grid-files.md)",
            line=2,
        )
    raise FileRejected(
        f"CENACE report {report!r} is not one insights reads (it reads {REPORT!r}, "
        "--kind cenace_generation)",
        line=2,
    )


def _lines(path: Path) -> list[str]:
    raw = path.read_bytes()
    text = raw.decode(detect_encoding(raw), errors="replace")
    # lines end in LF; the CR inside each quoted title line is part of the field
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def day_start_utc(day: date) -> datetime:
    """Local midnight of ``day`` on Mexico City's clock as it was, in UTC (naive)."""
    local = datetime(day.year, day.month, day.day, tzinfo=CLOCK)
    return local.astimezone(UTC).replace(tzinfo=None)


def _hours_in(day: date) -> int:
    """Hours in the operating day: 23 on a spring-forward day, 25 on a fall-back day (only
    until 2022-10-30), else 24."""
    delta = day_start_utc(day + timedelta(days=1)) - day_start_utc(day)
    return int(delta.total_seconds() // 3600)


def clock_rule(month: date) -> str:
    """What the result says about the hours of ``month``: the clock and its odd days."""
    nxt = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    odd = []
    d = month
    while d < nxt:
        if _hours_in(d) != 24:
            odd.append(f"{d:%d/%m/%Y} has {_hours_in(d)} hours")
        d += timedelta(days=1)
    offsets = {
        int(datetime(d.year, d.month, d.day, 12, tzinfo=CLOCK).utcoffset().total_seconds() // 3600)
        for d in (month, nxt - timedelta(days=1))
    }
    if month > DST_ABOLISHED:
        base = "Mexico City time, UTC-6 all year (no daylight saving time after 2022-10-30)"
    else:
        zones = " and ".join(f"UTC{o:+d}" for o in sorted(offsets))
        base = (
            f"Mexico City time as it was ({zones} this month; daylight saving time "
            "observed until 2022-10-30)"
        )
    return base + (": " + ", ".join(odd) if odd else "")


def parse_generation(path: Path) -> tuple[pl.DataFrame, dict]:
    """Read one monthly file: (long frame ``ts_utc, system, technology, mwh, line``, meta
    ``{month: date, settlement: int, system, rows_read, rejects, clock}``). A row whose hour
    the day does not have is rejected alone (``rejects``: ``(line, reason)``); anything else
    wrong raises :class:`FileRejected` naming the line."""
    lines = _lines(path)
    if not lines:
        raise FileRejected("empty file", line=1)
    title = _title(lines)
    n_title = len(title)
    if not title or name_key(title[0]) != CENTRE:
        raise FileRejected(
            f"not CENACE's {REPORT!r} report (the first line is not "
            f"'Centro Nacional de Control de Energia': {(title or [''])[0][:60]!r})",
            line=1,
        )
    if n_title >= len(lines):
        raise FileRejected(
            f"file cut short: no header line after the title (line {n_title})", line=n_title
        )
    month_at = next((i for i, t in enumerate(title) if MONTH_RE.search(name_key(t))), None)
    if month_at is None:
        raise FileRejected(
            "no month line 'Dias de Operacion del Mes de: <mes> <año>' in the title "
            f"(lines 1-{n_title})",
            line=4,
        )
    m = MONTH_RE.search(name_key(title[month_at]))
    if m.group(1) not in MONTHS:
        raise FileRejected(f"month {m.group(1)!r} not understood", line=month_at + 1)
    month = date(int(m.group(2)), MONTHS[m.group(1)], 1)
    settle_at = next((i for i, t in enumerate(title) if SETTLEMENT_RE.search(t)), None)
    if settle_at is None:
        raise FileRejected(
            f"no settlement line such as 'Liquidacion (L0)' .. '(L5)' in the title (lines 1-"
            f"{n_title})",
            line=5,
        )
    settlement = int(SETTLEMENT_RE.search(title[settle_at]).group(1))
    header_no = n_title + 1
    header = _cells(lines[n_title])
    if [name_key(h) for h in header] != [name_key(h) for h in HEADER]:
        got = [h for h in header if name_key(h) not in {name_key(x) for x in HEADER}]
        missing = [h for h in HEADER if name_key(h) not in {name_key(x) for x in header}]
        what = f"unknown column(s) {', '.join(map(repr, got))}" if got else "columns out of order"
        if missing:
            what += f"; missing {', '.join(map(repr, missing))}"
        raise FileRejected(f"header is not the report's: {what}", line=header_no)
    next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    ts, systems, values, line_nos = [], [], [], []
    rejects: list[tuple[int, str]] = []
    rows_read = 0
    lengths: dict[date, int] = {}
    expect: tuple[date, int] | None = None
    for i in range(n_title + 1, len(lines)):
        no = i + 1
        if not lines[i].strip():
            continue
        rows_read += 1
        cells = _cells(lines[i])
        if len(cells) != len(HEADER):
            raise FileRejected(
                f"file cut short or malformed: {len(cells)} of {len(HEADER)} fields "
                f"({lines[i][:60]!r})",
                line=no,
            )
        d = DAY_RE.match(cells[1])
        try:
            day = date(int(d.group(3)), int(d.group(2)), int(d.group(1))) if d else None
        except ValueError:
            day = None
        if day is None:
            raise FileRejected(f"Dia {cells[1]!r} is not a day-first date dd/mm/yyyy", line=no)
        if not month <= day < next_month:
            raise FileRejected(
                f"Dia {cells[1]} is outside the month in the title ({month:%m/%Y})", line=no
            )
        if day not in lengths:
            lengths[day] = _hours_in(day)
        if not cells[2].isdigit() or not 1 <= int(cells[2]) <= lengths[day]:
            # one bad hour is one bad row (a real file of 11/2024 has Hora 25 on a 24-hour day)
            rejects.append(
                (
                    no,
                    f"Hora {cells[2]!r} on {day:%d/%m/%Y}, a {lengths[day]}-hour day on "
                    "Mexico City's clock",
                )
            )
            continue
        hour = int(cells[2])
        if expect is not None and (day, hour) != expect:
            raise FileRejected(
                f"hours out of sequence: {day:%d/%m/%Y} hour {hour} after {_prev(expect, lengths)}",
                line=no,
            )
        if expect is None and hour != 1:
            raise FileRejected(f"first row is hour {hour}, not hour 1", line=no)
        expect = (day, hour + 1) if hour < lengths[day] else (day + timedelta(days=1), 1)
        nums = []
        for name, v in zip(HEADER[3:], cells[3:], strict=True):
            if v == "":
                nums.append(None)
            elif NUMBER_RE.match(v):
                nums.append(float(v))
            else:
                raise FileRejected(f"{name} value {v!r} is not a number", line=no)
        systems.append(cells[0])
        ts.append((day, hour))
        values.append(nums)
        line_nos.append(no)
    if not ts:
        raise FileRejected("no data rows after the header", line=header_no)
    if expect is not None and expect[1] != 1:
        raise FileRejected(
            f"file cut short: the last day ({ts[-1][0]:%d/%m/%Y}) ends at hour {ts[-1][1]} "
            f"of {lengths[ts[-1][0]]}",
            line=line_nos[-1],
        )
    unknown = sorted(set(systems) - set(SYSTEMS))
    if unknown:
        bad = systems.index(unknown[0])
        raise FileRejected(
            f"Sistema {unknown[0]!r} is not the national system ({', '.join(SYSTEMS)})",
            line=line_nos[bad],
        )
    # hour k of a day is the k-th hour after local midnight (elapsed time, so the 23- and
    # 25-hour days need no special case)
    starts = [day_start_utc(d) + timedelta(hours=h - 1) for d, h in ts]
    wide = pl.DataFrame(
        {"ts_utc": starts, "system": systems, "line": line_nos}
        | {TECHNOLOGIES[t][0]: [v[k] for v in values] for k, t in enumerate(HEADER[3:])},
        schema_overrides={TECHNOLOGIES[t][0]: pl.Float64 for t in HEADER[3:]},
    ).with_columns(pl.col("ts_utc").dt.replace_time_zone("UTC"))
    long = wide.unpivot(
        index=["ts_utc", "system", "line"], variable_name="technology", value_name="mwh"
    )
    meta = {
        "month": month,
        "settlement": settlement,
        "system": systems[0],
        "rows_read": rows_read,
        "rejects": rejects,
        "clock": clock_rule(month),
    }
    return long, meta


def _prev(expect: tuple[date, int], lengths: dict[date, int]) -> str:
    d, h = expect
    if h == 1:
        before = d - timedelta(days=1)
        return f"{before:%d/%m/%Y} hour {lengths.get(before, 24)}"
    return f"{d:%d/%m/%Y} hour {h - 1}"


def stage_generation(con: duckdb.DuckDBPyConnection, path: Path) -> Staged:
    """Parse and put the mix into ``stage``; note when an older settlement cannot replace,
    and which clock the hours were read on (``details['clock']``)."""
    long, meta = parse_generation(path)
    df = long.select(
        "ts_utc",
        "system",
        "technology",
        "mwh",
        pl.lit(meta["settlement"], dtype=pl.Int32).alias("settlement"),
        pl.lit(meta["month"]).alias("month"),
        pl.lit(path.name).alias("source"),
    )
    stage_frame(con, df)
    st = Staged(
        "cenace_generation",
        meta["rows_read"],
        len(meta["rejects"]),
        list(meta["rejects"]),
        details={"clock": meta["clock"], "settlement": f"L{meta['settlement']}"},
    )
    st.notes.append(f"hours read on {meta['clock']}")
    newer = sql.one(
        con,
        """SELECT max(g.settlement), count(DISTINCT g.ts_utc) FROM cenace_generation g
        JOIN (SELECT DISTINCT ts_utc, system, settlement FROM stage) s
          ON g.ts_utc = s.ts_utc AND g.system = s.system AND g.settlement > s.settlement""",
    )
    if newer and newer[0] is not None:
        st.notes.append(
            f"settlement L{meta['settlement']} is older than the stored L{newer[0]} for "
            f"{newer[1]} hour(s) of {meta['month']:%m/%Y}: those hours keep L{newer[0]}"
        )
    return st


def factors_frame() -> pl.DataFrame:
    """``technology, direct, lca, renewable, low_carbon`` (gCO2eq/kWh; flags)."""
    rows = list(TECHNOLOGIES.values())
    return pl.DataFrame(
        rows,
        schema=["technology", "direct", "lca", "renewable", "low_carbon"],
        orient="row",
    )


def derive_energy(mix: pl.DataFrame) -> pl.DataFrame:
    """Hourly ``energy`` rows from a long mix ``ts_utc, system, technology, mwh``.

    Shares are of the positive generation (negative values, a plant's own consumption
    netted in the report, count as 0); intensities are generation-weighted means of the
    per-technology factors. Returns the ``energy`` columns for zone ``MX``.
    """
    f = factors_frame()
    g = mix.join(f, on="technology", how="inner").with_columns(
        pl.col("mwh").fill_null(0).clip(0).alias("_e")
    )
    out = g.group_by("ts_utc", "system").agg(
        (pl.col("_e") * pl.col("direct")).sum().alias("_d"),
        (pl.col("_e") * pl.col("lca")).sum().alias("_l"),
        pl.col("_e").filter(pl.col("renewable")).sum().alias("_r"),
        pl.col("_e").filter(pl.col("low_carbon")).sum().alias("_c"),
        pl.col("_e").sum().alias("_t"),
    )
    tot = pl.when(pl.col("_t") > 0).then(pl.col("_t"))
    return out.select(
        "ts_utc",
        pl.col("system").replace_strict(SYSTEMS, default=NATIONAL_ZONE).alias("zone"),
        (pl.col("_d") / tot).alias("carbon_intensity_direct"),
        (pl.col("_l") / tot).alias("carbon_intensity_lca"),
        (100 * pl.col("_r") / tot).alias("renewable_pct"),
        (100 * pl.col("_c") / tot).alias("low_carbon_pct"),
        pl.lit(None, dtype=pl.Float64).alias("load_mw"),
        pl.lit(False).alias("estimated"),
        pl.lit("cenace:generacion_por_tecnologia").alias("source"),
        pl.lit(None, dtype=pl.Utf8).alias("load_source"),
    ).sort("ts_utc")


#: The ``energy`` columns :func:`derive_energy` computes from an hour's whole mix.
DERIVED = ("carbon_intensity_direct", "carbon_intensity_lca", "renewable_pct", "low_carbon_pct")


def merge_generation(con: duckdb.DuckDBPyConnection, sha: str) -> int:
    """Merge ``stage`` into ``cenace_generation`` by settlement, then re-derive the national
    ``energy`` rows of the hours it touched. Returns the hours written."""
    con.execute("""CREATE OR REPLACE TEMP TABLE _newer AS
        SELECT s.* FROM stage s ANTI JOIN cenace_generation g
        ON g.ts_utc = s.ts_utc AND g.system = s.system AND g.settlement > s.settlement""")
    con.execute("""DELETE FROM cenace_generation g USING _newer s
        WHERE g.ts_utc = s.ts_utc AND g.system = s.system""")
    con.execute(
        f"INSERT INTO cenace_generation BY NAME SELECT *, '{sha}' AS file_sha256 FROM _newer"
    )
    n = sql.one(con, "SELECT count(DISTINCT (ts_utc, system)) FROM _newer")[0]
    mix = sql.frame(
        con,
        """SELECT g.ts_utc, g.system, g.technology, g.mwh FROM cenace_generation g
        SEMI JOIN _newer s ON g.ts_utc = s.ts_utc AND g.system = s.system""",
    )
    con.execute("DROP TABLE _newer")
    con.execute("DROP TABLE stage")
    if mix.height == 0:
        return 0
    stage_frame(con, derive_energy(mix.with_columns(pl.col("ts_utc").dt.convert_time_zone("UTC"))))
    # the carbon columns are derived in full from the hour's stored mix: replaced, NULL
    # included; a load (another file's) is left alone
    upsert_energy(con, sha, replace=DERIVED)
    con.execute("DROP TABLE stage")
    return int(n)
