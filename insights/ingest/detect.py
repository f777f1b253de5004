"""Tell what an export is from its content (name and extension are only hints)."""

from __future__ import annotations

from pathlib import Path

from insights.ingest.aliases import map_columns
from insights.ingest.cenace import is_generation_report
from insights.ingest.energy import electricitymaps_columns, is_ons_load
from insights.ingest.series import is_series
from insights.ingest.staged import csv_rows
from insights.ingest.textfile import TextInfo
from insights.ingest.trends import looks_wide_by_date, trends_layout
from insights.ingest.youtube import is_youtube
from insights.studio.readers import is_codecarbon, is_nvidia_smi

KINDS = [
    "consumption",
    "series",
    "youtube",
    "trends_timeline",
    "trends_geomap",
    "trends_wide",
    "electricitymaps",
    "ons_load",
    "nvidia_smi",
    "codecarbon",
    "cenace_generation",
]
SUPPORTED_SUFFIXES = {".csv", ".txt", ".tsv", ".parquet", ".pq", ".xlsx", ".gz"}


def is_xlsx(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) == b"PK\x03\x04" and path.suffix.lower() in (".xlsx", ".xlsm")


def is_parquet(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) == b"PAR1"


def detect_kind(info: TextInfo) -> str | None:
    if is_generation_report(info.lines):  # rejects other CENACE reports by name
        return "cenace_generation"
    layout = trends_layout(info.lines)
    if layout:
        return {"multitimeline": "trends_timeline", "geomap": "trends_geomap"}[layout]
    # title, comment and "Parameters:" lines above the header are skipped (textfile.find_header)
    rows = csv_rows(info.lines[info.header_line : info.header_line + 1], info.delimiter)
    if not rows:
        return None
    header = [h.strip() for h in rows[0]]
    if electricitymaps_columns(header):
        return "electricitymaps"
    if is_nvidia_smi(header):
        return "nvidia_smi"
    if is_codecarbon(header):
        return "codecarbon"
    if is_ons_load(header):
        return "ons_load"
    if is_youtube(header):
        return "youtube"
    if is_series(header):
        return "series"
    mapping, _ = map_columns(header)
    if {"timestamp", "region", "channel"} <= mapping.keys():
        return "consumption"
    if looks_wide_by_date(header):
        return "trends_wide"
    return None
