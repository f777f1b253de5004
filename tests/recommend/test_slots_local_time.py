"""Local times across Mexico's time zones, including the days Tijuana changes offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from insights.recommend.engine import recommend
from insights.recommend.slots import SlotRules, build_candidates
from insights.regions import load_regions

REGIONS = ["Baja California", "Sonora", "Quintana Roo", "Ciudad de México"]


def frames(start: datetime, hours: int):
    ts = pl.datetime_range(start, start + timedelta(hours=hours - 1), "1h", eager=True)
    eng = pl.concat(
        [
            pl.DataFrame(
                {
                    "region": r,
                    "channel": "tiktok",
                    "ts": ts,
                    "yhat": [float((i * 7) % 23) for i in range(hours)],
                }
            )
            for r in REGIONS
        ]
    ).with_columns((pl.col("yhat") * 0.8).alias("yhat_lo"), (pl.col("yhat") * 1.2).alias("yhat_hi"))
    zones = load_regions().filter(pl.col("region").is_in(REGIONS))["grid_zone"].unique()
    energy = pl.concat(
        [
            pl.DataFrame({"zone": z, "ts": ts, "renewable_pct": 40.0, "carbon_intensity": 300.0})
            for z in zones
        ]
    )
    return eng, energy, load_regions().select("region", "grid_zone", "tz")


@pytest.mark.parametrize(
    ("day", "before", "after"),
    [
        (datetime(2026, 3, 8, tzinfo=UTC), "-08:00", "-07:00"),  # US/Tijuana DST starts
        (datetime(2026, 11, 1, tzinfo=UTC), "-07:00", "-08:00"),  # and ends
    ],
)
def test_offsets_follow_each_zone(day, before, after):
    eng, energy, regions = frames(day - timedelta(days=1), 72)
    c = build_candidates(
        eng,
        energy,
        regions,
        SlotRules(start=day - timedelta(days=1), horizon_days=3, hours=(0, 23)),
    )
    off = {
        r: set(g["start_local"].str.slice(19))
        for (r,), g in c.partition_by("region", as_dict=True).items()
    }
    assert off["Baja California"] == {before, after}
    assert off["Sonora"] == {"-07:00"}
    assert off["Quintana Roo"] == {"-05:00"}
    assert off["Ciudad de México"] == {"-06:00"}
    bc = c.filter(pl.col("region") == "Baja California").sort("ts")
    local = bc["start_local"].to_list()
    utc = bc["ts"].to_list()
    for lt, t in zip(local, utc, strict=True):
        assert datetime.fromisoformat(lt) == t  # the same instant


def test_allowed_hours_are_local_hours():
    eng, energy, regions = frames(datetime(2026, 5, 4, tzinfo=UTC), 24 * 7)
    rules = SlotRules(
        start=datetime(2026, 5, 4, tzinfo=UTC), horizon_days=7, hours=(20, 20), days=("sat", "sun")
    )
    recs = recommend(build_candidates(eng, energy, regions, rules), 0.3, 3, 1, 1)
    assert recs.height == 4 * 2  # one 20:00 on Saturday and one on Sunday per region
    for r in recs.iter_rows(named=True):
        local = datetime.fromisoformat(r["start_local"])
        assert local.hour == 20 and local.weekday() in (5, 6)


def test_window_sums_engagement_and_averages_energy():
    eng, energy, regions = frames(datetime(2026, 5, 4, tzinfo=UTC), 48)
    energy = energy.with_columns(pl.col("renewable_pct") + pl.col("ts").dt.hour())
    rules = SlotRules(
        start=datetime(2026, 5, 4, tzinfo=UTC),
        horizon_days=1,
        window_hours=3,
        hours=(0, 23),
        regions=("Sonora",),
    )
    c = build_candidates(eng, energy, regions, rules)
    first = c.sort("ts").row(0, named=True)
    assert first["yhat"] == pytest.approx(sum(float((i * 7) % 23) for i in range(3)))
    assert first["renewable_pct"] == pytest.approx(41.0)  # mean of 40, 41, 42
