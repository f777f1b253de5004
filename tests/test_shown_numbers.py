"""Numbers and words people read: written by insights.i18n in the page's language, never a
negative zero, and "no change" said in words where a change rounds to nothing."""

from __future__ import annotations

import json
import math
import re

import polars as pl
import pytest

from insights import i18n
from insights.narrative import tradeoff
from insights.recommend.output import output_frame
from insights.recommend.tradeoff import tradeoff_sentence
from insights.status import WORDS, format_status
from insights.widgets import html_table

TINY = [-0.0, -1e-12, -0.004, -0.04]  # each shows as zero at one decimal
NEGATIVE_ZERO = re.compile(r"-0(?:[.,]0*)?(?!\d|[.,]\d*[1-9])")


@pytest.mark.parametrize("lang", ["es", "en"])
def test_tiny_negative_values_never_show_a_minus(lang):
    for v in TINY:
        shown = [
            i18n.number(v, lang),
            i18n.decimal(v, lang, 1),
            i18n.pct(v, lang, 1, signed=True),
            i18n.points(v, lang),
        ]
        assert not any(s.startswith(("-", "+")) for s in shown), (v, shown)
    assert i18n.number(-0.3, lang) == "0" and i18n.decimal(-0.001, lang) == "0.00"
    assert i18n.number(-0.06, lang, 1) == "-0.1"  # a real change keeps its sign


def test_a_trade_off_that_rounds_to_nothing_is_said_in_words():
    none = {"engagement_vs_best_pct": -0.004, "renewable_vs_best_pp": -0.01,
            "carbon_vs_best_pct": -0.0, "energy_signals_disagree": False}  # fmt: skip
    assert tradeoff(none, "es") == (
        "Es también el mejor horario solo por alcance: no cedes interacciones."
    )
    assert tradeoff(none, "en") == (
        "It is also the best engagement-only time: no engagement given up."
    )
    free = {**none, "renewable_vs_best_pp": 3.04}
    assert tradeoff(free, "es") == (
        "Frente al mejor horario solo por alcance no cedes interacciones; la proporción "
        "renovable cambia +3.0\u00a0p. p. y la intensidad de carbono no cambia."
    )
    steady = {**none, "engagement_vs_best_pct": -2.0}
    assert tradeoff(steady, "en").endswith(
        "you give up 2.0% of engagement; neither the renewable share nor the carbon "
        "intensity changes."
    )
    for rec in (none, free, steady):
        for lang in ("es", "en"):
            assert not NEGATIVE_ZERO.search(tradeoff(rec, lang)), tradeoff(rec, lang)
            assert "0.0%" not in tradeoff(rec, lang)

    effect = {"weight": 0.25, "signal": "carbon", "n_slots": 12, "n_moved": 5,
              "next_weight": 0.35, "next_cost_pct": -0.2, "next_carbon_pct": -0.3}  # fmt: skip
    assert tradeoff_sentence(effect, "es").endswith(
        "(peso 0.35) no costaría interacciones esperadas y daría casi el mismo nivel de energía."
    )
    assert "cost no expected engagement" in tradeoff_sentence(effect, "en")


def test_recommendations_json_and_csv_hold_no_negative_zero():
    recs = pl.DataFrame(
        {
            "region": ["Jalisco"],
            "start_utc": ["2026-11-01T10:00:00Z"],
            "engagement_vs_best_pct": [-0.001],
            "carbon_vs_best_pct": [-0.0],
        }  # fmt: skip
    )
    out = output_frame(recs, pl.DataFrame({"region": ["Jalisco"], "tz": ["America/Mexico_City"]}))
    cells = out.select("engagement_vs_best_pct", "carbon_vs_best_pct").row(0)
    assert all(math.copysign(1, v) == 1 for v in cells), cells  # +0.0, not -0.0
    assert ",-0.0" not in out.write_csv() and "-0.0" not in json.dumps(out.to_dicts())


def test_widget_tables_write_numbers_as_the_report_does():
    raw = pl.DataFrame({"region": ["Ñuñoa"], "renewable_pct": [40.96],
                        "expected_engagement": [12345.6], "renewable_vs_best_pp": [-0.01]})  # fmt: skip
    page = i18n.humanize(raw, "es")
    assert html_table(raw, "es") == html_table(page)  # the same cells as the report's table
    assert "<td>41%</td><td>12,346</td><td>0.0\u00a0p. p.</td>" in html_table(raw, "es")
    with pytest.raises(TypeError, match="pass lang="):
        html_table(raw)  # Python's own formatting would be another number style


STATUS = {
    "warehouse": {"duckdb": "2.0.1", "storage_version": "v1.0.0+", "brands": ["default"]},
    "consumption": {"rows": 415008, "from": "2026-10-08 22:00:00+00",
                    "to": "2026-12-07 22:00:00+00", "keys": ["Ñuñoa", "São Paulo"],
                    "sources": ["parquet"], "unknown_regions": ["Ñuñoa"]},
    "search_interest": {"rows": 0, "from": None, "to": None, "keys": [], "sources": []},
    "energy": {"rows": 1, "from": "2026-10-09 06:00:00+00", "to": "2026-10-09 06:00:00+00",
               "keys": ["MX"], "sources": ["cenace"]},
    "forecasts": {"rows": 0, "from": None, "to": None, "keys": [], "sources": []},
    "recommendations": {"rows": 0, "from": None, "to": None, "keys": [], "sources": []},
    "ingest_log": {"files": {"loaded": 8, "rejected": 1}},
}  # fmt: skip


def test_status_block_follows_the_page_language():
    es = format_status(STATUS, "es")
    assert es.splitlines()[:4] == [
        "almacén              DuckDB 2.0.1, formato de almacenamiento v1.0.0+",
        "consumo              415,008 filas  jue 8 oct 2026, 22:00 UTC → lun 7 dic 2026, 22:00 UTC",
        "                     2 claves: Ñuñoa, São Paulo",
        "                     fuentes: parquet",
    ]
    assert "red eléctrica        1 fila  vie 9 oct 2026, 06:00 UTC" in es
    assert "archivos cargados: 8, rechazados: 1" in es
    english = {w for w in WORDS["en"].values() if w not in WORDS["es"].values()}
    assert not [w for w in english if re.search(rf"\b{re.escape(w)}\b", es)], es
    en = format_status(STATUS, "en")
    assert "consumption      415,008 rows  Thu, Oct 8, 2026, 10:00 PM UTC" in en
    # the CLI's plain text is as it was
    assert format_status(STATUS).splitlines()[:2] == [
        "warehouse        DuckDB 2.0.1, storage format v1.0.0+",
        "consumption         415,008 rows  2026-10-08 22:00:00+00 -> 2026-12-07 22:00:00+00",
    ]


def test_pareto_chart_describes_itself_in_the_page_language():
    """Chart descriptions are what a screen reader says for the chart: in the page's words."""
    from insights.viz import charts

    frontier = pl.DataFrame(
        {
            "energy_weight": [0.0, 0.5],
            "renewable_pct": [20.0, 30.0],
            "carbon_intensity": [400.0, 350.0],
            "expected_engagement": [100.0, 90.0],
            "on_front": [True, True],
            "signal": ["renewable", "renewable"],
        }  # fmt: skip
    )
    for lang, words in (("es", ["frontera de Pareto", "peso actual"]),
                        ("en", ["pareto frontier", "current weight"])):  # fmt: skip
        spec = json.dumps(charts.pareto_chart(frontier, lang, current=0.5).to_dict())
        found = re.findall(r'"description": "([^"]*)"', spec)
        assert set(found) == set(words), (lang, found)
