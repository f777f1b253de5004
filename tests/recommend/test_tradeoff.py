"""The Pareto front keeps only undominated choices; the sentence says what the weight changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from insights.recommend.engine import pareto_frontier, weight_sentence
from insights.recommend.tradeoff import on_front


def test_front_drops_choices_beaten_on_both():
    fr = pl.DataFrame(
        {
            "energy_weight": [0.0, 0.25, 0.5, 0.75, 1.0],
            "expected_engagement": [100.0, 90.0, 70.0, 60.0, 60.0],
            # at 0.75 the choice doubles back: less engagement and less renewable than 0.5
            "renewable_pct": [20.0, 25.0, 35.0, 33.0, 35.0],
            "carbon_intensity": [400.0, 380.0, 300.0, 320.0, 290.0],
        }
    )
    assert on_front(fr, "renewable").to_list() == [True, True, True, False, False]
    assert on_front(fr, "carbon").to_list() == [True, True, True, False, True]


def one_day() -> pl.DataFrame:
    """One pair, 24 hours: engagement peaks at 20:00, the grid is cleanest at 13:00."""
    start = datetime(2026, 1, 5, tzinfo=UTC)
    hours = np.arange(24)
    eng = np.where(hours == 20, 100.0, np.where(hours == 13, 60.0, 10.0))
    ren = np.where(hours == 20, 20.0, np.where(hours == 13, 50.0, 30.0))
    ci = np.where(hours == 20, 400.0, np.where(hours == 13, 200.0, 300.0))
    return pl.DataFrame(
        {
            "region": "Oaxaca",
            "channel": "tiktok",
            "ts": [start + timedelta(hours=int(h)) for h in hours],
            "yhat": eng,
            "renewable_pct": ren,
            "carbon_intensity": ci,
            "energy_availability": ren / 100,
            "allowed": True,
        }
    )


def test_sentence_counts_moved_slots_and_prices_the_next_step():
    c = one_day()
    fr = pareto_frontier(c, slots=1, gap=12)
    assert fr.filter(pl.col("on_front")).height == 2  # 20:00, then 13:00
    # the score moves to 13:00 once (1 - w) 0.444 < w: first at weight 0.35 on the grid
    text, e = weight_sentence(c, 0.25, slots=1, gap=12)
    assert e["n_slots"] == 1 and e["n_moved"] == 0
    assert e["next_weight"] == pytest.approx(0.35)
    assert e["next_cost_pct"] == pytest.approx(40.0)
    assert e["next_carbon_pct"] == pytest.approx(-50.0)
    assert "0 of the 1" in text and "cost 40% of" in text and "50% less carbon" in text
    text, e = weight_sentence(c, 0.5, slots=1, gap=12, lang="es")
    assert e["n_moved"] == 1 and e["next_weight"] is None
    assert text.startswith("El peso energético 0.50 movió 1 de los 1")


def test_recommendations_carry_the_energy_bands(trained_db):
    """`insights train` stores 80 % bands with the energy forecasts; each recommended slot
    carries them as renewable_pct_low/high and carbon_intensity_low/high."""
    from insights.recommend.engine import recommend
    from insights.recommend.io import latest_forecasts
    from insights.recommend.slots import SlotRules, build_candidates

    fc = latest_forecasts(str(trained_db))
    start = fc["engagement"]["ts"].min()
    c = build_candidates(fc["engagement"], fc["energy"], fc["regions"], SlotRules(start=start))
    recs = recommend(c, 0.25, 3, 12, 1)
    assert recs.height > 0
    for col in ("renewable_pct", "carbon_intensity"):
        lo, mid, hi = recs[f"{col}_low"], recs[col], recs[f"{col}_high"]
        assert lo.null_count() == 0 and hi.null_count() == 0
        assert (lo <= mid).all() and (mid <= hi).all() and (hi > lo).all()
