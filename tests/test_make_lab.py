"""`make lab` works as root (containers) and passes JupyterLab options (LAB_OPTS). The
real Makefile runs with a stand-in `jupyter` that prints what it was given."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import ROOT


@pytest.mark.skipif(not shutil.which("make"), reason="make not installed")
def test_make_lab_passes_options_and_allows_root(tmp_path):
    fake = tmp_path / "jupyter"
    fake.write_text('#!/bin/sh\necho "ARGS: $*"\n', encoding="utf-8")
    fake.chmod(0o755)
    r = subprocess.run(
        ["make", "-o", ".venv/.installed", "lab", f"BIN={tmp_path}",
         "LAB_OPTS=--no-browser --port=8890"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    args = next(line for line in r.stdout.splitlines() if line.startswith("ARGS: "))
    assert "--no-browser --port=8890" in args and "notebooks/01_ingest.ipynb" in args
    assert ("--allow-root" in args) == (os.geteuid() == 0)
