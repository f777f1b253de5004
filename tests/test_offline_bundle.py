"""The lab-only Vega bundle: sent once per kernel, never by report runs, never exported."""

from __future__ import annotations

import subprocess
import sys

import altair as alt
import nbformat
import polars as pl

from insights.report import export_html
from insights.viz import offline
from tests.conftest import ROOT

SHOW_TWO = """
import altair as alt, polars as pl
from insights.viz.offline import show
c = alt.Chart(pl.DataFrame({"x": ["año"], "y": [1]})).mark_bar().encode(x="x", y="y")
show(c)
show(c)
"""


def _outputs() -> list[dict]:
    """Outputs of one real kernel showing two charts (nbclient, as papermill runs it)."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SHOW_TWO)])
    NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    return nb.cells[0].outputs


def test_one_bundle_before_the_first_chart_of_a_kernel_and_none_headless(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the kernel imports this checkout
    monkeypatch.delenv(offline.HEADLESS_ENV, raising=False)
    outs = _outputs()
    assert [offline.LAB_ONLY_KEY in o.get("metadata", {}) for o in outs] == [True, False, False]
    assert outs[0]["data"]["text/html"].count("window.vegaEmbed=") == 1
    assert all(offline.VEGALITE_MIME in o["data"] for o in outs[1:])

    # the report's environment: charts only
    monkeypatch.setenv(offline.HEADLESS_ENV, "1")
    headless = _outputs()
    assert [offline.LAB_ONLY_KEY in o.get("metadata", {}) for o in headless] == [False, False]

    # exported, the lab-only output is dropped: the page keeps one bundle, in its head
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("", outputs=outs)])
    page = export_html(nb, "t", "es")
    assert page.count("window.vegaEmbed=") == 1
    assert page.index("window.vegaEmbed=") < page.rindex("</head>") < page.index("<main")
    assert page.count('class="insights-chart"') == 2


def test_show_in_puts_the_bundle_first_once(monkeypatch):
    class Out:
        outputs = ()

    monkeypatch.setattr(offline, "_lab_bundle_sent", False)
    monkeypatch.delenv(offline.HEADLESS_ENV, raising=False)
    chart = alt.Chart(pl.DataFrame({"x": [1]})).mark_point().encode(x="x")
    out = Out()
    offline.show_in(out, chart)
    assert [offline.LAB_ONLY_KEY in o["metadata"] for o in out.outputs] == [True, False]
    offline.show_in(out, chart, chart)
    assert [offline.LAB_ONLY_KEY in o["metadata"] for o in out.outputs] == [False, False]


def test_bundle_script_cannot_be_cut_short():
    html = offline.lab_bundle_html()
    inner = html[len("<script>") : -len("</script>")]
    assert "</script" not in inner.lower()
    # a second copy in the same page must not redeclare the bundle's top-level names
    assert inner.startswith("(function () {") and "if (window.vegaEmbed) { return; }" in inner


def test_report_runs_set_the_headless_variable():
    code = (
        "import os, insights.report as r, subprocess, sys;"
        "p = r._run_child([sys.executable, '-c', "
        '\'import os,sys; sys.stderr.write(os.environ.get("INSIGHTS_HEADLESS", ""))\']);'
        "print(p.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "1"
