"""Widget panels for analysts: an optional layer over the same functions the headless run uses."""

from __future__ import annotations

import os

import ipywidgets as W
import polars as pl

from insights import i18n
from insights.recommend.engine import pareto_frontier, recommend
from insights.recommend.slots import SlotRules, build_candidates
from insights.textsafe import html_text
from insights.viz import charts
from insights.viz.offline import HEADLESS_ENV, show_in

# the columns of the static recommendation table in 04_recommend, 80 % interval included,
# so the panel's table and the one above it read the same
TABLE_COLUMNS = (
    "region",
    "channel",
    "rank",
    "start_local",
    "expected_engagement",
    "engagement_low",
    "engagement_high",
    "renewable_pct",
    "carbon_intensity",
    "engagement_vs_best_pct",
    "renewable_vs_best_pp",
    "carbon_vs_best_pct",
)
# control labels, whole words; shown in full (description_width "initial", see STYLE)
LABELS = {
    "es": {
        "region": "Regiones",
        "channel": "Canales",
        "weight": "Peso de la energía",
        "horizon": "Días a planear",
        "window": "Horas por franja",
        "first_hour": "Desde la hora",
        "last_hour": "Hasta la hora",
    },
    "en": {
        "region": "Regions",
        "channel": "Channels",
        "weight": "Energy weight",
        "horizon": "Days to plan",
        "window": "Hours per slot",
        "first_hour": "From hour",
        "last_hour": "To hour",
    },
}
STYLE = {"description_width": "initial"}  # the label takes the width it needs, never "peso ener…"
PARETO_WEIGHTS = [i / 10 for i in range(11)]  # the frontier's weights; the chosen one is added


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
        label = LABELS.get(lang, LABELS["en"])
        all_regions = sorted(forecasts["engagement"]["region"].unique())
        all_channels = sorted(forecasts["engagement"]["channel"].unique())
        chosen_regions = region_list(regions, all_regions) or all_regions
        chosen_channels = channel_list(channels, all_channels) or all_channels
        self.region = W.SelectMultiple(
            options=all_regions,
            value=tuple(chosen_regions),
            description=label["region"],
            style=STYLE,
        )
        self.channel = W.SelectMultiple(
            options=[(i18n.brand(c), c) for c in all_channels],
            value=tuple(chosen_channels),
            description=label["channel"],
            style=STYLE,
        )
        self.weight = W.FloatSlider(
            value=energy_weight,
            min=0,
            max=1,
            step=0.05,
            readout_format=".2f",
            description=label["weight"],
            style=STYLE,
        )
        # half days are allowed (the parameter is a float). The browser formats the readout
        # with d3-format, where ".3g" keeps trailing zeros (7 read "7.00" in the lab); a
        # format with no type is d3's "~g", trailing zeros trimmed: ".3" reads 7 and 6.5
        # (d3-format src/locale.js: type "" is ".12~g"; ipywidgets refuses "~" written out)
        self.horizon = W.FloatSlider(
            value=horizon_days,
            min=0.5,
            max=max(7.0, float(horizon_days)),
            step=0.5,
            readout_format=".3",
            description=label["horizon"],
            style=STYLE,
        )
        self.window = W.IntSlider(
            value=window_hours,
            min=1,
            max=max(6, window_hours),
            description=label["window"],
            style=STYLE,
        )
        self.first_hour = W.IntSlider(
            value=hours[0], min=0, max=23, description=label["first_hour"], style=STYLE
        )
        self.last_hour = W.IntSlider(
            value=hours[1], min=0, max=23, description=label["last_hour"], style=STYLE
        )
        self.table = W.HTML()
        self.calendar = W.Output()  # one Output per chart, redrawn from the same plan
        self.pareto = W.Output()
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
                self.calendar,
                self.pareto,
                self.table,
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
            # nothing to plan: every part says so, none keeps a stale plan
            self.recs = pl.DataFrame()
            self.table.value = "<p>—</p>"
            self.calendar.outputs = self.pareto.outputs = ()
            return
        weight = self.weight.value
        self.recs = recommend(cands, weight, self.slots, self.gap, self.window.value)
        frontier = pareto_frontier(
            cands, self.slots, self.gap, sorted({*PARETO_WEIGHTS, round(weight, 6)})
        )
        show_in(self.calendar, charts.recommendation_calendar(self.recs, self.lang))
        show_in(self.pareto, charts.pareto_chart(frontier, self.lang, current=round(weight, 6)))
        self.table.value = html_table(i18n.humanize(self.recs.select(TABLE_COLUMNS), self.lang))

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def lab_panel(forecasts: dict, start, **options) -> RecommendPanel | None:
    """The :class:`RecommendPanel` (same arguments) for someone in JupyterLab; ``None``,
    which a cell shows as nothing, in a headless run (:data:`HEADLESS_ENV`, set by
    ``insights report``): nobody can move its controls there, its cell is dropped from the
    exported page (tag ``widgets``), so its plan and charts would be computed for no one."""
    if os.environ.get(HEADLESS_ENV):
        return None
    return RecommendPanel(forecasts, start, **options)


def html_table(df: pl.DataFrame, lang: str | None = None) -> str:
    """``df`` as an HTML table; every name and value is escaped text (data is never markup),
    missing values as an em dash.

    Numbers are written as the report writes them: a column that is not text goes through
    :func:`insights.i18n.humanize` in ``lang`` (its number style: ``12,346``, ``81%``,
    ``+3.1 p. p.``), so a number in a widget reads as the same number in the page; with
    ``lang``, known column names get their headers (``region`` -> ``Región``).
    A table holding numbers with no ``lang`` is refused (``TypeError``): Python's own
    formatting would give another number style, or ``-0.0``."""
    numeric = [c for c, t in df.schema.items() if t not in (pl.Utf8, pl.Null)]
    if numeric:
        if lang is None:
            raise TypeError(
                f"html_table: column(s) {', '.join(numeric)} hold numbers; pass lang= so they "
                "are written as the report writes them (insights.i18n)"
            )
        shown = i18n.humanize(df.select(numeric), lang)
        df = pl.DataFrame(
            [shown.to_series(numeric.index(c)) if c in numeric else df[c] for c in df.columns]
        )
    if lang is not None:  # headers as humanize names them (a column already named stays so)
        names = i18n.COLUMNS["es" if lang == "es" else "en"]
        df = df.rename({c: names[c] for c in df.columns if c in names})
    head = "".join(f"<th>{html_text(c)}</th>" for c in df.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html_text(v)}</td>" for v in r) + "</tr>" for r in df.iter_rows()
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
