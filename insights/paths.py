"""One way to resolve project-relative paths, from the CLI, papermill and JupyterLab.

JupyterLab starts a notebook's kernel in the notebook's folder (``notebooks/``),
while the CLI and ``make`` run in the project folder. A relative path such as
``data/warehouse.duckdb`` is therefore looked up in the current folder first,
then in its parents up to the project folder (the first one holding
``pyproject.toml`` or ``.git``, at most :data:`MAX_UP` levels up). The climb stops at
the user's own boundaries: never above the home folder, never into a folder owned by
someone else or writable by everyone (a shared ``/tmp``), where another user could plant a
``data/warehouse.duckdb`` that would receive this user's ingests. When it
exists nowhere yet (a first ``ingest``), it is placed in the project folder when
the current folder is a notebooks folder, else in the current folder.

>>> resolve("/abs/path.duckdb")
PosixPath('/abs/path.duckdb')
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

MAX_UP = 3
PROJECT_MARKERS = ("pyproject.toml", ".git")


def _is_notebooks_dir(d: Path) -> bool:
    return d.name == "notebooks" or any(d.glob("[0-9][0-9]_*.ipynb"))


def _users_own(d: Path) -> bool:
    """Whether ``d`` belongs to this user alone: owned by them and not writable by others."""
    try:
        st = d.stat()
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & 0o002


def _above_home(d: Path) -> bool:
    try:
        home = Path.home().resolve()
    except (KeyError, RuntimeError, OSError):  # no home (a service account): no bound there
        return False
    return d in home.parents


def search_dirs(cwd: Path | None = None) -> list[Path]:
    """The current folder, then its parents up to the project folder (nearest first), within
    the user's own boundaries (see the module doc)."""
    here = (cwd or Path.cwd()).resolve()
    dirs = [here]
    if any((here / m).exists() for m in PROJECT_MARKERS):
        return dirs
    for parent in list(here.parents)[:MAX_UP]:
        if _above_home(parent) or not _users_own(parent):
            break
        dirs.append(parent)
        if any((parent / m).exists() for m in PROJECT_MARKERS):
            break
    return dirs


def resolve(path: str | os.PathLike[str], cwd: Path | None = None) -> Path:
    """An absolute path as given; a relative one where it exists (see the module doc)."""
    p = Path(path).expanduser()
    if p.is_absolute():
        return p
    dirs = search_dirs(cwd)
    for d in dirs:
        if (d / p).exists():
            return d / p
    here = dirs[0]
    if _is_notebooks_dir(here) and len(dirs) > 1:
        return dirs[1] / p
    return here / p


def write_atomically(
    path: Path, write: Callable[[BinaryIO], object], *, fsync: bool = False
) -> None:
    """Call ``write(fh)`` on a temporary file beside ``path``, then rename it over ``path``:
    the file is whole or not there at all (a full disk or a crash leaves no part of it and
    the previous file, if any, as it was). ``fsync``: flush to the device before the rename
    (the model files, read back by later runs). Mode 0644, like a plain write.
    Raises what the write or the rename raised, after removing the temporary file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
