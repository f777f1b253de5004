"""Files that must not take a run down: each is rejected in one line and the batch goes on."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from tests.conftest import json_lines, query, run_cli

GOOD = "timestamp,region,channel,views,engagements\n2026-03-01T10:00:00Z,CDMX,tiktok,10,2\n"


def _xlsx(path: Path, patch=None) -> Path:
    """A real workbook written by xlsxwriter, then one part rewritten as a hostile file would
    (layout of the parts: ECMA-376 SpreadsheetML, see insights.ingest.excel)."""
    import xlsxwriter

    src = path.with_suffix(".src.xlsx")
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("Datos")
    rows = [["timestamp", "region", "channel", "views", "engagements"]]
    rows.append(["2026-03-01 10:00", "Jalisco", "tiktok", 10, 2])
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    wb.close()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, patch(info.filename, data) if patch else data)
    src.unlink()
    return path


def _far_cell(name: str, data: bytes) -> bytes:
    if name == "xl/worksheets/sheet1.xml":
        data = data.replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
        )
        data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data)
    return data


def _far_cell_no_dimension(name: str, data: bytes) -> bytes:
    data = _far_cell(name, data)
    return re.sub(rb'<dimension ref="[^"]*"/>', b"", data) if name.endswith("sheet1.xml") else data


def _huge_sst(name: str, data: bytes) -> bytes:
    if name == "xl/sharedStrings.xml":
        data = re.sub(rb'uniqueCount="\d+"', b'uniqueCount="2000000000"', data)
    return data


def _bomb(name: str, data: bytes) -> bytes:
    if name == "docProps/app.xml":  # 600 MiB of blanks compress to about 600 KiB
        return data + b" " * (600 * 2**20)
    return data


@pytest.mark.parametrize(
    "patch, says",
    [
        (_far_cell, "1,048,576 rows x 16,384 columns"),
        (_far_cell_no_dimension, "1,048,576 rows x 16,384 columns"),
        (_huge_sst, "uniqueCount=2,000,000,000"),
    ],
)
def test_excel_asking_for_a_huge_grid_is_rejected_and_the_batch_goes_on(tmp_path, db, patch, says):
    folder = tmp_path / "drop"
    folder.mkdir()
    _xlsx(folder / "a_hostile.xlsx", patch)
    assert (folder / "a_hostile.xlsx").stat().st_size < 8000
    (folder / "b_good.csv").write_text(GOOD)
    r = run_cli("ingest", folder, "--db", db, timeout=120)
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr and "panicked" not in r.stderr
    line = next(ln for ln in r.stderr.splitlines() if "a_hostile.xlsx" in ln)
    assert "rejected" in line and says in line
    assert "b_good.csv: loaded" in r.stdout
    assert query(db, "SELECT count(*) FROM consumption") == [(1,)]
    # logged, so the next run says the same instead of dying at this file
    assert query(db, "SELECT status FROM ingest_log WHERE path LIKE '%a_hostile.xlsx'") == [
        ("rejected",)
    ]


def test_zip_bomb_workbook_is_rejected_by_its_declared_size(tmp_path, db):
    f = _xlsx(tmp_path / "bomb.xlsx", _bomb)
    r = run_cli("ingest", f, "--db", db, timeout=120)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "expands to" in r.stderr


def test_a_reader_that_dies_rejects_that_file_only(tmp_path, db, monkeypatch):
    """With the bounds switched off the reader really aborts (SIGABRT); the child process
    takes the blow and the next file still loads."""
    from insights import warehouse
    from insights.ingest import excel
    from insights.ingest.load import Batching, ingest_next

    monkeypatch.setattr(excel, "check_workbook", lambda path: None)
    files = [_xlsx(tmp_path / "a.xlsx", _far_cell), tmp_path / "b.csv"]
    files[1].write_text(GOOD)
    got = []
    with warehouse.write(db) as con:
        while len(got) < len(files):
            got += ingest_next(con, files, len(got), None, None, batching=Batching())
    assert got[0].status == "rejected" and "Excel reader crashed" in got[0].reason
    assert got[1].status == "loaded"


def test_ordinary_workbook_still_loads(tmp_path, db):
    f = _xlsx(tmp_path / "exportación.xlsx")
    r = run_cli("ingest", f, "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    assert json_lines(r.stdout)[0]["rows_loaded"] == 1


def _drop_folder(tmp_path: Path) -> Path:
    """A folder as an old share hands it over: every file a kind of trouble, one good file."""
    import gzip
    import os

    import pyarrow as pa
    import pyarrow.parquet as pq

    d = tmp_path / "share"
    d.mkdir()
    head, row = GOOD.splitlines(keepends=True)
    (d / os.fsdecode(b"a\xf1o.csv")).write_text(GOOD)  # Latin-1 name
    (d / "big_field.csv").write_text(head + row.replace("tiktok", "t" * (200 * 1024)) + row)
    (d / "long_line.csv").write_text(head + row.rstrip("\n") + "," * (1100 * 1024) + "\n" + row)
    with gzip.open(d / "gz_export.csv.gz", "wt", encoding="utf-8") as f:
        f.write(GOOD.replace("10:00", "11:00").replace("tiktok", "canción"))
    os.mkfifo(d / "pipe.csv")
    os.symlink("/dev/zero", d / "zero.csv")
    table = pa.table(
        [["2026-03-01T12:00:00Z"], ["Jalisco"], ["web"], [1], [5], [2]],
        names=["timestamp", "region", "channel", "views", "views", "engagements"],
    )
    pq.write_table(table, d / "dup_columns.parquet")
    (d / "zz_good.csv").write_text(GOOD)
    (d / FORGED).write_text(GOOD)  # the same rows: a second copy, loads nothing new
    return d


# a file name holding a newline, trying to print a line of its own
FORGED = "zzz\nzz_good.csv: loaded [consumption] 999 rows.csv"


def test_a_folder_of_troublesome_files_gives_one_line_each_and_goes_on(tmp_path, db):
    d = _drop_folder(tmp_path)
    r = run_cli("ingest", d, "--db", db, timeout=300)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    err = r.stderr.splitlines()
    want = {
        "a\\xf1o.csv": "file name is not UTF-8",
        "big_field.csv": "longer than 128 KiB",
        "long_line.csv": "line 2 is longer than 1 MiB",
        "pipe.csv": "FIFO (named pipe), not a regular file",
        "zero.csv": "a device, not a regular file",
        "dup_columns.parquet": "Parquet columns named twice: views",
    }
    for name, says in want.items():
        hits = [ln for ln in err if f"{name}: rejected:" in ln]
        assert len(hits) == 1 and says in hits[0], (name, r.stderr)
    assert "gz_export.csv.gz: loaded [consumption] 1 rows" in r.stdout
    assert "zz_good.csv: loaded [consumption] 1 rows" in r.stdout
    assert "999" not in r.stdout.replace(str(d / FORGED).replace("\n", "\\u000a"), "")
    assert len([ln for ln in r.stdout.splitlines() if "zzz\\u000azz_good.csv" in ln]) == 1
    assert query(db, "SELECT hour(ts_utc), channel FROM consumption ORDER BY 1") == [
        (10, "tiktok"),
        (11, "canción"),
    ]
    logged = query(db, "SELECT path, status FROM ingest_log WHERE status = 'rejected'")
    assert len(logged) == 6 and any("a\\xf1o.csv" in p for p, _ in logged)
    again = run_cli("ingest", d, "--db", db, timeout=300)  # every run says the same
    assert again.returncode == 1 and "Traceback" not in again.stderr
