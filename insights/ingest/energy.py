"""Grid data -> hourly ``energy``: Electricity Maps CSV (both header generations) and ONS load."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from insights.ingest.staged import FileRejected, csv_rows
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


def _frame(path: Path, info: TextInfo) -> pl.DataFrame:
    data: Path | bytes = path if info.duckdb_native else read_text(path, info.encoding).encode()
    try:
        return pl.read_csv(data, separator=info.delimiter, infer_schema_length=0)
    except pl.exceptions.PolarsError as exc:
        raise FileRejected(f"unreadable CSV ({str(exc).splitlines()[0]})") from None


def _numbers(df: pl.DataFrame, col: str | None, prefer_comma: bool) -> pl.Expr:
    if col is None:
        return pl.lit(None, dtype=pl.Float64)
    style = number_style(df[col].head(200).to_list(), prefer_comma)
    e = pl.col(col).str.strip_chars()
    if style == "comma":
        e = e.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    else:
        e = e.str.replace_all(",", "", literal=True)
    return e.cast(pl.Float64, strict=False)


def _bad_line(df: pl.DataFrame, ok: pl.Series, what: str) -> None:
    bad = (~ok).arg_true()
    if len(bad):
        raise FileRejected(f"{what} not understood: {df.row(bad[0])!r}", line=int(bad[0]) + 2)


def read_electricitymaps(path: Path, info: TextInfo) -> tuple[pl.DataFrame, int]:
    header = csv_rows(info.lines[:1], info.delimiter)[0]
    cols = electricitymaps_columns(header)
    df = _frame(path, info)
    ts = pl.col(cols["ts"]).str.strip_chars().str.to_datetime(strict=False, time_zone="UTC")
    out = df.select(
        ts.alias("ts_utc"),
        pl.col(cols["zone"]).map_elements(canonical_zone, return_dtype=pl.Utf8).alias("zone"),
        _numbers(df, cols.get("ci_direct"), False).alias("carbon_intensity_direct"),
        _numbers(df, cols.get("ci_lca"), False).alias("carbon_intensity_lca"),
        _numbers(df, cols.get("renewable"), False).alias("renewable_pct"),
        _numbers(df, cols.get("low_carbon"), False).alias("low_carbon_pct"),
        pl.lit(None, dtype=pl.Float64).alias("load_mw"),
        (pl.col(cols["estimated"]).str.to_lowercase() == "true").alias("estimated")
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
    _bad_line(df, out["ts_utc"].is_not_null(), "timestamp")
    return out.select(ENERGY_COLUMNS), df.height


def is_ons_load(header: list[str]) -> bool:
    keys = {name_key(h) for h in header}
    return "din instante" in keys and any(k.startswith("val carga") for k in keys)


def read_ons_load(path: Path, info: TextInfo) -> tuple[pl.DataFrame, int]:
    """ONS 'Curva de Carga Horária': Brasília local time, one row per subsystem and hour."""
    df = _frame(path, info)
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
        _numbers(df, val, info.delimiter == ";").alias("load_mw"),
        pl.lit(None, dtype=pl.Boolean).alias("estimated"),
        pl.lit(None, dtype=pl.Utf8).alias("source"),
        pl.lit("ons").alias("load_source"),
    )
    _bad_line(df, out["ts_utc"].is_not_null(), "din_instante")
    _bad_line(df, out["zone"].is_not_null(), "id_subsistema")
    _bad_line(df, out["load_mw"].is_not_null(), "load value")
    return out.select(ENERGY_COLUMNS), df.height
