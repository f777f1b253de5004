"""Encodings and CSV dialects of the exports teams really have.

UTF-8 (with or without BOM) is tried first; Windows-1252 next (a superset of
Latin-1 for printable text, and what Excel writes in Spanish locales); Latin-1
last, since it decodes any byte sequence.

A record may span lines: RFC 4180 (section 2, rule 6) lets a quoted field hold line
breaks, and Excel and Meta Business Suite write a caption's line breaks so. The lines
detection sees are records (:func:`join_quoted`), never the physical lines inside one.
"""

from __future__ import annotations

import csv
import io
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
    # a quoted field may hold a line break (RFC 4180; a line of the sample has an odd number
    # of quotes): DuckDB's parallel CSV scanner cannot read such a file with null padding, so
    # it is read by one thread
    quoted_newlines: bool = False

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


def _mixed_record_ends(ends: list[str]) -> bool:
    """Whether records end both in CR LF and in a bare LF or CR (line breaks inside quoted
    fields are data, not record ends, and are left out of ``ends``)."""
    kinds = set(ends)
    return "\r\n" in kinds and bool(kinds & {"\n", "\r"})


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


def _lines_and_ends(text: str) -> tuple[list[str], list[str]]:
    """:func:`split_lines`, with each line's end (``"\\r\\n"``, ``"\\n"``, ``"\\r"``; ``""``
    for a last line without one)."""
    parts = _LINE_END.split(text)
    ends = _LINE_END.findall(text) + [""]
    if parts and parts[-1] == "":
        parts, ends = parts[:-1], ends[:-1]
    return parts, ends


def join_quoted(
    lines: list[str], delimiter: str, limit: int | None = None
) -> tuple[list[str], list[int]]:
    """Physical ``lines`` grouped into CSV records, as Python's :mod:`csv` (and DuckDB's
    ``read_csv``, quote ``"``) read them: a quoted field may hold line breaks (RFC 4180,
    section 2, rule 6), while a quote inside an unquoted field (``5" screen``) is text.

    Returns (records, index of each record's last line), the first ``limit`` records only
    when given; a record's inner breaks become ``\\n``. A quote still open at the end of ``lines`` (a sample cut inside a field, or a
    quote never closed) leaves those lines as they are, one record each, and so does a field
    over the :mod:`csv` module's size limit (its readers say so later, naming it)."""
    records: list[str] = []
    last: list[int] = []
    start = 0
    reader = csv.reader((line + "\n" for line in lines), delimiter=delimiter)
    try:
        for _ in reader:
            stop = reader.line_num  # physical lines read so far
            records.append("\n".join(lines[start:stop]))
            last.append(stop - 1)
            start = stop
            if limit is not None and len(records) >= limit:
                return records, last
    except csv.Error:
        pass
    if (
        records
        and last[-1] > (last[-2] if len(last) > 1 else -1) + 1
        and not _closed(records[-1], delimiter)
    ):
        start = (last[-2] + 1) if len(last) > 1 else 0
        records, last = records[:-1], last[:-1]
    for i in range(start, len(lines)):  # lines no record could take: as they are
        records.append(lines[i])
        last.append(i)
    return records, last


def records(lines: list[str], delimiter: str = ",") -> list[tuple[int, str]]:
    """The CSV records of a file's ``lines`` (:func:`join_quoted`), each with the index
    (0-based) of the line it starts on: for readers that walk a whole file record by record."""
    recs, last = join_quoted(lines, delimiter)
    starts = [0, *(i + 1 for i in last[:-1])]
    return list(zip(starts, recs, strict=True))


def _closed(record: str, delimiter: str) -> bool:
    """Whether every quoted field of ``record`` is closed."""
    try:
        list(csv.reader(io.StringIO(record + "\n"), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        return "unexpected end of data" not in str(exc)
    return True


def inspect(path: Path) -> TextInfo:
    with open(path, "rb") as fh:
        raw = fh.read(SAMPLE_BYTES)
    encoding = detect_encoding(raw)
    text = raw.decode(encoding, errors="replace").lstrip("\ufeff")
    physical = split_lines(text)
    if len(raw) == SAMPLE_BYTES and physical:
        physical = physical[:-1]  # the last line of a sample may be cut
    eof = _ends_with_ctrl_z(path)
    if eof:
        while physical and not physical[-1].strip(CTRL_Z + " \t"):
            physical.pop()
        if physical:
            physical[-1] = physical[-1].rstrip(CTRL_Z)
    delimiter = sniff_delimiter(physical[:200])
    # only a line with an odd number of quotes can open a field that goes on past its end;
    # files without one (most) are read line by line, as they always were
    quoted = '"' in text and any(line.count('"') % 2 for line in physical)
    lines, last = physical[:200], list(range(min(200, len(physical))))
    if quoted:
        lines, last = join_quoted(physical, delimiter, limit=200)
        if last[-1:] != [len(lines) - 1]:  # records span lines: sniff again on whole records
            again = sniff_delimiter(lines)
            if again != delimiter:
                delimiter = again
                lines, last = join_quoted(physical, delimiter, limit=200)
    mixed = _mixed_newlines(raw)
    if mixed and quoted:  # line ends inside quoted fields are data: judge the records' ends
        ends = _lines_and_ends(text)[1]
        mixed = _mixed_record_ends([ends[i] for i in join_quoted(physical, delimiter)[1]])
    return TextInfo(
        encoding=encoding,
        delimiter=delimiter,
        lines=lines,
        header_line=find_header(lines, delimiter),
        trailing_eof=eof,
        mixed_newlines=mixed,
        glob_name=has_glob(path),
        quoted_newlines=quoted,
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
