"""A full disk while training: one line, no model file left; writing commands name the file."""

from __future__ import annotations

import resource
import shutil
import subprocess

import pytest

from tests.conftest import INSIGHTS, ROOT, run_cli


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
