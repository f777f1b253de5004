"""Warehouse writes that a report run holds back until its pages are written.

``insights report`` runs the notebooks in kernels of their own; notebook 04 stores its
recommendations and 05 its advice backtest. Stored from the kernel, they would change the
warehouse even when the run then fails (the disk fills while a page is written, a later
notebook fails) and leaves ``--out`` as it was. So while a report runs, its kernels find a
folder in :data:`ENV` and :func:`hold` writes each such frame there instead (Parquet, with
its parameters as JSON); the report applies them (:func:`held`) once its pages are in
place, and removes the folder whatever happens. A run that fails writes nothing to the
warehouse. Outside a report (JupyterLab, the CLI, the API) :data:`ENV` is unset and the
writers store at once, as before.

The folder lies beside ``--out``, on the same storage as the pages: a disk too full for a
held frame is too full for the pages, and the run stops before anything is stored.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from insights.paths import write_atomically

ENV = "INSIGHTS_HELD_WRITES"


def folder() -> Path | None:
    """The folder this process's writes are held in (a report's kernel), else ``None``."""
    value = os.environ.get(ENV)
    return Path(value) if value else None


def hold(kind: str, frame: pl.DataFrame, meta: dict) -> bool:
    """Inside a report's kernel: keep ``frame`` and ``meta`` (JSON-able; other values are
    written as text) for the report to store later, and return ``True``; elsewhere
    ``False`` (the caller stores now). ``kind`` names the writer (``recommendations``).

    :raises OSError: the held files could not be written (a full disk: the notebook, and so
        the report, fails before the warehouse is touched)."""
    where = folder()
    if where is None:
        return False
    # names sort in the order the writes were asked for; the JSON, written last, says the
    # pair is whole (a kernel killed between the two leaves a Parquet file that is skipped)
    stem = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}-{kind}"
    write_atomically(where / f"{stem}.parquet", frame.write_parquet)
    text = json.dumps({"kind": kind, "meta": meta}, ensure_ascii=False, default=str)
    write_atomically(where / f"{stem}.json", lambda fh: fh.write(text.encode("utf-8")))
    return True


def held(where: Path) -> Iterator[tuple[str, pl.DataFrame, dict]]:
    """``(kind, frame, meta)`` of every write held in ``where``, in the order it was asked."""
    for doc in sorted(where.glob("*.json")):
        body = json.loads(doc.read_text(encoding="utf-8"))
        yield body["kind"], pl.read_parquet(doc.with_suffix(".parquet")), body["meta"]
