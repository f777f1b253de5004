"""Every notebook page in one language and that language's number and time style (Babel,
CLDR), run for real by papermill on a trained demo warehouse, in Spanish and in English."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from insights import i18n
from insights.viz.offline import LAB_ONLY_KEY
from tests.conftest import ROOT, json_lines, run_cli

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# words that only the other language would write (data names such as regions excepted)
FOREIGN = {
    "es": [
        "Studio energy", "Recommendations", "Report:", "served", "carbon_intensity_direct",
        "relative_mae", " AM", " PM", "engagements expected", "By hour", "By day",
        "storage format", "ingest log", "keys:",  # 01's status block
    ],
    "en": [
        "Energía", "Recomendaciones", "Informe", "interacciones", "Por hora", "Por día",
        "hora local", "sáb ", "dom ",
        "almacén", " filas ", "registro de ingesta", "fuentes:",  # 01's status block
    ],
}  # fmt: skip


def _outputs(executed: nbformat.NotebookNode) -> str:
    parts = []
    for c in executed.cells:
        for o in c.get("outputs", []):
            data = o.get("data", {})
            if any(k.startswith("application/vnd.vegalite") for k in data):
                continue
            if LAB_ONLY_KEY in o.get("metadata", {}):  # the Vega bundle's JavaScript, not text
                continue
            parts.append(
                o.get("text", "") + data.get("text/markdown", "") + data.get("text/html", "")
            )
    return "\n".join(parts)


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_language_and_its_number_style(nb, lang, small_trained_db, tmp_path):
    out = tmp_path / nb.name
    params = ["-p", "db", str(small_trained_db), "-p", "lang", lang]
    if nb.stem == "01_ingest":  # a download folder through the CLI's front door, on a copy
        shutil.copy(small_trained_db, tmp_path / "wh.duckdb")
        params = ["-p", "db", str(tmp_path / "wh.duckdb"), "-p", "lang", lang]
        params += ["-p", "raw_dir", str(_downloads(tmp_path)), "-p", "tz", TZ]
    elif "read_only: bool" in nb.read_text(encoding="utf-8"):
        params += ["-p", "read_only", "True"]
    r = subprocess.run(
        [sys.executable, "-m", "papermill", str(nb), str(out), "--no-progress-bar", *params],
        cwd=ROOT / "notebooks",
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    executed = nbformat.read(out, as_version=4)
    text = _outputs(executed)
    if nb.stem == "05_report":
        _live_controls(executed, lang)
    if nb.stem == "01_ingest":
        _same_answer_as_the_cli(text, lang, small_trained_db, tmp_path)
    found = [w for w in FOREIGN[lang] if w in text]
    assert not found, (found, text[:3000])
    assert not re.search(r"\d %", text)  # CLDR es_MX and en_US: 40.3%, no space
    if lang == "en":  # English times are 9:00 PM, never 21:00 beside them
        # (job labels are data: "render01 2026-11-30 21:00" is a name, not a time written)
        written = re.sub(r"\d{4}\\?-\d{2}\\?-\d{2} \d{2}:\d{2}", "", text)
        assert not re.search(r"\b(1[3-9]|2[0-3]):[0-5]\d\b", written), written[:3000]
    if nb.stem == "05_report":  # this warehouse has no posts: the report says so plainly
        assert ("no tiene publicaciones" if lang == "es" else "holds no posts") in text
    title = i18n.notebook_title(nb.stem, lang)
    assert "_" not in title and title.endswith(" · insights")


TZ = "America/Mexico_City"  # Meta's export states no zone: loaded only with the option
STATES = {
    "es": {"loaded": "cargado", "skipped": "omitido: ya cargado", "rejected": "rechazado"},
    "en": {"loaded": "loaded", "skipped": "skipped: already loaded", "rejected": "rejected"},
}


def _downloads(tmp_path: Path) -> Path:
    """A download folder: one export twice (the browser's ``(1)`` copy) and one that is
    refused (a GA4 table without Date)."""
    d = tmp_path / "descargas"
    d.mkdir()
    meta = ROOT / "tests" / "fixtures" / "platforms" / "meta-business-suite-ig-content.csv"
    shutil.copy(meta, d / meta.name)
    shutil.copy(meta, d / "meta-business-suite-ig-content (1).csv")
    shutil.copy(ROOT / "tests" / "fixtures" / "platforms" / "ga4-no-date.csv", d)
    return d


def _same_answer_as_the_cli(text: str, lang: str, db: Path, tmp_path: Path) -> None:
    """Notebook 01's table (file, state, reason) is what `insights ingest` answers for the
    same folder, options and warehouse; the states in the page's language."""
    table = re.search(r"<table>.*?</table>", text, flags=re.S)
    assert table, text[:2000]
    rows = [
        [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", tr)]
        for tr in re.findall(r"<tr><td>.*?</tr>", table.group(0))
    ]
    shown = [(r[0], r[2], r[5]) for r in rows]
    assert sorted(s for _, s, _ in shown) == sorted(STATES[lang].values()), shown
    if lang != "es":
        return  # the CLI is asked once
    shutil.copy(db, tmp_path / "cli.duckdb")
    folder = tmp_path / "descargas"
    r = run_cli("ingest", folder, "--db", tmp_path / "cli.duckdb", "--tz", TZ, "--json")
    assert r.returncode == 1, r.stderr  # a file was rejected
    cli = [
        (
            Path(d["path"]).relative_to(folder).as_posix(),
            STATES[lang][d["status"]],
            "—" if d["status"] == "skipped" else d["reason"],
        )
        for d in json_lines(r.stdout)
    ]
    assert shown == cli
    assert "GA4 table without Date" in shown[0][2]


def _live_controls(executed: nbformat.NotebookNode, lang: str) -> None:
    """05 carries 04's widget panel (run outside a report: a kernel someone could be
    watching), its labels in the page's language; the report's HTML drops that cell."""
    from insights.widgets import LABELS

    (cell,) = [c for c in executed.cells if "widgets" in c.metadata.get("tags", [])]
    assert [o["output_type"] for o in cell.outputs] == ["display_data"]
    assert "application/vnd.jupyter.widget-view+json" in cell.outputs[0]["data"]
    state = json.dumps(executed.metadata["widgets"], ensure_ascii=False)
    other = "en" if lang == "es" else "es"
    assert all(f'"description": "{w}"' in state for w in LABELS[lang].values()), lang
    assert not any(f'"description": "{w}"' in state for w in LABELS[other].values()), lang
