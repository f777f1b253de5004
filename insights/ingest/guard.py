"""What a file is before any reader opens it: a name DuckDB can take, a regular file, not
compressed, a Parquet schema without duplicate names. Each problem is one line for the
file's log entry; the batch goes on.

- **File names** from old shares are often Latin-1 (``a\\xf1o.csv``): Python holds such a
  name with surrogate escapes, which DuckDB cannot take. :func:`display_name` writes the
  raw bytes as ``\\xf1`` for logs; :func:`precheck` rejects the file with a rename hint.
- **FIFOs, sockets and device files** never reach a reader (reading a FIFO waits forever,
  a device can be endless); a folder's special files are listed and rejected by name.
- **gzip**: recognised by its magic bytes ``1f 8b`` (RFC 1952 section 2.3.1), then
  decompressed to a temporary file (bounded: :data:`MAX_GZIP_BYTES`, :data:`MAX_GZIP_RATIO`)
  and read as the file inside.
- **Parquet** column names must be unique: DuckDB and Polars would silently resolve a
  duplicate to one of the columns.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import stat
import zlib
from pathlib import Path

from insights import errors
from insights.ingest.staged import FileRejected

# Writes that failed for lack of space, not because of the file: ENOSPC, EFBIG, EDQUOT
# (glibc's strerror texts, as a child process or Rust's io::Error print them)
FULL_ERRNOS = (28, 27, 122)
_FULL_TEXT = re.compile(
    r"No space left on device|File too large|Disk quota exceeded|os error (28|27|122)\b"
)


def temp_full(path: Path, folder: Path, why: str) -> errors.WarehouseFault:
    """The run-stopping error for a temporary copy of ``path`` that did not fit in ``folder``
    (exit 1): not the file's fault, so it is not rejected, and the next files would not fit
    either."""
    return errors.WarehouseFault(
        f"{path}: cannot be read: its temporary copy in {folder} did not fit (the disk is full "
        f"or a file hit a size limit: {why}); nothing of this file was kept: free space there, "
        "or set TMPDIR to a folder with space, and run again"
    )


def full_disk_in(text: str) -> str | None:
    """The "disk full" reason in a child process's error output, else None."""
    m = _FULL_TEXT.search(text)
    return m.group(0) if m else None


GZIP_MAGIC = b"\x1f\x8b"
MAX_GZIP_BYTES = 4 * 2**30
MAX_GZIP_RATIO = 1000  # text compresses 5-20x; far beyond this is a bomb, not an export


def display_name(path: Path) -> str:
    """The path as text that any UTF-8 consumer takes: undecodable bytes as ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def name_is_utf8(path: Path) -> bool:
    try:
        os.fsencode(path).decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def special_kind(path: Path) -> str | None:
    """``"FIFO"``, ``"device"`` or ``"socket"`` for what is not a regular file; else None."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISFIFO(mode):
        return "FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return None


def name_sha(path: Path) -> str:
    """A stand-in hash for the log entry of a file that cannot be read (by its name)."""
    return hashlib.sha256(b"unread:" + os.fsencode(path)).hexdigest()


def precheck(path: Path) -> str | None:
    """Why ``path`` must not be opened by any reader, or None."""
    kind = special_kind(path)
    if kind:
        return f"a {kind}, not a regular file: not read (copy the export into a file)"
    if not name_is_utf8(path):
        return (
            f"the file name is not UTF-8 ({display_name(Path(path.name))}, likely Latin-1 "
            "from an older system): rename the file (for example with convmv) and ingest again"
        )
    return None


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def gunzip_to(path: Path, folder: Path) -> Path:
    """The file inside a gzip member, written to ``folder`` under the name without ``.gz``.
    Raises :class:`FileRejected` for a damaged stream or one past the bounds."""
    name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
    if name.lower().endswith(".gz") or not Path(name).suffix:
        name = f"{Path(name).stem or 'data'}.csv"
    out = folder / name
    size_in = max(path.stat().st_size, 1)
    written = 0
    try:
        with gzip.open(path, "rb") as src, open(out, "wb") as dst:
            while chunk := src.read(1 << 20):
                written += len(chunk)
                if written > MAX_GZIP_BYTES or written > MAX_GZIP_RATIO * size_in + (64 << 20):
                    raise FileRejected(
                        f"gzip-compressed file expands past {written / 2**20:,.0f} MiB "
                        f"(at most {MAX_GZIP_BYTES // 2**30} GiB, {MAX_GZIP_RATIO}x): not read"
                    )
                dst.write(chunk)
    except OSError as exc:
        if exc.errno in FULL_ERRNOS:  # the copy did not fit: the file is not damaged
            raise temp_full(path, folder, exc.strerror or str(exc)) from None
        raise FileRejected(f"gzip-compressed file is damaged ({exc})") from None
    except (EOFError, zlib.error) as exc:
        raise FileRejected(f"gzip-compressed file is damaged ({exc})") from None
    if out.read_bytes()[:2] == GZIP_MAGIC:
        raise FileRejected("gzip inside gzip: decompress it once and ingest the result")
    return out


def parquet_duplicates(path: Path) -> list[str]:
    """Column names that appear more than once in a Parquet file's schema (its footer)."""
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(path).names
    except Exception:  # noqa: BLE001 - the reader itself reports a damaged file
        return []
    seen, dup = set(), []
    for n in names:
        if n in seen and n not in dup:
            dup.append(n)
        seen.add(n)
    return dup


def csv_error(exc: Exception) -> str:
    """One line for an error of Python's csv module (its field limit is 131,072 bytes)."""
    text = str(exc)
    if "field larger than field limit" in text:
        return (
            "a field is longer than 128 KiB (a quote never closed, or not a CSV export); "
            "check the quotes and the separator"
        )
    return f"unreadable CSV ({text[:200]})"
