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
