"""A region without its own zone's grid data is scored on its country's national signal."""

from __future__ import annotations

import polars as pl

from insights.recommend.slots import national_fallback


def test_only_regions_without_own_data_fall_back_and_only_to_a_zone_with_data():
    regions = pl.DataFrame(
        {
            "region": ["Ciudad de México", "Sonora", "São Paulo", "Nowhere"],
            "grid_zone": ["MX-CE", "MX-NW", "BR-CS", None],
            "tz": ["America/Mexico_City", "America/Hermosillo", "America/Sao_Paulo", "UTC"],
        }
    )
    energy = pl.DataFrame({"zone": ["MX", "MX-NW", "CL-SEN"], "renewable_pct": [25.0, 40, 30]})
    out = national_fallback(regions, energy)
    assert out["grid_zone"].to_list() == ["MX", "MX-NW", "BR-CS", None]
    assert out["national_signal"].to_list() == [True, False, False, False]
    assert out["own_zone"].to_list() == ["MX-CE", "MX-NW", "BR-CS", None]
    # no energy at all: nothing changes
    none = national_fallback(regions, energy.clear())
    assert none["grid_zone"].to_list() == regions["grid_zone"].to_list()
    assert not none["national_signal"].any()


def test_a_grid_forecast_ending_early_is_not_reported_as_no_grid_data():
    """The CENACE demo's grid forecast ends a few hours before the engagement forecast: those
    hours have no grid value, but the region has grid data and must not be listed as having
    none (the CLI once said both "national signal used" and "no grid forecast" for all 32)."""
    from datetime import UTC, datetime, timedelta

    from insights.recommend.plan import RecommendParams, plan_recommendations

    t0 = datetime(2026, 12, 1, tzinfo=UTC)
    ts = [t0 + timedelta(hours=h) for h in range(48)]
    fc = {
        "run_id": "r",
        "data_end": "2026-11-30 23:00:00+00",
        "engagement": pl.DataFrame(
            {
                "region": ["Jalisco"] * 48 + ["Nowhere"] * 48,
                "channel": "youtube",
                "ts": ts + ts,
                "yhat": [float(h % 24) for h in range(96)],
                "yhat_lo": 0.0,
                "yhat_hi": 30.0,
            }
        ),
        "energy": pl.DataFrame(
            {
                "zone": "MX",
                "ts": ts[:40],  # ends 8 hours before the engagement forecast
                "renewable_pct": 25.0,
                "carbon_intensity": 400.0,
            }
        ),
        "regions": pl.DataFrame(
            {
                "region": ["Jalisco", "Nowhere"],
                "grid_zone": ["MX-OC", None],
                "tz": ["America/Mexico_City", "UTC"],
            }
        ),
    }
    res = plan_recommendations(
        fc, RecommendParams(hours="0-23", horizon_days=2, start=t0.isoformat()), now=t0
    )
    assert res.regions_on_national_signal == ["Jalisco"]
    assert res.regions_without_energy == ["Nowhere"]
