"""Charts of the footprint: the Pareto front of variants (kg CO2e avoided against engagement
given up). Pure functions from plain data to Altair charts, in Spanish or English, with the
language's number format (as :mod:`insights.viz.charts`)."""

from __future__ import annotations

import altair as alt
import polars as pl

from insights import i18n

T = {
    "es": {
        "x": "interacción cedida (%)",
        "y": "kg CO₂e evitados",
        "per": "kg CO₂e por 1% de interacción",
        "name": "opción",
        "kind": "tipo",
        "variant": "variante en todas partes",
        "adaptive": "según la red (peso w)",
        "desc": "Frente de Pareto de las variantes: kilos de CO₂e evitados contra el "
        "porcentaje de interacción cedido; solo opciones no dominadas",
    },
    "en": {
        "x": "engagement given up (%)",
        "y": "kg CO₂e avoided",
        "per": "kg CO₂e per 1% of engagement",
        "name": "option",
        "kind": "kind",
        "variant": "one variant everywhere",
        "adaptive": "by grid level (weight w)",
        "desc": "Pareto front of the variants: kilograms of CO₂e avoided against the share "
        "of engagement given up; non-dominated options only",
    },
}


def pareto_variants_chart(pareto: list[dict], lang: str = "es") -> alt.LayerChart:
    """``pareto``: the non-dominated points of :func:`insights.footprint.ledger.compute`
    (``name, kind, kg_avoided, engagement_given_up_pct, kg_avoided_per_pct``). Only those
    points are drawn: a dominated option never appears."""
    t = T[lang if lang in T else "en"]
    df = pl.DataFrame(
        {
            "name": [p["name"] for p in pareto],
            "kind": [t[p["kind"]] for p in pareto],
            "x": [float(p["engagement_given_up_pct"]) for p in pareto],
            "y": [float(p["kg_avoided"]) for p in pareto],
            "per": [p["kg_avoided_per_pct"] for p in pareto],
        },
        schema_overrides={"per": pl.Float64},
    ).sort("x")
    base = alt.Chart(df).encode(
        x=alt.X("x:Q", title=t["x"]),
        y=alt.Y("y:Q", title=t["y"]),
    )
    chart = alt.layer(
        base.mark_line(color="#888"),
        base.mark_point(filled=True, size=70).encode(
            color=alt.Color("kind:N", title=t["kind"]),
            tooltip=[
                alt.Tooltip("name:N", title=t["name"]),
                alt.Tooltip("x:Q", title=t["x"], format=".2f"),
                alt.Tooltip("y:Q", title=t["y"], format=",.0f"),
                alt.Tooltip("per:Q", title=t["per"], format=",.0f"),
            ],
        ),
        base.mark_text(dy=-10, fontSize=10, color="#333").encode(text="name:N"),
    ).properties(width=460, height=260, description=t["desc"])
    return chart.configure(locale=i18n.vega_locale(lang))
