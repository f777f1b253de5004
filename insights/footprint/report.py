"""The footprint section of the strategist report (notebooks/05_report.ipynb): the ledger's
totals per factor set, what the hour of viewing changes, the variant advice and the Pareto
chart, in Spanish (default) or English. Text here; numbers from
:func:`insights.footprint.ledger.footprint`. Names from the data (the campaign's topic,
regions, zones, variants) are written with :func:`insights.textsafe.md_text`: text, never
markup."""

from __future__ import annotations

from typing import Any

import polars as pl

from insights import i18n, sql
from insights.footprint import ledger as L
from insights.textsafe import md_text

TEXT: dict[str, dict[str, Any]] = {
    "es": {
        "title": "## Huella de distribuir la campaña «{campaign}»",
        "intro": "Energía y emisiones de entregar y ver la campaña del {start} al {end}, "
        "por publicación, región y hora en que se vio, con la intensidad de la red "
        "de quien la vio en esa hora. Cada cifra dice con qué conjunto de factores se "
        "calculó; la tabla compara los dos.",
        "cols": [
            "factores",
            "vistas",
            "GB entregados (10⁹ bytes)",
            "kWh entrega",
            "kWh dispositivos",
            "kg CO₂e (hora de visión)",
            "kg CO₂e (factor anual)",
            "efecto de la hora",
            "kg CO₂e incorporado",
        ],
        "spread": "Entre conjuntos de factores el resultado va de {lo} a {hi} kg CO₂e "
        "(×{ratio}): el método pesa más que la hora.",
        "hour": "Contar la hora en que se vio cambia el resultado {pct} frente al factor "
        "anual de la zona.",
        "signals": "Señal de red usada: {signals}.",
        "signal_names": {
            "hourly_zone": "horaria de la zona",
            "hourly_national": "horaria nacional",
            "annual": "anual (sin dato en esa hora)",
            "measured": "medida",
            "estimated": "estimada",
        },
        "caveat": "Advertencia de IAB Europe: con factores horarios, la etapa de consumo "
        "puede errar, porque los dispositivos no necesariamente se cargan a la misma hora en "
        "que se ve el anuncio.",
        "variants_title": "### Variantes que se adaptan a la energía disponible",
        "variants_cols": ["variante", "tipo", "tamaño", "interacción conservada", "origen"],
        "basis": {
            "ab_test": "prueba A/B",
            "user_default": "valor del usuario",
            "stated_default": "supuesto declarado (ajústelo)",
        },
        "advice": "Con peso energético {w} y un piso de interacción de {floor}: "
        "{before} → {after} kg CO₂e, interacción conservada {kept}; bytes servidos en horas "
        "de red alta: {hb} → {ha}.",
        "switch": "La recomendación empieza a servir una variante más ligera desde el peso "
        "energético {sw}.",
        "noswitch": "Ningún peso energético cambia la variante con este piso.",
        "pareto": "Cada punto es una opción que ninguna otra supera a la vez en kg evitados "
        "y en interacción cedida. {best}",
        "best": "La más eficiente evita {per} kg CO₂e por cada 1% de interacción cedida ({name}).",
        "level_cols": ["nivel de la red", "variante", "horas"],
        "levels": {"low": "bajo", "moderate": "moderado", "high": "alto", None: "sin dato"},
        "kinds": {"video": "video", "display": "imagen"},
        "annual_short": "el factor anual de {zone} es la media de {days} días de datos, no de un "
        "año completo",
        "daily": "{n} filas diarias de consumo quedaron fuera (sin hora de visión)",
        "unpriced": "regiones sin intensidad de red, fuera del cálculo: {regions}",
        "at_switch": "Con peso {w}: {before} → {after} kg CO₂e, interacción conservada "
        "{kept}; bytes en horas de red alta {hb} → {ha}.",
        "notes": "Notas: {notes}.",
    },
    "en": {
        "title": "## Footprint of distributing the «{campaign}» campaign",
        "intro": "Energy and emissions of delivering and viewing the campaign from {start} "
        "to {end}, per post, region and hour of viewing, at the viewer's grid intensity "
        "in that hour. Each figure names its factor set; the table compares both.",
        "cols": [
            "factor set",
            "views",
            "GB delivered (10⁹ bytes)",
            "kWh delivery",
            "kWh devices",
            "kg CO₂e (hour of viewing)",
            "kg CO₂e (annual factor)",
            "hour effect",
            "kg CO₂e embodied",
        ],
        "spread": "Between factor sets the result ranges from {lo} to {hi} kg CO₂e "
        "(×{ratio}): the method weighs more than the hour.",
        "hour": "Counting the hour of viewing changes the result by {pct} against the zone's "
        "annual factor.",
        "signals": "Grid signal used: {signals}.",
        "signal_names": {
            "hourly_zone": "hourly, zone",
            "hourly_national": "hourly, national",
            "annual": "annual (no value that hour)",
            "measured": "measured",
            "estimated": "estimated",
        },
        "caveat": "IAB Europe's caveat: with hourly factors the consumption stage may err, "
        "as devices are not necessarily charged at the hour the ad is watched.",
        "variants_title": "### Variants that adapt to the energy available",
        "variants_cols": ["variant", "kind", "size", "engagement kept", "basis"],
        "basis": {
            "ab_test": "A/B test",
            "user_default": "user's value",
            "stated_default": "stated assumption (set yours)",
        },
        "advice": "At energy weight {w} and an engagement floor of {floor}: "
        "{before} → {after} kg CO₂e, engagement kept {kept}; bytes served in high-grid "
        "hours: {hb} → {ha}.",
        "switch": "The advice starts serving a lighter variant from energy weight {sw}.",
        "noswitch": "No energy weight changes the variant with this floor.",
        "pareto": "Each point is an option no other beats on both kg avoided and engagement "
        "given up. {best}",
        "best": "The most efficient avoids {per} kg CO₂e per 1% of engagement given up ({name}).",
        "level_cols": ["grid level", "variant", "hours"],
        "levels": {"low": "low", "moderate": "moderate", "high": "high", None: "no data"},
        "kinds": {"video": "video", "display": "still"},
        "annual_short": "the annual factor of {zone} is the mean of {days} days of data, not a "
        "full year",
        "daily": "{n} daily consumption rows left out (no hour of viewing)",
        "unpriced": "regions without grid intensity, left out: {regions}",
        "at_switch": "At weight {w}: {before} → {after} kg CO₂e, engagement kept {kept}; bytes "
        "in high-grid hours {hb} → {ha}.",
        "notes": "Notes: {notes}.",
    },
}


def top_campaign(db: str | None) -> str:
    """The topic with the most views in the warehouse (the report's default campaign)."""
    from insights import warehouse

    with warehouse.read(db) as con:
        row = sql.one(
            con,
            "SELECT coalesce(topic, '') FROM consumption GROUP BY 1 ORDER BY sum(views) DESC "
            "LIMIT 1",
        )
    return row[0] if row else ""


def _size(v: dict, lang: str) -> str:
    if v["kind"] == "video":
        return f"{i18n.number(v['bitrate_kbps'], lang)} kbit/s"
    return f"{i18n.number(v['bytes_per_view'] / 1000, lang)} kB"


def section(r: dict, lang: str = "es") -> dict:
    """Markdown and tables of the section from :func:`insights.footprint.ledger.compute`'s
    result: ``{"intro": md, "totals": DataFrame, "text": md, "variants": DataFrame,
    "advice": md, "levels": DataFrame, "pareto": md}``."""
    t = TEXT[lang if lang in TEXT else "en"]
    s = L.summary(r)
    rows = []
    for set_id, x in s["totals"].items():
        rows.append(
            [
                set_id,
                i18n.number(x["views"], lang),
                i18n.number(x["bytes"] / 1e9, lang),
                i18n.number(x["delivery_kwh"], lang),
                i18n.number(x["device_kwh"], lang),
                i18n.number(x["kgco2e"], lang),
                i18n.number(x["kgco2e_annual"], lang),
                i18n.pct(x["hour_vs_annual_pct"], lang, 1, signed=True),
                i18n.number(x["embodied_kg"], lang),
            ]
        )
    totals = pl.DataFrame(rows, schema=t["cols"], orient="row")
    sp = s["spread"]
    adv_t = s["totals"][s["adviceFactorSet"]]
    names = t["signal_names"]
    signals = ", ".join(
        f"{names[g['grid_signal']]} ({names[g['signal_quality']]}): {i18n.number(g['rows'], lang)}"
        for g in s["gridSignals"]
    )
    text = " ".join(
        [
            t["spread"].format(
                lo=i18n.number(sp["min_kgco2e"], lang),
                hi=i18n.number(sp["max_kgco2e"], lang),
                ratio=i18n.decimal(sp["max_over_min"], lang, 1),
            ),
            t["hour"].format(pct=i18n.pct(adv_t["hour_vs_annual_pct"], lang, 1, signed=True)),
            t["signals"].format(signals=signals),
            t["caveat"],
        ]
    )
    variants = pl.DataFrame(
        [
            [
                v["name"],
                t["kinds"][v["kind"]],
                _size(v, lang),
                i18n.pct(100 * v["engagement_kept"], lang),
                t["basis"][v["basis"]],
            ]
            for v in s["variants"]
        ],
        schema=t["variants_cols"],
        orient="row",
    )
    b, a = s["before"], s["after"]
    advice = t["advice"].format(
        w=i18n.decimal(s["energyWeight"], lang),
        floor=i18n.pct(100 * s["engagementFloor"], lang),
        before=i18n.number(b["kgco2e"], lang),
        after=i18n.number(a["kgco2e"], lang),
        kept=i18n.pct(a["engagement_kept_pct"], lang, 1),
        hb=i18n.pct(b["bytes_high_share_pct"], lang, 1),
        ha=i18n.pct(a["bytes_high_share_pct"], lang, 1),
    )
    sw = s["switchWeight"]
    advice += " " + (
        t["switch"].format(sw=i18n.decimal(sw, lang)) if sw is not None else t["noswitch"]
    )
    at = s["atSwitchWeight"]
    if at is not None and sw != s["energyWeight"]:
        advice += " " + t["at_switch"].format(
            w=i18n.decimal(sw, lang),
            before=i18n.number(b["kgco2e"], lang),
            after=i18n.number(at["kgco2e"], lang),
            kept=i18n.pct(at["engagement_kept_pct"], lang, 1),
            hb=i18n.pct(b["bytes_high_share_pct"], lang, 1),
            ha=i18n.pct(at["bytes_high_share_pct"], lang, 1),
        )
    levels = pl.DataFrame(
        [
            [t["levels"][x["grid_level"]], x["variant"], i18n.number(x["hours"], lang)]
            for x in s["adviceByLevel"]
        ],
        schema=t["level_cols"],
        orient="row",
    )
    effs = [p for p in s["pareto"] if p["kg_avoided_per_pct"] is not None]
    best = max(effs, key=lambda p: p["kg_avoided_per_pct"]) if effs else None
    pareto = t["pareto"].format(
        best=t["best"].format(
            per=i18n.number(best["kg_avoided_per_pct"], lang), name=md_text(best["name"])
        )
        if best
        else ""
    )
    notes = [
        t["annual_short"].format(zone=md_text(a["zone"]), days=round(a["annual_hours"] / 24))
        for a in s["annualFactor"]
        if a["annual_hours"] < 365 * 24 * 0.9
    ]
    if s["dailyRowsLeftOut"]:
        notes.append(t["daily"].format(n=i18n.number(s["dailyRowsLeftOut"], lang)))
    if s["regionsUnpriced"]:
        regions = ", ".join(md_text(r) for r in s["regionsUnpriced"])
        notes.append(t["unpriced"].format(regions=regions))
    if notes:
        pareto += "\n\n" + t["notes"].format(notes="; ".join(notes))
    start, end = s["period"]["start"], s["period"]["end"]
    intro = (
        t["title"].format(campaign=md_text(s["campaign"]) if s["campaign"] else "—")
        + "\n\n"
        # in the page's language, marked UTC: "lun 30 nov 2026, 23:00 UTC"
        + t["intro"].format(start=i18n.instant(start, lang), end=i18n.instant(end, lang))
    )
    return {
        "intro": intro,
        "totals": totals,
        "text": text,
        "variants_title": t["variants_title"],
        "variants": variants,
        "advice": advice,
        "levels": levels,
        "pareto": pareto,
    }


def show_footprint(
    db: str | None,
    lang: str = "es",
    energy_weight: float = L.DEFAULT_ENERGY_WEIGHT,
    campaign: str | None = None,
    floor: float = L.DEFAULT_FLOOR,
) -> dict | None:
    """Display the section in a notebook (the report's cell calls this); returns the
    computed result (None, with the reason shown, when the warehouse cannot answer).
    ``campaign``: a topic; default the one with the most views."""
    from IPython.display import HTML, Markdown, display

    from insights import InsightsError
    from insights.footprint.charts import pareto_variants_chart
    from insights.viz.offline import show
    from insights.widgets import html_table

    camp = campaign
    try:
        camp = campaign or top_campaign(db)
        r = L.footprint(db, L.LedgerParams(campaign=camp, energy_weight=energy_weight, floor=floor))
    except InsightsError as exc:  # no consumption or no grid data: say so, keep the report
        t = TEXT[lang if lang in TEXT else "en"]
        title = t["title"].format(campaign=md_text(camp) if camp else "—")  # the one it tried
        display(Markdown(f"{title}\n\n{md_text(exc)}"))
        return None
    sec = section(r, lang)
    display(Markdown(sec["intro"]))
    display(HTML(html_table(sec["totals"])))
    display(Markdown(sec["text"]))
    display(Markdown(sec["variants_title"]))
    display(HTML(html_table(sec["variants"])))
    display(Markdown(sec["advice"]))
    display(HTML(html_table(sec["levels"])))
    show(pareto_variants_chart(r["pareto"], lang))
    display(Markdown(sec["pareto"]))
    return r
