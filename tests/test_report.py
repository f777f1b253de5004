"""`insights report`: offline HTML in headless Chromium, failures, parameters, parallel runs."""

from __future__ import annotations

import re
import subprocess
import sys

import nbformat
import pytest

from insights import sql
from insights.viz.offline import VEGALITE_MIME
from tests.browser import launch, needs_chromium
from tests.conftest import INSIGHTS, ROOT, query, run_cli


@pytest.fixture(scope="module")
def report_dir(demo_project):
    r = run_cli("report", "--out", "reports", "--lang", "en", cwd=demo_project, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return demo_project / "reports"


def charts_in(executed: nbformat.NotebookNode) -> int:
    """Charts the report must show: chart outputs outside the cells tagged widgets."""
    return sum(
        VEGALITE_MIME in o.get("data", {})
        for c in executed.cells
        if "widgets" not in c.metadata.get("tags", [])
        for o in c.get("outputs", [])
    )


def test_every_notebook_exported_with_code_hidden_and_nothing_remote(report_dir):
    htmls = sorted(report_dir.glob("*.html"))
    assert [h.stem for h in htmls] == [
        nb.stem for nb in sorted((ROOT / "notebooks").glob("0*.ipynb"))
    ]
    for h in htmls:
        text = h.read_text(encoding="utf-8")
        assert text.count("window.vegaEmbed=") == 1  # one bundle per page, in the head
        assert text.index("window.vegaEmbed=") < text.rindex("</head>") < text.index("<main")
        for bad in (
            'src="http',
            "src='http",
            'href="http',
            "cdn.jsdelivr",
            "cdnjs",
            "unpkg",
            "require.min.js",
            "MathJax.js",
        ):
            assert bad not in text, (h.name, bad)
        assert "from insights" not in text and "show(charts" not in text  # no code
        assert (report_dir / f"{h.stem}.ipynb").exists()


def test_strategist_report_leads_with_the_recommendation(report_dir):
    text = (report_dir / "05_report.html").read_text(encoding="utf-8")
    first = text.index("Publish on")
    assert first < text.index("Evidence") and "80% interval" in text and "gCO₂eq/kWh" in text
    # the platform evidence of `make demo` (its post history, TikTok and YouTube downloads):
    # what each recommendation rests on, the posts' best hours with their intervals and the
    # post backtest against its two baselines, each with numbers
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))
    assert "What each recommendation rests on" in page and "own hourly" in page
    assert "posts with settled totals" in page and "under 7 days old" in page
    hour = r"\d{1,2}:00 [AP]M"
    pct = r"[+-]?\d+%"
    assert re.search(rf"Instagram {hour} {pct} {pct} to {pct} \d+ ", page), page[-4000:]
    assert re.search(r"TikTok followers most active \(TikTok Studio, [^)]+\): \d", page)
    num = r"-?\d\.\d\d"
    for method in ("Model (pooled effects)", "Spreadsheet mean by hour", "habitual hour"):
        row = rf"{re.escape(method)} {num} {num} to {num} {pct} {pct} to {pct} "
        assert re.search(row, page), (method, page[-3000:])
    assert re.search(r"Learned from the \d+ posts before .+; tested on the \d+ after", page)


def test_spanish_report(demo_project, tmp_path):
    r = run_cli(
        "report",
        "--out",
        tmp_path,
        "--only",
        "05",
        "--lang",
        "es",
        "-p",
        "backtest_weeks",
        "0",
        cwd=demo_project,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    text = (tmp_path / "05_report.html").read_text(encoding="utf-8")
    assert "Publica en" in text and "intervalo del 80" in text and "Ciudad de México" in text
    # Spanish throughout: page language and title, headings, axis titles, no English twins
    assert '<html lang="es">' in text and "<title>Informe: cuándo y dónde publicar" in text
    assert "¿Qué tan confiable es?" in text and "Generado el" in text
    assert "hora local" in text and "% del pico de la región" in text
    assert "Huella de distribuir la campaña" in text and "kg CO₂e evitados" in text
    for english in ("Evidence", "Recommendation", "local hour", "Ingest", "/ Report", "tiktok en"):
        assert english not in text, english
    # the platform evidence in Spanish, with its numbers
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))
    assert "En qué se apoya cada recomendación" in page and "serie horaria propia de" in page
    assert "Las mejores horas según las publicaciones del equipo" in page
    pct = r"[+-]?\d+%"
    assert re.search(rf"Instagram \d{{2}}:00 {pct} {pct} a {pct} \d+ ", page), page[-4000:]
    num = r"-?\d\.\d\d"
    for method in ("Modelo (efectos agrupados)", "Media por hora de la hoja de cálculo",
                   "Hora habitual del equipo"):  # fmt: skip
        assert re.search(rf"{re.escape(method)} {num} {num} a {num} {pct} {pct} a {pct} ", page)
    assert re.search(r"Aprendido de las \d+ publicaciones anteriores al", page)
    # 04's widget panel lives in 05 for the lab only: a report run builds none (headless)
    # and its page holds no widget, only the static charts and tables
    executed = nbformat.read(tmp_path / "05_report.ipynb", as_version=4)
    (panel,) = [c for c in executed.cells if "widgets" in c.metadata.get("tags", [])]
    assert panel.outputs == [] and "widgets" not in executed.metadata
    assert "widget-view" not in text and "jupyter-widgets" not in text and "lab_panel" not in text


def test_second_language_reuses_the_stored_advice_replay(report_dir, demo_project, tmp_path):
    """Page 05 rendered again in another language reads the stored advice replay (no row
    added or written again) and fits nothing: ``report_dir`` rendered it in English."""
    db = demo_project / "data" / "warehouse.duckdb"
    sql_rows = "SELECT run_id, params_hash, created_at FROM advice_backtests ORDER BY 1, 2"
    before = query(db, sql_rows)
    assert before, "the English render stored no advice replay"
    r = run_cli(
        "report", "--out", tmp_path, "--only", "05", "--lang", "es", cwd=demo_project, timeout=600
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert query(db, sql_rows) == before  # not computed again: no new row, none rewritten
    page = (tmp_path / "05_report.html").read_text(encoding="utf-8")
    assert "Generado el" in page and "solo alcance" in page  # the replay, shown in Spanish


@needs_chromium
def test_reports_render_offline_in_headless_chromium(report_dir):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        ctx = browser.new_context(offline=True)
        for html in sorted(report_dir.glob("*.html")):
            page = ctx.new_page()
            errors, warnings, requests, failed = [], [], [], []
            page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
            # a spec compiled for another Vega major than the page's bundle logs a warning
            page.on(
                "console",
                lambda m, w=warnings: w.append(m.text) if m.type == "warning" else None,
            )
            page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))
            page.on(
                "request",
                lambda r, q=requests: (
                    q.append(r.url) if not r.url.startswith(("file:", "data:", "blob:")) else None
                ),
            )
            page.on("requestfailed", lambda r, f=failed: f.append(r.url))
            page.goto(html.as_uri())
            expected = charts_in(nbformat.read(html.with_suffix(".ipynb"), as_version=4))
            if expected:
                page.wait_for_function(
                    f"document.querySelectorAll('div.insights-chart.vega-embed svg.marks')"
                    f".length >= {expected}",
                    timeout=20_000,
                )
            rendered = page.locator("div.insights-chart.vega-embed svg.marks").count()
            assert rendered == expected, (html.name, rendered, expected)
            assert not errors and not requests and not failed, (html.name, errors, requests, failed)
            assert not [w for w in warnings if "vega" in w.lower()], (html.name, warnings)
            page.close()
        browser.close()


def test_failing_run_exits_nonzero_with_the_cell_error_and_keeps_the_notebook(
    demo_project, tmp_path
):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    nb = nbformat.read(ROOT / "notebooks" / "01_ingest.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("1 / 0  # a broken cell"))
    nbformat.write(nb, nbs / "01_broken.ipynb")
    r = run_cli("report", "--notebooks", nbs, "--out", tmp_path / "out", cwd=demo_project)
    assert r.returncode == 1
    assert "ZeroDivisionError" in r.stderr and "01_broken.ipynb: cell" in r.stderr
    assert len(r.stderr.splitlines()) <= 25
    # the report folder is left as it was (here: absent); the failed run is kept beside it
    assert not (tmp_path / "out").exists()
    kept = tmp_path / "out.failed" / "01_broken.ipynb"
    assert kept.exists() and "ZeroDivisionError" in kept.read_text()
    assert str(kept) in r.stderr


def test_unknown_parameter_is_an_error(demo_project, tmp_path):
    r = run_cli("report", "--out", tmp_path, "-p", "energy_wieght", "0.5", cwd=demo_project)
    assert r.returncode == 2 and "unknown parameter(s) energy_wieght" in r.stderr
    r = run_cli("report", "--out", tmp_path, "-p", "slots", "many", cwd=demo_project)
    assert r.returncode == 2 and "expected a finite int" in r.stderr
    assert not list(tmp_path.glob("*.html"))


def test_four_parallel_report_runs_all_succeed(demo_project, tmp_path):
    procs = [
        subprocess.Popen(
            [
                *INSIGHTS,
                "report",
                "--out",
                str(tmp_path / "shared"),
                "--only",
                "01",
                "--only",
                "04",
            ],
            cwd=demo_project,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outs = [p.communicate(timeout=900) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [o[1][-1500:] for o in outs]
    assert sorted(f.name for f in (tmp_path / "shared").iterdir()) == [
        "01_ingest.html",
        "01_ingest.ipynb",
        "04_recommend.html",
        "04_recommend.ipynb",
    ]
    con = __import__("duckdb").connect(
        str(demo_project / "data" / "warehouse.duckdb"), read_only=True
    )
    stored = sql.one(
        con,
        "SELECT count(DISTINCT run_id) FROM recommendations WHERE "
        "json_extract_string(params, '$.notebook') = '04_recommend'",
    )
    con.close()
    assert stored[0] >= 4


def test_kernel_that_dies_at_start_is_retried_but_cell_errors_are_not(tmp_path, monkeypatch):
    """Four report runs starting kernels at once can lose a port race; that run is
    repeated, while a notebook that fails in a cell fails at once."""
    from insights import report

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    src = tmp_path / "01_x.ipynb"
    nbformat.write(nb, src)
    real_run = report._run_child
    calls = []
    died = []

    def flaky(cmd):
        calls.append(cmd)
        if not died:
            died.append(True)
            return subprocess.CompletedProcess(
                cmd, 1, "", "RuntimeError: Kernel died before replying to kernel_info\n"
            )
        return real_run(cmd)

    monkeypatch.setattr(report, "_run_child", flaky)
    out = tmp_path / "out.ipynb"
    out.touch()
    executed = report._execute(src, out, {})
    assert len(calls) == 2 and executed.cells[0]["execution_count"] == 1

    calls.clear()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0")]), src)
    with pytest.raises(report.ReportFailed, match="ZeroDivisionError"):
        report._execute(src, out, {})
    assert len(calls) == 1


def test_report_processes_skip_the_grammar_compiling_import_and_still_validate():
    """`insights report`, its papermill process and the kernel's parameter check keep
    jsonschema's optional IRI checker (rfc3987_syntax: 38 grammars compiled at import) out;
    notebooks still read and validate, and papermill's command line still runs."""
    from insights.imports import PAPERMILL_MAIN

    code = (
        "import sys\n"
        "import insights.report\n"
        "import nbformat\n"
        "assert sys.modules.get('rfc3987_syntax') is None, 'imported'\n"
        "nb = nbformat.read('notebooks/02_explore.ipynb', as_version=4)\n"
        "nbformat.validate(nb)\n"
        "print('ok', len(nb.cells))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("ok"), r.stderr[-2000:]
    r = subprocess.run(
        [sys.executable, "-c", PAPERMILL_MAIN, "--help"], capture_output=True, text=True
    )
    assert r.returncode == 0 and "Usage:" in r.stdout and "--parameters" in r.stdout, r.stderr
