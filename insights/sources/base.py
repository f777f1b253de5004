"""What a source declares, and the registry that detection, loading and the docs read.

A :class:`Source` says, for one kind of export: how it is recognised from its content (the
file name is only a hint), how its rows are staged into the temp table ``stage``, which
warehouse table they land in and how they merge with what that table holds. Adding a source
is one module that calls :func:`register`; :mod:`insights.sources` imports every module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from insights.ingest.merge import MergeCounts
from insights.ingest.staged import IngestOptions, Staged, csv_rows
from insights.ingest.textfile import TextInfo


@dataclass(frozen=True)
class Probe:
    """What detection sees of a file: its first lines (``info``), the cells of the line
    found to be the header (stripped; empty when there is none) and the file's name."""

    info: TextInfo
    header: list[str]
    name: str

    @property
    def stem(self) -> str:
        return Path(self.name).stem

    def rows(self, n: int = 5) -> list[list[str]]:
        """Up to ``n`` rows after the header, as cells."""
        start = self.info.header_line + 1
        return csv_rows(self.info.lines[start : start + n], self.info.delimiter)


@dataclass
class StageInput:
    """What a stager is given: the open transaction, the file, what ``inspect`` found, the
    file's sha256, the user's options, and ``source`` (``kind:file name``, masked)."""

    con: duckdb.DuckDBPyConnection
    path: Path
    info: TextInfo | None
    sha: str
    options: IngestOptions
    source: str
    term: str | None = None
    # the Excel workbook ``path`` is a sheet of, for sources that read other sheets too
    workbook: Path | None = None


Stager = Callable[[StageInput], tuple[Staged, MergeCounts | None]]
# (connection, file sha256, counts from staging) -> (rows written, counts)
Merger = Callable[
    [duckdb.DuckDBPyConnection, str, MergeCounts | None], tuple[int, MergeCounts | None]
]


@dataclass(frozen=True)
class Source:
    """One kind of export.

    ``detect(probe)`` says whether a file is of this kind (``None``: only by ``--kind``);
    ``hint(probe)`` may name what an unrecognised file looks like, for the rejection line;
    ``order`` places the detector among the others (lower first: specific layouts before
    generic ones); ``parquet`` says the stager also takes Parquet files.
    """

    kind: str
    title: str
    table: str
    stage: Stager
    merge: Merger
    detect: Callable[[Probe], bool] | None = None
    hint: Callable[[Probe], str | None] | None = None
    order: int = 100
    parquet: bool = False
    doc: str = field(default="", compare=False)


_REGISTRY: dict[str, Source] = {}


def register(*sources: Source) -> None:
    for s in sources:
        if s.kind in _REGISTRY and _REGISTRY[s.kind] != s:
            raise ValueError(f"source kind {s.kind!r} registered twice")
        _REGISTRY[s.kind] = s


def sources() -> list[Source]:
    """Every registered source, in detection order."""
    return sorted(_REGISTRY.values(), key=lambda s: s.order)


def get(kind: str) -> Source | None:
    return _REGISTRY.get(kind)


def kinds() -> list[str]:
    return [s.kind for s in sources()]


def probe(info: TextInfo, name: str = "") -> Probe:
    rows = csv_rows(info.lines[info.header_line : info.header_line + 1], info.delimiter)
    header = [h.strip().lstrip("\ufeff") for h in rows[0]] if rows else []
    return Probe(info, header, name)


def detect(info: TextInfo, name: str = "") -> str | None:
    """The kind of the first source whose detector takes the file, or ``None``."""
    p = probe(info, name)
    for s in sources():
        if s.detect is not None and s.detect(p):
            return s.kind
    return None


def hint(info: TextInfo, name: str = "") -> str | None:
    """What an unrecognised file looks like, from the first source that can tell."""
    p = probe(info, name)
    for s in sources():
        if s.hint is not None and (h := s.hint(p)):
            return h
    return None
