"""Widget callbacks: set a control's value, the recommendations and output change."""

from __future__ import annotations

import polars as pl

from insights.recommend.io import latest_forecasts
from insights.widgets import RecommendPanel


def test_recommend_panel_updates_in_place(trained_db):
    fc = latest_forecasts(str(trained_db))
    panel = RecommendPanel(fc, fc["engagement"]["ts"].min(), lang="en")
    panel.region.value = ("Oaxaca", "Sonora")
    panel.weight.value = 0.0
    table0, recs0, charts0 = panel.table.value, panel.recs, panel.charts.outputs
    assert set(recs0["region"]) == {"Oaxaca", "Sonora"} and "<table>" in table0
    assert len(charts0) == 2  # calendar and Pareto frontier
    panel.weight.value = 1.0
    recs1 = panel.recs
    assert panel.table.value != table0
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
