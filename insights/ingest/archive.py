"""ZIP downloads: each CSV inside is ingested as a file of its own, named after the archive.

Several sources hand their data over as a ZIP only: CENACE's SIM pages answer "Descargar en
archivo .zip" with a ZIP holding one CSV per month or per day (``lib/cenace.rb`` in
``intermittentnrg/intermittent-importers``; ``open-energy-transition/demandcast``'s CENACE
retrieval), YouTube Studio's advanced mode exports a ZIP of CSVs. Users pass those ZIPs as
they come.

:func:`expand` turns a ``.zip`` into its CSV members, each copied out to a private temporary
folder under its own base name (so readers that look at the file name see the member's);
:func:`shown` gives the name a result and the log use for such a member,
``download.zip:member.csv``. A ZIP with no CSV inside, or one that cannot be opened, is
kept as it is and :func:`reject_if_archive` rejects it with one line.

Members are never extracted by their stored path (a ``../`` in a member name must not
write outside the temporary folder), and a member larger than :data:`MAX_MEMBER_BYTES`
uncompressed is not copied out.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from insights.ingest import guard
from insights.ingest.staged import FileRejected

ARCHIVE_SUFFIXES = {".zip"}
MEMBER_SUFFIXES = {".csv", ".tsv", ".txt"}
MAX_MEMBER_BYTES = 8 << 30  # 8 GiB: beyond that a member is more likely a bomb than a report

_shown: dict[Path, str] = {}  # extracted member -> "archive.zip:member.csv"
_skipped: dict[Path, list[str]] = {}  # archive -> members not copied out, with why
_folder: Path | None = None


def is_archive(path: Path) -> bool:
    """A ZIP download: by its extension (an .xlsx is a ZIP too, and is read as a workbook)."""
    return path.suffix.lower() in ARCHIVE_SUFFIXES


def _tmp() -> Path:
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="insights-zip-"))
        atexit.register(shutil.rmtree, _folder, True)
    return _folder


def _is_data(name: str) -> bool:
    p = PurePosixPath(name)
    return (
        not name.endswith("/") and p.suffix.lower() in MEMBER_SUFFIXES and "__MACOSX" not in p.parts
    )


def expand(path: Path) -> list[Path]:
    """``[path]`` for a file that is not a ZIP; for a ZIP, its CSV members copied out (in the
    archive's order), or ``[path]`` itself when it holds none or cannot be opened (then
    :func:`reject_if_archive` says so)."""
    if not is_archive(path):
        return [path]
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if _is_data(i.filename)]
            if not infos:
                return [path]
            out = []
            for n, info in enumerate(infos):
                if info.file_size > MAX_MEMBER_BYTES:
                    _skipped.setdefault(path, []).append(f"{info.filename} (too large)")
                    continue
                folder = _tmp() / f"{len(_shown)}-{n}"
                folder.mkdir(exist_ok=True)  # a try that failed (disk full) left it
                dest = folder / PurePosixPath(info.filename).name
                with zf.open(info) as src, open(dest, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                _shown[dest] = f"{path}:{info.filename}"
                out.append(dest)
            return out or [path]
    except OSError as exc:
        if exc.errno in guard.FULL_ERRNOS:  # the copy did not fit: the archive is not at fault
            raise guard.temp_full(path, _tmp(), exc.strerror or str(exc)) from None
        return [path]  # rejected with its reason when its turn comes
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError):
        return [path]  # rejected with its reason when its turn comes


def expand_all(paths: list[Path]) -> list[Path]:
    """:func:`expand` over a listing, order kept."""
    return [member for p in paths for member in expand(p)]


def shown(path: Path) -> str:
    """The name a file is reported and logged under: ``archive.zip:member.csv`` for a ZIP's
    member, else the path as given."""
    return _shown.get(path, str(path))


def reject_if_archive(path: Path) -> None:
    """Reject, in one line, a ZIP that :func:`expand` could not turn into CSV files."""
    if not is_archive(path):
        return
    try:
        with zipfile.ZipFile(path) as zf:
            names = [i.filename for i in zf.infolist() if not i.filename.endswith("/")]
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
        raise FileRejected(f"not a readable ZIP archive ({exc})") from None
    if path in _skipped:
        raise FileRejected(f"ZIP archive's CSV members not read: {', '.join(_skipped[path])}")
    listed = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    raise FileRejected(
        f"ZIP archive holds no CSV file ({listed or 'it is empty'}); only CSV members are read"
    )
