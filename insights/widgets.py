"""Widget panels for analysts: an optional layer over the same functions the headless run uses."""

from __future__ import annotations

import ipywidgets as W
import polars as pl

from insights.recommend.engine import pareto_frontier, recommend
from insights.recommend.slots import SlotRules, build_candidates
from insights.textsafe import html_text
from insights.viz import charts
from insights.viz.offline import show_in


class RecommendPanel:
    """Region and channel pickers, energy-weight slider, horizon and allowed hours.

    Changing any control recomputes the recommendations and redraws the table
    and charts in place. ``self.recs`` holds the current recommendations.
    """

    def __init__(self, forecasts: dict, start, lang: str = "es", slots: int = 3, gap: int = 12):
        self.fc, self.start, self.lang, self.slots, self.gap = forecasts, start, lang, slots, gap
        regions = sorted(forecasts["engagement"]["region"].unique())
        channels = sorted(forecasts["engagement"]["channel"].unique())
        self.region = W.SelectMultiple(
            options=regions,
            value=tuple(regions[:2]),
            description="región" if lang == "es" else "region",
        )
        self.channel = W.SelectMultiple(
            options=channels,
            value=tuple(channels),
            description="canal" if lang == "es" else "channel",
        )
        self.weight = W.FloatSlider(
            value=0.25,
            min=0,
            max=1,
            step=0.05,
            description="peso energía" if lang == "es" else "energy weight",
        )
        self.horizon = W.IntSlider(
            value=7, min=1, max=7, description="días" if lang == "es" else "days"
        )
        self.hours = W.IntRangeSlider(
            value=(8, 23), min=0, max=23, description="horas" if lang == "es" else "hours"
        )
        self.table = W.HTML()
        self.charts = W.Output()
        for w in (self.region, self.channel, self.weight, self.horizon, self.hours):
            w.observe(self._update, names="value")
        self.widget = W.VBox(
            [
                W.HBox([self.region, self.channel]),
                W.HBox([self.weight, self.horizon, self.hours]),
                self.table,
                self.charts,
            ]
        )
        self._update()

    def _update(self, *_: object) -> None:
        rules = SlotRules(
            start=self.start,
            horizon_days=self.horizon.value,
            hours=tuple(self.hours.value),
            regions=tuple(self.region.value),
            channels=tuple(self.channel.value),
        )
        cands = build_candidates(
            self.fc["engagement"], self.fc["energy"], self.fc["regions"], rules
        )
        if cands.height == 0 or not cands["allowed"].any():
            self.recs = pl.DataFrame()
            self.table.value = "<p>—</p>"
            return
        self.recs = recommend(cands, self.weight.value, self.slots, self.gap, 1)
        cols = [
            "region",
            "channel",
            "start_local",
            "expected_engagement",
            "renewable_pct",
            "carbon_intensity",
            "engagement_vs_best_pct",
            "carbon_vs_best_pct",
        ]
        self.table.value = html_table(self.recs.select(cols))
        show_in(
            self.charts,
            charts.recommendation_calendar(self.recs, self.lang),
            charts.pareto_chart(pareto_frontier(cands, self.slots, self.gap, 11), self.lang),
        )

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def html_table(df: pl.DataFrame) -> str:
    """``df`` as an HTML table; every name and value is escaped text (data is never markup);
    floats with one decimal, missing values as an em dash."""
    head = "".join(f"<th>{html_text(c)}</th>" for c in df.columns)
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{v:.1f}</td>" if isinstance(v, float) else f"<td>{html_text(v)}</td>" for v in r
        )
        + "</tr>"
        for r in df.iter_rows()
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 10 else f"{v:,.1f}"
    return "—" if v is None else str(v)
