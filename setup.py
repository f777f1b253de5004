"""Build hook: ship the numbered notebooks inside the package (``insights/notebooks``).

Everything else is in pyproject.toml. The notebooks live at the project root for
JupyterLab; an installed wheel finds them as ``insights/notebooks`` so that
``insights report`` works after ``pip install`` (see insights.report.notebooks_dir).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithNotebooks(build_py):
    def run(self) -> None:
        super().run()
        src = Path(__file__).resolve().parent / "notebooks"
        dst = Path(self.build_lib) / "insights" / "notebooks"
        dst.mkdir(parents=True, exist_ok=True)
        for nb in sorted(src.glob("[0-9][0-9]_*.ipynb")):
            shutil.copy2(nb, dst / nb.name)


setup(cmdclass={"build_py": BuildPyWithNotebooks})
