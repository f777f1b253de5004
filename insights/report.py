"""The ``report`` stage: execute the numbered notebooks with papermill, export offline HTML.

Each notebook runs with the parameters given (an unknown name is an error),
its executed copy is kept beside the HTML for inspection, and the HTML hides
code, drops cells tagged ``widgets`` and loads nothing from a network.

Runs you can trust:

- parameters are checked before anything runs: the type the ``parameters`` cell
  declares (``energy_weight: float``), the choices its comment lists
  (``# es | en``), finite numbers, and the ranges in :data:`RANGES`;
- the warehouse is ``--db``, else ``INSIGHTS_DB``, else ``data/warehouse.duckdb``,
  passed to every notebook as an absolute path; nothing is ingested unless
  ``-p raw_dir PATH`` is given;
- pages are built in a hidden staging folder beside ``--out`` and swapped in
  whole (one atomic ``renameat2(RENAME_EXCHANGE)`` on Linux), so the folder holds
  one run's pages, never a mix; a file a user puts into ``--out`` while the
  report runs is kept (moved into the new folder, or the old folder kept beside it
  as ``<out>.kept-PID``), never deleted; a failed run leaves ``--out`` untouched and
  keeps its pages and the failing notebook in ``<out>.failed``;
- the recommendations (04) and advice backtest (05) the notebooks store are held
  (:mod:`insights.deferred`) and written to the warehouse only after the pages are
  swapped in: a run that fails stores neither;
- papermill runs in its own process group and dies with this process (SIGTERM,
  SIGINT, SIGHUP are forwarded; on SIGKILL the kernel's parent death signal
  stops papermill, and the kernel stops itself when papermill is gone);
  staging folders of runs that died are removed by the next run.
"""

# ruff: noqa: E402  (the imports below the start-up call must stay below it)
from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import logging
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

from insights.imports import PAPERMILL_MAIN, skip_slow_optional_imports

skip_slow_optional_imports()  # before nbformat: seconds of start-up it never uses

import nbformat
import papermill as pm
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from insights import InsightsError, deferred, errors, warehouse
from insights.paths import write_atomically
from insights.viz.offline import HEADLESS_ENV, LAB_ONLY_KEY, vega_bundle

log = logging.getLogger(__name__)

ANSI = re.compile(r"\x1b\[[0-9;]*m")
WIDGET_TAG = "widgets"
LAB_ONLY_TAG = "lab-only"  # cells for people in JupyterLab only (a bilingual title, tips)
KERNEL_START_ATTEMPTS = 3
KERNEL_START_FAILED = re.compile(
    r"Kernel died before replying to kernel_info|Kernel didn't respond|Address already in use"
)


ReportFailed = errors.ReportFailed  # defined with every user-facing error


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


# Ranges of numeric parameters, by name, in whichever notebook declares them:
# (lowest, highest), both inclusive; None = unbounded.
RANGES: dict[str, tuple[float | None, float | None]] = {
    "energy_weight": (0.0, 1.0),
    "slots": (1, 100),
    "min_gap_hours": (0, 24 * 7),
    "window_hours": (1, 24),
    "horizon_days": (1 / 24, 366),
    "horizon_hours": (1, 24 * 366),
    "backtest_weeks": (0, 520),
    "top": (1, 100),
}
CHOICES = re.compile(r"^\s*[\w.-]+(\s*\|\s*[\w.-]+)+\s*$")
PATH_PARAMS = re.compile(r"^(db|.*_dir|.*_path|.*_file)$")


def _text(value: str, name: str, label: str = "-p ") -> str:
    """``value`` as valid Unicode: argv decoded in a C/POSIX locale carries UTF-8 bytes
    as surrogates (PEP 383), recovered here instead of failing inside papermill."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        try:
            return os.fsencode(value).decode("utf-8")
        except UnicodeError:
            raise InsightsError(f"{label}{name}: the value is not valid UTF-8 text") from None


def _cast(value: str, type_name: str, name: str, help_text: str = "", label: str = "-p ") -> object:
    """``value`` (command-line text) as the type the parameters cell declares, checked.

    Messages start with ``label`` + the name: ``-p lang 'fr': ...`` for ``insights report``,
    ``parameter lang 'fr': ...`` inside a notebook run by papermill or JupyterLab
    (:func:`insights.params.check_notebook_parameters`): the same words on both."""
    t = (type_name or "").lower()
    value = _text(value, name, label)
    try:
        if t == "int":
            cast: object = int(value)
        elif t == "float":
            cast = float(value)
            if not math.isfinite(cast):
                raise ValueError(value)
        elif t == "bool":
            if value.lower() in ("true", "1", "yes", "sí", "si"):
                return True
            if value.lower() in ("false", "0", "no"):
                return False
            raise ValueError(value)
        else:
            cast = value
    except ValueError:
        raise InsightsError(f"{label}{name} {value!r}: expected a finite {t}") from None
    if t == "str" and CHOICES.match(help_text or ""):
        choices = [c.strip() for c in help_text.split("|")]
        if value not in choices:
            raise InsightsError(f"{label}{name} {value!r}: use one of {', '.join(choices)}")
    if isinstance(cast, int | float) and name in RANGES:
        lo, hi = RANGES[name]
        if (lo is not None and cast < lo) or (hi is not None and cast > hi):
            raise InsightsError(f"{label}{name} {value}: must be between {lo:g} and {hi:g}")
    if t == "str" and PATH_PARAMS.match(name) and cast:
        cast = str(Path(str(cast)).resolve())  # as typed, relative to where it was typed
        if name.endswith("_dir") and not Path(cast).is_dir():
            raise InsightsError(f"{label}{name} {value!r}: no such folder")
    return cast


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
        nb: {
            k: _cast(v, d[k]["inferred_type_name"], k, d[k].get("help", ""))
            for k, v in given.items()
            if k in d
        }
        for nb, d in declared.items()
    }


def _atomic_write(path: Path, text: str) -> None:
    """``text`` at ``path`` whole or not at all: a failed write (full disk) leaves no part."""
    write_atomically(path, lambda fh: fh.write(text.encode("utf-8")))


# A write that failed for lack of space (ENOSPC), a file-size limit (EFBIG) or a quota
# (EDQUOT), as papermill, DuckDB or the kernel print it (strerror texts of glibc).
_STORAGE_FULL = re.compile(
    r"No space left on device|File too large|Disk quota exceeded|\[Errno (28|27|122)\]"
)


class StorageFull(OSError):
    """A page could not be written: the disk is full or a file hit a size limit."""


def storage_failure(out: Path, name: str, exc: OSError) -> InsightsError:
    """One line for a report page that could not be written (``name`` in ``out``): a full
    disk or size limit (exit 1), read-only storage or no permission (exit 2)."""
    why = exc.strerror or str(exc)
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return InsightsError(
            f"--out {out}: cannot write {name}: read-only storage or not writable by you "
            f"({why}); {out} left as it was"
        )
    return ReportFailed(
        f"--out {out}: cannot write {name}: the disk is full or a file hit a size limit "
        f"({why}); {out} left as it was, nothing of this run kept: free space and run again"
    )


def _is_storage(exc: OSError) -> bool:
    return isinstance(exc, StorageFull) or exc.errno in (
        errno.ENOSPC,
        errno.EFBIG,
        errno.EDQUOT,
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
    )


def export_html(nb: nbformat.NotebookNode, title: str, lang: str) -> str:
    nb = nbformat.from_dict(nb)
    nb.metadata.pop("widgets", None)
    nb.metadata["title"] = title
    for cell in nb.cells:  # the page has its bundle in the head; lab-only copies would repeat it
        if "outputs" in cell:
            cell.outputs = [o for o in cell.outputs if LAB_ONLY_KEY not in o.get("metadata", {})]
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
    Parameters travel in a UTF-8 file, not argv: YAML reads a JSON-escaped emoji
    (a surrogate pair) as two lone surrogates, and a C locale cannot encode it raw.
    """
    params_file = output.with_name(f".{output.stem}.params.json")
    params_file.write_text(json.dumps(params, ensure_ascii=False), encoding="utf-8")
    cmd = [
        sys.executable,
        "-c",
        PAPERMILL_MAIN,  # `python -m papermill` without the start-up it never uses
        str(nb),
        str(output),
        "-f",
        str(params_file),
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
        proc = _run_child(cmd)
        result = _read_executed(output)
        # kernels started at the same moment can race for ports and die before running
        # a cell (jupyter_client); nothing ran, so running again is safe
        if proc.returncode == 0 or not KERNEL_START_FAILED.search(proc.stderr):
            break
        time.sleep(0.5 + attempt)
    params_file.unlink(missing_ok=True)
    if proc.returncode != 0 or result is None:
        full = _storage_full_in(result, proc.stderr)
        if full:  # not the notebook's fault: one line, as for any page that cannot be written
            raise StorageFull(errno.ENOSPC, full)
        kept = output.with_name(f"{nb.stem}.ipynb")
        raise ReportFailed(failure_message(nb, result, proc.stderr, kept))
    return result


def _read_executed(output: Path) -> nbformat.NotebookNode | None:
    """The executed notebook papermill wrote, or None where it wrote none or only part of
    one (its process died, or the disk filled while it saved)."""
    try:
        if not output.stat().st_size:
            return None
        return nbformat.read(output, as_version=4)
    except (OSError, ValueError):  # nbformat's NotJSONError is a ValueError
        return None


def _storage_full_in(executed: nbformat.NotebookNode | None, stderr: str) -> str | None:
    """The "disk full" reason where a notebook run failed for lack of space (papermill could
    not save, or a cell could not write), else None."""
    texts = [ANSI.sub("", stderr)]
    for cell in executed.cells if executed else []:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                texts.append(f"{o.get('ename')}: {o.get('evalue')}")
    for text in texts:
        m = _STORAGE_FULL.search(text)
        if m:
            return os.strerror(int(m.group(1))) if m.group(1) else m.group(0)
    return None


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


_children: set[subprocess.Popen] = set()


def _run_child(cmd: list[str]) -> subprocess.CompletedProcess:
    """Run papermill in its own process group that is killed with this process."""
    popen = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        encoding="utf-8",  # papermill's stderr, whatever this process's locale (LC_ALL=C)
        errors="replace",
        start_new_session=True,
        # notebooks are UTF-8, whatever the locale; headless: no lab-only Vega bundle or bars
        env={**os.environ, "PYTHONUTF8": "1", HEADLESS_ENV: "1"},
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    _children.add(popen)
    try:
        _, err = popen.communicate()
    finally:
        _kill(popen)
        _children.discard(popen)
    return subprocess.CompletedProcess(cmd, popen.returncode, None, err)


def _kill(popen: subprocess.Popen) -> None:
    """Stop a papermill child and everything in its process group."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(popen.pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        popen.wait(timeout=10)


class _Stopped(BaseException):
    """This process got SIGTERM or SIGHUP: stop the run and clean up."""


@contextlib.contextmanager
def _stop_children_on_signals():
    """SIGTERM/SIGHUP/SIGINT end the run: children killed, staging removed, exit code 128+n."""

    def handler(signum, _frame):
        raise _Stopped(signum)

    saved = {}
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        with contextlib.suppress(ValueError, OSError):  # not the main thread
            saved[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for p in list(_children):
            _kill(p)
        for sig, h in saved.items():
            signal.signal(sig, h)


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


def check_out(out: Path) -> None:
    """``--out`` must be a folder this process can replace: not a file, not read-only,
    and holding nothing but report pages (it is replaced whole)."""
    if out.exists() and not out.is_dir():
        raise InsightsError(f"--out {out}: is a file, not a folder; give a folder for the pages")
    parent = out.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK) or (
        out.exists() and not os.access(out, os.W_OK | os.X_OK)
    ):
        raise InsightsError(
            f"--out {out}: cannot write there (read-only or not yours); give a writable folder"
        )
    if out.is_dir():
        foreign = [
            p.name for p in out.iterdir() if not re.fullmatch(r"\d\d_[^/]*\.(html|ipynb)", p.name)
        ]
        if foreign:
            raise InsightsError(
                f"--out {out}: holds other files ({', '.join(sorted(foreign)[:3])}); the report "
                "folder is replaced whole, so give an empty folder or one holding only pages"
            )


def _staging_dirs(out: Path) -> list[Path]:
    return list(out.absolute().parent.glob(f".{out.name}.staging-*"))


def _remove_dead_staging(out: Path) -> None:
    """Staging folders left by runs that were killed (their pid is in the name)."""
    for d in _staging_dirs(out):
        m = re.search(r"staging-(\d+)-", d.name)
        if m and not _alive(int(m.group(1))):
            shutil.rmtree(d, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where unsupported."""
    if sys.platform != "linux":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    if err == errno.ENOENT:
        raise FileNotFoundError(err, os.strerror(err), str(b))
    raise OSError(err, os.strerror(err), str(b))


_PAGE = re.compile(r"\d\d_[^/]*\.(html|ipynb)")


def _drop_old_pages(old: Path, out: Path) -> None:
    """Remove the swapped-out folder ``old``, but only the report's own pages: a file a user
    put into ``--out`` while the report ran is moved into the new folder, or, where a page
    of the same name is there now, the old folder is kept beside ``out`` and named."""
    kept = False
    for p in old.iterdir():
        if _PAGE.fullmatch(p.name) and p.is_file():
            continue
        target = out / p.name
        if target.exists() or target.is_symlink():
            kept = True
            continue
        try:
            os.rename(p, target)
        except OSError:
            kept = True
    if not kept:
        shutil.rmtree(old, ignore_errors=True)
        return
    keep = out.with_name(f"{out.name}.kept-{os.getpid()}")
    with contextlib.suppress(OSError):
        os.rename(old, keep)
        old = keep
    # a warning: the CLI shows it on stderr, a notebook under its cell
    log.warning("insights report: files not made by the report kept in %s", old)


def replace_dir(new: Path, out: Path) -> None:
    """Put folder ``new`` at ``out``, replacing the old folder's pages; ``new`` is consumed.
    Files in the old folder that are not pages are never deleted (:func:`_drop_old_pages`)."""
    for _ in range(100):
        try:
            if out.exists():
                if _exchange(new, out):
                    _drop_old_pages(new, out)  # ``new`` now holds the old folder
                    return
                old = new.with_name(new.name + ".old")
                os.rename(out, old)  # fallback: two renames, a moment without the folder
                os.rename(new, out)
                _drop_old_pages(old, out)
                return
            os.rename(new, out)
            return
        except FileNotFoundError:
            continue  # another run swapped its pages in or out meanwhile: try again
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
    raise InsightsError(f"--out {out}: could not replace the folder (too many concurrent runs)")


def check_report(
    out: Path,
    given: dict,
    lang: str,
    notebooks: str | Path | None = None,
    only: list[str] | None = None,
) -> tuple[list[Path], dict]:
    """The notebooks a report run executes and each one's parameters, after every check
    that needs no warehouse (``--only``, ``--lang``, ``-p`` values, ``--out``); run first,
    so a bad option is named before the warehouse is looked at.

    :raises InsightsError: (exit 2) for a bad option or parameter.
    """
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
    check_out(out)
    return nbs, params


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
    """Run the notebooks into a staging folder and swap it in at ``out`` whole.

    Returns the HTML pages written (under ``out``). Raises :class:`InsightsError`
    (exit 2) for bad parameters or ``--out``, :class:`ReportFailed` (exit 1) when a
    notebook fails; ``out`` is then untouched and the run kept in ``<out>.failed``.
    """
    from insights.i18n import notebook_title

    say = progress or (lambda _m: None)
    nbs, params = check_report(out, given, lang, notebooks, only)
    db_abs = str(warehouse.db_path(db).resolve())
    out.absolute().parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_staging(out)
    stage = Path(
        tempfile.mkdtemp(dir=out.absolute().parent, prefix=f".{out.name}.staging-{os.getpid()}-")
    )
    # the kernels' warehouse writes, held until the pages are in place (insights.deferred);
    # named as a staging folder, so a run killed before removing it has it removed next time
    held = Path(stage.as_posix() + "-held")
    names = []
    before = os.environ.get(deferred.ENV)
    try:
        held.mkdir()
        os.environ[deferred.ENV] = str(held)  # papermill's kernels inherit it
        with _stop_children_on_signals():
            for nb in nbs:
                p = dict(params[nb])
                declared = notebook_parameters(nb)
                if "lang" in declared:
                    p.setdefault("lang", lang)
                if "db" in declared:
                    p.setdefault("db", db_abs)
                if "raw_dir" in declared:
                    p.setdefault("raw_dir", "")  # ingest only when asked
                if "read_only" in declared and read_only:
                    p["read_only"] = True
                say(f"{nb.name}: running")
                tmp = stage / f"{nb.stem}.ipynb"
                html = stage / f"{nb.stem}.html"
                writing = tmp.name  # for the message, where the disk fills
                try:
                    tmp.touch()
                    result = _execute(nb, tmp, p)
                    os.chmod(tmp, 0o644)
                    nb_lang = p.get("lang", lang)
                    page = export_html(result, notebook_title(nb.stem, nb_lang), nb_lang)
                    writing = html.name
                    _atomic_write(html, page)
                except ReportFailed as exc:
                    failed = out.absolute().with_name(out.name + ".failed")
                    shutil.rmtree(failed, ignore_errors=True)
                    os.rename(stage, failed)
                    msg = str(exc).replace(str(tmp), str(failed / tmp.name))
                    raise ReportFailed(msg) from None
                except OSError as exc:  # a full disk, a size limit, storage gone read-only
                    if not _is_storage(exc):
                        raise
                    raise storage_failure(out, writing, exc) from None
                say(f"{nb.name}: done")
                names.append(html.name)
            os.chmod(stage, 0o755)
            replace_dir(stage, out)
            _restore_env(deferred.ENV, before)
            store_held(held, out)  # the pages are in place: now the warehouse
    except _Stopped as stop:
        err = ReportFailed(f"stopped by {signal.Signals(stop.args[0]).name}; {out} left as it was")
        err.exit_code = 128 + stop.args[0]
        raise err from None
    finally:
        _restore_env(deferred.ENV, before)
        for d in (stage, held):
            if d.exists():
                shutil.rmtree(d, ignore_errors=True)
    return [out / n for n in names]


def _restore_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def store_held(held: Path, out: Path) -> None:
    """Store the warehouse writes the notebooks held (:mod:`insights.deferred`), in the order
    they were asked for; called once the pages are in ``out``.

    :raises ReportFailed: (exit 1) a write failed (a full disk, storage gone read-only):
        the pages are written, and the writes before it stored."""
    from insights.recommend import advice_store
    from insights.recommend.io import insert_recommendations

    writers = {
        "recommendations": lambda f, m: insert_recommendations(
            m["db"], f, m["params"], m["client"], m["id"]
        ),
        "advice_backtest": lambda f, m: advice_store.store(
            m["db"], m["run_id"], m["key"], m["params"], f
        ),
    }
    for kind, frame, meta in deferred.held(held):
        try:
            writers[kind](frame, meta)
        except (InsightsError, OSError) as exc:
            why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ReportFailed(
                f"pages written to {out}, but the {kind.replace('_', ' ')} could not be stored "
                f"in {meta['db']}: {why}"
            ) from None
