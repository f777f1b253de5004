"""Words and charts for the 06_studio_energy notebook (Spanish or English)."""

from __future__ import annotations

from datetime import datetime, timedelta

import altair as alt
import polars as pl

from insights import i18n
from insights.studio import solar
from insights.textsafe import md_text

# Numbers reach these templates already written in the language's style (Babel, CLDR:
# es_MX 2,499.2 and 40.3 %, en_US 2,499.2 and 40.3%): see insights.i18n.
TEXT = {
    "es": {
        "head": "**Energía del estudio** ({start} a {end}, zona {zone}): {kwh} kWh de GPU y "
        "render, **{kg} kgCO2e** con la intensidad de la red hora por hora ({g} g/kWh), "
        "frente a {kg_a} kgCO2e con el promedio anual ({g_a} g/kWh): {diff} por el "
        "horario en que se trabajó.",
        "shift": "Si los trabajos flexibles ({n_f}) hubieran empezado en la hora más limpia "
        "(hasta {slack} h después): {save_f}. Si todos se movieran: {save_a}.",
        "kg_diff": "{kg} kg",
        "no_diff": "ninguna diferencia",
        "saving": "{kg} kg menos",
        "saving_pct": "{kg} kg menos ({pct})",
        "no_saving": "ningún ahorro",
        "solar": "**Solar**: {kwp} kWp en {place} cubren en el año los {year} kWh/año del "
        "estudio (rendimiento modelado {y} kWh/kWp/año; publicado {ref} kWh/kWp/año, "
        "{diff}). Hora por hora esos paneles cubren el {m1} tal como se trabajó y el "
        "{m2} moviendo los trabajos a horas de sol.",
        "jobs": "| trabajo | inicio | kWh | kgCO2e | mejor retraso (h) | ahorro kg |",
        "by_hour": "**Por hora del día**: carga de GPU frente a lo que darían los paneles "
        "dimensionados arriba y la intensidad de carbono de la red.",
        "by_day": "**Por día**: kgCO2e hora por hora frente al promedio anual.",
        "gpu": "GPU (kW)",
        "pv": "solar (kW)",
        "ci": "red (gCO2e/kWh)",
        "hour": "hora local",
        "kw": "kW promedio",
        "title": "Carga de GPU, perfil solar e intensidad de la red por hora",
        "matched": "kgCO2e hora por hora",
        "annual": "kgCO2e con promedio anual",
        "day": "día",
    },
    "en": {
        "head": "**Studio energy** ({start} to {end}, zone {zone}): {kwh} kWh of GPU and "
        "rendering, **{kg} kgCO2e** at the grid's hour-by-hour intensity ({g} g/kWh), against "
        "{kg_a} kgCO2e at the yearly average ({g_a} g/kWh): {diff} from when the work ran.",
        "shift": "Had the flexible jobs ({n_f}) started at the cleanest hour (up to {slack} h "
        "later): {save_f}. Moving every job: {save_a}.",
        "kg_diff": "{kg} kg",
        "no_diff": "no difference",
        "saving": "{kg} kg less",
        "saving_pct": "{kg} kg less ({pct})",
        "no_saving": "no saving",
        "solar": "**Solar**: {kwp} kWp at {place} cover the studio's {year} kWh/yr over a year "
        "(modelled yield {y} kWh/kWp/yr; published {ref} kWh/kWp/yr, {diff}). Hour by hour "
        "those panels cover {m1} as the work ran and {m2} with jobs moved to sunny hours.",
        "jobs": "| job | start | kWh | kgCO2e | best delay (h) | saving kg |",
        "by_hour": "**By hour of day**: GPU load against what the panels sized above would "
        "give, and the grid's carbon intensity.",
        "by_day": "**By day**: kgCO2e hour by hour against the yearly average.",
        "gpu": "GPU (kW)",
        "pv": "solar (kW)",
        "ci": "grid (gCO2e/kWh)",
        "hour": "local hour",
        "kw": "mean kW",
        "title": "GPU load, solar profile and grid intensity by hour",
        "matched": "kgCO2e hour by hour",
        "annual": "kgCO2e at the yearly average",
        "day": "day",
    },
}


def _n(v, lang: str, digits: int = 1, signed: bool = False) -> str:
    if v is None:
        return "—"
    text = i18n.number(abs(v) if signed else v, lang, digits)
    if signed and round(v, digits) == 0:  # no "−0.0"
        return text
    return (("+" if v >= 0 else "−") + text) if signed else text


def _saving(kg: float | None, pct: float | None, tx: dict, lang: str) -> str:
    """``1.5 kg menos (8.8%)``, or ``ningún ahorro`` where it shows as 0.0 kg."""
    if kg is None or i18n.rounds_to_zero(kg, 1):
        return tx["no_saving"]
    if pct is None:
        return tx["saving"].format(kg=_n(kg, lang, 1))
    return tx["saving_pct"].format(kg=_n(kg, lang, 1), pct=i18n.pct(pct, lang, 1))


def _when(iso: str, lang: str) -> str:
    return i18n.local_time(datetime.fromisoformat(iso), lang)


def text(key: str, lang: str) -> str:
    return TEXT[lang if lang in TEXT else "en"][key]


def summary_markdown(summary: dict, sizing: dict, zone: str, lang: str = "es") -> str:
    """The page's summary in one language, every number in that language's style."""
    lang = lang if lang in TEXT else "en"
    t, s, tx = summary["total"], summary["shift"], TEXT[lang]
    ref = sizing.get("published_check", {})
    head = tx["head"].format(
        start=_when(summary["period_local"][0], lang),
        end=_when(summary["period_local"][1], lang),
        zone=i18n.zone_name(zone, lang),
        kwh=_n(t["kwh"], lang, 1),
        kg=_n(t["kgco2e"], lang, 1),
        g=_n(t["matched_g_per_kwh"], lang, 0),
        kg_a=_n(t["kgco2e_annual_factor"], lang, 1),
        g_a=_n(summary["annual_factor_g_per_kwh"], lang, 0),
        # a change that shows as 0.0 is said in words, never "0.0 kg" (i18n.rounds_to_zero)
        diff=tx["no_diff"]
        if i18n.rounds_to_zero(t["kg_diff"], 1)
        else tx["kg_diff"].format(kg=_n(t["kg_diff"], lang, 1, signed=True)),
    )
    shift = tx["shift"].format(
        n_f=s["flexible"]["jobs"],
        slack=s["slack_hours"],
        save_f=_saving(s["flexible"]["saving_kg"], None, tx, lang),
        save_a=_saving(s["all"]["saving_kg"], s["all"]["saving_pct"], tx, lang),
    )
    loc = sizing["location"]
    sol = tx["solar"].format(
        kwp=_n(sizing["kwp_annual_net"], lang, 2),
        place=f"{i18n.decimal(loc['latitude'], lang, 4)}, {i18n.decimal(loc['longitude'], lang, 4)}",
        year=_n(sizing["yearly_kwh"], lang, 0),
        y=_n(sizing["specific_yield_kwh_per_kwp"], lang, 0),
        ref=_n(ref.get("kwh_per_kwp_yr"), lang, 0),
        diff=i18n.pct(ref.get("difference_pct"), lang, 1, signed=True),
        m1=i18n.pct(100 * sizing["matched_share_as_logged"], lang, 1),
        m2=i18n.pct(100 * sizing["matched_share_shifted"], lang, 1),
    )
    return "\n\n".join([head, shift, sol])


def jobs_markdown(summary: dict, lang: str = "es") -> str:
    lang = lang if lang in TEXT else "en"
    rows = [TEXT[lang]["jobs"], "|---|---|---:|---:|---:|---:|"]
    for j in summary["jobs"]:
        rows.append(
            f"| {md_text(j['job'])} | {_when(j['start_local'], lang)} | {_n(j['kwh'], lang, 3)} | "
            f"{_n(j['kg'], lang, 3)} | {j['best_delay_h']} | {_n(j['saving_kg'], lang, 3)} |"
        )
    return "\n".join(rows)


def hour_of_day(
    hourly: pl.DataFrame, ci: pl.DataFrame, site: solar.PVSettings, kwp: float, tz: str
) -> pl.DataFrame:
    """Mean GPU kW, PV kW (``kwp`` at ``site``) and grid gCO2e/kWh by local hour over the
    logged days: ``hour, gpu_kw, pv_kw, ci``."""
    first = hourly["ts_utc"].min()
    last = hourly["ts_utc"].max()
    grid = pl.DataFrame({"ts_utc": pl.datetime_range(first, last, timedelta(hours=1), eager=True)})
    load = hourly.group_by("ts_utc").agg(pl.col("kwh").sum().alias("gpu_kw"))
    pv = solar.pv_kwh_per_kwp(grid["ts_utc"].to_list(), site) * kwp
    return (
        grid.with_columns(pl.Series("pv_kw", pv))
        .join(load, on="ts_utc", how="left")
        .join(ci, on="ts_utc", how="left")
        .with_columns(
            pl.col("gpu_kw").fill_null(0.0),
            pl.col("ts_utc").dt.convert_time_zone(tz).dt.hour().alias("hour"),
        )
        .group_by("hour")
        .agg(pl.col("gpu_kw").mean(), pl.col("pv_kw").mean(), pl.col("ci").mean())
        .sort("hour")
    )


def profile_chart(profile: pl.DataFrame, lang: str = "es") -> alt.VConcatChart:
    tx = TEXT[lang]
    long = profile.rename({"gpu_kw": tx["gpu"], "pv_kw": tx["pv"]}).unpivot(
        index="hour", on=[tx["gpu"], tx["pv"]], variable_name="serie", value_name="kw"
    )
    x = alt.X("hour:O", title=tx["hour"])
    power = (
        alt.Chart(long, title=tx["title"])
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("kw:Q", title=tx["kw"]),
            color=alt.Color("serie:N", title=None),
            tooltip=["hour", "serie", alt.Tooltip("kw:Q", format=".2f")],
        )
        .properties(width=560, height=200)
    )
    grid = (
        alt.Chart(profile)
        .mark_bar(color="#888")
        .encode(x=x, y=alt.Y("ci:Q", title=tx["ci"]), tooltip=["hour", "ci"])
        .properties(width=560, height=120)
    )
    return alt.vconcat(power, grid).properties(description=tx["title"])


def daily_chart(summary: dict, lang: str = "es") -> alt.Chart:
    tx = TEXT[lang]
    days = pl.DataFrame(summary["days"]).rename({"kg": tx["matched"], "kg_annual": tx["annual"]})
    long = days.unpivot(
        index="day", on=[tx["matched"], tx["annual"]], variable_name="serie", value_name="kg"
    )
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("day:N", title=tx["day"]),
            xOffset="serie:N",
            y=alt.Y("kg:Q", title="kgCO2e"),
            color=alt.Color("serie:N", title=None),
            tooltip=["day", "serie", "kg"],
        )
        .properties(width=560, height=200, description=tx["matched"])
    )
