"""The JupyterLab screenshots in docs/jupyterlab.md: the Spanish notebooks 02, 04 and 05 run
in a real JupyterLab, seen by headless Chromium with the network cut.

Usage (after ``make demo``, which leaves a trained warehouse in data/)::

    PYTHONPATH=$PWD .venv/bin/python tools/lab_screenshots.py --db data/warehouse.duckdb \\
        --out docs/assets/lab

What it does, as ``tests/test_lab.py`` does for one chart:

1. copies the warehouse (and its model folder) and the three notebooks into a temporary
   project, so the notebooks' stored recommendations and autosaves never touch yours;
2. starts JupyterLab on 127.0.0.1 there (no token, settings and workspaces in the
   temporary folder, update checks and the extension manager's index off), its kernels
   importing this checkout;
3. opens each notebook in headless Chromium (Debian's ``chromium`` through Playwright),
   aborting every request that is not to the local server, runs all cells (their default
   parameters: ``lang = "es"``), and waits until every code cell has run and the kernel
   is idle;
4. writes ``lab-02-tooltip.png`` (a live chart with its tooltip shown),
   ``lab-04-widgets.png`` (the widget panel after the energy weight was moved to 0.8 in
   the kernel, the panel's calendar and Pareto chart redrawn) and ``lab-05-report.png``
   (the top of the strategist notebook, code collapsed) and ``lab-05-widgets.png`` (the
   same panel in 05, below its Pareto chart).

Not part of the test suite (it takes minutes). Exit 2 when chromium, Playwright or the
warehouse is missing; 1 when a notebook fails in the lab (its first error is printed).
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the tests' JupyterLab launcher
from tests.browser import start_jupyterlab, stop_jupyterlab  # noqa: E402

SHOTS = ("02_explore", "04_recommend", "05_report")
VIEWPORT = {"width": 1280, "height": 860}
# the kernel is idle and every code cell has run, or one failed (run-all stops there)
DONE_JS = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const kernel = nb.sessionContext.session && nb.sessionContext.session.kernel;
  const cells = nb.content.widgets.filter(c => c.model.type === 'code');
  const failed = cells.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
  return kernel && kernel.status === 'idle' && (failed || cells.every(c => c.model.executionCount));
}"""
# how far the run got: [cells run, code cells]
PROGRESS_JS = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.widgets
    .filter(c => c.model.type === 'code');
  return [cells.filter(c => c.model.executionCount).length, cells.length];
}"""
ERRORS_JS = """() => window.jupyterapp.shell.currentWidget.content.widgets
  .filter(c => c.model.type === 'code')
  .flatMap(c => c.model.outputs.toJSON())
  .filter(o => o.output_type === 'error')
  .map(o => o.ename + ': ' + o.evalue)"""
KERNEL_JS = (
    "window.jupyterapp && window.jupyterapp.shell.currentWidget"
    " && window.jupyterapp.shell.currentWidget.sessionContext"
    " && window.jupyterapp.shell.currentWidget.sessionContext.session"
    " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
    " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
    ".connectionStatus === 'connected'"
)
LIVE = ".jp-OutputArea .insights-chart.vega-embed svg.marks"


class LabFailed(Exception):
    """A notebook failed or did not finish in the lab (one line)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _project(tmp: Path, db: Path) -> None:
    """A throwaway project: notebooks/ with the three notebooks, data/ with a warehouse copy."""
    (tmp / "notebooks").mkdir()
    (tmp / "data").mkdir()
    for stem in SHOTS:
        shutil.copy2(ROOT / "notebooks" / f"{stem}.ipynb", tmp / "notebooks")
    shutil.copy2(db, tmp / "data" / "warehouse.duckdb")
    # JupyterLab asks in a toast whether to fetch Jupyter news: answered "no" beforehand
    # (its documented setting), so the question is neither in the pictures nor sent
    notification = tmp / ".settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    models = db.with_name(db.name + ".models")
    if models.is_dir():
        shutil.copytree(models, tmp / "data" / "warehouse.duckdb.models")


def _start_lab(tmp: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    log = open(tmp / "lab.log", "wb")  # noqa: SIM115 -- lives as long as the server
    proc = start_jupyterlab(tmp, port, log, INSIGHTS_DB=str(tmp / "data" / "warehouse.duckdb"))
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if proc.poll() is not None:
            raise LabFailed("JupyterLab did not start: see " + str(tmp / "lab.log"))
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=1).close()
            return proc, url
        except OSError:
            time.sleep(0.2)
    raise LabFailed("JupyterLab did not answer in 120 s")


def _run_notebook(browser, url: str, stem: str, timeout_s: int, route):
    """A fresh page with ``stem`` open (workspace reset: no tab of the previous one), run
    top to bottom; the page."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = browser.new_page(viewport=VIEWPORT, locale="es-MX")
    page.route("**/*", route)
    page.goto(f"{url}/lab/tree/notebooks/{stem}.ipynb?reset")
    page.wait_for_function(KERNEL_JS, timeout=120_000)
    page.evaluate("window.jupyterapp.shell.collapseLeft()")
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    try:
        page.wait_for_function(DONE_JS, timeout=timeout_s * 1000, polling=1000)
    except PlaywrightTimeout:
        done, total = page.evaluate(PROGRESS_JS)
        raise LabFailed(f"{stem}: {done} of {total} code cells run in {timeout_s} s") from None
    errors = page.evaluate(ERRORS_JS)
    if errors:
        raise LabFailed(f"{stem}: {errors[0]}")
    page.locator(LIVE).first.wait_for(timeout=60_000)
    return page


def _close(page) -> None:
    """Shut the page's kernel down (its CPU goes to the next notebook) and close it."""
    page.evaluate("window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
    page.close()


def _kernel(page, code: str) -> None:
    """Run ``code`` in the open notebook's kernel, as a person typing in a cell would."""
    page.evaluate(
        "code => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
        ".requestExecute({code}).done",
        code,
    )


def _top_of(page, selector: str) -> None:
    """Scroll the notebook so that the first ``selector`` is at the top of the view."""
    page.locator(selector).first.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(800)  # the scroll settles and lazily drawn cells paint


def shoot(db: Path, out: Path, timeout_s: int, only: tuple[str, ...] = SHOTS) -> list[Path]:
    from playwright.sync_api import sync_playwright

    browser_path = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser_path is None:
        raise FileNotFoundError("chromium not found (apt-get install chromium)")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="insights-lab-") as t:
        tmp = Path(t)
        _project(tmp, db)
        proc, url = _start_lab(tmp)

        def route(r):
            host = urlparse(r.request.url).hostname
            if r.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
                r.continue_()
            else:
                r.abort()

        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=browser_path,
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
                )
                if "02_explore" in only:
                    page = _run_notebook(browser, url, "02_explore", timeout_s, route)
                    chart = page.locator(".jp-OutputArea .insights-chart.vega-embed").first
                    chart.evaluate("el => el.scrollIntoView({block: 'center'})")
                    page.wait_for_timeout(800)
                    box = chart.locator("svg.marks").bounding_box()
                    mark = chart.locator(
                        ".mark-line path, .mark-rect path, .mark-symbol path"
                    ).first
                    mark.hover(force=True)
                    if not page.locator("#vg-tooltip-element.visible").count():
                        # a line's path is hovered at its middle: move along it until a tip shows
                        for dx in range(10, int(box["width"]), 25):
                            page.mouse.move(box["x"] + dx, box["y"] + box["height"] / 2)
                            if page.locator("#vg-tooltip-element.visible").count():
                                break
                    page.locator("#vg-tooltip-element.visible").wait_for(timeout=20_000)
                    written.append(out / "lab-02-tooltip.png")
                    page.screenshot(path=str(written[-1]))
                    _close(page)
                if "04_recommend" in only:
                    page = _run_notebook(browser, url, "04_recommend", timeout_s, route)
                    _kernel(page, "panel.weight.value = 0.8")  # the slider moved: one redraw
                    page.wait_for_timeout(3000)
                    _top_of(page, ".jp-OutputArea .widget-vbox")
                    written.append(out / "lab-04-widgets.png")
                    page.screenshot(path=str(written[-1]))
                    _close(page)
                if "05_report" in only:
                    page = _run_notebook(browser, url, "05_report", timeout_s, route)
                    # the strategist's view: code collapsed, the page as the report reads
                    page.evaluate(
                        "window.jupyterapp.commands.execute('notebook:hide-all-cell-code')"
                    )
                    _top_of(page, ".jp-OutputArea-output h1")
                    written.append(out / "lab-05-report.png")
                    page.screenshot(path=str(written[-1]))
                    _top_of(page, ".jp-OutputArea .widget-vbox")
                    written.append(out / "lab-05-widgets.png")
                    page.screenshot(path=str(written[-1]))
                    _close(page)
                browser.close()
        finally:
            stop_jupyterlab(proc)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=ROOT / "data" / "warehouse.duckdb")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "assets" / "lab")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per notebook run")
    ap.add_argument("--only", nargs="+", choices=SHOTS, default=SHOTS, help="these notebooks")
    args = ap.parse_args(argv)
    if not args.db.is_file():
        print(f"{args.db}: no warehouse (run make demo first)", file=sys.stderr)
        return 2
    try:
        for path in shoot(args.db, args.out, args.timeout, tuple(args.only)):
            print(path)
    except (FileNotFoundError, ImportError) as exc:
        print(f"lab screenshots: {exc}", file=sys.stderr)
        return 2
    except LabFailed as exc:
        print(f"lab screenshots: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
