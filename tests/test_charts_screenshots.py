"""The calendar as a browser draws it: headless Chromium renders the chart's SVG (as the
reports embed it) and each dot must stand inside the day band whose name is written under
it, with no dot cut off at the plot's edges. A screenshot is written for people to look at
(``$INSIGHTS_SCREENSHOTS``, default the test's temporary folder)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from insights.viz import charts
from tests.browser import launch, needs_chromium
from tests.test_charts_truth import _recs

DAYS = {
    "es": ["sáb 5 dic", "dom 6 dic", "lun 7 dic"],
    "en": ["Sat, Dec 5", "Sun, Dec 6", "Mon, Dec 7"],
}
# the day each dot of _recs() falls on, in its local wall-clock time
DOT_DAYS = [0, 0, 1, 2]


@needs_chromium
@pytest.mark.parametrize("lang", ["es", "en"])
def test_calendar_dots_stand_over_their_days_name_in_chromium(lang, tmp_path):
    import vl_convert as vlc
    from playwright.sync_api import sync_playwright

    svg = vlc.vegalite_to_svg(charts.recommendation_calendar(_recs(), lang).to_dict())
    shots = Path(os.environ.get("INSIGHTS_SCREENSHOTS") or tmp_path)
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1000, "height": 300})
        page.set_content(f"<html><body style='margin:8px'>{svg}</body></html>")
        page.screenshot(path=str(shots / f"calendar_{lang}.png"), full_page=True)
        labels = page.evaluate(
            """() => Array.from(document.querySelectorAll('text')).map(t => {
                 const r = t.getBoundingClientRect();
                 return {text: t.textContent, x: r.x + r.width / 2};
               })"""
        )
        dots = page.evaluate(
            """() => Array.from(document.querySelectorAll('.mark-symbol path')).map(d => {
                 const r = d.getBoundingClientRect();
                 return {x: r.x + r.width / 2, left: r.x, right: r.x + r.width};
               })"""
        )
        frame = page.evaluate(
            """() => { const r = document.querySelector('.background').getBoundingClientRect();
                       return {left: r.x, right: r.x + r.width}; }"""
        )
        browser.close()
    centers = {lb["text"]: lb["x"] for lb in labels if lb["text"] in DAYS[lang]}
    assert list(centers) == DAYS[lang], labels
    band = centers[DAYS[lang][1]] - centers[DAYS[lang][0]]  # one day in pixels
    xs = sorted(d["x"] for d in dots)
    assert len(xs) == len(DOT_DAYS)
    for x, day in zip(xs, DOT_DAYS, strict=True):
        # inside the band centred on its day's name: never nearer the next day's name
        assert abs(x - centers[DAYS[lang][day]]) < band / 2, (x, centers)
    assert all(frame["left"] <= d["left"] and d["right"] <= frame["right"] for d in dots)
