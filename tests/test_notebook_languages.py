"""Every notebook page in one language and that language's number and time style (Babel,
CLDR), run for real by papermill on a trained demo warehouse, in Spanish and in English."""

from __future__ import annotations

import re
import subprocess
import sys

import nbformat
import pytest

from insights import i18n
from insights.viz.offline import LAB_ONLY_KEY
from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# words that only the other language would write (data names such as regions excepted)
FOREIGN = {
    "es": [
        "Studio energy", "Recommendations", "Report:", "served", "carbon_intensity_direct",
        "relative_mae", " AM", " PM", "engagements expected", "By hour", "By day",
    ],
    "en": [
        "Energía", "Recomendaciones", "Informe", "interacciones", "Por hora", "Por día",
        "hora local", "sáb ", "dom ",
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
    if "read_only: bool" in nb.read_text(encoding="utf-8"):
        params += ["-p", "read_only", "True"]
    r = subprocess.run(
        [sys.executable, "-m", "papermill", str(nb), str(out), "--no-progress-bar", *params],
        cwd=ROOT / "notebooks",
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    text = _outputs(nbformat.read(out, as_version=4))
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
