"""The package as a user installs it: build the wheel, install it, run `insights report`.

Fast path: the wheel is installed with ``--no-deps`` into a fresh virtualenv whose
``.pth`` file points at this interpreter's site-packages for the dependencies
(a plain path line: the editable install of the source tree is not activated),
so the test checks what the wheel itself carries: code, nbconvert template,
regions table and notebooks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow
# the installed copy must be what runs: no PYTHONPATH pointing at the source tree
CLEAN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
SHIPPED = ["insights", "notebooks", "pyproject.toml", "setup.py", "README.md", "LICENSE"]


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SHIPPED:
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(p, src / name)
    pip = [sys.executable, "-m", "pip"]
    r = subprocess.run(
        [*pip, "wheel", "-q", "--no-deps", "-w", str(tmp / "dist"), str(src)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    (wheel,) = (tmp / "dist").glob("insights-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True,
            env=CLEAN_ENV,
        ).strip()
    )
    (site / "zz_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    r = subprocess.run(
        [*pip, "--python", str(py), "install", "-q", "--no-deps", str(wheel)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    return venv


def test_wheel_carries_template_and_notebooks(wheel_venv):
    py = wheel_venv / "bin" / "python"
    out = subprocess.check_output(
        [
            py,
            "-c",
            "import insights, importlib.resources as r; print(insights.__file__); "
            "f = r.files('insights'); "
            "print(sorted(p.name for p in (f / 'notebooks').iterdir())); "
            "print((f / 'resources/nbconvert/insights_offline/index.html.j2').is_file())",
        ],
        text=True,
        cwd=wheel_venv,
        env=CLEAN_ENV,
    ).splitlines()
    assert str(wheel_venv) in out[0]  # the installed copy, not the source tree
    assert "05_report.ipynb" in out[1] and "01_ingest.ipynb" in out[1]
    assert out[2] == "True"


def test_installed_insights_report_runs(wheel_venv, trained_db, tmp_path):
    # a folder with no notebooks/: the report must use the ones inside the wheel
    env = {
        **CLEAN_ENV,
        "PATH": f"{wheel_venv / 'bin'}:{os.environ['PATH']}",
        "INSIGHTS_DB": "",
        # nbconvert's own templates are data files of the environment that installed it
        # (here the borrowed site-packages); a full `pip install` puts them in the venv
        "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter"),
    }
    r = subprocess.run(
        [
            wheel_venv / "bin" / "insights",
            "report",
            "--db",
            trained_db,
            "--out",
            tmp_path / "out",
            "--only",
            "05",
            "--read-only",
            "-p",
            "backtest_weeks",
            "0",
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    page = (tmp_path / "out" / "05_report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Report: when and where to publish" in page
