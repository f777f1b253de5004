"""Charts are live in a real JupyterLab with the network cut: a Vega view with a tooltip.

A JupyterLab server runs on localhost with a throwaway notebook that shows one chart
through ``insights.viz.offline.show``; headless Chromium opens it, every request to
anything but the local server is aborted, the notebook is run, and the test hovers a
bar and reads the tooltip that vegaEmbed (from the lab-only bundle) draws.
"""

from __future__ import annotations

import os
import socket
import time
import urllib.request
from urllib.parse import urlparse

import nbformat
import pytest

from tests.browser import CHROMIUM, launch, start_jupyterlab, stop_jupyterlab
from tests.conftest import ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM, reason="chromium not installed"),
]

CELL = """\
import altair as alt
import polars as pl
from insights.viz.offline import show

df = pl.DataFrame({"región": ["Ñuñoa", "São Paulo"], "valor": [3, 5]})
show(alt.Chart(df).mark_bar().encode(x="región", y="valor", tooltip=["región", "valor"]))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server on 127.0.0.1 rooted in tmp_path, its settings isolated there."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, tmp_path / "chart.ipynb")
    port = _free_port()
    log = open(tmp_path / "lab.log", "wb")  # noqa: SIM115 -- closed after the server
    proc = start_jupyterlab(tmp_path, port, log)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # the server is up when its API answers (or it has died)
            if proc.poll() is not None:
                pytest.fail((tmp_path / "lab.log").read_text(errors="replace")[-3000:])
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        stop_jupyterlab(proc)
        log.close()


def test_chart_is_live_in_jupyterlab_with_the_network_cut(lab):
    from playwright.sync_api import sync_playwright

    blocked, errors = [], []

    def route(r):
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", route)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{lab}/lab/tree/chart.ipynb")
            page.wait_for_function(
                "window.jupyterapp && window.jupyterapp.shell.currentWidget"
                " && window.jupyterapp.shell.currentWidget.sessionContext"
                " && window.jupyterapp.shell.currentWidget.sessionContext.session"
                " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
                " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
                ".connectionStatus === 'connected'",
                timeout=120_000,
            )
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            # vegaEmbed adds the class and draws its own SVG in place of the static one
            view = page.locator(".jp-OutputArea .insights-chart.vega-embed svg.marks")
            view.wait_for(timeout=120_000)
            assert page.locator(".jp-OutputArea .insights-chart").count() == 1
            assert page.evaluate("typeof window.vegaEmbed") == "function"
            bar = page.locator(".jp-OutputArea .insights-chart.vega-embed .mark-rect path").first
            bar.hover()
            tip = page.locator("#vg-tooltip-element.visible")
            tip.wait_for(timeout=20_000)
            text = tip.inner_text()
            assert "región" in text and ("Ñuñoa" in text or "São Paulo" in text), text
            page.screenshot(path=str(ROOT / ".lab-test.png")) if os.environ.get(
                "INSIGHTS_LAB_SCREENSHOT"
            ) else None
        finally:
            browser.close()
    assert not [e for e in errors if "vega" in e.lower()], errors
