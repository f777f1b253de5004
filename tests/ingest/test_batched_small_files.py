"""Runs of small files of one layout are staged, merged and logged together (issue 17):
the warehouse must end exactly as when the same files load one by one, whatever the folder
holds. Each file below is a sibling of a case that forces one-by-one loading (a re-export,
a copy, replaced aggregates, a totals row, a bad row, a DST fall-back hour, another
encoding) placed among runs that batch (events, daily rows, local times, aliases, e-mail
addresses in values)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from insights import warehouse
from insights.ingest.load import Batching, expand_paths, ingest_file, ingest_next
from tests.conftest import json_lines, query, run_cli
from tests.ingest.test_small_files import contents

HEADER = "timestamp,region,channel,topic,views,engagements\n"


def _events(
    day: int, hour0: int, region: str = "Jalisco", offset: str = "Z", second: int = 0
) -> list[str]:
    return [
        f"2024-05-{day:02d}T{hour0 + i // 6:02d}:{(7 * i) % 60:02d}:{second + i:02d}{offset},"
        f"{region},{['youtube', 'tiktok'][i % 2]},{['música', 'educação'][i % 3 % 2]},"
        f"{1 + i % 5},{i % 2}\n"
        for i in range(18)
    ]


def make_folder(d: Path) -> None:
    d.mkdir()
    files: dict[str, str] = {}
    for k in range(10):  # a run that batches
        files[f"01_events_{k:02d}.csv"] = HEADER + "".join(_events(1 + k, 8))
    rows = _events(3, 8)  # a re-export of 01_events_02: other order, CRLF
    files["02_reexport.csv"] = (HEADER + "".join(reversed(rows))).replace("\n", "\r\n")
    files["03_copy.csv"] = files["01_events_04.csv"]  # the same file again: skipped
    for k, bump in enumerate([0, 5]):  # the same hourly totals, then changed ones: replaced
        files[f"04_aggregates_{k}.csv"] = HEADER + "".join(
            f"2024-06-01T{h:02d}:00:00Z,Sonora,instagram,año,{10 + h + bump},{h}\n"
            for h in range(12)
        )
    files["05_totals_row.csv"] = HEADER + "".join(_events(20, 8)) + "Total,,,,999,99\n"
    files["06_bad_row.csv"] = (
        HEADER + "".join(_events(21, 8)) + "2024-05-21T09:00:00Z,Jalisco,,x,1,0\n"
    )
    # local times in Tijuana: the fall-back hour of 2026-11-01 01:00 happens twice
    files["07_tijuana_fall_back.csv"] = HEADER + "".join(
        f"2026-11-01 0{h}:00,Baja California,web,t,{v},0\n"
        for h, v in [(0, 1), (1, 2), (1, 3), (2, 4)]
    )
    files["08_pii_in_region.csv"] = HEADER + "".join(
        r.replace("Jalisco", "ana.perez@example.com") for r in _events(22, 8)
    )
    for k in range(4):  # daily rows, a run of their own
        files[f"09_daily_{k}.csv"] = HEADER + "".join(
            f"2024-07-{1 + 7 * k + i:02d},Oaxaca,facebook,café,{100 + i},{i}\n" for i in range(7)
        )
    for k in range(5):  # local times without an offset (the region's zone), plus aliases
        files[f"10_local_{k}.csv"] = HEADER + "".join(
            _events(10 + k, 12, region="CDMX" if k % 2 else "Ciudad de México", offset="")
            + _events(10 + k, 15, region="Ciudad de México", offset="")
        )
    for k in range(3):  # same keys in two files of one run, other events: they add
        files[f"11_same_keys_{k}.csv"] = HEADER + "".join(_events(25, 8 + k % 2, second=20 * k))
    files["12_mixed_offsets.csv"] = HEADER + "".join(
        _events(26, 8) + _events(26, 12, offset="-06:00")
    )
    # a short totals row and a comment line among slash dates (these once stopped the planner
    # of a whole run with a DuckDB error)
    slash = [f"{15 + i}/01/2026 10:00,Jalisco,youtube,a,{1 + i},1\n" for i in range(3)]
    files["13_slash_total.csv"] = HEADER + "".join(slash) + "Total,6\n"
    files["13_slash_comment.csv"] = HEADER + slash[0] + "# exported by a tool\n" + slash[1]
    # wildcards in names: each file is read by its own name, never the files it matches
    for name, views in [("14_day*.csv", 100), ("14_day1.csv", 200), ("15_x[1].csv", 300)]:
        files[name] = HEADER + f"2024-09-01T10:00:00Z,Sonora,web,t{views},{views},1\n"
    files["15_x1.csv"] = HEADER + "".join(
        f"2024-09-02T1{h}:00:00Z,Sonora,web,x1,400,1\n" for h in range(3)
    )
    for name, text in files.items():
        (d / name).write_text(text, encoding="utf-8", newline="")
    con = duckdb.connect()
    for name, views in [("15_p*.parquet", 500), ("15_p1.parquet", 600)]:
        con.execute(f"""COPY (SELECT TIMESTAMPTZ '2024-09-03 10:00:00+00' AS timestamp,
            'Sonora' AS region, 'web' AS channel, 't{views}' AS topic, {views} AS views,
            1 AS engagements) TO '{d / name}' (FORMAT parquet)""")
    con.close()
    cp = "fecha;región;canal;tema;vistas;interacciones\n" + "".join(
        f"2024-08-0{1 + h}T10:00:00Z;Yucatán;facebook;educación;1.00{h};{h}\n" for h in range(6)
    )
    (d / "09_daily_2b_cp1252.csv").write_bytes(cp.encode("cp1252"))


def test_hostile_folder_loads_as_each_file_one_by_one(tmp_path: Path) -> None:
    make_folder(tmp_path / "drop")
    together, one_by_one = tmp_path / "together.duckdb", tmp_path / "one.duckdb"
    r = run_cli("ingest", tmp_path / "drop", "--db", together, "--json")
    results = {Path(x["path"]).name: x for x in json_lines(r.stdout)}
    assert r.returncode == 1, r.stderr  # the file with a bad row (1 in 19) is rejected
    assert [n for n, x in results.items() if x["status"] == "rejected"] == ["06_bad_row.csv"]
    assert results["03_copy.csv"]["status"] == "skipped"
    assert results["02_reexport.csv"]["events_already_loaded"] == 18
    assert results["04_aggregates_1.csv"]["hourly_replaced"] == 12
    assert results["07_tijuana_fall_back.csv"]["ambiguous_local_times"] == 2

    with warehouse.write(one_by_one) as con:
        for f in expand_paths([str(tmp_path / "drop")]):
            ingest_file(con, f)
    a, b = contents(together), contents(one_by_one)
    for table in a:
        assert a[table] == b[table], table
    for name in ("13_slash_total.csv", "13_slash_comment.csv"):
        assert results[name]["status"] == "loaded" and results[name]["rows_skipped"] == 1
    for name, rows in [
        ("14_day*.csv", 1),
        ("14_day1.csv", 1),
        ("15_x[1].csv", 1),
        ("15_p*.parquet", 1),
    ]:
        assert results[name]["rows_loaded"] == rows, name
    assert query(
        together,
        "SELECT source, sum(views)::INT FROM consumption WHERE region = 'Sonora' AND "
        "channel = 'web' GROUP BY 1 ORDER BY 1",
    ) == [
        ("consumption:14_day*.csv", 100),
        ("consumption:14_day1.csv", 200),
        ("consumption:15_x1.csv", 1200),
        ("consumption:15_x[1].csv", 300),
        ("parquet", 1100),
    ]
    # nothing of the e-mail address is stored
    assert not query(together, "SELECT * FROM consumption WHERE region_raw LIKE '%@%'")
    assert query(together, "SELECT count(*) FROM consumption WHERE grain = 'day'") == [(28,)]


def test_a_clean_run_of_small_files_is_one_transaction(tmp_path: Path) -> None:
    make_folder(tmp_path / "drop")
    files = expand_paths([str(tmp_path / "drop")])
    db = tmp_path / "w.duckdb"
    with warehouse.write(db) as con:
        events = ingest_next(con, files[:10], 0, batching=Batching(size=64))
        # the re-export recognises events of the run: its run is loaded file by file
        rest = ingest_next(con, files, 10, batching=Batching(size=64))
    assert [Path(r.path).name for r in events] == [f"01_events_{k:02d}.csv" for k in range(10)]
    assert {r.status for r in events} == {"loaded"}
    assert Path(rest[0].path).name == "02_reexport.csv" and rest[0].events_already_loaded == 18
    # one transaction: one start time for the ten files, another for each later file
    assert len(rest) == 1
    assert query(db, "SELECT count(DISTINCT started_at), sum(rows_read) FROM ingest_log") == [
        (2, 11 * 18)
    ]
