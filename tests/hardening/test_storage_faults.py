"""A full disk while training: one line, no model file left; writing commands name the file."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import subprocess

import pytest

from tests.conftest import INSIGHTS, ROOT, query, run_cli


def _capped(limit: int, *args) -> subprocess.CompletedProcess:
    """The CLI with no file allowed to grow past ``limit`` bytes (RLIMIT_FSIZE: EFBIG, the
    same error path as a full disk)."""

    def cap():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [*INSIGHTS, *map(str, args)],
        capture_output=True, text=True, cwd=ROOT, preexec_fn=cap, timeout=900,
    )  # fmt: skip


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    """20 days of demo data, ingested (trained in the tests that need it)."""
    d = tmp_path_factory.mktemp("demo")
    assert run_cli("demo-data", "--days", "20", "--seed", "3", cwd=d).returncode == 0
    db = d / "wh.duckdb"
    assert run_cli("ingest", d / "data" / "raw" / "demo", "--db", db).returncode == 0
    return db


def test_train_on_a_full_disk_is_one_line_and_leaves_no_model_file(small_demo, tmp_path):
    db = tmp_path / "wh.duckdb"
    shutil.copy(small_demo, db)
    limit = 64 * 1024  # no file may grow past this (the warehouse is larger): "disk full"

    r = _capped(limit, "train", "--cutoffs", "1", "--db", db)
    assert r.returncode == 1, r.stderr[-2000:]
    assert "Traceback" not in r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("insights train: error: ") and "disk is full" in last
    models = db.with_name(db.name + ".models")
    assert not list(models.glob("*.pkl")) and not list(models.glob(".*.tmp"))


def test_writing_commands_name_the_warehouse(small_demo, tmp_path):
    db = tmp_path / "wh.duckdb"
    shutil.copy(small_demo, db)
    for command in (["train", "--cutoffs", "1"], ["recommend"]):
        r = run_cli(*command, "--db", db, timeout=900)
        assert r.returncode == 0, r.stderr
        last = r.stderr.strip().splitlines()[-1]
        assert last == f"insights {command[0]}: warehouse written: {db.resolve()}"

    # and with the disk full, recommend cannot store its run: one line, exit 1
    full = tmp_path / "full.duckdb"
    shutil.copy(db, full)
    r = _capped(64 * 1024, "recommend", "--db", full)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("insights recommend: error: ") and "disk is full" in last


def _tiny_report(small_demo, tmp_path, name: str, *code: str):
    """A copy of the small demo warehouse (``wh.duckdb``) with its SHA-256, and a folder
    ``nbs`` holding one notebook ``name`` (a parameters cell, then ``code`` cells) for
    ``report.run_report(..., notebooks=nbs)``: ``(db, sha256, nbs)``."""
    import hashlib

    import nbformat

    db = tmp_path / "wh.duckdb"
    shutil.copy(small_demo, db)
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    params = nbformat.v4.new_code_cell('db: str = ""  # warehouse\nlang: str = "es"  # es | en')
    params.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[params, *map(nbformat.v4.new_code_cell, code)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, nbs / f"{name}.ipynb")
    return db, hashlib.sha256(db.read_bytes()).hexdigest(), nbs


def test_report_on_a_full_disk_is_one_line_and_leaves_pages_and_warehouse(
    small_demo, tmp_path, monkeypatch
):
    """The disk fills while a page is written: one error naming --out and the page, the old
    page as it was, no part of the new one, no staging folder, the warehouse untouched.
    In process: the notebook's run is replaced by its result (papermill's own failures are
    the next test), the page is exported by nbconvert and written as the CLI does."""
    import hashlib

    import nbformat

    from insights import report

    db, before, nbs = _tiny_report(small_demo, tmp_path, "01_tiny")
    executed = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Región Ñuñoa")])
    monkeypatch.setattr(report, "_execute", lambda nb, output, p: executed)
    # a page is over 1 MB (the chart bundle inlined): a bundle of that size, not built here
    monkeypatch.setattr(report, "vega_bundle", lambda: "/*" + " " * 2**20 + "*/")
    out = tmp_path / "reports"
    out.mkdir()
    (out / "01_tiny.html").write_text("la página de ayer", encoding="utf-8")
    # the page does not fit under 64 KiB
    with _file_size_cap(64 * 1024), pytest.raises(report.ReportFailed) as err:
        report.run_report(out, {}, "es", str(db), notebooks=str(nbs))
    assert err.value.exit_code == 1
    assert str(err.value).startswith(f"--out {out}: cannot write 01_tiny.html: the disk is full")
    assert "\n" not in str(err.value)
    assert [p.name for p in out.iterdir()] == ["01_tiny.html"]
    assert (out / "01_tiny.html").read_text(encoding="utf-8") == "la página de ayer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nbs", "reports", "wh.duckdb"]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_report_notebook_that_cannot_be_saved_or_stored_is_the_same_line(tmp_path, monkeypatch):
    """Papermill dying while it saves (a truncated notebook, OSError in its output) and a
    cell whose warehouse write fails for space give the full-disk line, not a traceback."""
    import subprocess

    import nbformat

    from insights import report

    src = tmp_path / "01_x.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), src)
    out = tmp_path / "out.ipynb"

    def truncated(cmd):
        out.write_text('{\n "cells": [\n  {\n   "cell_type": "c')
        err = "Traceback ...\nOSError: [Errno 28] No space left on device\n"
        return subprocess.CompletedProcess(cmd, 1, "", err)

    monkeypatch.setattr(report, "_run_child", truncated)
    with pytest.raises(report.StorageFull, match="No space left on device"):
        report._execute(src, out, {})

    def cell_failed(cmd):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("store()")])
        nb.cells[0].outputs = [
            nbformat.v4.new_output(
                "error",
                ename="IOException",
                evalue='IO Error: Could not write file "wh.duckdb.wal": File too large',
                traceback=["..."],
            )
        ]
        nbformat.write(nb, out)
        return subprocess.CompletedProcess(cmd, 1, "", "PapermillExecutionError\n")

    monkeypatch.setattr(report, "_run_child", cell_failed)
    with pytest.raises(report.StorageFull, match="File too large"):
        report._execute(src, out, {})
    # any other failure keeps the cell's error and the kept notebook (unchanged)
    monkeypatch.setattr(
        report, "_run_child", lambda cmd: subprocess.CompletedProcess(cmd, 1, "", "boom\n")
    )
    out.write_text("")
    with pytest.raises(report.ReportFailed, match="papermill failed"):
        report._execute(src, out, {})
    msg = str(report.storage_failure(tmp_path / "r", "05_report.html", OSError(28, "x")))
    assert "cannot write 05_report.html: the disk is full" in msg


@contextlib.contextmanager
def _file_size_cap(limit: int):
    """No file written by this process or its children may grow past ``limit`` bytes, for
    the block (Python ignores SIGXFSZ, so a write fails with EFBIG, as on a full disk)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def _export_rows(n: int) -> str:
    rows = [
        f"2026-03-{1 + h // 24 % 28:02d}T{h % 24:02d}:00:00Z,Jalisco,c{h},10,2" for h in range(n)
    ]
    return "timestamp,region,channel,views,engagements\n" + "\n".join(rows) + "\n"


def test_a_full_temporary_folder_stops_ingest_and_rejects_no_file(tmp_path):
    """A .csv.gz, a ZIP or a workbook is read through a temporary copy; when the copy does
    not fit, the run stops in one line naming the file and the folder, and the file is not
    logged as damaged (it was not: the next run with space loads it)."""
    import gzip
    import zipfile

    from insights.errors import WarehouseFault
    from insights.ingest import archive, excel
    from tests.hardening.test_hostile_files import _xlsx

    db = tmp_path / "wh.duckdb"
    seed = tmp_path / "seed.csv"
    seed.write_text(_export_rows(2))
    assert run_cli("ingest", seed, "--db", db).returncode == 0
    gz = tmp_path / "exportación.csv.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as f:
        f.write(_export_rows(30_000))  # about 1.3 MB once decompressed
    before = query(db, "SELECT count(*), sum(views) FROM consumption")
    r = _capped(256 * 1024, "ingest", gz, "--db", db)  # no file past 256 KiB: "disk full"
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "rejected" not in r.stdout + r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith(f"insights ingest: error: {gz}: cannot be read: its temporary copy")
    assert "did not fit" in last and "TMPDIR" in last
    assert query(db, "SELECT count(*), sum(views) FROM consumption") == before
    assert query(db, "SELECT count(*) FROM ingest_log WHERE status = 'rejected'") == [(0,)]

    zipped = tmp_path / "exports.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("datos/consumo.csv", _export_rows(200))
    workbook = _xlsx(tmp_path / "libro.xlsx")
    with _file_size_cap(64):
        with pytest.raises(WarehouseFault, match="temporary copy .* did not fit"):
            archive.expand(zipped)
        with pytest.raises(WarehouseFault, match="temporary copy .* did not fit"):
            excel.to_csv(workbook, tmp_path)  # the reader's child could not write its CSV
    assert archive.expand(zipped)[0].name == "consumo.csv"  # with space, read as before


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_output_redirected_to_a_full_disk_is_one_line(small_demo):
    """``insights status > file`` on a full disk (/dev/full: every write is ENOSPC) says the
    output could not be written, not a file name of its own nor that nothing was kept."""
    with open("/dev/full", "w") as full:
        r = subprocess.run(
            [*INSIGHTS, "status", "--db", str(small_demo)],
            stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=300,
        )  # fmt: skip
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.strip() == (
        "insights status: error: cannot write the output: the disk is full or a file hit a "
        "size limit (No space left on device); the output is incomplete"
    )


# A notebook that stores as 04 and 05 do: recommendations (insights.recommend.io) and an
# advice backtest (insights.recommend.advice_store), from its own kernel.
_STORING_CELL = """
import polars as pl
from insights.recommend.advice_store import store
from insights.recommend.io import store_recommendations
recs = pl.DataFrame({"region": ["Ñuñoa"], "channel": ["tiktok"], "rank": [1],
                     "start_utc": ["2026-11-01T10:00:00Z"], "expected_engagement": [12.5]})
store_recommendations(db, recs, {"notebook": "04_tiny", "tema": "señal"})
store(db, "run-tiny", "key-tiny", {"weeks": 1}, pl.DataFrame({"week": [1], "y": [2.0]}))
"""


def test_report_stores_nothing_in_the_warehouse_unless_its_pages_are_written(
    small_demo, tmp_path, monkeypatch
):
    """The disk fills while the page is written, after the notebook stored its results: the
    warehouse is as it was (the kernel's writes were held, insights.deferred), and nothing
    of the run is left beside --out. With space, the same run writes the page and then
    stores both, whole."""
    import errno
    import hashlib

    from insights import report

    db, before, nbs = _tiny_report(small_demo, tmp_path, "04_tiny", _STORING_CELL)
    out = tmp_path / "reports"
    written = report._atomic_write

    def full(path, text):
        if path.suffix == ".html":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        written(path, text)

    monkeypatch.setattr(report, "_atomic_write", full)
    with pytest.raises(report.ReportFailed, match="cannot write 04_tiny.html: the disk is full"):
        report.run_report(out, {}, "es", str(db), notebooks=str(nbs))
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nbs", "wh.duckdb"]

    monkeypatch.setattr(report, "_atomic_write", written)
    pages = report.run_report(out, {}, "es", str(db), notebooks=str(nbs))
    assert [p.name for p in pages] == ["04_tiny.html"] and pages[0].exists()
    assert query(
        db, "SELECT region, expected_engagement, params->>'tema' FROM recommendations"
    ) == [("Ñuñoa", 12.5, "señal")]
    assert query(db, "SELECT run_id, params_hash FROM advice_backtests") == [
        ("run-tiny", "key-tiny")
    ]
    assert not list(tmp_path.glob(".reports*"))  # no staging or held folder left
