"""Widget callbacks: set a control's value, the recommendations and output change."""

from __future__ import annotations

from datetime import timedelta

import ipywidgets as W
import polars as pl

from insights.recommend.io import latest_forecasts
from insights.viz.offline import VEGALITE_MIME
from insights.widgets import TABLE_COLUMNS, RecommendPanel
from tests.conftest import ROOT


def _specs(output) -> list[dict]:
    """The Vega-Lite specs an Output widget shows (the lab-only bundle output aside)."""
    return [o["data"][VEGALITE_MIME] for o in output.outputs if VEGALITE_MIME in o["data"]]


def _datasets(spec: dict) -> list[dict]:
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def _ringed_weight(spec: dict) -> float:
    """The energy weight of the Pareto layer described "current weight"."""
    layer = next(v for v in spec["layer"] if v.get("description") == "current weight")
    (row,) = spec["datasets"][layer["data"]["name"]]
    return row["energy_weight"]


def _calendar_starts(spec: dict) -> set[str]:
    return {
        str(r["start_local"])[:16].replace("T", " ")
        for r in _datasets(spec)
        if r.get("start_local")
    }


def test_recommend_panel_updates_in_place(trained_db):
    fc = latest_forecasts(str(trained_db))
    panel = RecommendPanel(fc, fc["engagement"]["ts"].min(), lang="en")
    panel.region.value = ("Oaxaca", "Sonora")
    panel.weight.value = 0.0
    table0, recs0 = panel.table.value, panel.recs
    cal0, par0 = _specs(panel.calendar), _specs(panel.pareto)
    assert set(recs0["region"]) == {"Oaxaca", "Sonora"} and "<table>" in table0
    assert len(cal0) == 1 and len(par0) == 1  # calendar and Pareto frontier, one each
    assert _ringed_weight(par0[0]) == 0.0
    panel.weight.value = 1.0
    recs1 = panel.recs
    assert panel.table.value != table0
    # the calendar and the Pareto chart follow the table: the same plan, the new weight ringed
    cal1, par1 = _specs(panel.calendar), _specs(panel.pareto)
    assert cal1 != cal0 and _ringed_weight(par1[0]) == 1.0
    assert _calendar_starts(cal1[0]) == {s[:16].replace("T", " ") for s in recs1["start_local"]}
    assert recs1["energy_availability"].mean() > recs0["energy_availability"].mean()
    assert recs1["expected_engagement"].sum() <= recs0["expected_engagement"].sum()
    panel.first_hour.value, panel.last_hour.value = 20, 21
    hours = panel.recs["start_local"].str.slice(11, 2).cast(pl.Int32)
    assert hours.is_between(20, 21).all()
    panel.channel.value = ("tiktok",)
    assert set(panel.recs["channel"]) == {"tiktok"}


def test_panel_starts_from_the_notebook_parameters(trained_db):
    """After `-p energy_weight 0.6 -p regions CDMX ...` the panel shows those values, and its
    first table is the notebook's: the same recommendations from the same rules."""
    from insights.recommend.engine import recommend
    from insights.recommend.slots import SlotRules, build_candidates

    fc = latest_forecasts(str(trained_db))
    start = fc["engagement"]["ts"].min()
    panel = RecommendPanel(
        fc,
        start,
        lang="es",
        slots=2,
        gap=6,
        energy_weight=0.6,
        regions="CDMX,nuevo leon",
        channels=["TikTok"],
        hours=(22, 2),
        horizon_days=3,
        window_hours=2,
    )
    assert panel.weight.value == 0.6
    assert panel.region.value == ("Ciudad de México", "Nuevo León")
    assert panel.channel.value == ("tiktok",)
    assert (panel.first_hour.value, panel.last_hour.value) == (22, 2)
    assert panel.horizon.value == 3 and panel.window.value == 2
    rules = SlotRules(
        start=start,
        horizon_days=3,
        window_hours=2,
        hours=(22, 2),
        regions=("Ciudad de México", "Nuevo León"),
        channels=("tiktok",),
    )
    cands = build_candidates(fc["engagement"], fc["energy"], fc["regions"], rules)
    table = recommend(cands, 0.6, 2, 6, 2)
    assert panel.recs.equals(table)
    hours = panel.recs["start_local"].str.slice(11, 2).cast(pl.Int32)
    assert hours.is_in([22, 23, 0, 1, 2]).all() and (hours < 3).any() | (hours >= 22).any()
    assert "Interacciones esperadas" in panel.table.value and "TikTok" in panel.table.value


def test_controls_read_whole_words_and_integers(trained_db):
    fc = latest_forecasts(str(trained_db))
    panel = RecommendPanel(fc, fc["engagement"]["ts"].min(), lang="es", horizon_days=7)
    controls = [
        panel.region,
        panel.channel,
        panel.weight,
        panel.horizon,
        panel.window,
        panel.first_hour,
        panel.last_hour,
    ]
    for w in controls:  # the label is never cut to "peso ener…"
        assert w.style.description_width == "initial", w.description
    assert panel.weight.description == "Peso de la energía"
    assert panel.horizon.description == "Días a planear"
    for w in (panel.window, panel.first_hour, panel.last_hour):
        assert isinstance(w, W.IntSlider)
    # d3-format (the browser's readout), not Python's: ".3g" writes 7 as "7.00" there;
    # no type means "~g", insignificant trailing zeros trimmed (7, 6.5)
    assert panel.horizon.readout_format == ".3"


def test_widget_table_has_the_static_tables_columns(trained_db):
    """The same columns as the table 04_recommend prints above the panel (80 % interval too)."""
    import re

    import nbformat

    from insights import i18n

    nb = nbformat.read(ROOT / "notebooks" / "04_recommend.ipynb", as_version=4)
    src = next(c.source for c in nb.cells if "display(HTML(html_table(" in c.source)
    static = tuple(re.findall(r'"(\w+)"', re.search(r"recs\.select\(([^)]*)\)", src)[1]))
    assert static == TABLE_COLUMNS
    fc = latest_forecasts(str(trained_db))
    panel = RecommendPanel(fc, fc["engagement"]["ts"].min(), lang="es", regions="CDMX")
    for col in ("engagement_low", "engagement_high"):
        header = i18n.humanize(panel.recs.select(col), "es").columns[0]
        assert f"<th>{header}</th>" in panel.table.value


def test_no_slot_left_clears_every_part(trained_db):
    fc = latest_forecasts(str(trained_db))
    panel = RecommendPanel(fc, fc["engagement"]["ts"].min(), lang="en", regions="CDMX")
    assert _specs(panel.calendar) and _specs(panel.pareto)
    # a start past the forecasts leaves no slot: the next redraw must not keep the old plan
    panel.start = fc["engagement"]["ts"].max() + timedelta(days=30)
    panel.weight.value = 0.5
    assert panel.recs.height == 0 and panel.table.value == "<p>—</p>"
    assert panel.calendar.outputs == () and panel.pareto.outputs == ()
