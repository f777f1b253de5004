"""Events add, aggregates replace, events already loaded are recognised (issue 10, 11).

Real CLI processes on a real DuckDB file; exact sums.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from insights.ingest.consumption import VIEW_ABOVE_GROUPS
from tests.conftest import INSIGHTS, ROOT, json_lines, query, run_cli

REGIONS = [
    "Jalisco",
    "Ciudad de México",
    "Baja California",
    "Quintana Roo",
    "Sonora",
    "Nuevo León",
    "Yucatán",
    "Oaxaca",
    "Puebla",
]
CHANNELS = ["youtube", "tiktok", "instagram", "facebook", "x"]
N = 200_000
YEAR_S = 365 * 86400


def write_shard(path: Path, shard: int, rows: int = N, shards: int = 4) -> None:
    """One shard of an event log: second-resolution UTC times over 2024, 9 regions x 5
    channels x 40 topics, a personal column. Shards share hours and keys, never an event."""
    con = duckdb.connect()
    con.execute(f"""COPY (
        SELECT strftime(TIMESTAMP '2024-01-01' + to_seconds(((i * {shards} + {shard}) * 39)
                 % {YEAR_S}), '%Y-%m-%dT%H:%M:%SZ') AS timestamp,
               {REGIONS}[1 + (hash(i, {shard}, 'r') % 9)::INT] AS region,
               {CHANNELS}[1 + (hash(i, {shard}, 'c') % 5)::INT] AS channel,
               'tema ' || (hash(i, {shard}, 't') % 40) AS topic,
               1 + (hash(i, {shard}, 'v') % 5)::INT AS views,
               (hash(i, {shard}, 'e') % 3 = 0)::INT AS engagements,
               'user' || (hash(i, {shard}) % 5000) AS user_id
        FROM range({rows}) t(i)) TO '{path}' (HEADER, DELIMITER ',')""")
    con.close()


def file_views(*paths: Path) -> int:
    con = duckdb.connect()
    files = ", ".join(f"'{p}'" for p in paths)
    total = con.execute(f"SELECT sum(views) FROM read_csv([{files}])").fetchall()[0][0]
    con.close()
    return int(total)


def views(db: Path) -> int:
    return int(query(db, "SELECT sum(views) FROM consumption")[0][0])


@pytest.fixture(scope="module")
def shards(tmp_path_factory) -> list[Path]:
    d = tmp_path_factory.mktemp("shards")
    out = []
    for k in range(4):
        write_shard(d / f"shard{k}.csv", k)
        out.append(d / f"shard{k}.csv")
    return out


def test_four_event_files_one_after_another_add_up(db, shards):
    results = []
    for f in shards:
        r = run_cli("ingest", f, "--db", db, "--json")
        assert r.returncode == 0, r.stderr
        results += json_lines(r.stdout)
    assert views(db) == file_views(*shards)
    assert [x["shape"] for x in results] == ["events"] * 4
    assert [x["events_already_loaded"] for x in results] == [0, 0, 0, 0]
    # later shards land partly in hours and keys the earlier ones already have: added to them
    assert query(db, "SELECT count(*) FROM consumption_events") == [(4 * N,)]
    log = query(
        db,
        "SELECT shape, hourly_added, hourly_replaced, hourly_already_loaded, rows_loaded "
        "FROM ingest_log ORDER BY started_at",
    )
    assert [row[:4] for row in log] == [("events", x["hourly_added"], 0, 0) for x in results]
    assert all(row[1] == row[4] > 0 for row in log)
    # no personal identifier in any table
    cols = {c[0] for t in ("consumption", "consumption_events") for c in query(db, f"DESCRIBE {t}")}
    assert "user_id" not in cols


def test_four_event_files_in_parallel_add_up(db, shards):
    procs = [
        subprocess.Popen(
            [*INSIGHTS, "ingest", str(f), "--db", str(db), "--json"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in shards
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [o[1] for o in outs]
    assert views(db) == file_views(*shards)
    assert query(db, "SELECT count(*) FROM ingest_log WHERE status = 'loaded'") == [(4,)]


def test_reexport_with_crlf_and_other_column_order_changes_nothing(db, shards, tmp_path):
    for f in shards[:2]:
        assert run_cli("ingest", f, "--db", db).returncode == 0
    before = query(db, "SELECT * EXCLUDE (file_sha256) FROM consumption ORDER BY ALL")
    lines = shards[0].read_text(encoding="utf-8").splitlines()
    order = [6, 3, 0, 2, 1, 5, 4]  # user_id, topic, timestamp, channel, region, eng, views
    resaved = tmp_path / "shard0_resaved.csv"
    with open(resaved, "w", encoding="utf-8", newline="") as fh:
        for line in lines:
            cells = line.split(",")
            fh.write(",".join(cells[i] for i in order) + "\r\n")
    r = run_cli("ingest", resaved, "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    (res,) = json_lines(r.stdout)
    assert res["status"] == "loaded" and res["shape"] == "events"
    assert res["events_already_loaded"] == N
    assert res["hourly_added"] == 0 and res["hourly_replaced"] == 0
    assert res["hourly_already_loaded"] > 0
    assert query(db, "SELECT * EXCLUDE (file_sha256) FROM consumption ORDER BY ALL") == before
    assert views(db) == file_views(*shards[:2])
    # the identical file again is skipped by its SHA-256
    again = json_lines(run_cli("ingest", shards[1], "--db", db, "--json").stdout)
    assert again[0]["status"] == "skipped"


def test_wider_reexport_adds_only_the_new_events(db, tmp_path):
    jan = tmp_path / "jan.csv"
    write_shard(jan, 0, rows=3000)
    wider = tmp_path / "jan_and_more.csv"
    write_shard(wider, 0, rows=5000)  # the same first 3,000 events, then 2,000 more
    for f in (jan, wider):
        assert run_cli("ingest", f, "--db", db).returncode == 0
    assert views(db) == file_views(wider)
    assert query(db, "SELECT count(*) FROM consumption_events") == [(5000,)]
    log = query(db, "SELECT events_already_loaded FROM ingest_log ORDER BY started_at")
    assert log == [(0,), (3000,)]


def test_identical_rows_inside_a_file_are_each_an_event(db, tmp_path):
    head = "timestamp,region,channel,views,engagements\n"
    row = "2024-03-01T10:15:00Z,Jalisco,web,5,1\n"
    a = tmp_path / "a.csv"
    a.write_text(head + row * 3)
    b = tmp_path / "b.csv"  # a later export: the same three events and a fourth identical one
    b.write_text(head + row * 4 + "2024-03-01T11:20:00Z,Jalisco,web,7,0\n")
    assert run_cli("ingest", a, "--db", db).returncode == 0
    assert views(db) == 15
    r = run_cli("ingest", b, "--db", db, "--json")
    (res,) = json_lines(r.stdout)
    assert res["events_already_loaded"] == 3 and res["hourly_added"] == 2
    assert query(db, "SELECT hour(ts_utc), views FROM consumption ORDER BY 1") == [
        (10, 20.0),
        (11, 7.0),
    ]


def test_event_id_column_recognises_events_whatever_else_changed(db, tmp_path):
    head = "event_id,timestamp,region,channel,views,engagements\n"
    a = tmp_path / "a.csv"
    a.write_text(
        head + "e1,2024-03-01T10:15:00Z,Jalisco,web,5,1\ne2,2024-03-01T10:16:00Z,Jalisco,web,5,1\n"
    )
    b = tmp_path / "b.csv"  # e2 again (re-exported with local time), e3 new, same content
    b.write_text(
        head
        + "e2,2024-03-01T04:16:00-06:00,Jalisco,web,5,1\n"
        + "e3,2024-03-01T10:15:00Z,Jalisco,web,5,1\n"
    )
    for f in (a, b):
        assert run_cli("ingest", f, "--db", db).returncode == 0
    assert query(db, "SELECT hour(ts_utc), views FROM consumption") == [(10, 15.0)]
    assert query(db, "SELECT events_already_loaded FROM ingest_log ORDER BY started_at") == [
        (0,),
        (1,),
    ]


def test_daily_aggregate_exports_overlapping_by_a_week_replace(db, tmp_path):
    def export(path: Path, first_day: int, days: int, scale: int) -> None:
        lines = ["date,region,channel,views,engagements"]
        for d in range(first_day, first_day + days):
            lines.append(f"2024-03-{d:02d},Jalisco,web,{d * scale},{d}")
        path.write_text("\n".join(lines) + "\n")

    a = tmp_path / "march_1_14.csv"
    export(a, 1, 14, 100)
    b = tmp_path / "march_8_21.csv"  # overlaps days 8-14, with revised numbers
    export(b, 8, 14, 110)
    r = run_cli("ingest", a, b, "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    res = json_lines(r.stdout)
    assert [x["shape"] for x in res] == ["aggregates", "aggregates"]
    assert (res[1]["hourly_added"], res[1]["hourly_replaced"], res[1]["hourly_already_loaded"]) == (
        7,
        7,
        0,
    )
    expected = sum(d * 100 for d in range(1, 8)) + sum(d * 110 for d in range(8, 22))
    assert views(db) == expected
    assert query(db, "SELECT count(*) FROM consumption") == [(21,)]
    # the second export again, re-saved: every day already loaded, nothing changes
    c = tmp_path / "march_8_21_crlf.csv"
    c.write_bytes(b.read_bytes().replace(b"\n", b"\r\n"))
    (res_c,) = json_lines(run_cli("ingest", c, "--db", db, "--json").stdout)
    assert (res_c["hourly_added"], res_c["hourly_replaced"], res_c["hourly_already_loaded"]) == (
        0,
        0,
        14,
    )
    assert views(db) == expected


def test_readers_get_in_between_files_of_a_folder(db, tmp_path):
    folder = tmp_path / "daily"
    folder.mkdir()
    for k in range(150):
        rows = [
            f"2024-01-{1 + k % 28:02d}T{h:02d}:{1 + k % 59:02d}:00Z,Sonora,web,{k},1"
            for h in (3, 9)
        ]
        (folder / f"d{k:03d}.csv").write_text(
            "timestamp,region,channel,views,engagements\n" + "\n".join(rows) + "\n"
        )
    # a warehouse must exist for status to read
    assert run_cli("ingest", folder / "d000.csv", "--db", db).returncode == 0
    ingest = subprocess.Popen(
        [*INSIGHTS, "ingest", str(folder), "--db", str(db), "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # wait until the ingest has loaded some files, then read while it goes on
        while ingest.poll() is None:
            n = query_log_count(db)
            if n is not None and n > 5:
                break
            time.sleep(0.05)
        status = run_cli("status", "--db", db, env={"INSIGHTS_LOCK_TIMEOUT": "600"})
        still_running = ingest.poll() is None
        out, err = ingest.communicate(timeout=600)
    finally:
        if ingest.poll() is None:
            ingest.kill()
    assert status.returncode == 0, status.stderr
    assert ingest.returncode == 0, err
    assert still_running, "the reader only got in after the whole folder was loaded"
    assert len(json_lines(out)) == 150
    assert views(db) == sum(2 * k for k in range(150))


def query_log_count(db: Path) -> int | None:
    """Loaded files so far, read under the shared lock (None while the writer holds it)."""
    from insights.locking import warehouse_lock

    try:
        with warehouse_lock(db, exclusive=False, timeout_s=0):
            return query(db, "SELECT count(*) FROM ingest_log")[0][0]
    except Exception:
        return None


def test_local_time_reexport_with_aliases_is_recognised(db, tmp_path):
    """Local times (the region's zone), two names of one region, Spanish headers."""
    a = tmp_path / "a.csv"
    a.write_text(
        "fecha,estado,canal,vistas,interacciones\n"
        "15/03/2024 10:15,CDMX,web,5,1\n"
        "15/03/2024 10:20,Ciudad de México,web,3,1\n"
        "15/03/2024 11:20,Jalisco,web,2,0\n",
        encoding="utf-8",
    )
    b = tmp_path / "b.csv"  # other column order, CRLF, one more event
    b.write_bytes(
        (
            "estado,fecha,canal,vistas,interacciones\r\n"
            "CDMX,15/03/2024 10:15,web,5,1\r\n"
            "Ciudad de México,15/03/2024 10:20,web,3,1\r\n"
            "Jalisco,15/03/2024 11:20,web,2,0\r\n"
            "Jalisco,15/03/2024 12:20,web,7,0\r\n"
        ).encode()
    )
    for f in (a, b):
        assert run_cli("ingest", f, "--db", db).returncode == 0
    assert query(
        db, "SELECT strftime(ts_utc, '%H'), region, views FROM consumption ORDER BY 1"
    ) == [("16", "Ciudad de México", 8.0), ("17", "Jalisco", 2.0), ("18", "Jalisco", 7.0)]
    assert query(db, "SELECT events_already_loaded FROM ingest_log ORDER BY started_at") == [
        (0,),
        (3,),
    ]


def test_large_hourly_aggregate_reexport_replaces_and_recognises(db, tmp_path):
    # more keys than VIEW_ABOVE_GROUPS: staged as a view over the roll-up, not a copy
    hours = VIEW_ABOVE_GROUPS // 45 + 300

    def export(path: Path, first: int, last: int, revised_from: int) -> None:
        # one row per region x channel x hour; views revised (+1) from hour ``revised_from``
        con = duckdb.connect()
        con.execute(f"""COPY (
            SELECT strftime(TIMESTAMP '2024-01-01' + to_hours(h), '%Y-%m-%dT%H:00:00Z')
                       AS timestamp, r AS region, c AS channel,
                   h % 97 + length(r) + (h >= {revised_from})::INT AS views, h % 7 AS engagements
            FROM range({first}, {last}) t(h), unnest({REGIONS}) u(r), unnest({CHANNELS}) v(c))
            TO '{path}' (HEADER, DELIMITER ',')""")
        con.close()

    a = tmp_path / "hourly_a.csv"
    export(a, 0, hours, hours)  # nothing revised
    b = tmp_path / "hourly_b.csv"  # the second half again (a quarter revised) and 100 new hours
    export(b, hours // 2, hours + 100, hours - hours // 4)
    r = run_cli("ingest", a, b, "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    res = json_lines(r.stdout)
    assert [x["shape"] for x in res] == ["aggregates", "aggregates"]
    keys = len(REGIONS) * len(CHANNELS)
    assert res[0]["hourly_added"] == hours * keys > VIEW_ABOVE_GROUPS
    revised = hours // 4 * keys
    same = (hours - hours // 2) * keys - revised
    got = (res[1]["hourly_added"], res[1]["hourly_replaced"], res[1]["hourly_already_loaded"])
    assert got == (100 * keys, revised, same)
    assert query(db, "SELECT count(*) FROM consumption") == [((hours + 100) * keys,)]
    expected = file_views(b) + int(
        query(
            db,
            f"SELECT sum(views) FROM read_csv('{a}') WHERE timestamp < (SELECT min("
            f"timestamp) FROM read_csv('{b}'))",
        )[0][0]
    )
    assert views(db) == expected
    assert query(db, "SELECT count(*) FROM consumption_events") == [(0,)]
