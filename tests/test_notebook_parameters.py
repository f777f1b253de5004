"""Plain papermill (as the data engineer how-to (docs/how-to/data-engineer.md) runs the notebooks) rejects the
parameters `insights report` rejects, in the notebook's first cell, with the same message
naming the parameter. Each run fails in that first cell: no warehouse is needed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT, run_cli

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _papermill(nb, out, *params: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "papermill", str(nb), str(out), "--no-progress-bar", *params],
        cwd=ROOT / "notebooks",
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_rejects_a_language_it_does_not_speak(nb, tmp_path):
    r = _papermill(nb, tmp_path / "out.ipynb", "-p", "lang", "fr")
    assert r.returncode != 0
    assert "InsightsError: parameter lang 'fr': use one of es, en" in r.stderr
    # the same words as `insights report`, there after the option that carries it
    cli = run_cli("report", "--out", tmp_path / "r", "--only", nb.stem[:2], "-p", "lang", "fr")
    assert cli.returncode == 2 and "-p lang 'fr': use one of es, en" in cli.stderr


def test_a_misspelled_parameter_is_not_run_on_its_default(tmp_path):
    nb = ROOT / "notebooks" / "04_recommend.ipynb"
    r = _papermill(nb, tmp_path / "out.ipynb", "-p", "energy_wieght", "0.9")
    assert r.returncode != 0
    assert "InsightsError: unknown parameter(s) energy_wieght; the notebook takes:" in r.stderr
    assert "energy_weight" in r.stderr.split("the notebook takes:")[-1]


def test_a_value_of_the_wrong_type_is_named_not_a_crash_further_down(tmp_path):
    nb = ROOT / "notebooks" / "05_report.ipynb"
    r = _papermill(nb, tmp_path / "out.ipynb", "-p", "energy_weight", "abc")
    assert r.returncode != 0
    assert "InsightsError: parameter energy_weight 'abc': expected a finite float" in r.stderr
    assert "Cell In[3], line 1" in r.stderr  # the first cell after the parameters
    r = _papermill(nb, tmp_path / "out2.ipynb", "-p", "energy_weight", "1.5")
    assert "InsightsError: parameter energy_weight 1.5: must be between 0 and 1" in r.stderr
