"""Encodings and CSV dialects of the exports teams really have.

UTF-8 (with or without BOM) is tried first; Windows-1252 next (a superset of
Latin-1 for printable text, and what Excel writes in Spanish locales); Latin-1
last, since it decodes any byte sequence.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

SAMPLE_BYTES = 1 << 20


@dataclass(frozen=True)
class TextInfo:
    encoding: str  # python codec name
    delimiter: str
    lines: list[str]  # the first lines, decoded, without line endings

    @property
    def duckdb_native(self) -> bool:
        return self.encoding in ("utf-8", "utf-8-sig")


def detect_encoding(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    for enc in ("utf-8", "cp1252"):
        try:
            # a sample may cut a multi-byte character at its end
            raw.decode(enc) if len(raw) < SAMPLE_BYTES else raw[: SAMPLE_BYTES - 4].decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    return "latin-1"


def sniff_delimiter(lines: list[str]) -> str:
    sample = "\n".join(line for line in lines[:50] if line.strip())
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ",;\t|"}
        return max(counts, key=counts.get)


def inspect(path: Path) -> TextInfo:
    with open(path, "rb") as fh:
        raw = fh.read(SAMPLE_BYTES)
    encoding = detect_encoding(raw)
    text = raw.decode(encoding, errors="replace")
    lines = text.splitlines()[:200]
    if len(raw) == SAMPLE_BYTES and lines:
        lines = lines[:-1]  # the last line of a sample may be cut
    return TextInfo(encoding=encoding, delimiter=sniff_delimiter(lines), lines=lines)


def read_text(path: Path, encoding: str) -> str:
    with open(path, encoding=encoding, newline="") as fh:
        return fh.read()
