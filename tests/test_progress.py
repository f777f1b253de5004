"""tqdm's notebook bar for long calls made from a watched notebook, nothing elsewhere."""

from __future__ import annotations

import nbformat

from insights.progress import notebook_bar
from tests.conftest import ROOT

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

CELLS = [
    # watched kernel: the notebook (widget) bar
    "from insights.progress import notebook_bar\nb = notebook_bar(3, 'backtest')\n"
    "b(1); b('fitting'); b.close()",
    # the same kernel marked headless, as report runs are: no bar
    "import os\nos.environ['INSIGHTS_HEADLESS'] = '1'\nprint(notebook_bar(3, 'x'))",
]


def test_notebook_bar_in_a_kernel_only(monkeypatch):
    from nbclient import NotebookClient

    assert notebook_bar(3, "x") is None  # a plain process (this one) shows nothing
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.delenv("INSIGHTS_HEADLESS", raising=False)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    watched, headless = (c.outputs for c in nb.cells)
    assert any(WIDGET_VIEW in o.get("data", {}) for o in watched), watched
    assert [o.get("text") for o in headless] == ["None\n"]


def test_terminal_bar_counts_each_stage_when_the_next_starts(monkeypatch):
    """The CLI's bar (train, the advice replay on a terminal): a stage counts as done when
    the next one starts, the last one when the bar closes; the stage shows beside it."""
    import io
    import sys

    from insights.progress import TerminalBar, set_total

    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    bar = TerminalBar(None, "train")
    set_total(bar, 2)
    bar("backtesting 96 1h series")
    assert bar.bar.n == 0
    bar("storing the run")
    assert bar.bar.n == 1
    bar.close()
    assert bar.bar.n == 2
    assert "2/2" in err.getvalue() and "storing the run" in err.getvalue()
    set_total(print, 3)  # a plain callback (log lines): nothing to tell
