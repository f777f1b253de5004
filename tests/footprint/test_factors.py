"""Each factor set reproduces its source's own worked example.

* CO2.js (Sustainable Web Design v4): ``src/sustainable-web-design-v4.test.js`` and
  ``src/constants/test-constants.js`` (``SWDV4``) of thegreenwebfoundation/co2.js: 1 GB
  (1024^3 bytes) at the global 494 g/kWh, and at 100/200/300 g/kWh per segment.
* IAB Europe: ``docs/methodology.md`` of iabeurope-beis/digital-ad-emissions, the Delivery
  example (a video ad in Italy, 2.85 MB, 100,000 impressions, 0.287 kg/kWh, Europe's split)
  and the Consumption example (mobiles in Austria, 3 s, 0.102 kg/kWh).
"""

from __future__ import annotations

import json
from importlib import resources

import pytest

from insights import InsightsError
from insights.footprint import factors as F

GB = 1024**3


def test_factor_sets_are_data_with_source_and_version():
    raw = json.loads(
        (resources.files("insights") / "resources" / "footprint_factors.json").read_text("utf-8")
    )
    assert set(raw) == {"swd-v4", "iab-europe"}
    for set_id in raw:
        d = F.describe(set_id)
        assert d["name"] and d["version"] and d["source"]
    assert raw["swd-v4"]["bytes_per_gb"] == 1024**3
    with pytest.raises(InsightsError, match="unknown"):
        F.factor_set("swd-v5")


def test_co2js_swd_v4_one_gigabyte_at_global_intensity():
    seg = F.swd_segments_g(GB)
    assert seg["operational"] == {"data_centre": 27.17, "network": 29.146, "device": 39.52}
    assert seg["embodied"] == {"data_centre": 5.928, "network": 6.422, "device": 40.014}
    assert round(sum(seg["operational"].values()), 6) == 95.836  # TOTAL_OPERATIONAL
    assert round(sum(seg["embodied"].values()), 6) == 52.364  # TOTAL_EMBODIED
    total = sum(seg["operational"].values()) + sum(seg["embodied"].values())
    assert round(total, 6) == 148.2  # PERBYTE_EMISSIONS_GB
    # the same through the ledger's path: kWh x 494 g/kWh
    e = F.swd_energy(F.Usage(bytes=GB, seconds=0, views=1))
    assert round(e.kwh * 494, 6) == 95.836
    assert round(e.embodied_kg * 1000, 6) == 52.364


def test_co2js_swd_v4_custom_grid_intensities():
    seg = F.swd_segments_g(GB, {"data_centre": 100, "network": 200, "device": 300})
    assert seg["operational"] == {"data_centre": 5.5, "network": 11.8, "device": 24.0}


def test_co2js_gigabyte_is_binary():
    # 10^9 bytes is 6.9 % less than CO2.js's gigabyte: a decimal GB would over-count
    assert F.swd_energy(F.Usage(10**9, 0, 1)).kwh < F.swd_energy(F.Usage(GB, 0, 1)).kwh


def test_iab_delivery_example_italy():
    europe = F.factor_set("iab-europe")["connection_split"]["Europe"]
    assert europe == {"fixed": 0.7431, "mobile": 0.2569}
    # the example's 2.85 MB already holds the 0.35 MB overhead (level 1 + overhead)
    u = F.Usage(bytes=2.85e6 * 100_000, seconds=0, views=100_000)
    e = F.iab_energy(u, europe, overhead=False)
    # intermediate: 0.2569 x 0.000117 + 0.7431 x 0.0000165 + 0.00000043 = 0.00004275 kWh/MB
    per_mb = e.delivery_kwh / (2.85 * 100_000)
    assert round(per_mb, 8) == 0.00004275
    assert round(e.delivery_kwh * 0.287, 3) == 3.497  # kg CO2e, use phase
    # embodied: the document writes 1.257 from its rounded terms (2.236 + 1.591 + 0.588)e-6;
    # the unrounded product is 1.2578 kg
    assert round(e.embodied_kg, 4) == 1.2578
    assert abs(e.embodied_kg - 1.257) < 0.001


def test_iab_delivery_overhead_is_added_per_view():
    europe = F.factor_set("iab-europe")["connection_split"]["Europe"]
    with_overhead = F.iab_energy(F.Usage(2.5e6 * 1000, 0, 1000), europe)
    without = F.iab_energy(F.Usage(2.85e6 * 1000, 0, 1000), europe, overhead=False)
    assert with_overhead.delivery_kwh == pytest.approx(without.delivery_kwh, rel=1e-12)


def test_iab_consumption_example_austria_mobile():
    u = F.Usage(bytes=0, seconds=3 * 100_000, views=100_000)
    # the consumption stage alone: no payload, so no delivery term
    e = F.iab_energy(u, {"fixed": 1.0, "mobile": 0.0}, device_mix={"mobile": 1.0}, overhead=False)
    assert e.delivery_kwh == 0
    assert round(e.device_kwh * 0.102, 8) == 0.03978  # kg CO2e, use phase
    assert round(e.embodied_kg, 6) == 1.965  # kg CO2e, embodied


def test_iab_device_mix_and_latam_split():
    f = F.factor_set("iab-europe")
    assert f["device_mix"] == {"mobile": 0.61, "tablet": 0.04, "pc": 0.18, "tv": 0.17}
    assert sum(f["device_mix"].values()) == pytest.approx(1.0)
    # TV and PC as renamed by the methodology's commit 91a1240 ("invert TV, PC EFs")
    assert f["device_kwh_per_second"]["tv"] == 3.80e-5
    assert f["device_kwh_per_second"]["pc"] == 1.54e-5
    assert F.connection_split("BR") == {"fixed": 0.7145, "mobile": 0.2855}
    assert F.connection_split("cl") == F.connection_split("MX")
    with pytest.raises(InsightsError, match="FR"):
        F.connection_split("FR")
    # the default mix: 0.61*1.3e-6 + 0.04*1.4e-6 + 0.18*1.54e-5 + 0.17*3.8e-5 kWh per second
    e = F.iab_energy(F.Usage(0, 1, 0), F.connection_split("MX"))
    assert e.device_kwh == pytest.approx(1.0081e-5, rel=1e-9)


def test_linear_coefficients_match_direct_pricing():
    u = F.Usage(bytes=3.2e9, seconds=5400, views=120, kind="video")
    for set_id in ("swd-v4", "iab-europe"):
        c = F.kwh_per_unit(set_id, "MX", "video")
        e = F.energy(set_id, u, "MX")

        def lin(part, c=c):
            return (
                c[f"{part}_per_byte"] * u.bytes
                + c[f"{part}_per_second"] * u.seconds
                + c[f"{part}_per_view"] * u.views
            )

        assert lin("delivery") == pytest.approx(e.delivery_kwh, rel=1e-12)
        assert lin("device") == pytest.approx(e.device_kwh, rel=1e-12)
        assert lin("embodied") == pytest.approx(e.embodied_kg, rel=1e-12)
