"""Tell what an export is from its content (name and extension are only hints).

The kinds and their detectors live in the source registry (:mod:`insights.sources`); this
module keeps the file-type checks and the names other modules import.
"""

from __future__ import annotations

from pathlib import Path

from insights.ingest.textfile import TextInfo

SUPPORTED_SUFFIXES = {".csv", ".txt", ".tsv", ".parquet", ".pq", ".xlsx", ".xls", ".gz"}
# the start of an old-style .xls workbook (an OLE2 compound file), which LinkedIn still writes
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"


def is_xlsx(path: Path) -> bool:
    """Whether the file is an Excel workbook (.xlsx/.xlsm, or an old .xls) to read by sheet."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    suffix = path.suffix.lower()
    return (head == b"PK\x03\x04" and suffix in (".xlsx", ".xlsm")) or (
        head == OLE2_MAGIC and suffix == ".xls"
    )


def is_parquet(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) == b"PAR1"


def detect_kind(info: TextInfo, name: str = "") -> str | None:
    """The kind of a text export (see :func:`insights.sources.detect`); ``name`` is the
    file's name, a hint some layouts need (YouTube Studio's ``Totals.csv``)."""
    from insights import sources

    return sources.detect(info, name)


def __getattr__(attr: str):
    if attr == "KINDS":  # every registered kind, in detection order
        from insights import sources

        return sources.kinds()
    raise AttributeError(attr)
