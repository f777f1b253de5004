"""Spanish and English for the surfaces people read: numbers, dates, column names, zone names.

One locale per report language, formatted by Babel (CLDR data): Spanish as
written in Mexico (``es_MX``: ``12,346``, ``0.85``, ``81%``, ``sáb 5 dic,
21:00``) and US English (``en_US``). Charts get the same conventions through a
Vega-Lite ``config.locale`` (d3 number and time locale) built from the same
CLDR data, so axis dates and numbers match the tables and the text.

>>> number(12345.6, "es"), pct(81.2, "es"), decimal(0.8512, "en")
('12,346', '81%', '0.85')
>>> local_time("2026-12-05T21:00:00-06:00", "es")
'sáb 5 dic, 21:00'
>>> local_time("2026-12-05T21:00:00-06:00", "en")
'Sat, Dec 5, 9:00 PM'
"""

from __future__ import annotations

import csv
import functools
from datetime import date, datetime
from importlib import resources
from zoneinfo import ZoneInfo

import polars as pl
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

LOCALES = {"es": "es_MX", "en": "en_US"}
TIME_PATTERN = {"es": "EEE d MMM, HH:mm", "en": "EEE, MMM d, h:mm a"}
DATE_PATTERN = {"es": "EEE d MMM", "en": "EEE, MMM d"}
DAY_PATTERN = {"es": "EEE d MMM y", "en": "EEE, MMM d, y"}

# Column names as people read them (tables in notebooks and reports).
COLUMNS: dict[str, dict[str, str]] = {
    "es": {
        "region": "Región",
        "channel": "Canal",
        "rank": "#",
        "start_local": "Inicio (hora local)",
        "expected_engagement": "Interacciones esperadas",
        "engagement_low": "Mínimo (80%)",
        "engagement_high": "Máximo (80%)",
        "renewable_pct": "Renovable",
        "carbon_intensity": "gCO₂eq/kWh",
        "score": "Puntaje",
        "engagement_vs_best_pct": "Δ interacciones",
        "renewable_vs_best_pp": "Δ renovable",
        "carbon_vs_best_pct": "Δ carbono",
        "energy_signals_disagree": "Renovable y carbono discrepan",
        "grid_zone": "Zona de la red",
        "path": "Archivo",
        "kind": "Tipo",
        "status": "Estado",
        "rows_loaded": "Filas cargadas",
        "rows_rejected": "Filas rechazadas",
        "reason": "Motivo",
        "metric": "Métrica",
        "value": "Valor",
    },
    "en": {
        "region": "Region",
        "channel": "Channel",
        "rank": "#",
        "start_local": "Start (local time)",
        "expected_engagement": "Expected engagements",
        "engagement_low": "Low (80%)",
        "engagement_high": "High (80%)",
        "renewable_pct": "Renewable",
        "carbon_intensity": "gCO₂eq/kWh",
        "score": "Score",
        "engagement_vs_best_pct": "Δ engagement",
        "renewable_vs_best_pp": "Δ renewable",
        "carbon_vs_best_pct": "Δ carbon",
        "energy_signals_disagree": "Renewable and carbon disagree",
        "grid_zone": "Grid zone",
        "path": "File",
        "kind": "Kind",
        "status": "Status",
        "rows_loaded": "Rows loaded",
        "rows_rejected": "Rows rejected",
        "reason": "Reason",
        "metric": "Metric",
        "value": "Value",
    },
}
# Channel names as the brands write them.
BRANDS = {
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "instagram": "Instagram",
    "facebook": "Facebook",
    "twitter": "X (Twitter)",
    "x": "X",
    "linkedin": "LinkedIn",
    "whatsapp": "WhatsApp",
    "email": "email",
    "push": "push",
    "web": "web",
}


def _lang(lang: str) -> str:
    return lang if lang in LOCALES else "en"


def locale(lang: str) -> str:
    return LOCALES[_lang(lang)]


def brand(channel: str | None) -> str:
    """``tiktok`` -> ``TikTok``; an unknown channel is returned as given."""
    if channel is None:
        return "—"
    return BRANDS.get(channel.strip().lower(), channel)


def rounds_to_zero(v: float | None, digits: int = 0) -> bool:
    """Whether ``v`` shows as zero at ``digits`` decimals (``-0.04`` at one decimal): a
    change that small is no change, and the text should say so in words."""
    return v is not None and round(v, digits) == 0


def _unsigned_zero(v: float, digits: int) -> float:
    """``v``, or ``0.0`` where it rounds to zero at ``digits`` decimals: Babel (like Python)
    writes ``-0.0`` for a small negative value or a negative zero, never a number to print."""
    return 0.0 if rounds_to_zero(v, digits) else v


def number(v: float | None, lang: str, digits: int = 0) -> str:
    """A count or measure with the locale's grouping: ``12,346``; never ``-0``.

    >>> number(-0.3, "es"), number(-0.04, "en", 1), number(-0.0, "en", 2)
    ('0', '0.0', '0.00')
    """
    if v is None:
        return "—"
    v = _unsigned_zero(v, digits)
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(v, format=fmt, locale=locale(lang))


def decimal(v: float | None, lang: str, digits: int = 2) -> str:
    """A ratio such as MASE with fixed precision: ``0.85``."""
    return number(v, lang, digits)


def pct(v: float | None, lang: str, digits: int = 0, signed: bool = False) -> str:
    """``v`` in percent units (81.2 -> ``81%``), the locale's percent style."""
    if v is None:
        return "—"
    v = _unsigned_zero(v, digits)  # no "-0.0%" (nor "+0.0%")
    fmt = ("+" if signed and v > 0 else "") + "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(v / 100, format=fmt, locale=locale(lang))


# Percentage points: CLDR has no unit for them, so the abbreviation is the language's own
# (Spanish "p. p.", puntos porcentuales; English "pp"); the number is CLDR's.
POINTS = {"es": "p. p.", "en": "pp"}


def points(v: float | None, lang: str, digits: int = 1, signed: bool = True) -> str:
    """A difference of two percentages in percentage points: ``+3.1 pp`` / ``+3.1 p. p.``."""
    if v is None:
        return "—"
    v = _unsigned_zero(v, digits)  # no "-0.0"
    sign = "+" if signed and v > 0 else ""
    return f"{sign}{number(v, lang, digits)}\u00a0{POINTS[_lang(lang)]}"


def yes_no(v: bool | None, lang: str) -> str:
    if v is None:
        return "—"
    return ("sí" if v else "no") if _lang(lang) == "es" else ("yes" if v else "no")


def local_time(iso: str | datetime | None, lang: str) -> str:
    """An ISO 8601 time with offset, written as people do in that language (its own clock)."""
    if iso is None:
        return "—"
    dt = datetime.fromisoformat(iso) if isinstance(iso, str) else iso
    return format_datetime(dt, TIME_PATTERN[_lang(lang)], tzinfo=dt.tzinfo, locale=locale(lang))


CLOCK_PATTERN = {"es": "HH:mm", "en": "h:mm a"}
DAY_MONTH_PATTERN = {"es": "d MMM", "en": "MMM d"}


def clock(dt: datetime, lang: str) -> str:
    """A time of day in the language's style (CLDR): ``21:00`` in Spanish, ``9:00 PM`` in
    English, so one page never mixes the two."""
    return format_datetime(dt, CLOCK_PATTERN[_lang(lang)], tzinfo=dt.tzinfo, locale=locale(lang))


def day_month(dt: datetime, lang: str) -> str:
    """``5 dic`` / ``Dec 5``."""
    return format_datetime(
        dt, DAY_MONTH_PATTERN[_lang(lang)], tzinfo=dt.tzinfo, locale=locale(lang)
    )


def day(d: date | str, lang: str) -> str:
    """A calendar day (no time, no zone): ``lun 30 nov 2026`` / ``Mon, Nov 30, 2026``."""
    d = date.fromisoformat(d[:10]) if isinstance(d, str) else d
    return format_date(d, DAY_PATTERN[_lang(lang)], locale=locale(lang))


INSTANT_PATTERN = {"es": "EEE d MMM y, HH:mm", "en": "EEE, MMM d, y, h:mm a"}


def instant(value: str | datetime | date | None, lang: str) -> str:
    """A stored time as people read it: an instant (with an offset) in UTC, said so
    (``dom 1 nov 2026, 10:00 UTC`` / ``Sun, Nov 1, 2026, 10:00 AM UTC``); a time without a
    zone as it is, a date as a :func:`day`. Text that is not a time is returned as given."""
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return day(value, lang)
    if value.tzinfo is None:
        return format_datetime(value, INSTANT_PATTERN[_lang(lang)], locale=locale(lang))
    utc = value.astimezone(ZoneInfo("UTC"))
    return (
        format_datetime(utc, INSTANT_PATTERN[_lang(lang)], tzinfo=utc.tzinfo, locale=locale(lang))
        + " UTC"
    )


def local_date(dt: datetime, lang: str) -> str:
    return format_datetime(dt, DATE_PATTERN[_lang(lang)], tzinfo=dt.tzinfo, locale=locale(lang))


def now_local(lang: str, tz: str = "America/Mexico_City") -> str:
    """The current time in ``tz`` (default Mexico City), with the zone's name."""
    dt = datetime.now(ZoneInfo(tz))
    return f"{local_time(dt, lang)} ({tz})"


def day_names(lang: str, width: str = "abbreviated") -> list[str]:
    """Monday-first day names (Babel numbers days 0 = Monday)."""
    names = Locale.parse(locale(lang)).days["format"][width]
    return [names[i] for i in range(7)]


@functools.cache
def vega_locale(lang: str) -> dict:
    """A Vega-Lite ``config.locale`` (d3 number and time locale) from CLDR data."""
    loc = Locale.parse(locale(lang))
    sym = loc.number_symbols.get("latn", loc.number_symbols)
    days, months = loc.days["format"], loc.months["format"]
    sunday_first = [6, 0, 1, 2, 3, 4, 5]
    return {
        "number": {
            "decimal": sym["decimal"],
            "thousands": sym["group"],
            "grouping": [3],
            "currency": ["$", ""],
            "percent": "%",
        },
        "time": {
            "dateTime": "%a %e %b %Y, %H:%M" if _lang(lang) == "es" else "%a, %b %e, %Y, %I:%M %p",
            "date": "%d/%m/%Y" if _lang(lang) == "es" else "%m/%d/%Y",
            "time": "%H:%M:%S",
            "periods": ["a. m.", "p. m."] if _lang(lang) == "es" else ["AM", "PM"],
            "days": [days["wide"][i] for i in sunday_first],
            "shortDays": [days["abbreviated"][i] for i in sunday_first],
            "months": [months["wide"][i] for i in range(1, 13)],
            "shortMonths": [months["abbreviated"][i].rstrip(".") for i in range(1, 13)],
        },
    }


@functools.cache
def _zones() -> dict[str, str]:
    path = resources.files("insights") / "resources" / "grid_zones.csv"
    with path.open(encoding="utf-8") as fh:
        return {r["grid_zone"]: r["name"] for r in csv.DictReader(fh)}


# The region a person thinks of for each grid zone (its largest audience).
ZONE_PLACE = {
    "MX-CE": "Ciudad de México",
    "MX-OC": "Jalisco",
    "MX-NE": "Nuevo León",
    "MX-NO": "Chihuahua",
    "MX-NW": "Sonora",
    "MX-OR": "Puebla",
    "MX-PN": "Yucatán",
    "MX-BC": "Baja California",
    "MX-BCS": "Baja California Sur",
    "BR-CS": "São Paulo",
    "BR-S": "Rio Grande do Sul",
    "BR-NE": "Pernambuco",
    "BR-N": "Pará",
    "CL-SEN": "Santiago",
}


def zone_name(zone: str | None, lang: str) -> str:
    """A grid zone for people: ``MX-CE`` -> ``Central (Ciudad de México)``; unknown as given."""
    if zone is None:
        return "—"
    name, place = _zones().get(zone), ZONE_PLACE.get(zone)
    if not name:
        return zone
    return name if not place or place == name else f"{name} ({place})"


def humanize(df: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Text columns ready for a table: human headers, brands, locale numbers and local times.

    Known columns get their format (counts grouped, shares as ``81%``, deltas
    signed, times as ``sáb 5 dic, 21:00``); other floats get two decimals.
    """
    out = {}
    for col in df.columns:
        vals = df[col].to_list()
        if col == "channel":
            text = [brand(v) for v in vals]
        elif col == "start_local":
            text = [local_time(v, lang) for v in vals]
        elif col in ("expected_engagement", "engagement_low", "engagement_high"):
            text = [number(v, lang) for v in vals]
        elif col == "renewable_pct":
            text = [pct(v, lang) for v in vals]
        elif col in ("engagement_vs_best_pct", "carbon_vs_best_pct"):
            text = [pct(v, lang, 1, signed=True) for v in vals]
        elif col == "renewable_vs_best_pp":
            text = [points(v, lang) for v in vals]
        elif col == "energy_signals_disagree":
            text = [yes_no(v, lang) for v in vals]
        elif col == "carbon_intensity":
            text = [number(v, lang) for v in vals]
        elif col == "grid_zone":
            text = [zone_name(v, lang) for v in vals]
        elif df[col].dtype.is_float():
            text = [decimal(v, lang) for v in vals]
        elif df[col].dtype.is_integer():
            text = [number(v, lang) for v in vals]
        else:
            text = ["—" if v is None else str(v) for v in vals]
        out[COLUMNS[_lang(lang)].get(col, col)] = text
    return pl.DataFrame(out, schema=dict.fromkeys(out, pl.Utf8))


NOTEBOOK_TITLES = {
    "01_ingest": {"es": "Ingesta", "en": "Ingest"},
    "02_explore": {"es": "Exploración", "en": "Explore"},
    "03_train": {"es": "Modelos", "en": "Models"},
    "04_recommend": {"es": "Recomendaciones", "en": "Recommendations"},
    "05_report": {
        "es": "Informe: cuándo y dónde publicar",
        "en": "Report: when and where to publish",
    },
    "06_studio_energy": {"es": "Energía del estudio", "en": "Studio energy"},
}


def notebook_title(stem: str, lang: str) -> str:
    """The page title of a notebook's HTML: ``05_report`` -> ``Informe: cuándo y dónde publicar``."""
    t = NOTEBOOK_TITLES.get(stem)
    return f"{t[_lang(lang)]} · insights" if t else stem.replace("_", " ")


NOTEBOOK_INTRO = {
    "01_ingest": {
        "es": "Carga las exportaciones de `raw_dir` en el almacén y muestra lo que contiene.",
        "en": "Loads the exports in `raw_dir` into the warehouse, then shows what it holds.",
    },
    "02_explore": {
        "es": "La audiencia por hora y día de la semana, la red eléctrica por hora y los temas al alza.",
        "en": "Audience by hour and weekday, the grid by hour, and rising topics.",
    },
    "03_train": {
        "es": "Los modelos de interacciones y de energía, su evaluación y un pronóstico frente a "
        "lo observado.",
        "en": "Engagement and energy models, their backtests, and one forecast against actuals.",
    },
    "04_recommend": {
        "es": "Cuándo, dónde y en qué canal publicar, ponderando qué tan renovable es la red.",
        "en": "When, where and on which channel to publish, weighted by how renewable the grid is.",
    },
    "05_report": {"es": "", "en": ""},
    "06_studio_energy": {
        "es": "Cuánta energía gastaron las GPU y los renders, cuánto CO2e emitieron según la "
        "hora, cuánto se ahorraría moviendo trabajos y qué tamaño de paneles solares lo "
        "compensaría.",
        "en": "How much energy the GPUs and renders used, what it emitted hour by hour, what "
        "moving jobs would save, and the solar array that would offset it.",
    },
}


def heading(stem: str, lang: str) -> str:
    """A notebook's title and one-line intro as Markdown, in one language."""
    t = NOTEBOOK_TITLES.get(stem, {}).get(_lang(lang), stem)
    intro = NOTEBOOK_INTRO.get(stem, {}).get(_lang(lang), "")
    return f"# {t}\n{intro}".strip()


METRICS = {
    "es": {
        "mase": "MASE (error frente al pronóstico ingenuo; < 1 es mejor)",
        "mase_seasonal_naive": "MASE del pronóstico ingenuo semanal",
        "relative_mae": "Error medio relativo al ingenuo (< 1 es mejor)",
        "smape": "sMAPE (error porcentual simétrico)",
        "coverage_80": "Cobertura del intervalo del 80%",
        "model": "modelo",
        "persistence": "persistencia",
        "seasonal_naive_24h": "ingenuo de 24 h",
        "mae": "error absoluto medio",
        "renewable_pct": "renovable (%)",
        "carbon_intensity": "intensidad de carbono",
        "carbon_intensity_direct": "intensidad de carbono directa (gCO2eq/kWh)",
        "served": "pronóstico servido (el mejor de cada tramo)",
        "seasonal_naive": "ingenuo semanal",
    },
    "en": {
        "mase": "MASE (error against the naive forecast; < 1 is better)",
        "mase_seasonal_naive": "MASE of the weekly naive forecast",
        "relative_mae": "Mean error relative to the naive one (< 1 is better)",
        "smape": "sMAPE (symmetric percentage error)",
        "coverage_80": "80% interval coverage",
        "model": "model",
        "persistence": "persistence",
        "seasonal_naive_24h": "24 h naive",
        "mae": "mean absolute error",
        "renewable_pct": "renewable (%)",
        "carbon_intensity": "carbon intensity",
        "carbon_intensity_direct": "direct carbon intensity (gCO2eq/kWh)",
        "served": "served forecast (the best of each bucket)",
        "seasonal_naive": "weekly naive",
    },
}


def metrics_table(metrics: dict, lang: str) -> pl.DataFrame:
    """A model run's metrics as a two-column text table (``Métrica``, ``Valor``)."""
    m, names = metrics, METRICS[_lang(lang)]
    rows = []
    for k in ("mase", "mase_seasonal_naive", "relative_mae"):
        if m.get(k) is not None:
            rows.append((names[k], decimal(m[k], lang)))
    if m.get("smape") is not None:
        rows.append((names["smape"], pct(m["smape"], lang, 1)))
    if m.get("coverage_80") is not None:
        rows.append((names["coverage_80"], pct(100 * m["coverage_80"], lang)))
    for target, e in m.get("energy", {}).items():
        for k, v in e.get("mae", {}).items():
            label = f"{names.get(target, target)}: {names['mae']}, {names.get(k, k)}"
            rows.append((label, decimal(v, lang, 1)))
    cols = COLUMNS[_lang(lang)]
    return pl.DataFrame(
        {cols["metric"]: [r[0] for r in rows], cols["value"]: [r[1] for r in rows]},
        schema={cols["metric"]: pl.Utf8, cols["value"]: pl.Utf8},
    )


def reliability(coverage: float | None, mase: float | None, lang: str) -> str:
    """How far to trust the forecast, in plain words (no metric names).

    ``coverage``: share (0..1) of actual values inside the 80% interval in the
    backtest; ``mase``: the model's error relative to the same-hour-last-week
    forecast (``relative_mae`` on the same unseen weeks, or MASE, Hyndman &
    Koehler 2006); < 1 = better than repeating last week.
    """
    es = _lang(lang) == "es"
    parts = []
    if coverage is not None:
        n = round(coverage * 10)
        parts.append(
            f"en semanas que el modelo no había visto, {n} de cada 10 valores reales cayeron "
            f"dentro del rango que damos ({pct(100 * coverage, lang)})"
            if es
            else f"in weeks the model had not seen, {n} in 10 actual values fell inside the "
            f"range we give ({pct(100 * coverage, lang)})"
        )
    if mase is not None:
        gain = (1 - mase) * 100
        if gain >= 1:
            parts.append(
                f"y se equivocó {pct(gain, lang)} menos que repetir lo de la semana anterior"
                if es
                else f"and it erred {pct(gain, lang)} less than repeating last week"
            )
        else:
            parts.append(
                "pero no acertó más que repetir lo de la semana anterior: tómalo como orientación"
                if es
                else "but it was no better than repeating last week: treat it as a rough guide"
            )
    if not parts:
        return ""
    head = "**¿Qué tan confiable es?** " if es else "**How reliable is this?** "
    text = " ".join(parts)
    return head + text[0].upper() + text[1:] + "."


def generated(lang: str, tz: str = "America/Mexico_City") -> str:
    """``Generado el sáb 5 dic, 21:00 (America/Mexico_City)``: the report's creation time."""
    return ("Generado el " if _lang(lang) == "es" else "Generated on ") + now_local(lang, tz)
