"""The numbered notebooks: typed parameters, thin, run by papermill with no argument."""

from __future__ import annotations

import re
import subprocess
import sys

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


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_papermill_runs_with_no_argument(nb, demo_project, tmp_path):
    out = tmp_path / nb.name
    r = subprocess.run(
        [sys.executable, "-m", "papermill", str(nb), str(out), "--no-progress-bar"],
        cwd=demo_project,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    executed = nbformat.read(out, as_version=4)
    errors = [
        o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    assert not errors
