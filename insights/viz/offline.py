"""Charts that render with no network: in JupyterLab, in exported HTML, and without JavaScript.

Each chart is displayed as a MIME bundle holding the Vega-Lite spec (JupyterLab
renders it natively) and an HTML fragment: a static SVG rendered here by
vl-convert (visible anywhere, even with scripts off) inside a ``div`` that a
small script upgrades to an interactive Vega chart when ``vegaEmbed`` is on the
page. Exported reports load one Vega bundle (from vl-convert) in the page
head, so two charts never load two colliding copies.

In JupyterLab, where Vega-Lite 6 has no built-in renderer, the first chart a
kernel shows is preceded by one output holding that same bundle (see
:func:`lab_bundle_output`), so the upgrade script finds ``vegaEmbed`` and the
charts are live (tooltips, selections) with no network. That output is marked
lab-only: report runs do not emit it (:data:`HEADLESS_ENV`) and the HTML
export drops it, so a report page still holds exactly one bundle, in its head.
"""

from __future__ import annotations

import functools
import html
import json
import os
import uuid

import altair as alt
import vl_convert as vlc

alt.data_transformers.disable_max_rows()  # charts here are built from aggregates

# Altair 6 writes Vega-Lite 6 specs; JupyterLab 4 renders only the v5 MIME type natively, so
# there the HTML part (static SVG, upgraded by vegaEmbed where the page has it) is what shows.
VEGALITE_MIME = "application/vnd.vegalite.v6+json"  # nbformat needs a "+json" key for dict data
CHART_CLASS = "insights-chart"
# output metadata key marking the lab-only Vega bundle (the HTML export drops such outputs)
LAB_ONLY_KEY = "insights_lab_only"
# set (to anything non-empty) in the environment of kernels run headless, such as the
# report's papermill runs: nobody looks at the page, so the bundle (and progress bars,
# insights.progress) would only bloat the executed notebook
HEADLESS_ENV = "INSIGHTS_HEADLESS"
# the event the lab bundle fires once vegaEmbed is defined: a chart whose script ran before
# the bundle (outputs render asynchronously) upgrades itself then
READY_EVENT = "insights-vega-ready"

_lab_bundle_sent = False  # once per kernel: later charts on the page reuse window.vegaEmbed


@functools.cache
def vega_bundle() -> str:
    """vega, vega-lite and vega-embed in one script (defines ``window.vegaEmbed``)."""
    # the Vega-Lite version Altair writes specs for, so the page and the specs agree
    from altair.utils._importers import vl_version_for_vl_convert

    return vlc.javascript_bundle(vl_version=vl_version_for_vl_convert())


def lab_bundle_html() -> str:
    """The Vega bundle as one ``<script>`` that defines ``window.vegaEmbed`` at most once.

    Wrapped in a function: the bundle declares top-level ``const`` names, and a second
    copy evaluated in the same page (two notebooks open in one lab) would throw on them.
    """
    # "</script" would end the element early; "<\/" means "</" in any JS string or regex
    body = vega_bundle().replace("</script", "<\\/script")
    return (
        "<script>(function () {\n  if (window.vegaEmbed) { return; }\n"
        f"{body}\n"
        f"  window.dispatchEvent(new Event('{READY_EVENT}'));\n"
        "})();</script>"
    )


def lab_bundle_output() -> dict | None:
    """The lab-only output with the Vega bundle, the first time this kernel asks; else None.

    None as well where :data:`HEADLESS_ENV` is set (headless report runs).
    Shape: an nbformat ``display_data`` output, metadata ``{LAB_ONLY_KEY: "vega-bundle"}``.
    """
    global _lab_bundle_sent
    if _lab_bundle_sent or os.environ.get(HEADLESS_ENV):
        return None
    _lab_bundle_sent = True
    return {
        "output_type": "display_data",
        "data": {"text/html": lab_bundle_html(), "text/plain": ""},
        "metadata": {LAB_ONLY_KEY: "vega-bundle"},
    }


def chart_html(spec: dict, svg: str | None = None) -> str:
    div = f"insights-{uuid.uuid4().hex[:10]}"
    if svg is None:
        svg = vlc.vegalite_to_svg(spec)
    # inside <script>, "</script" ends the script and "<!--" hides the rest of the page:
    # names from the data are written with <, > and & as JSON escapes, so neither can occur
    payload = (
        json.dumps(spec).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    )
    return (
        f'<div class="{CHART_CLASS}" id="{div}" role="img" '
        f'aria-label="{html.escape(spec.get("description", "chart"))}">{svg}</div>\n'
        "<script>(function () {\n"
        # JupyterLab may run the script before the output is in the document
        f"  var el = document.getElementById('{div}') ||\n"
        "    (document.currentScript && document.currentScript.previousElementSibling);\n"
        "  function up() {\n"
        f"    el.innerHTML = ''; window.vegaEmbed(el, {payload}, "
        '{renderer: "svg", actions: false}).catch(function (e) { console.error(e); });\n'
        "  }\n"
        "  if (window.vegaEmbed) { up(); }\n"
        f"  else {{ window.addEventListener('{READY_EVENT}', up, {{once: true}}); }}\n"
        "})();</script>"
    )


def visible_controls(spec: object) -> object:
    """``spec`` with control characters in every string shown as ``\\u001b``-style escapes.

    Labels come from the data (region, channel, topic names); a control character is not
    allowed in SVG/XML text, and vl-convert aborts the whole process on one (seen with an
    ESC in a region name), so data reaches the chart as visible text instead.
    """
    from insights.textsafe import terminal

    if isinstance(spec, str):
        return terminal(spec)
    if isinstance(spec, dict):
        return {k: visible_controls(v) for k, v in spec.items()}
    if isinstance(spec, list):
        return [visible_controls(v) for v in spec]
    return spec


def mimebundle(chart: alt.TopLevelMixin) -> dict:
    spec = visible_controls(chart.to_dict())
    return {VEGALITE_MIME: spec, "text/html": chart_html(spec), "text/plain": "<chart>"}


def show(chart: alt.TopLevelMixin) -> None:
    """Display a chart in a notebook so that it renders offline everywhere."""
    from IPython.display import display

    bundle = lab_bundle_output()
    if bundle is not None:
        display(bundle["data"], raw=True, metadata=bundle["metadata"])
    display(mimebundle(chart), raw=True)


def show_in(output, *charts: alt.TopLevelMixin) -> None:
    """Replace an ``ipywidgets.Output``'s content with charts.

    Sets the widget's outputs directly instead of capturing ``display`` calls: a
    captured display inside a widget callback can leave nbclient (and so
    papermill) waiting forever for the cell to finish.
    """
    bundle = lab_bundle_output()
    output.outputs = (() if bundle is None else (bundle,)) + tuple(
        {"output_type": "display_data", "data": mimebundle(c), "metadata": {}} for c in charts
    )
