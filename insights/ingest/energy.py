"""Grid data -> hourly ``energy``: Electricity Maps CSV (both header generations) and ONS load."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import polars as pl

from insights.ingest.pii import mask_pii
from insights.ingest.staged import MAX_REJECTS_KEPT, FileRejected, IngestOptions, Staged, csv_rows
from insights.ingest.textfile import TextInfo, read_text
from insights.ingest.values import number_style
from insights.regions import canonical_zone, name_key

ENERGY_COLUMNS = [
    "ts_utc",
    "zone",
    "carbon_intensity_direct",
    "carbon_intensity_lca",
    "renewable_pct",
    "low_carbon_pct",
    "load_mw",
    "estimated",
    "source",
    "load_source",
]
ONS_ZONES = {"SE": "BR-CS", "S": "BR-S", "NE": "BR-NE", "N": "BR-N"}
ONS_TZ = "America/Sao_Paulo"


def electricitymaps_columns(header: list[str]) -> dict[str, str] | None:
    """Map either header generation to our names; ``None`` if this is not such a file."""
    out: dict[str, str] = {}
    for col in header:
        k = name_key(col)
        if k == "datetime utc":
            out["ts"] = col
        elif k in ("zone id", "zone key"):
            out["zone"] = col
        elif "carbon intensity" in k and "direct" in k:
            out["ci_direct"] = col
        elif "carbon intensity" in k and ("lca" in k or "life cycle" in k):
            out["ci_lca"] = col
        elif "low carbon" in k or "carbon free" in k:
            out["low_carbon"] = col
        elif "renewable" in k:
            out["renewable"] = col
        elif k == "data source":
            out["source"] = col
        elif k == "data estimated":
            out["estimated"] = col
    return out if {"ts", "zone"} <= out.keys() and ("ci_direct" in out or "ci_lca" in out) else None


HOURLY_SOURCES = {
    "electricitymaps": "Electricity Maps' hourly export (app.electricitymaps.com > zone > "
    "download, granularity 'hourly')",
    "ons_load": "ONS 'Curva de Carga Horária' (dados.ons.org.br, CURVA_CARGA_<year>.csv)",
}


def _frame(path: Path, info: TextInfo) -> pl.DataFrame:
    data: Path | bytes = path if info.duckdb_native else read_text(path, info.encoding).encode()
    try:
        return pl.read_csv(
            data, separator=info.delimiter, infer_schema_length=0, skip_rows=info.header_line
        )
    except pl.exceptions.PolarsError as exc:
        raise FileRejected(f"unreadable CSV ({str(exc).splitlines()[0]})") from None


def _numbers(
    df: pl.DataFrame, col: str | None, prefer_comma: bool, decimal: str | None = None
) -> pl.Expr:
    if col is None:
        return pl.lit(None, dtype=pl.Float64)
    style = {",": "comma", ".": "dot"}.get(decimal or "") or number_style(
        df[col].to_list(), prefer_comma
    )
    e = pl.col(col).str.strip_chars()
    if style == "comma":
        e = e.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    else:
        e = e.str.replace_all(",", "", literal=True)
    return e.cast(pl.Float64, strict=False)


def _bad_rows(
    df: pl.DataFrame,
    out: pl.DataFrame,
    checks: list[tuple[str, str, str]],
    first_line: int,
    lines: list[int] | None = None,
) -> tuple[pl.DataFrame, Staged]:
    """Keep the good rows; (line, reason) for each bad one, quoting only the offending field.
    ``checks``: (output column that must be a finite value, input column, what it is).
    ``lines``: each row's line number when rows were taken out before (else consecutive
    from ``first_line``)."""
    reasons = pl.lit(None, dtype=pl.Utf8)
    for col, src, what in reversed(checks):
        bad = pl.col(col).is_null()
        if out.schema[col].is_float():
            bad = bad | ~pl.col(col).is_finite() | (pl.col(col) < 0)
        raw = df[src].fill_null("").str.slice(0, 40)
        reasons = (
            pl.when(bad)
            .then(pl.lit(f"{what} not understood: '") + pl.lit(raw) + pl.lit("'"))
            .otherwise(reasons)
        )
        reasons = (
            pl.when(bad & (pl.lit(raw).str.strip_chars() == ""))
            .then(pl.lit(f"{what} missing"))
            .otherwise(reasons)
        )
    why = out.select(reasons.alias("why"))["why"]
    bad_idx = why.is_not_null().arg_true()
    at = (lambda i: lines[i]) if lines is not None else (lambda i: i + first_line)
    rejects = [(at(int(i)), mask_pii(why[int(i)])) for i in bad_idx[:MAX_REJECTS_KEPT]]
    extra = Staged("", df.height, len(bad_idx), rejects)
    return out.filter(why.is_null()), extra


def _to_hourly(out: pl.DataFrame, kind: str, extra: Staged) -> pl.DataFrame:
    """Infer the time step per zone; sub-hourly rows become hourly means, daily or coarser
    data is rejected (never stored as a value at midnight)."""
    if out.height < 2:
        steps = pl.Series([], dtype=pl.Duration("us"))
    else:
        steps = (
            out.sort("zone", "ts_utc")
            .select((pl.col("ts_utc").diff().over("zone").dt.total_seconds()).alias("d"))
            .filter(pl.col("d") > 0)["d"]
        )
    step = timedelta(seconds=float(steps.median())) if len(steps) else None
    if step is not None and step >= timedelta(days=1):
        raise FileRejected(
            f"rows are {step.days} day(s) apart: hourly data is needed (daily or monthly "
            f"means cannot place an hour's energy); use {HOURLY_SOURCES[kind]}",
            line=2,
        )
    extra.details["grain"] = "hour"
    if step is not None and step < timedelta(hours=1):
        extra.details["grain"] = f"{int(step.total_seconds() // 60)}min -> hour (means)"
        extra.notes.append(
            f"{int(step.total_seconds() // 60)}-minute rows averaged to hourly means"
        )
        keys = ["zone"]
        values = [c for c in ENERGY_COLUMNS if c not in ("ts_utc", "zone")]
        num = [c for c in values if out.schema[c].is_float()]
        return (
            out.group_by(pl.col("ts_utc").dt.truncate("1h"), *keys)
            .agg(
                *[pl.col(c).mean() for c in num],
                *[pl.col(c).drop_nulls().first() for c in values if c not in num],
            )
            .select(ENERGY_COLUMNS)
        )
    return out


# "Data Estimated" as Electricity Maps writes it (true/false) and as a spreadsheet re-saves it
# in the user's language (Excel's TRUE()/FALSE() names: es VERDADERO/FALSO, pt
# VERDADEIRO/FALSO, fr VRAI/FAUX, de WAHR/FALSCH, it VERO/FALSO)
TRUE_WORDS = {"true", "verdadero", "verdadeiro", "vrai", "wahr", "vero", "1"}
FALSE_WORDS = {"false", "falso", "faux", "falsch", "0", ""}
SLASH_TS = r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}(:\d{2})?$"


def _estimated(col: str) -> pl.Expr:
    """The flag; ``None`` for a word that is neither (the row is rejected)."""
    v = pl.col(col).fill_null("").str.strip_chars().str.to_lowercase()
    return (
        pl.when(v.is_in(TRUE_WORDS))
        .then(True)
        .when(v.is_in(FALSE_WORDS))
        .then(False)
        .otherwise(None)
    )


def _timestamps(df: pl.DataFrame, col: str, date_order: str | None, extra: Staged) -> pl.Expr:
    """Electricity Maps writes ISO ``2024-01-29 17:00:00``; a spreadsheet re-saving the file
    writes its locale's ``29/01/2024 17:00``: read day-first (the order of the Spanish and
    Portuguese locales whose VERDADERO/FALSO such files carry) unless ``--date-order mdy``,
    and say so."""
    raw = pl.col(col).str.strip_chars()
    if not df[col].str.strip_chars().str.contains(SLASH_TS).any():
        return raw.str.to_datetime(strict=False, time_zone="UTC")
    first = "%m/%d/%Y" if date_order == "mdy" else "%d/%m/%Y"
    extra.details["date_order"] = "mdy" if date_order == "mdy" else "dmy"
    extra.notes.append(
        f"Datetime (UTC) re-saved by a spreadsheet as {first.replace('%', '')} H:MM; read "
        + (
            "month-first (--date-order mdy)"
            if date_order == "mdy"
            else "day-first (pass --date-order mdy if the spreadsheet was in an English locale)"
        )
    )
    padded = raw.str.replace(r" (\d):", " 0$1:")
    return pl.coalesce(
        padded.str.to_datetime(f"{first} %H:%M:%S", strict=False, time_zone="UTC"),
        padded.str.to_datetime(f"{first} %H:%M", strict=False, time_zone="UTC"),
    )


def read_electricitymaps(
    path: Path, info: TextInfo, options: IngestOptions | None = None
) -> tuple[pl.DataFrame, int, Staged]:
    """Electricity Maps' hourly CSV, either header generation, as downloaded (ISO UTC times,
    ``true``/``false``) or re-saved by a spreadsheet (``;``, decimal comma, day-first dates,
    the estimated flag in the spreadsheet's language: :data:`TRUE_WORDS`)."""
    decimal = options.decimal if options else None
    header = csv_rows(info.lines[info.header_line : info.header_line + 1], info.delimiter)[0]
    cols = electricitymaps_columns(header)
    df = _frame(path, info)
    pre = Staged("", 0)
    ts = _timestamps(df, cols["ts"], options.date_order if options else None, pre)
    out = df.select(
        ts.alias("ts_utc"),
        pl.col(cols["zone"]).map_elements(canonical_zone, return_dtype=pl.Utf8).alias("zone"),
        _numbers(df, cols.get("ci_direct"), False, decimal).alias("carbon_intensity_direct"),
        _numbers(df, cols.get("ci_lca"), False, decimal).alias("carbon_intensity_lca"),
        _numbers(df, cols.get("renewable"), False, decimal).alias("renewable_pct"),
        _numbers(df, cols.get("low_carbon"), False, decimal).alias("low_carbon_pct"),
        pl.lit(None, dtype=pl.Float64).alias("load_mw"),
        _estimated(cols["estimated"]).alias("estimated")
        if "estimated" in cols
        else pl.lit(False).alias("estimated"),
        pl.concat_str(
            pl.lit("electricitymaps"),
            pl.col(cols["source"]).fill_null("") if "source" in cols else pl.lit(""),
            separator=":",
        )
        .str.strip_chars_end(":")
        .alias("source"),
        pl.lit(None, dtype=pl.Utf8).alias("load_source"),
    )
    ci = "carbon_intensity_direct" if "ci_direct" in cols else "carbon_intensity_lca"
    checks = [("ts_utc", cols["ts"], "timestamp"), ("zone", cols["zone"], "zone")]
    checks.append((ci, cols["ci_direct" if "ci_direct" in cols else "ci_lca"], "carbon intensity"))
    if "estimated" in cols:
        checks.append(("estimated", cols["estimated"], "Data Estimated"))
    out, extra = _bad_rows(df, out, checks, info.header_line + 2)
    extra.notes[:0] = pre.notes
    extra.details.update(pre.details)
    return _to_hourly(out.select(ENERGY_COLUMNS), "electricitymaps", extra), df.height, extra


def is_ons_load(header: list[str]) -> bool:
    keys = {name_key(h) for h in header}
    return "din instante" in keys and any(k.startswith("val carga") for k in keys)


def read_ons_load(
    path: Path, info: TextInfo, options: IngestOptions | None = None
) -> tuple[pl.DataFrame, int, Staged]:
    """ONS hourly load by subsystem, Brasília local time, one row per subsystem and hour:
    'Curva de Carga Horária' (``val_cargaenergiahomwmed``) and 'Balanço de Energia nos
    Subsistemas' (dados.ons.org.br/dataset/balanco-energia-subsistema: ``id_subsistema;
    nom_subsistema;din_instante;val_gerhidraulica;val_gertermica;val_gereolica;val_gersolar;
    val_carga;val_intercambio``, values written like ``6300.00000000`` and ``0E-8``, ``NULL``
    where there is none).

    The Balanço also has a ``SIN`` row every hour (Sistema Interligado Nacional, the sum of
    the four subsystems): it is no zone, so it is skipped and counted (``rows_skipped`` and
    a note), never loaded nor rejected. ``NULL`` is a missing value. A bad row (missing or
    non-numeric load, unknown subsystem, time not understood or not existing in Brasília
    time) is rejected with its line, as consumption rows are; daily files
    (``CARGA_ENERGIA``, one mean per day) are rejected: hourly data is needed."""
    decimal = options.decimal if options else None
    df = _frame(path, info)
    # NULL is how ONS writes a missing value
    df = df.with_columns(
        pl.when(pl.col(c).str.strip_chars().str.to_uppercase() == "NULL")
        .then(None)
        .otherwise(pl.col(c))
        .alias(c)
        for c in df.columns
    )
    first = info.header_line + 2
    is_sin = df["id_subsistema"].str.strip_chars().str.to_uppercase() == "SIN"
    sin = int(is_sin.sum())
    lines = None
    if sin:
        lines = [i + first for i in (~is_sin).arg_true().to_list()]
        df = df.filter(~is_sin)
    val = next(c for c in df.columns if name_key(c).startswith("val carga"))
    ts = (
        pl.col("din_instante")
        .str.strip_chars()
        .str.to_datetime(strict=False)
        .dt.replace_time_zone(ONS_TZ, ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
    )
    zone = pl.col("id_subsistema").str.strip_chars().replace_strict(ONS_ZONES, default=None)
    out = df.select(
        ts.alias("ts_utc"),
        zone.alias("zone"),
        *[
            pl.lit(None, dtype=pl.Float64).alias(c)
            for c in (
                "carbon_intensity_direct",
                "carbon_intensity_lca",
                "renewable_pct",
                "low_carbon_pct",
            )
        ],
        _numbers(df, val, info.delimiter == ";", decimal).alias("load_mw"),
        pl.lit(None, dtype=pl.Boolean).alias("estimated"),
        pl.lit(None, dtype=pl.Utf8).alias("source"),
        pl.lit("ons").alias("load_source"),
    )
    checks = [
        ("ts_utc", "din_instante", "din_instante"),
        ("zone", "id_subsistema", "id_subsistema"),
        ("load_mw", val, "load value"),
    ]
    out, extra = _bad_rows(df, out, checks, first, lines)
    if sin:
        extra.rows_skipped = sin
        extra.details["sin_rows_skipped"] = sin
        extra.notes.append(
            f"{sin} 'SIN' row(s) skipped: the whole interconnected system, the sum of the four "
            "subsystems, not a zone of its own"
        )
    return _to_hourly(out.select(ENERGY_COLUMNS), "ons_load", extra), df.height, extra
