"""Excel workbooks: bound what a file may ask for, then read it in a child process.

The Excel reader (fastexcel/calamine, Rust) allocates the whole sheet grid from what the
file declares: one cell at ``XFD1048576`` or a shared-strings table claiming 2e9 entries
makes it ask for tens to hundreds of GiB and abort the process (SIGABRT, exit 134), which
no ``except`` can catch. So, before any reader sees a workbook:

- the ZIP's declared uncompressed total is bounded (:data:`MAX_UNCOMPRESSED`), and so is
  each part's compression ratio (a "zip bomb");
- every worksheet's grid (its ``<dimension ref>`` and the cell references ``r="..."`` it
  actually holds) is bounded (:data:`MAX_CELLS`, :data:`MAX_COLUMNS`);
- the shared-strings table's declared ``count``/``uniqueCount`` is bounded
  (:data:`MAX_SHARED_STRINGS`) and must be plausible for the part's size.

Then the sheet is converted to CSV in a child process (:func:`to_csv`), so that a reader
that still dies (a bug, memory) rejects this one file and the batch goes on.

Layout (SpreadsheetML, ECMA-376 / ISO/IEC 29500 Part 1): worksheets are
``xl/worksheets/sheetN.xml`` with ``<dimension ref="A1:E2"/>`` and cells
``<c r="B2">``; shared strings are ``xl/sharedStrings.xml`` with
``<sst count=".." uniqueCount="..">``. A minimal workbook showing these parts:
MarkPflug/Sylvan.Data.Excel, ``source/MinimalXlsx/Content/xl/worksheets/sheet1.xml``
and ``source/MinimalXlsx/Content/xl/sharedStrings.xml``. Excel's own grid limit is
16,384 columns (XFD) by 1,048,576 rows.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

from insights.ingest import guard
from insights.ingest.staged import FileRejected

# About 1 GiB of cell values in the reader at ~32 bytes a cell; a month of hourly rows for
# every Mexican state and five channels is ~120,000 rows x 10 columns = 1.2 M cells.
MAX_CELLS = 30_000_000
MAX_COLUMNS = 1_000
MAX_UNCOMPRESSED = 512 * 1024 * 1024
# XML compresses well (10-30x); a part expanding more than this is a bomb, not an export.
MAX_RATIO = 200
MAX_SHARED_STRINGS = 10_000_000
# <si><t></t></si> is 16 bytes: a table cannot hold more strings than its size allows.
MIN_BYTES_PER_STRING = 7
# How long the child may take for one workbook (seconds).
CHILD_TIMEOUT = 600

_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,4})([0-9]{1,8})"')
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]{1,12})"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([^"]{1,40})"')
_SST = re.compile(rb"<(?:\w+:)?sst\b[^>]*>")
_ATTR = re.compile(rb'\b(count|uniqueCount)="([0-9]{1,20})"')
_REF = re.compile(r"^\$?([A-Z]{1,4})\$?([0-9]{1,12})$")


def _col(letters: bytes | str) -> int:
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + ord(ch) - 64
    return n


def _grid(ref: str) -> tuple[int, int]:
    """(rows, columns) spanned by a dimension ``A1:XFD1048576`` (a single cell ``A1`` too)."""
    parts = ref.upper().split(":")
    cols, rows = [], []
    for part in parts:
        m = _REF.match(part.strip())
        if not m:
            return 0, 0
        cols.append(_col(m.group(1)))
        rows.append(int(m.group(2)))
    return max(rows), max(cols)  # the reader's grid starts at A1


def _too_big(sheet: str, rows: int, cols: int) -> str | None:
    if cols > MAX_COLUMNS or rows * cols > MAX_CELLS:
        return (
            f"sheet part {sheet} spans {rows:,} rows x {cols:,} columns "
            f"(at most {MAX_COLUMNS:,} columns and {MAX_CELLS:,} cells are read); "
            "save the data range alone (or as CSV) and ingest that"
        )
    return None


def _scan_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    max_row = max_col = 0
    tail = b""
    with zf.open(info) as fh:
        first = True
        while chunk := fh.read(1 << 20):
            buf = tail + chunk
            if first:
                first = False
                m = _DIMENSION.search(buf)
                if m:
                    rows, cols = _grid(m.group(1).decode("ascii", "replace"))
                    if msg := _too_big(info.filename, rows, cols):
                        raise FileRejected(msg)
            for m in _CELL_REF.finditer(buf):
                max_col = max(max_col, _col(m.group(1)))
                max_row = max(max_row, int(m.group(2)))
            for m in _ROW_REF.finditer(buf):
                max_row = max(max_row, int(m.group(1)))
            if msg := _too_big(info.filename, max_row, max_col or 1):
                raise FileRejected(msg)
            tail = buf[-64:]


def _scan_shared_strings(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    with zf.open(info) as fh:
        head = fh.read(4096)
    m = _SST.search(head)
    if not m:
        return
    limit = min(MAX_SHARED_STRINGS, max(1_000, info.file_size // MIN_BYTES_PER_STRING))
    for name, value in _ATTR.findall(m.group(0)):
        n = int(value)
        bound = limit if name == b"uniqueCount" else max(limit, MAX_CELLS)
        if n > bound:
            raise FileRejected(
                f"the shared-strings table declares {name.decode()}={n:,}, more than its "
                f"{info.file_size:,} bytes can hold (at most {bound:,}); the workbook is "
                "damaged or crafted: save it again from Excel, or as CSV"
            )


def check_workbook(path: Path) -> None:
    """Raise :class:`FileRejected` when ``path`` asks a reader for more than the bounds.

    Reads the ZIP directory, the head of the shared-strings part and the worksheet parts
    (streamed, never whole in memory); a file that is not a ZIP is rejected the same way.
    """
    from insights.ingest.detect import OLE2_MAGIC

    with open(path, "rb") as fh:
        if fh.read(4) == OLE2_MAGIC:
            # an old .xls (OLE2, not a ZIP): no parts to measure; the child process and its
            # time limit in to_csv are what bound it
            return
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRejected(f"unreadable Excel workbook ({exc})") from None
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            raise FileRejected(
                f"the workbook expands to {total / 2**20:,.0f} MiB "
                f"(at most {MAX_UNCOMPRESSED // 2**20:,} MiB are read); save it as CSV"
            )
        for i in infos:
            if i.file_size > 1 << 20 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise FileRejected(
                    f"part {i.filename} expands {i.file_size // max(i.compress_size, 1):,}x "
                    f"(at most {MAX_RATIO}x): not an export; save it again from Excel, or as CSV"
                )
        try:
            for i in infos:
                name = i.filename.lower()
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    _scan_sheet(zf, i)
                elif name == "xl/sharedstrings.xml":
                    _scan_shared_strings(zf, i)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            # zlib errors, a truncated archive, an encrypted part
            raise FileRejected(f"unreadable Excel workbook ({exc})") from None


def to_csv(path: Path, folder: Path, sheet: str | None = None) -> Path:
    """The workbook's data sheet as a CSV in ``folder`` (see ``load.xlsx_as_csv``), read in a
    child process after :func:`check_workbook`; a reader that dies rejects this file only.

    Raises :class:`FileRejected` with the reader's own one-line reason, or naming how it died.
    """
    check_workbook(path)
    cmd = [sys.executable, "-m", "insights.ingest.excel", str(path), str(folder)]
    if sheet is not None:
        cmd.append(sheet)
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, encoding="utf-8", timeout=CHILD_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        raise FileRejected(
            f"the Excel reader took over {CHILD_TIMEOUT} s on this workbook; save it as CSV"
        ) from None
    out = sorted(folder.glob("*.csv"))
    if proc.returncode == 0 and len(out) == 1:
        return out[0]
    err = [line for line in proc.stderr.splitlines() if line.strip()]
    full = guard.full_disk_in(proc.stderr) if proc.returncode not in (0, 3) else None
    if full:  # the reader could not write its CSV copy: not the workbook's fault
        raise guard.temp_full(path, folder, full)
    if proc.returncode == 3 and err:
        raise FileRejected(err[-1].removeprefix("rejected: "))
    how = f"signal {-proc.returncode}" if proc.returncode < 0 else f"exit {proc.returncode}"
    if proc.returncode == 134:
        how = "abort, exit 134"
    raise FileRejected(
        f"the Excel reader crashed on this workbook ({how}); save it again from Excel, or as CSV"
    )


def _child(argv: list[str]) -> int:
    from insights.ingest.load import xlsx_as_csv

    path, folder = Path(argv[0]), Path(argv[1])
    sheet = argv[2] if len(argv) > 2 else None
    try:
        xlsx_as_csv(path, folder, sheet)
    except FileRejected as exc:
        print(f"rejected: {exc.reason}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))
