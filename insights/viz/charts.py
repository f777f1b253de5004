"""Chart builders: pure functions from Polars frames to Altair charts, in Spanish or English.

Every label, legend, series name, day and month name comes from the report
language: text here, numbers and dates through :mod:`insights.i18n` (a
Vega-Lite ``config.locale`` built from CLDR data, so axes read ``sáb 05`` and
``12,346`` in Spanish). Channels are written as the brands write them and grid
zones by the place they serve.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from insights import i18n
from insights.models.topics import ALPHA, MIN_LOG_RATIO

T = {
    "es": {
        "hour": "hora local",
        "day": "día",
        "eng": "interacciones",
        "eng_slot": "interacciones por horario",
        "rel": "% del pico de la región",
        "region": "región",
        "ren": "renovable (%)",
        "ci": "intensidad de carbono (gCO₂eq/kWh)",
        "ci_short": "gCO₂eq/kWh",
        "zone": "zona de la red",
        "w": "peso energético",
        "w_now": "peso energético elegido",
        "when": "inicio (hora local)",
        "where": "región · canal",
        "channel": "canal",
        "actual": "observado",
        "forecast": "pronóstico",
        "band": "intervalo del 80%",
        "strategy": "estrategia",
        "topic": "región · tema",
        "change": "cambio de participación (%)",
        "p": "p (Mann-Whitney)",
        "score": "puntaje",
        "rising": "al alza (significativo)",
        "stable": "sin cambio significativo",
        "falling": "a la baja (significativo)",
        "rising_rule": "prueba U de Mann-Whitney (bilateral), últimas semanas frente a las "
        "anteriores: verde oscuro = p < {alpha} y al menos {min_pct}% de aumento; verde claro = "
        "aumento significativo menor que {min_pct}%",
        "rising_small": "al alza, menos de lo elegido",
        "falling_small": "a la baja, menos de lo elegido",
        "recommended": "nuestra recomendación",
        "engagement_only": "solo alcance",
        "habitual": "hora habitual",
        "slots": "horarios",
    },
    "en": {
        "hour": "local hour",
        "day": "day",
        "eng": "engagements",
        "eng_slot": "engagements per slot",
        "rel": "% of the region's peak",
        "region": "region",
        "ren": "renewable (%)",
        "ci": "carbon intensity (gCO₂eq/kWh)",
        "ci_short": "gCO₂eq/kWh",
        "zone": "grid zone",
        "w": "energy weight",
        "w_now": "chosen energy weight",
        "when": "start (local time)",
        "where": "region · channel",
        "channel": "channel",
        "actual": "observed",
        "forecast": "forecast",
        "band": "80% interval",
        "strategy": "strategy",
        "topic": "region · topic",
        "change": "change in share (%)",
        "p": "p (Mann-Whitney)",
        "score": "score",
        "rising": "rising (significant)",
        "stable": "no significant change",
        "falling": "falling (significant)",
        "rising_rule": "Mann-Whitney U test (two-sided), recent weeks against the earlier "
        "ones: dark green = p < {alpha} and at least {min_pct}% up; light green = a "
        "significant rise under {min_pct}%",
        "rising_small": "rising, under the chosen size",
        "falling_small": "falling, under the chosen size",
        "recommended": "our advice",
        "engagement_only": "engagement only",
        "habitual": "habitual time",
        "slots": "slots",
    },
}
DESCRIPTIONS = {
    "heatmap": {"es": "mapa de calor de interacciones", "en": "engagement heatmap"},
    "forecast": {
        "es": "pronóstico con intervalo del 80% frente a lo observado",
        "en": "forecast with 80% interval against actuals",
    },
    "energy": {"es": "la red por hora", "en": "grid by hour"},
    "calendar": {"es": "calendario de recomendaciones", "en": "recommendation calendar"},
    "pareto": {"es": "frontera de Pareto", "en": "pareto frontier"},
    "pareto_current": {"es": "peso actual", "en": "current weight"},  # the ringed point
    "backtest": {"es": "backtest de la recomendación", "en": "backtest"},
    "rising": {"es": "temas al alza", "en": "rising topics"},
}
DAY_NAMES = {lang: i18n.day_names(lang) for lang in ("es", "en")}
NEUTRAL, ACCENT = "#9e9e9e", "#2b6a99"
DIRECTIONS = ("rising", "rising_small", "stable", "falling_small", "falling")
DAY_FORMAT = {"es": "%a %-d %b", "en": "%a, %b %-d"}  # d3 time format, day ticks


def _t(lang: str) -> dict[str, str]:
    return T[lang if lang in T else "en"]


def _mapped(df: pl.DataFrame, col: str, fn) -> pl.Expr:
    """``col`` with each distinct value replaced by ``fn(value)`` (a text label)."""
    values = df[col].unique().to_list()
    return pl.col(col).replace_strict({v: fn(v) for v in values}, return_dtype=pl.Utf8)


def localized(chart: alt.TopLevelMixin, lang: str, what: str) -> alt.TopLevelMixin:
    """The chart with the language's number and time formats (axes, tooltips) and its
    description (the accessible name of the chart in reports) in that language."""
    return chart.properties(description=DESCRIPTIONS[what][lang if lang in T else "en"]).configure(
        locale=i18n.vega_locale(lang)
    )


def engagement_heatmap(profile: pl.DataFrame, lang: str = "es") -> alt.FacetChart:
    """``profile``: ``region, dow (0=Mon), hour, engagements`` (local time).

    Each region is scaled to its own peak (100 = the region's busiest hour), so a
    small state shows its pattern instead of a uniformly dark panel.
    """
    t = _t(lang)
    days = DAY_NAMES.get(lang, DAY_NAMES["en"])
    df = profile.with_columns(
        pl.col("dow").replace_strict(dict(enumerate(days))).alias("day"),
        (100 * pl.col("engagements") / pl.col("engagements").max().over("region")).alias("rel"),
    )
    chart = (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title=t["hour"]),
            y=alt.Y("day:N", sort=days, title=t["day"]),
            color=alt.Color(
                "rel:Q", title=t["rel"], scale=alt.Scale(scheme="viridis", domain=[0, 100])
            ),
            tooltip=[
                alt.Tooltip("region:N", title=t["region"]),
                alt.Tooltip("day:N", title=t["day"]),
                alt.Tooltip("hour:O", title=t["hour"]),
                alt.Tooltip("engagements:Q", title=t["eng"], format=",.0f"),
                alt.Tooltip("rel:Q", title=t["rel"], format=".0f"),
            ],
        )
        .properties(width=340, height=150)
        .facet(row=alt.Row("region:N", title=None))
    )
    return localized(chart, lang, "heatmap")


def forecast_chart(
    actual: pl.DataFrame, forecast: pl.DataFrame, lang: str = "es"
) -> alt.LayerChart:
    """``actual``: ``ts, y``; ``forecast``: ``ts, yhat, yhat_lo, yhat_hi`` (one series).

    One legend names the three parts: observed, forecast and its 80% band.
    """
    t = _t(lang)
    domain = [t["actual"], t["forecast"], t["band"]]
    color = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=domain, range=["#333333", ACCENT, "#a8c6e0"]),
        legend=alt.Legend(orient="top"),
    )
    fc = forecast.with_columns(pl.lit(t["forecast"]).alias("series"))
    band = (
        alt.Chart(fc.with_columns(pl.lit(t["band"]).alias("series")))
        .mark_area(opacity=0.6)
        .encode(
            x=alt.X(
                "ts:T",
                title=None,
                axis=alt.Axis(format=DAY_FORMAT.get(lang, DAY_FORMAT["en"]), tickCount="day"),
            ),
            y=alt.Y("yhat_lo:Q", title=t["eng"]),
            y2="yhat_hi:Q",
            color=color,
        )
    )
    line = alt.Chart(fc).mark_line().encode(x="ts:T", y="yhat:Q", color=color)
    act = (
        alt.Chart(actual.with_columns(pl.lit(t["actual"]).alias("series")))
        .mark_line(strokeWidth=1)
        .encode(x="ts:T", y="y:Q", color=color)
    )
    chart = alt.layer(band, line, act).properties(width=640, height=220)
    return localized(chart, lang, "forecast")


def energy_by_hour(profile: pl.DataFrame, lang: str = "es") -> alt.HConcatChart:
    """``profile``: ``zone, hour, renewable_pct, carbon_intensity`` (mean by local hour).

    Zones are named by the place they serve (``Central (Ciudad de México)``).
    """
    t = _t(lang)
    df = profile.with_columns(_mapped(profile, "zone", lambda z: i18n.zone_name(z, lang)))
    base = alt.Chart(df).encode(
        x=alt.X("hour:O", title=t["hour"]),
        color=alt.Color("zone:N", title=t["zone"], legend=alt.Legend(orient="bottom", columns=3)),
        tooltip=[
            alt.Tooltip("zone:N", title=t["zone"]),
            alt.Tooltip("hour:O", title=t["hour"]),
            alt.Tooltip("renewable_pct:Q", title=t["ren"], format=".0f"),
            alt.Tooltip("carbon_intensity:Q", title=t["ci_short"], format=",.0f"),
        ],
    )
    ren = base.mark_line(point=True).encode(y=alt.Y("renewable_pct:Q", title=t["ren"]))
    ci = base.mark_line(point=True).encode(y=alt.Y("carbon_intensity:Q", title=t["ci"]))
    chart = alt.hconcat(ren.properties(width=300, height=200), ci.properties(width=300, height=200))
    return localized(chart, lang, "energy")


def _calendar_days(wall: pl.Series) -> tuple[list[int], list[int], list[int]]:
    """(noon ticks, midnight rules, x domain) in epoch ms over the days the slots cover,
    the domain a whole day wider than the dots on each side, so no dot is clipped."""
    from datetime import UTC, datetime, timedelta

    days = sorted({datetime.fromisoformat(w[:10]).replace(tzinfo=UTC) for w in wall})
    first, last = days[0], days[-1]
    n = (last - first).days + 1

    def ms(d: datetime) -> int:
        return int(d.timestamp() * 1000)

    noons = [ms(first + timedelta(days=i, hours=12)) for i in range(n)]
    midnights = [ms(first + timedelta(days=i)) for i in range(n + 1)]
    # 5 h past the last midnight: room for the hour written right of a late-evening dot
    return noons, midnights, [ms(first), ms(last + timedelta(days=1, hours=5))]


def recommendation_calendar(recs: pl.DataFrame, lang: str = "es") -> alt.LayerChart:
    """Every chosen slot on its own row (region · channel) against its local start time.

    ``recs``: ``region, channel, start_local`` (ISO 8601 with offset),
    ``expected_engagement, renewable_pct, carbon_intensity``. The x axis is each
    region's wall-clock time (the offset is dropped, so 21:00 in Tijuana and
    21:00 in Mérida line up). Each day's name is written at its noon, between the
    midnight rules that bound it, so a Saturday-night dot sits above "Saturday"; the
    domain runs from the first day's midnight to the last day's end, so no dot is
    clipped. Each dot's start hour is written to its right, on its own row. The colour
    scale spans the renewable shares shown (not 0-100 %), so 13 % and 17 % differ.
    """
    t = _t(lang)
    df = recs.with_columns(
        # wall-clock local time, written as UTC so every renderer shows it unchanged
        (pl.col("start_local").str.slice(0, 19) + "Z").alias("wall"),
        _mapped(recs, "start_local", lambda s: i18n.clock(datetime_of(s), lang)).alias("hhmm"),
        (pl.col("region") + " · " + _mapped(recs, "channel", i18n.brand)).alias("where"),
        _mapped(recs, "start_local", lambda s: i18n.local_time(s, lang)).alias("when"),
    )
    rows = df["where"].unique().sort().to_list()
    noons, midnights, domain = _calendar_days(df["wall"]) if df.height else ([], [], None)
    ren = df["renewable_pct"].drop_nulls() if "renewable_pct" in df.columns else pl.Series([])
    lo, hi = (float(ren.min()), float(ren.max())) if len(ren) else (0.0, 100.0)
    if hi - lo < 1:  # one value (or nearly): a one-point band around it
        lo, hi = lo - 0.5, hi + 0.5
    x = alt.X(
        "wall:T",
        title=t["when"],
        scale=alt.Scale(type="utc", domain=domain) if domain else alt.Scale(type="utc"),
        axis=alt.Axis(
            format=DAY_FORMAT.get(lang, DAY_FORMAT["en"]),
            labelAngle=0,
            values=noons,
            grid=False,
            ticks=False,
        ),
    )
    base = alt.Chart(df).encode(x=x, y=alt.Y("where:N", sort=rows, title=None))
    dots = base.mark_point(filled=True, size=160, stroke="#333", strokeWidth=0.5).encode(
        color=alt.Color(
            "renewable_pct:Q",
            title=t["ren"],
            scale=alt.Scale(scheme="greens", domain=[lo, hi]),
            legend=alt.Legend(format=".0f"),
        ),
        tooltip=[
            alt.Tooltip("where:N", title=t["where"]),
            alt.Tooltip("when:N", title=t["when"]),
            alt.Tooltip("expected_engagement:Q", title=t["eng"], format=",.0f"),
            alt.Tooltip("renewable_pct:Q", title=t["ren"], format=".0f"),
            alt.Tooltip("carbon_intensity:Q", title=t["ci_short"], format=",.0f"),
        ],
    )
    labels = base.mark_text(align="left", dx=9, fontSize=9, color="#333").encode(text="hhmm:N")
    day_rules = (
        alt.Chart(pl.DataFrame({"m": midnights}))
        .mark_rule(color="#cccccc")
        .encode(x=alt.X("m:T", scale=alt.Scale(type="utc")))
    )
    chart = alt.layer(day_rules, dots, labels).properties(
        width=max(600, 90 * len(noons)), height=max(60, 28 * len(rows))
    )
    return localized(chart, lang, "calendar")


def datetime_of(iso: str):
    from datetime import datetime

    return datetime.fromisoformat(iso)


def pareto_chart(
    frontier: pl.DataFrame, lang: str = "es", current: float | None = None
) -> alt.LayerChart:
    """Engagement against the energy signal the optimiser used (``frontier["signal"]``:
    renewable share or carbon intensity), showing only choices on the front (``on_front``):
    none that another weight beats on both. ``current``: an energy weight (one of
    ``frontier["energy_weight"]``) whose choice is ringed, on the front or not."""
    t = _t(lang)
    signal = frontier["signal"][0] if "signal" in frontier.columns and frontier.height else None
    mark = (
        frontier.filter((pl.col("energy_weight") - current).abs() < 1e-9)
        if current is not None
        else frontier.clear()
    )
    if "on_front" in frontier.columns:
        frontier = frontier.filter(pl.col("on_front"))
    if signal == "renewable":
        x = alt.X("renewable_pct:Q", title=t["ren"], scale=alt.Scale(zero=False))
    else:
        x = alt.X("carbon_intensity:Q", title=t["ci"], scale=alt.Scale(zero=False))
    base = alt.Chart(
        frontier.sort("energy_weight"),
        description=DESCRIPTIONS["pareto"][lang if lang in T else "en"],
    ).encode(
        x=x,
        y=alt.Y("expected_engagement:Q", title=t["eng"], scale=alt.Scale(zero=False)),
        order="energy_weight:Q",
    )
    chart = alt.layer(
        base.mark_line(color="#888"),
        base.mark_point(filled=True, size=60).encode(
            color=alt.Color("energy_weight:Q", title=t["w"], scale=alt.Scale(scheme="greens")),
            tooltip=[
                alt.Tooltip("energy_weight:Q", title=t["w"], format=".2f"),
                alt.Tooltip("expected_engagement:Q", title=t["eng"], format=",.0f"),
                alt.Tooltip("carbon_intensity:Q", title=t["ci_short"], format=",.0f"),
                alt.Tooltip("renewable_pct:Q", title=t["ren"], format=".1f"),
            ],
        ),
    )
    if mark.height:
        chart += (
            alt.Chart(mark, description=DESCRIPTIONS["pareto_current"][lang if lang in T else "en"])
            .mark_point(shape="circle", size=320, filled=False, color="black", strokeWidth=2)
            .encode(
                x=x,
                y="expected_engagement:Q",
                tooltip=[alt.Tooltip("energy_weight:Q", title=t["w_now"], format=".2f")],
            )
        )
    chart = chart.properties(width=420, height=260)
    return localized(chart, lang, "pareto")


def _dot_panel(df: pl.DataFrame, field: str, title: str, fmt: str, order: list) -> alt.LayerChart:
    """Strategies as dots on an axis fitted to their values, each value printed beside it."""
    lo, hi = df[field].min(), df[field].max()
    pad = max((hi - lo) * 0.35, abs(hi) * 0.01, 1e-9)
    base = alt.Chart(df).encode(
        y=alt.Y("label:N", sort=order, title=None),
        x=alt.X(f"{field}:Q", title=title, scale=alt.Scale(domain=[lo - pad, hi + pad])),
    )
    # no bar from the axis edge: on an axis that does not start at zero a bar's length
    # would turn a 1.5 % difference into one twice as long; dots and written values only
    dots = base.mark_point(filled=True, size=140, opacity=1).encode(
        color=alt.Color(
            "ours:N", scale=alt.Scale(domain=[True, False], range=[ACCENT, NEUTRAL]), legend=None
        )
    )
    text = base.mark_text(align="left", dx=9, fontSize=11).encode(
        text=alt.Text(f"{field}:Q", format=fmt)
    )
    return alt.layer(dots, text).properties(width=260, height=120)


def backtest_chart(summary: dict, lang: str = "es") -> alt.HConcatChart:
    """Actual engagement and carbon intensity per strategy, values printed.

    Dots on an axis fitted to the values (not bars from zero), so a 2% difference
    is visible; our advice in blue, the alternatives grey.
    """
    t = _t(lang)
    df = pl.DataFrame(
        [
            {
                "label": t.get(s["strategy"], s["strategy"]),
                "ours": s["strategy"] == "recommended",
                "engagement": s["engagement"],
                "carbon_intensity": s["carbon_intensity"],
            }
            for s in summary["strategies"]
        ]
    )
    order = df["label"].to_list()
    chart = alt.hconcat(
        _dot_panel(df, "engagement", t["eng_slot"], ",.0f", order),
        _dot_panel(df, "carbon_intensity", t["ci"], ",.0f", order),
    )
    return localized(chart, lang, "backtest")


def rising_topics_chart(
    rising: pl.DataFrame,
    lang: str = "es",
    top: int = 15,
    alpha: float = ALPHA,
    min_log_ratio: float = MIN_LOG_RATIO,
) -> alt.Chart:
    """The topics that grew most (``pct_change`` > 0), green where the rise is significant.

    ``rising``: output of :func:`insights.models.topics.rising_topics`; ``alpha`` and
    ``min_log_ratio`` are the thresholds it used, written in the subtitle.
    """
    import math

    t = _t(lang)
    up = rising.filter(pl.col("pct_change") > 0)
    df = (
        (up if up.height else rising)
        .sort("log_ratio", descending=True)
        .head(top)
        .with_columns((pl.col("geo") + " · " + pl.col("term")).alias("series"))
        .with_columns(
            pl.col("direction").replace_strict({k: t[k] for k in DIRECTIONS}, default=t["stable"])
        )
    )
    min_pct = round(100 * (math.exp(min_log_ratio) - 1))
    chart = (
        alt.Chart(
            df,
            title=alt.Title(
                t["rising_rule"].format(alpha=alpha, min_pct=min_pct),
                anchor="start",
                fontSize=11,
                fontWeight="normal",
            ),
        )
        .mark_bar()
        .encode(
            x=alt.X("pct_change:Q", title=t["change"]),
            y=alt.Y("series:N", sort="-x", title=None),
            color=alt.Color(
                "direction:N",
                title=None,
                scale=alt.Scale(
                    domain=[t[k] for k in DIRECTIONS],
                    range=["#2ca02c", "#a6dba0", "#bbbbbb", "#f4a582", "#d62728"],
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("series:N", title=t["topic"]),
                alt.Tooltip("pct_change:Q", title=t["change"], format="+.0f"),
                alt.Tooltip("p_value:Q", title=t["p"], format=".3f"),
                alt.Tooltip("direction:N", title=" "),
            ],
        )
        .properties(width=420, height=18 * min(top, max(1, df.height)))
    )
    return localized(chart, lang, "rising")
