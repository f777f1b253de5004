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
    panel.hours.value = (20, 21)
    hours = panel.recs["start_local"].str.slice(11, 2).cast(pl.Int32)
    assert hours.is_between(20, 21).all()
    panel.channel.value = ("tiktok",)
    assert set(panel.recs["channel"]) == {"tiktok"}
