"""The named steps of consumption staging (insights.ingest.rollup), each on real DuckDB
tables."""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl
import pytest

from insights import sql
from insights.ingest import rollup


@pytest.fixture
def con():
    c = duckdb.connect()
    yield c
    c.close()


def test_records_are_read_by_column_name(con):
    rows = rollup.records(con, "SELECT 2 AS b, 'x' AS a UNION ALL SELECT 3, 'y' ORDER BY b")
    assert rows == [{"b": 2, "a": "x"}, {"b": 3, "a": "y"}]


def _parsed(rows: list[tuple]) -> str:
    """Parsed rows as a plan makes them (the columns the roll-up reads)."""
    values = ", ".join(
        f"('f.csv', TIMESTAMPTZ '{ts}', {off}, '{region}', 'tiktok', NULL::VARCHAR, "
        f"{v}::DOUBLE, 1::DOUBLE, '{v}')"
        for ts, off, region, v in rows
    )
    return f"""SELECT * FROM (VALUES {values}) t(_file, ts, has_off, region_raw, channel,
               topic, views_v, engagements_v, views_raw)"""


COLS = rollup.RollupColumns(["views"], (("views", "contains(views_raw, ',')"),), "hash(views_v)")


def test_roll_up_and_summary_name_each_count(con):
    parsed = _parsed(
        [
            ("2024-03-01 10:05:00+00", "true", "Jalisco", 2),
            ("2024-03-01 10:50:00+00", "true", "Jalisco", 3),
            ("2024-03-01 11:00:00+00", "true", "Sonora", 4),
        ]
    )
    rollup.roll_up(con, parsed, rollup.cheap_reason("views_v < 4"), COLS, "'f.csv'")
    got = rollup.summarise(con, ["f.csv", "other.csv"], ["views"], large=False)
    assert got["f.csv"].groups == 2 and got["f.csv"].rows == 3
    assert got["f.csv"].raws == ["Jalisco", "Sonora"]
    assert got["f.csv"].flagged == 1  # the Sonora row fails the cheap check
    assert got["f.csv"].labels == ["tiktok"]
    assert got["other.csv"] == rollup.FileSummary(nonplain={"views": 0})  # no rows: zeros
    # the file's name is stored once, in the view, not on each rolled-up row
    assert "_file" not in [r[0] for r in con.execute("DESCRIBE agg_rows").fetchall()]
    assert sql.one(con, "SELECT DISTINCT _file FROM agg") == ("f.csv",)


def test_region_map_resolves_names_and_zones():
    m = rollup.region_map(
        [rollup.RegionInput("f.csv", ["Jalisco", "Atlantis"], "MX", None)],
        {"Jalisco": "America/Mexico_City"},
    )
    rows = {r["region_raw"]: r for r in m.to_dicts()}
    assert rows["Jalisco"]["region_known"] and rows["Jalisco"]["tz"] == "America/Mexico_City"
    assert not rows["Atlantis"]["region_known"] and rows["Atlantis"]["tz"] is None


def test_grain_and_zone_status():
    assert rollup.grain_of(True, rollup.FileSummary(all_midnight=True)) == "day"
    assert rollup.grain_of(True, rollup.FileSummary(all_midnight=False)) == "hour"
    assert rollup.grain_of(False, rollup.FileSummary(all_midnight=True)) == "hour"
    # Tijuana 2024: 10 March 02:00 does not exist, 3 November 01:00 happens twice
    status = {
        h.day: s
        for h, _, _, s in rollup.zone_status(
            [datetime(2024, 3, 10, 2), datetime(2024, 11, 3, 1), datetime(2024, 6, 1, 12)],
            "America/Tijuana",
        )
    }
    assert status == {10: "gap", 3: "ambiguous", 1: "ok"}


def test_late_reason_is_written_for_the_alias_it_is_given(con):
    regions = {"_file": ["f"], "region_raw": ["X"], "region": ["X"], "region_known": [False]}
    regions |= {"tz": [None], "problem": [None]}
    sql.register(con, "region_map", pl.DataFrame(regions, schema=rollup.REGION_MAP_SCHEMA))
    sql.register(con, "zone_map", rollup.zone_map([]))
    for alias in ("a", "r"):
        why = sql.one(
            con,
            f"""SELECT {rollup.late_reason_sql(alias, "'10:00'", day=False)}
            FROM (SELECT 'f' AS _file, 'X' AS region_raw, false AS has_off,
                         NULL::TIMESTAMPTZ AS hour) {alias}
            LEFT JOIN region_map m USING (_file, region_raw)
            LEFT JOIN zone_map z ON z.hour = {alias}.hour AND z.tz = m.tz""",
        )[0]
        assert why.startswith("local time for unknown region 'X'")


def test_counts_and_one_to_one(con):
    con.execute("""CREATE TEMP TABLE agg2 AS SELECT * FROM (VALUES
        ('f', 3, NULL, false, 'ok'), ('f', 1, 'skip', false, 'ok'),
        ('f', 2, 'bad value', false, 'ok'), ('f', 4, NULL, false, 'ambiguous'))
        t(_file, n, why, has_off, status)""")
    counts = rollup.count_rows(con, ["f", "g"])
    assert counts["f"] == rollup.FileCounts(
        read=9, rejected=2, skipped=1, ambiguous=4, mixed_offsets=False
    )
    assert counts["g"] == rollup.FileCounts()
    regions = pl.DataFrame({"_file": ["f", "f"], "region": ["Jalisco", "Sonora"]})
    assert rollup.one_to_one([rollup.FileCounts()], regions)
    assert not rollup.one_to_one([counts["f"]], regions)  # an ambiguous hour is split
    same = pl.DataFrame({"_file": ["f", "f"], "region": ["Jalisco", "Jalisco"]})
    assert not rollup.one_to_one([rollup.FileCounts()], same)
