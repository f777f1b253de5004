"""Charts that tell the truth at a glance, checked on their Vega-Lite specs (the browser
screenshots of the same charts are in tests/test_charts_screenshots.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from insights.models.topics import rising_topics
from insights.narrative import backtest_sentence, explain
from insights.viz import charts


def _recs() -> pl.DataFrame:
    # Saturday 2026-12-05 21:00 and 23:00, Sunday 09:00, Monday 23:00 (Mexico City, UTC-6)
    starts = [
        "2026-12-05T21:00:00-06:00", "2026-12-05T23:00:00-06:00",
        "2026-12-06T09:00:00-06:00", "2026-12-07T23:00:00-06:00",
    ]  # fmt: skip
    return pl.DataFrame(
        {
            "region": ["Jalisco", "Jalisco", "Yucatán", "Yucatán"],
            "channel": ["tiktok", "tiktok", "youtube", "youtube"],
            "start_local": starts,
            "expected_engagement": [1200.0, 1100.0, 900.0, 800.0],
            "renewable_pct": [13.2, 17.1, 15.0, 14.4],
            "carbon_intensity": [410.0, 390.0, 400.0, 405.0],
        }
    )


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [])


def _ms(iso: str) -> float:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp() * 1000


@pytest.mark.parametrize("lang", ["es", "en"])
def test_calendar_days_labelled_where_their_dots_are(lang):
    spec = charts.recommendation_calendar(_recs(), lang).to_dict()
    dots = next(la for la in _layers(spec) if la["mark"]["type"] == "point")
    x = dots["encoding"]["x"]
    ticks = x["axis"]["values"]
    for start in _recs()["start_local"]:
        wall = _ms(start[:19])
        nearest = min(ticks, key=lambda t: abs(t - wall))
        # the label nearest a dot is its own day's (at noon), never the next day's midnight
        assert datetime.fromtimestamp(nearest / 1000, UTC).date().isoformat() == start[:10]
    lo, hi = x["scale"]["domain"]
    walls = [_ms(s[:19]) for s in _recs()["start_local"]]
    assert lo < min(walls) and hi > max(walls)  # no edge dot clipped
    text = next(la for la in _layers(spec) if la["mark"]["type"] == "text")
    assert text["mark"]["align"] == "left" and text["mark"].get("dy", 0) == 0  # on its row
    # the colour scale spans the values shown, not 0-100 %
    assert dots["encoding"]["color"]["scale"]["domain"] == [13.2, 17.1]


def test_calendar_clock_follows_the_language():
    es = charts.recommendation_calendar(_recs(), "es").to_dict()
    en = charts.recommendation_calendar(_recs(), "en").to_dict()
    data = lambda s: next(d for d in s["datasets"].values() if "hhmm" in d[0])  # noqa: E731
    assert {r["hhmm"] for r in data(es)} == {"21:00", "23:00", "09:00"}
    assert {r["hhmm"] for r in data(en)} == {"9:00 PM", "11:00 PM", "9:00 AM"}


BT = {
    "strategies": [
        {"strategy": "recommended", "engagement": 1000.0, "carbon_intensity": 406.0},
        {"strategy": "engagement_only", "engagement": 1015.0, "carbon_intensity": 412.0},
        {"strategy": "habitual", "engagement": 700.0, "carbon_intensity": 400.0},
    ]
}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_backtest_has_no_bars_on_a_cut_axis_and_writes_its_values(lang):
    spec = charts.backtest_chart(BT, lang).to_dict()
    marks = [la["mark"]["type"] for panel in spec["hconcat"] for la in panel["layer"]]
    assert "rule" not in marks and "bar" not in marks  # length would exaggerate 1.5 %
    assert marks.count("text") == 2  # every value written beside its dot
    said = backtest_sentence(BT, lang)
    assert ("habitual" in said) and ("400" in said and "406" in said)
    greener = BT | {"strategies": [{**s} for s in BT["strategies"]]}
    greener["strategies"][2]["carbon_intensity"] = 420.0
    assert "400" not in backtest_sentence(greener, lang)  # says so only when it was greener


def test_pareto_caption_names_the_axis_it_describes():
    frontier = pl.DataFrame(
        {
            "energy_weight": [0.0, 0.5, 1.0],
            "expected_engagement": [1000.0, 950.0, 800.0],
            "renewable_pct": [20.0, 25.0, 30.0],
            "carbon_intensity": [400.0, 390.0, 380.0],
            "signal": ["renewable"] * 3,
        }
    )
    for lang, ren, carbon in (("es", "renovable", "carbono"), ("en", "renewable", "carbon")):
        spec = charts.pareto_chart(frontier, lang).to_dict()
        assert ren in spec["layer"][0]["encoding"]["x"]["title"]
        caption = explain("pareto", lang)
        assert ren in caption and carbon not in caption
        assert carbon in explain("pareto_carbon", lang)


def test_a_planted_rise_of_20_percent_is_rising_and_a_small_one_is_not_no_change():
    rng = np.random.default_rng(3)
    t0 = datetime(2026, 1, 5, tzinfo=UTC)
    rows = []
    for term, lift in (("música", 1.20), ("cine", 1.06), ("deportes", 1.0)):
        for w in range(16):
            level = 10.0 * (lift if w >= 12 else 1.0)
            rows.append(
                {
                    "geo": "Jalisco",
                    "term": term,
                    "ts": t0 + timedelta(weeks=w),
                    "share": level * (1 + rng.normal(0, 0.01)),
                }
            )
    out = rising_topics(pl.DataFrame(rows), recent=4, baseline=12)
    d = dict(zip(out["term"], out["direction"], strict=True))
    assert d["música"] == "rising" and d["cine"] == "rising_small" and d["deportes"] == "stable"
    spec = charts.rising_topics_chart(out, "en").to_dict()
    assert "Mann-Whitney" in spec["title"]["text"] and "10%" in spec["title"]["text"]
    colours = spec["encoding"]["color"]["scale"]["domain"]
    assert "rising, under the chosen size" in colours
