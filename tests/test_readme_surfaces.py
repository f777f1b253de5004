"""The README says how to keep your own data apart from the demo's and that the bundled
CENACE files are synthetic; the clocks-and-languages page states the one clock rule."""

from __future__ import annotations

from tests.conftest import ROOT


def test_readme_own_data_and_synthetic_cenace():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Your own data, apart from the demo's" in text
    assert "export INSIGHTS_DB=" in text and "--db data/brand.duckdb" in text
    assert "**synthetic** values in CENACE's published layout" in text
    assert "curl -s -G" in text and "--data-urlencode 'region=Ciudad de México'" in text


def test_one_clock_rule_stated_once():
    doc = (ROOT / "docs" / "clocks-and-languages.md").read_text(encoding="utf-8")
    assert "is the local time of the one place the answer is" in doc
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "one without an offset is **UTC** in\nevery command" not in readme
    assert "docs/clocks-and-languages.md" in readme
