"""A batch's ingest results as the table a notebook shows: per file, loaded, skipped
(already loaded) or rejected, with the one-line reason the CLI prints.

Shape: one row per :class:`insights.ingest.load.FileResult`, in load order, with the
columns of :data:`COLUMNS` under their headers in the page's language
(:func:`insights.i18n.humanize`). The status is written in that language; reasons are the
readers' own one-line messages, word for word as ``insights ingest`` prints them, so a
page and a terminal name a problem the same way.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from insights import i18n

if TYPE_CHECKING:
    from insights.ingest.load import FileResult

COLUMNS = ("path", "kind", "status", "rows_loaded", "rows_rejected", "reason")
# the loader's statuses (FileResult.status); "skipped" is only ever "already loaded"
# (insights.ingest.load), so that reason is folded into the status's words
STATUS = {
    "es": {"loaded": "cargado", "skipped": "omitido: ya cargado", "rejected": "rechazado"},
    "en": {"loaded": "loaded", "skipped": "skipped: already loaded", "rejected": "rejected"},
}
ALREADY_LOADED = "already loaded"


def shown_path(path: str, root: Path | None) -> str:
    """``path`` relative to the folder that was loaded (``root``), else as given.

    ZIP members are written ``archive.zip:member.csv`` (insights.ingest.archive): only the
    folder part before them is dropped."""
    if root is not None:
        prefix = os.path.join(str(root), "")  # with its trailing separator
        if path.startswith(prefix):
            return path[len(prefix) :]
    return path


def results_table(
    results: Sequence[FileResult], lang: str, root: str | Path | None = None
) -> pl.DataFrame:
    """The results as text columns with human headers (see the module doc).

    ``root``: the folder that was loaded; paths are shown relative to it.
    """
    words = STATUS.get(lang, STATUS["en"])
    base = Path(root) if root is not None else None
    rows = [
        {
            "path": shown_path(r.path, base),
            "kind": r.kind,
            "status": words.get(r.status, r.status),
            "rows_loaded": r.rows_loaded,
            "rows_rejected": r.rows_rejected,
            "reason": None if r.status == "skipped" and r.reason == ALREADY_LOADED else r.reason,
        }
        for r in results
    ]
    schema = {c: pl.Int64 if c.startswith("rows_") else pl.Utf8 for c in COLUMNS}
    return i18n.humanize(pl.DataFrame(rows, schema=schema), lang)
