"""Widget panels for analysts: an optional layer over the same functions the headless run uses."""

from __future__ import annotations

import ipywidgets as W
import polars as pl

from insights import i18n
from insights.recommend.engine import pareto_frontier, recommend
from insights.recommend.slots import SlotRules, build_candidates
from insights.textsafe import html_text
from insights.viz import charts
from insights.viz.offline import show_in


class RecommendPanel:
    """Region and channel pickers, energy-weight slider, horizon, window and allowed hours.

    The controls start from the values given (the notebook's parameters), so the
    panel first shows the same recommendations as the table above it. Changing
    any control recomputes the recommendations and redraws the table and charts
    in place. ``self.recs`` holds the current recommendations. ``regions`` take
    aliases (``CDMX``); ``channels`` any case; ``hours`` ``(22, 2)`` wraps midnight.
    """

    def __init__(
        self,
        forecasts: dict,
        start,
        lang: str = "es",
        slots: int = 3,
        gap: int = 12,
        energy_weight: float = 0.25,
        regions=None,
        channels=None,
        hours: tuple[int, int] = (8, 23),
        horizon_days: float = 7,
        window_hours: int = 1,
    ):
        from insights.params import channel_list, region_list

        self.fc, self.start, self.lang, self.slots, self.gap = forecasts, start, lang, slots, gap
        es = lang == "es"
        all_regions = sorted(forecasts["engagement"]["region"].unique())
        all_channels = sorted(forecasts["engagement"]["channel"].unique())
        chosen_regions = region_list(regions, all_regions) or all_regions
        chosen_channels = channel_list(channels, all_channels) or all_channels
        self.region = W.SelectMultiple(
            options=all_regions,
            value=tuple(chosen_regions),
            description="región" if es else "region",
        )
        self.channel = W.SelectMultiple(
            options=[(i18n.brand(c), c) for c in all_channels],
            value=tuple(chosen_channels),
            description="canal" if es else "channel",
        )
        self.weight = W.FloatSlider(
            value=energy_weight,
            min=0,
            max=1,
            step=0.05,
            description="peso energía" if es else "energy weight",
        )
        self.horizon = W.FloatSlider(
            value=horizon_days,
            min=0.5,
            max=max(7.0, float(horizon_days)),
            step=0.5,
            description="días" if es else "days",
        )
        self.window = W.IntSlider(
            value=window_hours,
            min=1,
            max=max(6, window_hours),
            description="horas/slot" if es else "slot hours",
        )
        self.first_hour = W.IntSlider(
            value=hours[0], min=0, max=23, description="desde (h)" if es else "from (h)"
        )
        self.last_hour = W.IntSlider(
            value=hours[1], min=0, max=23, description="hasta (h)" if es else "to (h)"
        )
        self.table = W.HTML()
        self.charts = W.Output()
        controls = (
            self.region,
            self.channel,
            self.weight,
            self.horizon,
            self.window,
            self.first_hour,
            self.last_hour,
        )
        for w in controls:
            w.observe(self._update, names="value")
        self.widget = W.VBox(
            [
                W.HBox([self.region, self.channel]),
                W.HBox([self.weight, self.horizon, self.window]),
                W.HBox([self.first_hour, self.last_hour]),
                self.table,
                self.charts,
            ]
        )
        self._update()

    def rules(self) -> SlotRules:
        """The slot rules the controls describe now."""
        return SlotRules(
            start=self.start,
            horizon_days=self.horizon.value,
            window_hours=self.window.value,
            hours=(self.first_hour.value, self.last_hour.value),
            regions=tuple(self.region.value),
            channels=tuple(self.channel.value),
        )

    def _update(self, *_: object) -> None:
        cands = build_candidates(
            self.fc["engagement"], self.fc["energy"], self.fc["regions"], self.rules()
        )
        if cands.height == 0 or not cands["allowed"].any():
            self.recs = pl.DataFrame()
            self.table.value = "<p>—</p>"
            return
        self.recs = recommend(cands, self.weight.value, self.slots, self.gap, self.window.value)
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
        self.table.value = html_table(i18n.humanize(self.recs.select(cols), self.lang))
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
