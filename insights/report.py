"""The ``report`` stage: execute the numbered notebooks with papermill, export offline HTML.

Each notebook runs with the parameters given (an unknown name is an error),
its executed copy is kept beside the HTML for inspection, and the HTML hides
code, drops cells tagged ``widgets`` and loads nothing from a network.
Outputs are written to a temporary name and renamed, so overlapping runs into
the same folder never leave a half-written file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

import nbformat
import papermill as pm
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from insights import InsightsError
from insights.viz.offline import vega_bundle
from insights.warehouse import db_path

ANSI = re.compile(r"\x1b\[[0-9;]*m")
WIDGET_TAG = "widgets"
LAB_ONLY_TAG = "lab-only"  # cells for people in JupyterLab only (a bilingual title, tips)
KERNEL_START_ATTEMPTS = 3
KERNEL_START_FAILED = re.compile(
    r"Kernel died before replying to kernel_info|Kernel didn't respond|Address already in use"
)


class ReportFailed(InsightsError):
    exit_code = 1


def notebooks_dir(given: str | None = None) -> Path:
    candidates = (
        [Path(given)]
        if given
        else [
            Path("notebooks"),
            Path(__file__).resolve().parents[1] / "notebooks",  # a source checkout
            Path(str(resources.files("insights") / "notebooks")),  # an installed wheel
        ]
    )
    for c in candidates:
        if c.is_dir() and any(c.glob("[0-9][0-9]_*.ipynb")):
            return c
    raise InsightsError(f"no numbered notebooks found in {', '.join(map(str, candidates))}")


def notebook_parameters(path: Path) -> dict[str, dict]:
    return pm.inspect_notebook(str(path))


def _cast(value: str, type_name: str, name: str) -> object:
    t = (type_name or "").lower()
    try:
        if t in ("int",):
            return int(value)
        if t in ("float",):
            return float(value)
        if t in ("bool",):
            if value.lower() in ("true", "1", "yes", "sí", "si"):
                return True
            if value.lower() in ("false", "0", "no"):
                return False
            raise ValueError(value)
    except ValueError:
        raise InsightsError(f"-p {name} {value!r}: expected {t}") from None
    return value


def resolve_parameters(nbs: list[Path], given: dict[str, str]) -> dict[Path, dict]:
    """Per notebook, the given parameters it declares, cast to their declared types."""
    declared = {nb: notebook_parameters(nb) for nb in nbs}
    known = set().union(*(d.keys() for d in declared.values()))
    unknown = sorted(set(given) - known)
    if unknown:
        raise InsightsError(
            f"unknown parameter(s) {', '.join(unknown)}; the notebooks take: {', '.join(sorted(known))}"
        )
    return {
        nb: {k: _cast(v, d[k]["inferred_type_name"], k) for k, v in given.items() if k in d}
        for nb, d in declared.items()
    }


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def export_html(nb: nbformat.NotebookNode, title: str, lang: str) -> str:
    nb = nbformat.from_dict(nb)
    nb.metadata.pop("widgets", None)
    nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name="insights_offline",
        extra_template_basedirs=[str(resources.files("insights") / "resources" / "nbconvert")],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code=lang,  # <html lang>; the exporter's trait wins over resources
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={WIDGET_TAG, LAB_ONLY_TAG}, enabled=True),
        enabled=True,
    )
    body, _ = exporter.from_notebook_node(
        nb, resources={"vega_bundle": vega_bundle(), "language_code": lang}
    )
    return body


def _execute(nb: Path, output: Path, params: dict) -> nbformat.NotebookNode:
    """Run one notebook in its own papermill process.

    A fresh process per notebook: nbclient, reused in one process, can wait forever
    on a kernel that has finished a cell with Output widgets (seen with papermill 2.7).
    """
    cmd = [
        sys.executable,
        "-m",
        "papermill",
        str(nb),
        str(output),
        "-y",
        json.dumps(params),
        "--kernel",
        "python3",
        "--cwd",
        os.getcwd(),
        "--log-level",
        "ERROR",
    ]
    if not sys.stderr.isatty():
        cmd.append("--no-progress-bar")
    for attempt in range(KERNEL_START_ATTEMPTS):
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        result = nbformat.read(output, as_version=4) if output.stat().st_size else None
        # kernels started at the same moment can race for ports and die before running
        # a cell (jupyter_client); nothing ran, so running again is safe
        if proc.returncode == 0 or not KERNEL_START_FAILED.search(proc.stderr):
            break
        time.sleep(0.5 + attempt)
    if proc.returncode != 0:
        kept = output.with_name(f"{nb.stem}.ipynb")
        raise ReportFailed(failure_message(nb, result, proc.stderr, kept))
    return result


def failure_message(
    nb: Path, executed: nbformat.NotebookNode | None, stderr: str, kept: Path
) -> str:
    """The failing cell's error in one screen, and where the executed notebook is."""
    for cell in executed.cells if executed else []:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                tb = ANSI.sub("", "\n".join(o.get("traceback", [])))
                tail = "\n".join(tb.splitlines()[-12:])
                return (
                    f"{nb.name}: cell {cell.get('execution_count')} failed: {o['ename']}: "
                    f"{o['evalue']}\n{tail}\nexecuted notebook kept at {kept}"
                )
    last = "\n".join(ANSI.sub("", stderr).strip().splitlines()[-12:])
    return f"{nb.name}: papermill failed:\n{last}\nexecuted notebook kept at {kept}"


def run_report(
    out: Path,
    given: dict[str, str],
    lang: str,
    db: str | None,
    notebooks: str | None = None,
    only: list[str] | None = None,
    read_only: bool = False,
    progress=None,
) -> list[Path]:
    from insights.i18n import notebook_title

    say = progress or (lambda _m: None)
    src = notebooks_dir(notebooks)
    nbs = sorted(src.glob("[0-9][0-9]_*.ipynb"))
    if only:
        unmatched = [o for o in only if not any(nb.stem.startswith(o) for nb in nbs)]
        if unmatched:
            raise InsightsError(
                f"--only {', '.join(unmatched)}: no notebook starts so; "
                f"the notebooks are {', '.join(nb.stem for nb in nbs)}"
            )
        nbs = [nb for nb in nbs if any(nb.stem.startswith(o) for o in only)]
    if lang not in ("es", "en"):
        raise InsightsError(f"--lang {lang!r}: use es or en")
    params = resolve_parameters(nbs, given)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for nb in nbs:
        p = dict(params[nb])
        declared = notebook_parameters(nb)
        if "lang" in declared:
            p.setdefault("lang", lang)
        if "db" in declared:  # --db, $INSIGHTS_DB or the default, resolved as the CLI does
            p.setdefault("db", str(db_path(db).resolve()))
        if "read_only" in declared and read_only:
            p["read_only"] = True
        say(f"{nb.name}: running")
        executed = out / f"{nb.stem}.ipynb"
        fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{nb.stem}.", suffix=".ipynb")
        os.close(fd)
        try:
            result = _execute(nb, Path(tmp), p)
        except BaseException:
            if Path(tmp).exists() and Path(tmp).stat().st_size:
                os.replace(tmp, executed)
            else:
                Path(tmp).unlink(missing_ok=True)
            raise
        os.chmod(tmp, 0o644)
        os.replace(tmp, executed)
        html = out / f"{nb.stem}.html"
        nb_lang = p.get("lang", lang)
        _atomic_write(html, export_html(result, notebook_title(nb.stem, nb_lang), nb_lang))
        say(f"{nb.name}: wrote {html}")
        written.append(html)
    return written
