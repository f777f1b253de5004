"""A seeded, synthetic but plausible demo data set for Mexico.

No redistributable hourly Mexican grid file exists, so the demo data is
generated. What it encodes, so that models and recommendations have real
structure to find:

Audience (``consumption``, hourly, 32 states x 3 channels x 3 topics):
  * scale by state population (INEGI 2020 census, millions, rounded);
  * a daily cycle in each state's own local time (its IANA zone: Tijuana,
    Hermosillo, Mazatlán, Chihuahua, Cancún, Mérida, Monterrey, Mexico City):
    a night trough, a lunch bump and an evening peak that differs by channel
    (Instagram ~21h, YouTube ~20h, TikTok ~22h);
  * weekends +18% with later peaks; Mexican public holidays (``holidays.MX``)
    +30% for música and deportes, flat for noticias;
  * deportes spikes on weekend evenings (football), noticias leans to mornings,
    música rises over the last eight weeks in a third of the states (a known
    trend break for rising-topic detection);
  * Poisson noise.
Grid (CENACE's "Energia Generada por Tipo de Tecnologia", national, one ZIP per month holding
one CSV at its latest settlement, as the SIM page hands it over, in the report's exact layout
(see :mod:`insights.ingest.cenace`); ingest derives the ``MX`` energy zone,
and every Mexican region is scored on that national signal since its control region has no
file of its own):
  * solar from a clear-sky day arc at local midday (Mexico City's clock), scaled by season and an AR(1)
    cloud factor;
  * wind as an AR(1) process, ~60 % stronger in the Isthmus of Tehuantepec's winter
    "norte" season (November-February);
  * hydro more in the wet season (June-October) and dispatched towards the evening peak;
  * geothermal (Cerro Prieto, Los Azufres), nuclear (Laguna Verde) and biomass flat;
  * the rest from thermal plants, mostly combined-cycle gas, with turbo-gas and internal
    combustion following the evening peak. About a quarter of the energy is clean, as in
    CENACE's figures for 2021-2022.
"""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import holidays
import numpy as np
import polars as pl

from insights import InsightsError
from insights.ingest.cenace import CLOCK, MESES, TECHNOLOGIES, day_start_utc
from insights.regions import load_regions

POPULATION_M = {
    "Aguascalientes": 1.4,
    "Baja California": 3.8,
    "Baja California Sur": 0.8,
    "Campeche": 0.9,
    "Chiapas": 5.5,
    "Chihuahua": 3.7,
    "Ciudad de México": 9.2,
    "Coahuila": 3.1,
    "Colima": 0.7,
    "Durango": 1.8,
    "Estado de México": 17.0,
    "Guanajuato": 6.2,
    "Guerrero": 3.5,
    "Hidalgo": 3.1,
    "Jalisco": 8.3,
    "Michoacán": 4.7,
    "Morelos": 2.0,
    "Nayarit": 1.2,
    "Nuevo León": 5.8,
    "Oaxaca": 4.1,
    "Puebla": 6.6,
    "Querétaro": 2.4,
    "Quintana Roo": 1.9,
    "San Luis Potosí": 2.8,
    "Sinaloa": 3.0,
    "Sonora": 2.9,
    "Tabasco": 2.4,
    "Tamaulipas": 3.5,
    "Tlaxcala": 1.3,
    "Veracruz": 8.1,
    "Yucatán": 2.3,
    "Zacatecas": 1.6,
}
CHANNELS = {  # evening peak hour, relative size, views per engagement
    "instagram": (21.0, 1.0, 14.0),
    "youtube": (20.0, 0.8, 9.0),
    "tiktok": (22.0, 1.2, 18.0),
}
TOPICS = ["música", "deportes", "noticias"]


def _hours(end: datetime, days: int) -> np.ndarray:
    end = end.replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    return np.arange(
        np.datetime64(start.replace(tzinfo=None), "h"),
        np.datetime64(end.replace(tzinfo=None), "h") + 1,
        dtype="datetime64[h]",
    ).astype("datetime64[us]")


def _local(
    hours_utc: np.ndarray, tz: str, days_off: list
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(local hour, local weekday 0=Mon, is a holiday, day of year) for UTC hours in ``tz``."""
    s = pl.Series("t", hours_utc).dt.replace_time_zone("UTC").dt.convert_time_zone(tz)
    return (
        s.dt.hour().to_numpy().astype(float),
        (s.dt.weekday() - 1).to_numpy(),
        s.dt.date().is_in(days_off).to_numpy(),
        s.dt.ordinal_day().to_numpy().astype(float),
    )


def _ar1(rng: np.random.Generator, n: int, phi: float, sd: float) -> np.ndarray:
    e = rng.normal(0, sd, n)
    out = np.empty(n)
    acc = 0.0
    for i in range(n):  # n is ~10k per zone; a Python loop is fast enough here
        acc = phi * acc + e[i]
        out[i] = acc
    return out


def consumption_frame(hours: np.ndarray, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    regions = load_regions().filter(pl.col("country") == "MX", pl.col("region") != "México")
    years = range(int(str(hours[0])[:4]), int(str(hours[-1])[:4]) + 1)
    mx_holidays = holidays.country_holidays("MX", years=years)
    n = len(hours)
    weeks_from_end = (hours[-1] - hours) / np.timedelta64(1, "h") / (24 * 7)
    frames = []
    rising_states = set(sorted(POPULATION_M)[::3])
    for row in regions.iter_rows(named=True):
        hod, dow, holiday, doy = _local(hours, row["tz"], list(mx_holidays.keys()))
        weekend = dow >= 5
        season = 1 + 0.08 * np.cos(2 * np.pi * (doy - 355) / 365)  # December high
        for ch, (peak, size, vpe) in CHANNELS.items():
            peak_h = peak + np.where(weekend, 1.0, 0.0)
            evening = np.exp(-0.5 * ((hod - peak_h) / 2.2) ** 2)
            lunch = 0.35 * np.exp(-0.5 * ((hod - 13.5) / 1.5) ** 2)
            night = 0.08 + 0.1 * np.exp(-0.5 * ((hod - 0.5) / 1.5) ** 2)
            base = (night + lunch + evening) * (1 + 0.18 * weekend) * season
            for topic in TOPICS:
                mult = np.ones(n)
                if topic == "deportes":
                    mult *= 1 + 0.9 * weekend * np.exp(-0.5 * ((hod - 18) / 2.0) ** 2)
                    mult *= 1 + 0.3 * holiday
                elif topic == "noticias":
                    mult *= 0.7 + 0.6 * np.exp(-0.5 * ((hod - 8) / 2.0) ** 2)
                else:
                    mult *= 1 + 0.3 * holiday
                    if row["region"] in rising_states:
                        mult *= 1 + 0.6 * np.clip((8 - weeks_from_end) / 8, 0, 1)
                lam = POPULATION_M[row["region"]] * 40 * size * base * mult
                eng = rng.poisson(lam)
                views = rng.poisson(lam * vpe)
                watch = views * rng.gamma(9, 5, n) if ch == "youtube" else None
                frames.append(
                    pl.DataFrame(
                        {
                            "timestamp": hours,
                            "region": row["region"],
                            "channel": ch,
                            "topic": topic,
                            "views": views,
                            "engagements": eng,
                            "watch_seconds": watch.round(0) if watch is not None else None,
                        },
                        schema_overrides={"watch_seconds": pl.Float64},
                    )
                )
    df = pl.concat(frames)
    return df.with_columns(pl.col("timestamp").dt.replace_time_zone("UTC"))


# settlement names as CENACE.md of intermittentnrg/intermittent-docs lists them; the line
# reads "Proceso de Liquidacion: <name> (Ln) " (with its trailing space)
SETTLEMENTS = {
    0: "Original (L0)",
    1: "Re-Liquidacion Inicial (L1)",
    2: "Re-Liquidacion Intermedia (L2)",
    3: "Re-Liquidacion Final (L3)",
    4: "Re-Liquidacion por Controversia 4 (L4)",
    5: "Re-Liquidacion por Controversia 5 (L5)",
}
MESES_ABBR = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")
# national mean MW and shape per CENACE technology column (calibrated to ~27 % clean, the
# share CENACE reported for 2021-2022; fossil mostly combined-cycle gas)
NATIONAL_MW = {
    "Eolica": 2300.0,
    "Fotovoltaica": 3000.0,
    "Biomasa": 120.0,
    "Geotermoelectrica": 520.0,
    "Hidroelectrica": 3100.0,
    "Nucleoelectrica": 1300.0,
}
FOSSIL_SPLIT = {  # share of the fossil remainder, and how much each follows the evening peak
    "Ciclo Combinado": (0.72, 0.0),
    "Termica Convencional": (0.09, 0.3),
    "Carboelectrica": (0.07, 0.0),
    "Turbo Gas": (0.09, 1.5),
    "Combustion Interna": (0.03, 0.5),
}


def cenace_mix_frame(hours: np.ndarray, seed: int) -> pl.DataFrame:
    """National hourly generation by CENACE technology (MWh), on CENACE's clock: ``Dia``
    (Mexico City's date, daylight saving time until 2022-10-30) and ``Hora`` 1..23/24/25 (the
    k-th hour of that day, see :mod:`insights.ingest.cenace`). Only whole local days of
    ``hours``.

    Solar peaks at local midday (scaled by season and an AR(1) cloud factor); wind is an
    AR(1) process, ~60 % stronger in the Isthmus "norte" season (November-February); hydro
    follows the wet season (June-October) and the evening peak; geothermal, nuclear and
    biomass are flat; thermal plants cover the rest of a load with an evening peak.
    """
    rng = np.random.default_rng(seed + 2)
    utc = pl.Series(hours).dt.replace_time_zone("UTC")
    local = utc.dt.convert_time_zone(CLOCK.key)
    first = local.dt.date().filter(local.dt.hour() == 0).min()
    last = local.dt.date().filter(local.dt.hour() == 23).max()
    keep = (local.dt.date() >= first) & (local.dt.date() <= last)
    local, utc = local.filter(keep), utc.filter(keep)
    # the k-th hour after local midnight (23 or 25 of them on the days the clock changed)
    starts = {d: day_start_utc(d) for d in local.dt.date().unique().to_list()}
    hora = [
        int((t - starts[d]).total_seconds() // 3600) + 1
        for t, d in zip(
            utc.dt.replace_time_zone(None).to_list(), local.dt.date().to_list(), strict=True
        )
    ]
    n = len(local)
    hod = local.dt.hour().to_numpy().astype(float) + 0.5
    doy = local.dt.ordinal_day().to_numpy().astype(float)
    month = local.dt.month().to_numpy()
    daylen = 12 + 1.2 * np.sin(2 * np.pi * (doy - 80) / 365)
    # solar noon at Mexico's centre of generation is about 12:30 on a UTC-6 clock
    arc = np.clip(np.sin(np.pi * (hod - (12.5 - daylen / 2)) / daylen), 0, None) ** 1.2
    clouds = np.clip(1 - 0.3 * np.abs(_ar1(rng, n, 0.97, 0.12)), 0.25, 1)
    season = 0.85 + 0.15 * np.cos(2 * np.pi * (doy - 120) / 365)
    solar = NATIONAL_MW["Fotovoltaica"] * 4.0 * arc * clouds * season
    norte = np.isin(month, [11, 12, 1, 2])
    wind = NATIONAL_MW["Eolica"] * np.clip(0.8 + 0.6 * norte + _ar1(rng, n, 0.97, 0.15), 0.05, 2.6)
    wind *= 1 + 0.2 * np.cos(2 * np.pi * (hod - 2) / 24)
    evening = np.exp(-0.5 * ((hod - 20.5) / 2.5) ** 2)
    wet = np.isin(month, [6, 7, 8, 9, 10])
    hydro = NATIONAL_MW["Hidroelectrica"] * (0.75 + 0.45 * wet) * (0.7 + 0.9 * evening)
    load = 38000 * (1 + 0.18 * evening + 0.1 * np.exp(-0.5 * ((hod - 16) / 3) ** 2))
    load -= 38000 * 0.17 * np.exp(-0.5 * ((hod - 5) / 2.5) ** 2)
    load *= 1 + 0.12 * np.cos(2 * np.pi * (doy - 200) / 365)  # summer air conditioning
    load *= 1 + rng.normal(0, 0.01, n)
    flat = {
        t: NATIONAL_MW[t] * (1 + rng.normal(0, 0.02, n))
        for t in ("Biomasa", "Geotermoelectrica", "Nucleoelectrica")
    }
    clean = solar + wind + hydro + sum(flat.values())
    fossil = np.clip(load - clean, 0.15 * load, None)
    weights = {t: s * (1 + k * (evening - evening.mean())) for t, (s, k) in FOSSIL_SPLIT.items()}
    total_w = sum(weights.values())
    gen = {
        "Eolica": wind,
        "Fotovoltaica": solar,
        **flat,
        "Hidroelectrica": hydro,
        **{t: fossil * w / total_w for t, w in weights.items()},
    }
    return pl.DataFrame(
        {
            "Dia": local.dt.date(),
            "Hora": hora,
            **{t: np.round(gen[t], 4) for t in TECHNOLOGIES},
        }
    )


def cenace_month_text(mix: pl.DataFrame, settlement: int, downloaded: datetime) -> bytes:
    """One month of ``mix`` (from :func:`cenace_mix_frame`) in CENACE's published layout, line
    by line as ``CENACE.md`` of ``intermittentnrg/intermittent-docs`` shows it: six quoted
    title lines ending in a CR inside the quotes, the note line without one, lines ending in
    LF, the month in lower case, the header's names with a leading space (two before
    ``Biomasa``), every value quoted."""
    day0 = mix["Dia"][0]
    stamp = f"{downloaded:%d}/{MESES_ABBR[downloaded.month - 1]}/{downloaded:%Y %H:%M:%S}"
    title = [
        "Centro Nacional de Control de Energia",
        "Estadistica de la Energia Generada Liquidada Agregada (MWh) Intermitente y Firme por "
        "Tipo de Tecnologia",
        "Sistema Electrico Nacional",
        f"Dias de Operacion del Mes de: {MESES[day0.month - 1].lower()} {day0.year}",
        f"Proceso de Liquidacion: {SETTLEMENTS[settlement]} ",
        "Archivo descargado desde el Sistema de Informacion del Mercado (Area Publica) creado "
        f"el {stamp} hrs.",
    ]
    out = [f'"{t}\r"' for t in title]
    out.append('"Nota: Los acentos de este reporte se omiten intencionalmente por sistema."')
    spaces = {"Sistema": "", "Biomasa": "  "}
    out.append(
        ",".join(f'"{spaces.get(h, " ")}{h}"' for h in ["Sistema", "Dia", "Hora", *TECHNOLOGIES])
    )
    for row in mix.iter_rows():
        d, h, *vals = row
        cells = ["SEN", d.strftime("%d/%m/%Y"), str(h), *(f"{v:.4f}" for v in vals)]
        out.append(",".join(f'"{c}"' for c in cells))
    return ("\n".join(out) + "\n").encode("utf-8")


def cenace_member_name(day: date, settlement: int, downloaded: datetime) -> str:
    """The CSV's name inside the page's ZIP, as ``lib/cenace.rb`` of
    ``intermittentnrg/intermittent-importers`` shows it:
    ``Generacion Liquidada_L0 SEN noviembre 2025 v2025 12 14_05 00 01.csv``."""
    return (
        f"Generacion Liquidada_L{settlement} SEN {MESES[day.month - 1].lower()} {day.year} "
        f"v{downloaded:%Y %m %d_%H %M %S}.csv"
    )


def write_demo_data(
    out: str | Path,
    seed: int = 7,
    end: str | None = None,
    days: int = 400,
    platforms: str | Path | None = None,
    second_brand: str | Path | None = None,
) -> dict[str, int]:
    """Write ``consumption.parquet`` and monthly CENACE downloads (a ZIP holding one CSV, as
    the SIM page gives it); return rows per file. ``platforms``: a second folder for the
    platform downloads (:mod:`insights.demo_platforms`: a post history, TikTok Studio and
    YouTube Studio exports), which need ``insights ingest`` options of their own (written in
    its ``ingest-options``), hence not under ``out``. ``second_brand``: a folder for the
    audience of the demo's second brand (:mod:`insights.demo_brand`), ingested with
    ``--client``."""
    try:
        end_dt = datetime.fromisoformat(end) if end else datetime.now(UTC)
    except ValueError:
        raise InsightsError(f"--end {end!r}: not an ISO 8601 date-time") from None
    if end_dt.tzinfo is not None:
        end_dt = end_dt.astimezone(UTC)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    hours = _hours(end_dt, days)
    written: dict[str, int] = {}
    cons = consumption_frame(hours, seed)
    cons.write_parquet(out / "consumption.parquet", statistics=True)
    written[str(out / "consumption.parquet")] = cons.height
    # Mexico's grid as CENACE publishes it: national generation by technology, one file per
    # month at its latest settlement (the control regions' own zones have no file)
    mix = cenace_mix_frame(hours, seed)
    stamp = hours[-1].astype(datetime)
    months = mix.with_columns(pl.col("Dia").dt.strftime("%Y-%m").alias("_m"))
    for (m,), part in months.partition_by("_m", as_dict=True, maintain_order=True).items():
        path = out / f"cenace_generacion_tecnologia_{m}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(
                cenace_member_name(part["Dia"][0], 1, stamp),
                cenace_month_text(part.drop("_m"), 1, stamp),
            )
        written[str(path)] = part.height
    from insights.studio.demo import write_studio_logs  # a week of GPU logs for 06_studio_energy

    written.update(write_studio_logs(out / "studio", end_dt, seed, days=min(days, 7)))
    if platforms is not None:
        from insights.demo_platforms import write_platform_downloads

        last = hours[-1].astype(datetime).replace(tzinfo=UTC)
        got = write_platform_downloads(platforms, last, seed, days)
        got.pop("options")
        written.update(got)
    if second_brand is not None:
        from insights.demo_brand import write_brand_data

        last = hours[-1].astype(datetime).replace(tzinfo=UTC)
        written.update(write_brand_data(second_brand, last, seed, days))
    (out / "README.md").write_text(
        "# Demo data (synthetic)\n\nGenerated by `insights demo-data --seed "
        f"{seed}` ending {hours[-1]} UTC. Not real data: see the docstring of "
        "`insights/demo_data.py` for what it encodes.\n",
        encoding="utf-8",
    )
    return written
