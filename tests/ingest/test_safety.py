"""One transaction per file, idempotent re-runs, de-duplication, kill -9, parallel processes."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import duckdb

from insights.locking import lock_path_for, warehouse_lock
from tests.conftest import INSIGHTS, ROOT, json_lines, query, run_cli, table_snapshot


def write_events(path, n_rows: int, region: str = "Jalisco", start: str = "2024-01-01") -> None:
    con = duckdb.connect()
    con.execute(f"""COPY (
        SELECT strftime(TIMESTAMP '{start}' + to_seconds(i * 7), '%Y-%m-%dT%H:%M:%S') || '-06:00'
                 AS timestamp,
               '{region}' AS region, ['youtube','tiktok'][1 + i % 2] AS channel,
               1 AS views, (i % 3 = 0)::INT AS engagements, 'user' || (i % 1000) AS user_id
        FROM range({n_rows}) t(i)) TO '{path}' (HEADER, DELIMITER ',')""")
    con.close()


def test_reingesting_changes_nothing(db, tmp_path):
    f = tmp_path / "e.csv"
    write_events(f, 5000)
    first = json_lines(run_cli("ingest", f, "--db", db, "--json").stdout)
    before = table_snapshot(db)
    again = run_cli("ingest", f, "--db", db, "--json")
    assert again.returncode == 0
    assert first[0]["status"] == "loaded" and json_lines(again.stdout)[0]["status"] == "skipped"
    assert table_snapshot(db) == before


def test_overlapping_exports_are_not_double_counted(db, tmp_path):
    head = "timestamp,region,channel,views,engagements\n"
    a = tmp_path / "jan.csv"
    a.write_text(
        head + "2024-01-01T10:00:00Z,Jalisco,web,10,1\n2024-01-01T11:00:00Z,Jalisco,web,20,2\n"
    )
    b = tmp_path / "jan_again.csv"  # a later export covering the same hours, plus one more
    b.write_text(
        head + "2024-01-01T11:00:00Z,Jalisco,web,20,2\n2024-01-01T12:00:00Z,Jalisco,web,30,3\n"
    )
    assert run_cli("ingest", a, b, "--db", db).returncode == 0
    assert query(db, "SELECT hour(ts_utc), views FROM consumption ORDER BY 1") == [
        (10, 10.0),
        (11, 20.0),
        (12, 30.0),
    ]


def test_kill_9_mid_file_leaves_warehouse_as_before_and_next_run_completes(db, tmp_path):
    small = tmp_path / "small.csv"
    write_events(small, 100, region="Sonora")
    assert run_cli("ingest", small, "--db", db).returncode == 0
    before = table_snapshot(db)
    big = tmp_path / "big.csv"
    write_events(big, 8_000_000)  # several seconds of work: the kill lands inside the file
    proc = subprocess.Popen(
        [*INSIGHTS, "ingest", str(big), "--db", str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # wait until the process holds the warehouse lock, then let it get into the file
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with warehouse_lock(db, exclusive=True, timeout_s=0):
                pass
        except Exception:
            break
        time.sleep(0.02)
    time.sleep(0.8)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    assert table_snapshot(db) == before
    assert query(db, "SELECT count(*) FROM ingest_log WHERE path LIKE '%big.csv'") == [(0,)]
    r = run_cli("ingest", big, "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    assert query(db, "SELECT sum(views)::BIGINT FROM consumption WHERE region='Jalisco'") == [
        (8_000_000,)
    ]


def test_parallel_ingests_take_turns(db, tmp_path):
    files = []
    for i, region in enumerate(["Jalisco", "Sonora", "Yucatán", "Oaxaca"]):
        f = tmp_path / f"p{i}.csv"
        write_events(f, 300_000, region=region)
        files.append(f)
    procs = [
        subprocess.Popen(
            [*INSIGHTS, "ingest", str(f), "--db", str(db), "--json"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [o[1] for o in outs]
    assert all("lock" not in err.lower() or "waiting" in err.lower() for _, err in outs)
    assert query(
        db, "SELECT region, sum(views)::BIGINT FROM consumption GROUP BY 1 ORDER BY 1"
    ) == sorted([(r, 300_000) for r in ["Jalisco", "Sonora", "Yucatán", "Oaxaca"]])


def test_lock_timeout_is_a_clear_message(db, tmp_path):
    f = tmp_path / "e.csv"
    write_events(f, 10)
    with warehouse_lock(db, exclusive=True):
        r = run_cli("ingest", f, "--db", db, env={"INSIGHTS_LOCK_TIMEOUT": "1.5"})
    assert r.returncode == 3
    assert "busy" in r.stderr and "Traceback" not in r.stderr
    assert lock_path_for(db).exists()
