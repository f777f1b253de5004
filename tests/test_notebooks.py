"""The numbered notebooks: typed parameters, thin, run by papermill with no argument."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_numbered_sequence():
    assert [nb.stem.split("_", 1)[1] for nb in NOTEBOOKS] == [
        "ingest",
        "explore",
        "train",
        "recommend",
        "report",
        "studio_energy",
    ]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_typed_parameters_cell_listed_by_papermill(nb):
    cells = nbformat.read(nb, as_version=4).cells
    tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    names = re.findall(r"^(\w+): (\w+) = ", tagged[0].source, flags=re.M)
    assert names and len(names) == len(tagged[0].source.strip().splitlines())
    out = subprocess.run(
        [sys.executable, "-m", "papermill", "--help-notebook", str(nb)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name, typ in names:
        assert re.search(rf"^\s+{name}: {typ} \(default", out, flags=re.M), (name, out)
    assert "Unable to parse" not in out


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_thin(nb):
    code = [c.source for c in nbformat.read(nb, as_version=4).cells if c.cell_type == "code"]
    assert not any(
        re.search(r"^\s*(def|class) ", src, flags=re.M) and "redraw" not in src for src in code
    )
    assert sum(len(src.splitlines()) for src in code) < 60


def _run(nb: Path, project: Path, out: Path, *params: str) -> nbformat.NotebookNode:
    """Run a notebook as JupyterLab does: the kernel's working directory is notebooks/."""
    nbdir = project / "notebooks"
    nbdir.mkdir(exist_ok=True)
    shutil.copy2(nb, nbdir / nb.name)
    r = subprocess.run(
        [sys.executable, "-m", "papermill", nb.name, str(out), "--no-progress-bar", *params],
        cwd=nbdir,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "INSIGHTS_DB": ""},
    )
    assert r.returncode == 0, r.stderr[-2000:]
    executed = nbformat.read(out, as_version=4)
    errors = [
        o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    assert not errors
    return executed


def _text(executed: nbformat.NotebookNode) -> str:
    parts = []
    for c in executed.cells:
        for o in c.get("outputs", []):
            data = o.get("data", {})
            if any(k.startswith("application/vnd.vegalite") for k in data):
                continue  # a chart: its spec names fields; its labels are checked in the report
            parts.append(
                o.get("text", "") + data.get("text/markdown", "") + data.get("text/html", "")
            )
    return "\n".join(parts)


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_from_notebooks_folder_with_no_argument(nb, demo_project, tmp_path):
    # JupyterLab starts the kernel in notebooks/, right after `make demo`: the default
    # db (data/warehouse.duckdb) must be found in the project folder above it
    executed = _run(nb, demo_project, tmp_path / nb.name)
    text = _text(executed)
    assert "make demo" not in text and "no warehouse yet" not in text


def test_region_aliases_and_channel_case_in_parameters(demo_project, tmp_path):
    nb = ROOT / "notebooks" / "04_recommend.ipynb"
    params = ["-p", "regions", "CDMX,Nuevo Leon", "-p", "channels", "TikTok", "-p", "lang", "en"]
    text = _text(_run(nb, demo_project, tmp_path / nb.name, *params))
    assert "Ciudad de México" in text and "Nuevo León" in text and "TikTok" in text
    assert "Jalisco" not in text  # the default regions were replaced, not added to
    assert "expected_engagement" not in text  # human column names
