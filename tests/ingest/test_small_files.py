"""A folder of many small files loads exactly as the same files loaded one by one (issue 17).

The folder mixes what a team's drop folder holds: event files sharing a header (two of them
on the same keys and hours, so events add to stored rows), local times without an offset,
an aggregates file, a ``;``-separated Windows-1252 file with decimal commas, and two bad
files (a missing column, an unreadable timestamp). Real CLI processes on real DuckDB files.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import json_lines, query, run_cli

HEADER = "timestamp,region,channel,topic,views,engagements\n"


def _events(start_minute: int, topic: str, offset: str = "Z", second: int = 0) -> str:
    rows = []
    for i in range(20):
        m = start_minute + 3 * i
        region = ["Jalisco", "Ciudad de México", "Nuevo León"][i % 3]
        channel = ["youtube", "tiktok"][i % 2]
        rows.append(
            f"2024-03-0{1 + m // 1440}T{(m // 60) % 24:02d}:{m % 60:02d}:{second + i:02d}{offset},"
            f"{region},{channel},{topic},{1 + i % 7},{i % 3}\n"
        )
    return HEADER + "".join(rows)


def make_folder(d: Path) -> list[Path]:
    d.mkdir()
    files = {
        "a_events.csv": _events(0, "tema a"),
        "c_events.csv": _events(30, "tema c"),
        "d_local.csv": _events(0, "tema d", offset=""),  # local times: each region's zone
        "e_aggregates.csv": HEADER
        + "".join(
            f"2024-03-02T{h:02d}:00:00Z,Sonora,instagram,año,{10 + h},{h}\n" for h in range(12)
        ),
        "g_bad_column.csv": "timestamp,region,views\n2024-03-01T10:00:00Z,Jalisco,5\n",
        "h_bad_timestamp.csv": HEADER
        + "".join(f"2024-03-01T1{i}:00:00Z,Jalisco,x,t,1,0\n" for i in range(5))
        + "ayer,Jalisco,x,t,1,0\n",
    }
    # same keys and hours as a_events, other events (later seconds): they add to its rows
    files["b_events_same_keys.csv"] = _events(0, "tema a", second=30)
    for name, text in files.items():
        (d / name).write_text(text, encoding="utf-8")
    semi = "fecha;región;canal;tema;vistas;interacciones\n" + "".join(
        f"2024-03-03T0{h}:15:00Z;Yucatán;facebook;educación;1.00{h};{h}\n" for h in range(6)
    )
    (d / "f_semicolon_cp1252.csv").write_bytes(semi.encode("cp1252"))
    return sorted(d.iterdir())


def contents(db: Path) -> dict[str, list]:
    log = """SELECT path, kind, status, rows_read, rows_loaded, rows_rejected, reason,
                    shape, hourly_added, hourly_replaced, hourly_already_loaded,
                    events_already_loaded
             FROM ingest_log ORDER BY ALL"""
    return {
        "consumption": query(db, "SELECT * FROM consumption ORDER BY ALL"),
        "consumption_events": query(db, "SELECT * FROM consumption_events ORDER BY ALL"),
        "rejects": query(db, "SELECT * FROM rejects ORDER BY ALL"),
        "ingest_log": query(db, log),
    }


def test_folder_of_small_files_loads_as_each_file_one_by_one(tmp_path: Path) -> None:
    files = make_folder(tmp_path / "drop")
    together, one_by_one = tmp_path / "together.duckdb", tmp_path / "one.duckdb"

    r = run_cli("ingest", tmp_path / "drop", "--db", together, "--json")
    assert r.returncode == 1, r.stderr  # two files rejected, the others loaded
    results = {Path(x["path"]).name: x for x in json_lines(r.stdout)}
    assert {n for n, x in results.items() if x["status"] == "rejected"} == {
        "g_bad_column.csv",
        "h_bad_timestamp.csv",
    }
    assert sum(x["status"] == "loaded" for x in results.values()) == 6
    assert results["b_events_same_keys.csv"]["shape"] == "events"
    assert results["e_aggregates.csv"]["shape"] == "aggregates"

    for f in files:
        run_cli("ingest", f, "--db", one_by_one)
    a, b = contents(together), contents(one_by_one)
    for table in a:
        assert a[table] == b[table], table

    # the shared keys added up: a and b each bring 20 events on the same 6 keys and hour
    summed = query(together, "SELECT count(*), sum(views) FROM consumption WHERE topic = 'tema a'")
    assert summed == [(6, 2 * sum(1 + i % 7 for i in range(20)))]
    assert query(together, "SELECT count(*) FROM consumption_events")[0][0] == 4 * 20 + 6
    # accents and the thousands dots survived the Windows-1252 file
    assert query(
        together,
        "SELECT DISTINCT topic, sum(views) FROM consumption WHERE region = 'Yucatán' GROUP BY 1",
    ) == [("educación", sum(1000 + h for h in range(6)))]

    # again: every loaded file is recognised, nothing changes; the bad ones are rejected again
    again = run_cli("ingest", tmp_path / "drop", "--db", together, "--json")
    statuses = sorted(x["status"] for x in json_lines(again.stdout))
    assert statuses == ["rejected"] * 2 + ["skipped"] * 6
    after = contents(together)
    assert after["consumption"] == a["consumption"]
    assert after["consumption_events"] == a["consumption_events"]
    assert after["rejects"] == a["rejects"]
