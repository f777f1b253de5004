"""Chart builders: pure functions from Polars frames to Altair charts."""

from __future__ import annotations

import altair as alt
import polars as pl

DAY_NAMES = {
    "es": ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}
T = {
    "es": {
        "hour": "hora local",
        "day": "día",
        "eng": "interacciones",
        "region": "región",
        "ren": "renovable (%)",
        "ci": "gCO₂eq/kWh",
        "zone": "zona",
        "w": "peso energético",
        "when": "inicio (hora local)",
        "channel": "canal",
        "actual": "real",
        "forecast": "pronóstico",
        "strategy": "estrategia",
        "topic": "tema",
        "change": "cambio (%)",
    },
    "en": {
        "hour": "local hour",
        "day": "day",
        "eng": "engagements",
        "region": "region",
        "ren": "renewable (%)",
        "ci": "gCO₂eq/kWh",
        "zone": "zone",
        "w": "energy weight",
        "when": "start (local time)",
        "channel": "channel",
        "actual": "actual",
        "forecast": "forecast",
        "strategy": "strategy",
        "topic": "topic",
        "change": "change (%)",
    },
}


def engagement_heatmap(profile: pl.DataFrame, lang: str = "es") -> alt.Chart:
    """``profile``: ``region, dow (0=Mon), hour, engagements`` (local time)."""
    t = T[lang]
    df = profile.with_columns(
        pl.col("dow").replace_strict(dict(enumerate(DAY_NAMES[lang]))).alias("day")
    )
    return (
        alt.Chart(df, description="engagement heatmap")
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title=t["hour"]),
            y=alt.Y("day:N", sort=DAY_NAMES[lang], title=t["day"]),
            color=alt.Color("engagements:Q", title=t["eng"], scale=alt.Scale(scheme="viridis")),
            tooltip=["region", "day", "hour", alt.Tooltip("engagements:Q", format=",.0f")],
        )
        .properties(width=340, height=150)
        .facet(row=alt.Row("region:N", title=None))
    )


def forecast_chart(
    actual: pl.DataFrame, forecast: pl.DataFrame, lang: str = "es"
) -> alt.LayerChart:
    """``actual``: ``ts, y``; ``forecast``: ``ts, yhat, yhat_lo, yhat_hi`` (one series)."""
    t = T[lang]
    band = (
        alt.Chart(forecast)
        .mark_area(opacity=0.3, color="#4c78a8")
        .encode(x=alt.X("ts:T", title=None), y=alt.Y("yhat_lo:Q", title=t["eng"]), y2="yhat_hi:Q")
    )
    line = alt.Chart(forecast).mark_line(color="#4c78a8").encode(x="ts:T", y="yhat:Q")
    act = alt.Chart(actual).mark_line(color="#333", strokeWidth=1).encode(x="ts:T", y="y:Q")
    return alt.layer(band, line, act).properties(
        width=640, height=220, description="forecast with 80% interval against actuals"
    )


def energy_by_hour(profile: pl.DataFrame, lang: str = "es") -> alt.HConcatChart:
    """``profile``: ``zone, hour, renewable_pct, carbon_intensity`` (mean by local hour)."""
    t = T[lang]
    base = alt.Chart(profile, description="grid by hour").encode(
        x=alt.X("hour:O", title=t["hour"]), color=alt.Color("zone:N", title=t["zone"])
    )
    ren = base.mark_line(point=True).encode(y=alt.Y("renewable_pct:Q", title=t["ren"]))
    ci = base.mark_line(point=True).encode(y=alt.Y("carbon_intensity:Q", title=t["ci"]))
    return alt.hconcat(ren.properties(width=300, height=200), ci.properties(width=300, height=200))


def recommendation_calendar(recs: pl.DataFrame, lang: str = "es") -> alt.Chart:
    """Chosen slots on a day x hour grid (local time), coloured by renewable share."""
    t = T[lang]
    df = recs.with_columns(
        pl.col("start_local").str.slice(0, 10).alias("date"),
        pl.col("start_local").str.slice(11, 2).cast(pl.Int32).alias("hour"),
        (pl.col("region") + " · " + pl.col("channel")).alias("where"),
    )
    return (
        alt.Chart(df, description="recommendation calendar")
        .mark_point(filled=True, size=220)
        .encode(
            x=alt.X("date:O", title=None),
            y=alt.Y("hour:O", title=t["hour"]),
            color=alt.Color("renewable_pct:Q", title=t["ren"], scale=alt.Scale(scheme="greens")),
            shape=alt.Shape("channel:N", title=t["channel"]),
            tooltip=[
                "where",
                "start_local",
                alt.Tooltip("expected_engagement:Q", format=",.0f"),
                alt.Tooltip("renewable_pct:Q", format=".1f"),
                alt.Tooltip("carbon_intensity:Q", format=".0f"),
                alt.Tooltip("score:Q", format=".2f"),
            ],
        )
        .properties(width=560, height=260)
    )


def pareto_chart(frontier: pl.DataFrame, lang: str = "es") -> alt.LayerChart:
    """Engagement against the energy signal the optimiser used (``frontier["signal"]``:
    renewable share or carbon intensity), showing only choices on the front (``on_front``):
    none that another weight beats on both."""
    t = T[lang]
    signal = frontier["signal"][0] if "signal" in frontier.columns and frontier.height else None
    if "on_front" in frontier.columns:
        frontier = frontier.filter(pl.col("on_front"))
    if signal == "renewable":
        x = alt.X("renewable_pct:Q", title=t["ren"], scale=alt.Scale(zero=False))
    else:
        x = alt.X("carbon_intensity:Q", title=t["ci"], scale=alt.Scale(zero=False))
    base = alt.Chart(frontier.sort("energy_weight"), description="pareto frontier").encode(
        x=x,
        y=alt.Y("expected_engagement:Q", title=t["eng"], scale=alt.Scale(zero=False)),
        order="energy_weight:Q",
    )
    return alt.layer(
        base.mark_line(color="#888"),
        base.mark_point(filled=True, size=60).encode(
            color=alt.Color("energy_weight:Q", title=t["w"], scale=alt.Scale(scheme="greens")),
            tooltip=[
                "energy_weight",
                alt.Tooltip("expected_engagement:Q", format=",.0f"),
                alt.Tooltip("carbon_intensity:Q", format=".0f"),
                alt.Tooltip("renewable_pct:Q", format=".1f"),
            ],
        ),
    ).properties(width=420, height=260)


def backtest_chart(summary: dict, lang: str = "es") -> alt.HConcatChart:
    t = T[lang]
    df = pl.DataFrame(
        [
            {k: s[k] for k in ("strategy", "engagement", "carbon_intensity")}
            for s in summary["strategies"]
        ]
    )
    bar = alt.Chart(df, description="backtest").mark_bar()
    return alt.hconcat(
        bar.encode(
            x=alt.X("strategy:N", title=t["strategy"]),
            y=alt.Y("engagement:Q", title=t["eng"]),
            color=alt.Color("strategy:N", legend=None),
        ).properties(width=220, height=200),
        bar.encode(
            x=alt.X("strategy:N", title=t["strategy"]),
            y=alt.Y("carbon_intensity:Q", title=t["ci"]),
            color=alt.Color("strategy:N", legend=None),
        ).properties(width=220, height=200),
    )


def rising_topics_chart(rising: pl.DataFrame, lang: str = "es", top: int = 15) -> alt.Chart:
    t = T[lang]
    df = (
        rising.sort("log_ratio", descending=True)
        .head(top)
        .with_columns((pl.col("geo") + " · " + pl.col("term")).alias("series"))
    )
    return (
        alt.Chart(df, description="rising topics")
        .mark_bar()
        .encode(
            x=alt.X("pct_change:Q", title=t["change"]),
            y=alt.Y("series:N", sort="-x", title=None),
            color=alt.Color(
                "direction:N",
                scale=alt.Scale(
                    domain=["rising", "stable", "falling"], range=["#2ca02c", "#bbbbbb", "#d62728"]
                ),
            ),
            tooltip=[
                "series",
                alt.Tooltip("pct_change:Q", format=".0f"),
                alt.Tooltip("p_value:Q", format=".3f"),
                "direction",
            ],
        )
        .properties(width=420, height=18 * min(top, max(1, df.height)))
    )
