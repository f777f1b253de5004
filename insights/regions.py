"""Audience regions -> grid zone -> IANA time zone, and canonical region names.

The bundled table (``resources/regions.csv``) holds Mexico's 32 states mapped to
the grid's control regions (Electricity Maps zone and CENACE code), Brazil's 27
federative units mapped to the ONS subsystems, and Chile. Teams extend or
override it with their own CSV of the same columns, named by ``INSIGHTS_REGIONS``.

>>> canonical_region("CDMX"), canonical_region("Nuevo Leon"), canonical_region("State of Mexico")
('Ciudad de México', 'Nuevo León', 'Estado de México')
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from importlib import resources
from pathlib import Path

import polars as pl

from insights import InsightsError

COLUMNS = ["region", "country", "grid_zone", "grid_operator_code", "tz", "aliases"]
# Mexico's retired Electricity Maps sub-zones share keys with CENACE's control
# regions; historical files use either, so both resolve to the zone id.
ZONE_ALIASES = {
    "BCA": "MX-BC",
    "BCS": "MX-BCS",
    "CEL": "MX-CE",
    "NES": "MX-NE",
    "NTE": "MX-NO",
    "NOR": "MX-NW",
    "OCC": "MX-OC",
    "ORI": "MX-OR",
    "PEN": "MX-PN",
    "CL-SIC": "CL-SEN",
}


def name_key(name: str) -> str:
    """Accent-, case- and punctuation-insensitive key for a place name."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", stripped.casefold()).strip()


def _read_table(source: str | Path) -> pl.DataFrame:
    try:
        df = pl.read_csv(source, infer_schema_length=0)
    except Exception as exc:  # polars raises several types for malformed CSV
        raise InsightsError(f"{source}: cannot read regions table ({exc})") from None
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InsightsError(f"{source}: regions table lacks columns {', '.join(missing)}")
    return df.select(COLUMNS).with_columns(pl.col("aliases").fill_null(""))


@functools.cache
def _load(extra: str | None) -> pl.DataFrame:
    bundled = resources.files("insights") / "resources" / "regions.csv"
    df = _read_table(Path(str(bundled)))
    if extra:
        override = _read_table(extra)
        df = pl.concat([df.join(override, on="region", how="anti"), override])
    return df


def load_regions() -> pl.DataFrame:
    """The regions table: bundled rows, overridden/extended by ``$INSIGHTS_REGIONS``."""
    return _load(os.environ.get("INSIGHTS_REGIONS") or None)


@functools.cache
def _alias_map(extra: str | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for row in _load(extra).iter_rows(named=True):
        for name in [row["region"], *filter(None, row["aliases"].split("|"))]:
            mapping.setdefault(name_key(name), row["region"])
    return mapping


def canonical_region(name: str | None) -> str | None:
    """The canonical region for a name as exported, or ``None`` when unknown."""
    if name is None:
        return None
    return _alias_map(os.environ.get("INSIGHTS_REGIONS") or None).get(name_key(name))


def canonicalize(raw: pl.Series) -> pl.DataFrame:
    """Map exported names to ``region`` (canonical, or the name as given), ``region_known``."""
    uniques = raw.unique().drop_nulls().to_list()
    lookup = pl.DataFrame(
        {
            "raw": uniques,
            "canon": [canonical_region(u) for u in uniques],
        },
        schema={"raw": pl.Utf8, "canon": pl.Utf8},
    )
    out = pl.DataFrame({"raw": raw.cast(pl.Utf8)}).join(lookup, on="raw", how="left")
    return pl.DataFrame(
        {
            "region": out["canon"].fill_null(out["raw"].str.strip_chars()),
            "region_raw": out["raw"],
            "region_known": out["canon"].is_not_null(),
        }
    )


def canonical_zone(zone: str) -> str:
    return ZONE_ALIASES.get(zone.strip().upper(), zone.strip())


def region_tz(region: str) -> str:
    """IANA time zone of a canonical region (UTC for unknown regions)."""
    df = load_regions().filter(pl.col("region") == region)
    return df["tz"][0] if df.height else "UTC"
