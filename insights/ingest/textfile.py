"""Encodings and CSV dialects of the exports teams really have.

UTF-8 (with or without BOM) is tried first; Windows-1252 next (a superset of
Latin-1 for printable text, and what Excel writes in Spanish locales); Latin-1
last, since it decodes any byte sequence.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

SAMPLE_BYTES = 1 << 20


CTRL_Z = "\x1a"  # DOS end-of-file mark some exporters still append


@dataclass(frozen=True)
class TextInfo:
    encoding: str  # python codec name
    delimiter: str
    lines: list[str]  # the first lines, decoded, without line endings
    header_line: int = 0  # index in ``lines`` of the header (title/comment lines above it)
    trailing_eof: bool = False  # the file ends with Ctrl-Z
    # lines end in more than one way (a header written by one tool, rows by another): DuckDB's
    # reader stops on such a file, so it is read through a copy with one kind of line end
    mixed_newlines: bool = False
    # the file's name holds a wildcard (``day*.csv``, ``x[1].csv``): DuckDB and Polars would
    # read the files the pattern matches instead, so it is read through a copy
    glob_name: bool = False

    @property
    def duckdb_native(self) -> bool:
        """Whether DuckDB can read the file itself, as it is and by its name."""
        return (
            self.encoding in ("utf-8", "utf-8-sig")
            and not self.trailing_eof
            and not self.mixed_newlines
            and not self.glob_name
        )


GLOB_CHARS = frozenset("*?[")


def has_glob(path: Path) -> bool:
    """Whether a reader that expands wildcards would read other files for this path."""
    return any(c in GLOB_CHARS for c in str(path))


def _mixed_newlines(raw: bytes) -> bool:
    crlf = raw.count(b"\r\n")
    return 0 < crlf < raw.count(b"\n") or (crlf > 0 and crlf < raw.count(b"\r"))


def detect_encoding(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"  # Excel's "Unicode text": UTF-16 with a BOM, tab-separated
    for enc in ("utf-8", "cp1252"):
        try:
            # a sample may cut a multi-byte character at its end
            raw.decode(enc) if len(raw) < SAMPLE_BYTES else raw[: SAMPLE_BYTES - 4].decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _is_comment(line: str) -> bool:
    s = line.strip()
    return not s or s.startswith(("#", "//"))


def sniff_delimiter(lines: list[str]) -> str:
    body = [line for line in lines if not _is_comment(line)]
    # title lines sit above the header: sniff on the data-heavy tail when there is one
    body = body[-50:] if len(body) > 3 else body
    sample = "\n".join(body)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ",;\t|"}
        return max(counts, key=counts.get)


def find_header(lines: list[str], delimiter: str) -> int:
    """Index of the header line: the first line of two or more fields whose field count the
    next line shares, or two of the next three (a first data row with a value holding an
    unquoted separator is one field wider). Above it: titles, ``#`` comments,
    ``Parameters: ...`` lines."""
    rows = [
        (i, next(csv.reader([line], delimiter=delimiter), []))
        for i, line in enumerate(lines[:40])
        if not _is_comment(line)
    ]
    for j, (i, fields) in enumerate(rows):
        if sum(1 for f in fields if f.strip()) < 2:
            continue
        shared = [_same_width(fields, r) for _, r in rows[j + 1 : j + 4]]
        if not shared or shared[0] or sum(shared) >= 2:
            return i
    return rows[0][0] if rows else 0


def _same_width(a: list[str], b: list[str]) -> bool:
    """Same number of fields, allowing one trailing empty field on either line."""
    if len(a) == len(b):
        return True
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return len(longer) == len(shorter) + 1 and not longer[-1].strip()


def _ends_with_ctrl_z(path: Path) -> bool:
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 4))
        return b"\x1a" in fh.read()


_LINE_END = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Lines as CSV readers see them: split at CR LF, CR or LF only (``str.splitlines``
    also splits at U+2028/U+2029, U+0085, VT, FF and FS/GS/RS, which are text inside a
    field: a region named with U+2028 would look like two lines)."""
    lines = _LINE_END.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def inspect(path: Path) -> TextInfo:
    with open(path, "rb") as fh:
        raw = fh.read(SAMPLE_BYTES)
    encoding = detect_encoding(raw)
    text = raw.decode(encoding, errors="replace").lstrip("\ufeff")
    lines = split_lines(text)[:200]
    if len(raw) == SAMPLE_BYTES and lines:
        lines = lines[:-1]  # the last line of a sample may be cut
    eof = _ends_with_ctrl_z(path)
    if eof:
        while lines and not lines[-1].strip(CTRL_Z + " \t"):
            lines.pop()
        if lines:
            lines[-1] = lines[-1].rstrip(CTRL_Z)
    delimiter = sniff_delimiter(lines)
    return TextInfo(
        encoding=encoding,
        delimiter=delimiter,
        lines=lines,
        header_line=find_header(lines, delimiter),
        trailing_eof=eof,
        mixed_newlines=_mixed_newlines(raw),
        glob_name=has_glob(path),
    )


def read_text(path: Path, encoding: str) -> str:
    with open(path, encoding=encoding, newline="") as fh:
        text = fh.read()
    return re.sub(r"\x1a[\s\x1a]*$", "", text.lstrip("\ufeff"))


def transcode(path: Path, info: TextInfo, dest: Path) -> Path:
    """The file as plain UTF-8 for DuckDB: decoded from its encoding, BOM and trailing
    Ctrl-Z removed, mixed line ends made ``\\n``. Chunked, so large files cost one
    streaming pass."""
    with (
        open(path, encoding=info.encoding, newline=None if info.mixed_newlines else "") as fin,
        open(dest, "w", encoding="utf-8", newline="") as fout,
    ):
        first, pending = True, ""
        while chunk := fin.read(1 << 22):
            if first:
                chunk, first = chunk.lstrip("\ufeff"), False
            fout.write(pending)
            pending = chunk
        fout.write(re.sub(r"\x1a[\s\x1a]*$", "", pending))
    return dest


# First character of the timestamp field of a row that had more fields than the header
# (see mark_wide_rows); the rest of the field is how many it had.
WIDE_ROW_MARK = "\x01"


def mark_wide_rows(
    src: Path, dest: Path, delimiter: str, skip: int, fields: int, ts_index: int
) -> int:
    """Copy the UTF-8 CSV ``src`` to ``dest`` with each data row (after ``skip`` lines) that
    has more than ``fields`` fields (an unquoted separator inside a value: ``música, arte``)
    replaced by a row of ``fields`` empty fields whose ``ts_index`` field is
    :data:`WIDE_ROW_MARK` and the count found, so that the row is rejected with its line and
    reason while the others load. Rows keep their lines. Returns how many were marked."""
    marked = 0
    with (
        open(src, encoding="utf-8-sig", newline="") as fin,
        open(dest, "w", encoding="utf-8", newline="") as fout,
    ):
        for _ in range(skip):
            fout.write(fin.readline())
        writer = csv.writer(fout, delimiter=delimiter, lineterminator="\n")
        for row in csv.reader(fin, delimiter=delimiter):
            if len(row) > fields:
                mark = [""] * fields
                mark[ts_index] = f"{WIDE_ROW_MARK}{len(row)}"
                row, marked = mark, marked + 1
            writer.writerow(row)
    return marked
