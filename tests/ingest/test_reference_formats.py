"""Every format the design names, ingested from the real reference files, values checked."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from datetime import datetime

import pytest

from tests.conftest import REF, json_lines, query, run_cli

EM = REF / "energy" / "electricitymaps_hourly"
ONS = REF / "energy" / "ons_brazil_hourly_load"
GT = REF / "consumption" / "google_trends_mx_br_states_weekly"


def ingest(db, *paths, extra=()):
    r = run_cli("ingest", *paths, "--db", db, "--json", *extra)
    return r, json_lines(r.stdout)


def test_electricitymaps_older_header(db):
    r, res = ingest(db, EM / "BR-SP_2023_hourly.csv", EM / "CL-SIC_2024_hourly.csv")
    assert r.returncode == 0, r.stderr
    assert [x["rows_loaded"] for x in res] == [8760, 8784]
    assert query(db, "SELECT zone, count(*) FROM energy GROUP BY 1 ORDER BY 1") == [
        ("BR-CS", 8760),
        ("CL-SEN", 8784),
    ]
    row = query(
        db,
        """SELECT carbon_intensity_direct, carbon_intensity_lca, low_carbon_pct,
        renewable_pct, estimated FROM energy
        WHERE zone='BR-CS' AND ts_utc = TIMESTAMPTZ '2023-01-01 00:00:00+00'""",
    )
    assert row == [(34.49, 62.92, 94.0, 89.45, False)]
    first_cl = query(
        db, "SELECT carbon_intensity_direct FROM energy WHERE zone='CL-SEN' ORDER BY ts_utc LIMIT 1"
    )
    assert first_cl == [(183.48,)]
    # the file's own mean, as in SOURCES.md: BR-CS 2023 mean direct CI 56.1 g/kWh
    (mean,) = query(db, "SELECT avg(carbon_intensity_direct) FROM energy WHERE zone='BR-CS'")[0]
    assert mean == pytest.approx(56.1, abs=0.05)


def test_electricitymaps_newer_header_and_retired_mexican_zone(db, tmp_path):
    f = tmp_path / "MX-OC_newer.csv"
    f.write_text(
        "Datetime (UTC),Country,Zone name,Zone id,Carbon intensity gCO₂eq/kWh (direct),"
        "Carbon intensity gCO₂eq/kWh (Life cycle),Carbon-free energy percentage (CFE%),"
        "Renewable energy percentage (RE%),Data source,Data estimated,Data estimation method\n"
        "2021-03-01 18:00:00,Mexico,Occidental,OCC,401.5,455.0,22.5,20.25,cenace.gob.mx,true,"
        "TIME_SLICER_AVERAGE\n",
        encoding="utf-8",
    )
    r, res = ingest(db, f)
    assert r.returncode == 0, r.stderr
    assert res[0]["kind"] == "electricitymaps"
    assert query(
        db,
        "SELECT zone, carbon_intensity_direct, carbon_intensity_lca, low_carbon_pct,"
        " renewable_pct, estimated FROM energy",
    ) == [("MX-OC", 401.5, 455.0, 22.5, 20.25, True)]


def test_ons_load_local_time_merges_with_carbon_rows(db):
    r, res = ingest(db, EM / "BR-SP_2024_hourly.csv", ONS / "CURVA_CARGA_2024.csv")
    assert r.returncode == 0, r.stderr
    assert res[1]["kind"] == "ons_load" and res[1]["rows_loaded"] == 31584
    # SE 2024-01-01 00:00 Brasília (UTC-3) is 03:00 UTC; merged into the BR-CS carbon row
    row = query(
        db,
        """SELECT load_mw, carbon_intensity_direct IS NOT NULL, load_source
        FROM energy WHERE zone='BR-CS' AND ts_utc = TIMESTAMPTZ '2024-01-01 03:00:00+00'""",
    )
    assert row == [(34981.614, True, "ons")]
    assert query(db, "SELECT count(DISTINCT zone) FROM energy WHERE load_mw IS NOT NULL") == [(4,)]
    assert query(db, "SELECT count(*) FROM energy WHERE zone='BR-CS'") == [(8784,)]


def test_google_trends_geomap_spanish_locale(db):
    r, res = ingest(db, GT / "geoMap.csv")
    assert r.returncode == 0, r.stderr
    assert res[0]["kind"] == "trends_geomap" and res[0]["rows_loaded"] == 32
    rows = dict(query(db, "SELECT geo, interest FROM search_interest"))
    assert rows["Quintana Roo"] == 100 and rows["Ciudad de México"] == 12
    assert rows["Nuevo León"] == 58 and rows["Yucatán"] == 94
    assert query(
        db,
        "SELECT DISTINCT term, ts::VARCHAR, ts_end::VARCHAR, bool_and(geo_known) "
        "FROM search_interest GROUP BY ALL",
    ) == [("Zika", "2016-08-28", "2017-08-28", True)]


def test_google_trends_wide_latin1_tables(db):
    r, res = ingest(db, GT / "MX.csv", GT / "BR.csv", extra=("--term", "zika"))
    assert r.returncode == 0, r.stderr
    assert [x["rows_loaded"] for x in res] == [32 * 122, 27 * 72]
    assert query(
        db,
        "SELECT count(DISTINCT geo), bool_and(geo_known) FROM search_interest "
        "WHERE export_id = (SELECT export_id FROM search_interest "
        "WHERE geo='Yucatán' LIMIT 1)",
    ) == [(32, True)]
    assert query(
        db, "SELECT interest FROM search_interest WHERE geo='Michoacán' AND ts = DATE '2015-12-05'"
    ) == [(33.0,)]
    assert query(
        db,
        "SELECT interest FROM search_interest WHERE geo='Estado de México' "
        "AND ts = DATE '2015-11-28'",
    ) == [(5.0,)]
    assert query(db, "SELECT count(*) FROM search_interest WHERE geo='São Paulo'") == [(72,)]
    # each weekly column is its own scale
    assert query(db, "SELECT count(DISTINCT scale_group) FROM search_interest") == [(122 + 72,)]


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
def test_google_trends_multitimeline_both_locales(db, tmp_path, encoding):
    es = tmp_path / "multiTimeline_es.csv"
    es.write_text(
        "Categoría: Todas las categorías\n\nSemana,fútbol: (México),reguetón: (México)\n"
        "2024-01-07,45,<1\n2024-01-14,100,3\n",
        encoding=encoding,
    )
    en = tmp_path / "multiTimeline_en.csv"
    en.write_text(
        "Category: All categories\n\nDay,açaí: (Brazil)\n2024-02-01,7\n2024-02-02,9\n",
        encoding="utf-8",
    )
    r, res = ingest(db, es, en)
    assert r.returncode == 0, r.stderr
    assert [x["kind"] for x in res] == ["trends_timeline"] * 2
    got = query(
        db,
        "SELECT term, geo, ts::VARCHAR, resolution, interest FROM search_interest "
        "ORDER BY term, ts",
    )
    assert got == [
        ("açaí", "Brasil", "2024-02-01", "day", 7.0),
        ("açaí", "Brasil", "2024-02-02", "day", 9.0),
        ("fútbol", "México", "2024-01-07", "week", 45.0),
        ("fútbol", "México", "2024-01-14", "week", 100.0),
        ("reguetón", "México", "2024-01-07", "week", 0.5),
        ("reguetón", "México", "2024-01-14", "week", 3.0),
    ]


def test_single_series_files_roll_up_to_the_hour(db):
    aapl = REF / "consumption" / "nab_twitter_volume_5min" / "Twitter_volume_AAPL.csv"
    wiki = REF / "consumption" / "wikipedia_pageviews_prophet" / "example_wp_log_peyton_manning.csv"
    r, res = ingest(db, aapl, wiki)
    assert r.returncode == 0, r.stderr
    hourly: dict[str, float] = defaultdict(float)
    with open(aapl, newline="") as fh:
        for row in csv.DictReader(fh):
            hourly[row["timestamp"][:13]] += float(row["value"])
    assert res[0]["rows_loaded"] == len(hourly)
    got = dict(
        query(
            db,
            "SELECT strftime(ts_utc, '%Y-%m-%d %H'), views FROM consumption "
            "WHERE channel = 'Twitter_volume_AAPL'",
        )
    )
    assert got == pytest.approx(dict(hourly))
    assert query(
        db,
        "SELECT region, ts_utc::VARCHAR, views FROM consumption WHERE channel = "
        "'example_wp_log_peyton_manning' ORDER BY ts_utc LIMIT 1",
    ) == [("global", "2007-12-10 00:00:00+00", 9.59076113897809)]
    assert res[1]["rows_loaded"] == 2905


def _youtube_fixture(tmp_path):
    f = tmp_path / "MXvideos.csv"
    header = (
        "video_id,trending_date,title,channel_title,category_id,publish_time,tags,views,"
        "likes,dislikes,comment_count,comments_disabled,ratings_disabled,"
        "video_error_or_removed,description\n"
    )
    f.write_text(
        header
        + "a1,18.13.06,Canción ñandú,c,10,2018-06-12T21:58:24.000Z,t,100,5,1,2,False,False,False,d\n"
        + "a1,18.14.06,Canción ñandú,c,10,2018-06-12T21:58:24.000Z,t,150,7,1,3,False,False,False,d\n"
        + "b2,18.14.06,Noticia,c,25,2018-06-12T21:10:00.000Z,t,40,1,0,0,False,False,False,d\n",
        encoding="utf-8",
    )
    (tmp_path / "MX_category_id.json").write_text(
        '{"items": [{"id": "10", "snippet": {"title": "Music"}},'
        ' {"id": "25", "snippet": {"title": "News & Politics"}}]}',
        encoding="utf-8",
    )
    return f


def test_youtube_export_keeps_latest_trending_row(db, tmp_path):
    r, res = ingest(db, _youtube_fixture(tmp_path))
    assert r.returncode == 0, r.stderr
    assert res[0]["kind"] == "youtube"
    assert query(
        db,
        "SELECT ts_utc::VARCHAR, region, channel, topic, views, engagements "
        "FROM consumption ORDER BY topic",
    ) == [
        ("2018-06-12 21:00:00+00", "México", "youtube", "Music", 150.0, 11.0),
        ("2018-06-12 21:00:00+00", "México", "youtube", "News & Politics", 40.0, 1.0),
    ]


def _youtube_messy_export(tmp_path):
    """A Kaggle-layout trending export as real ones are: quoted multi-line descriptions
    with commas, doubled quotes in tags, accents and emoji, one video trending twice.

    Written here (the real MX sample's licence is unclear, so it is not copied into
    the project; this keeps the test running in a fresh clone)."""
    d = tmp_path / "yt"
    d.mkdir()
    rows = []
    for i in range(25):
        title = f"Debate #{i} | Canción ñandú ¿qué pasó? 🎶"
        tags = '"debate 2018"|"conciencia ""radio"""|"méxico"'
        desc = f"Línea uno, con coma\nLínea dos: «{i}»\n\nhttps://example.org/{i}"
        rows.append(
            [f"v{i:02d}", "18.14.06", title, "canal", str([10, 24, 25][i % 3]),
             f"2018-06-{1 + i % 14:02d}T{(3 * i) % 24:02d}:58:24.000Z", tags,
             str(1000 + 37 * i), "5", "1", "2", "False", "False", "False", desc]
        )  # fmt: skip
    rows.append([*rows[0][:1], "18.13.06", *rows[0][2:7], "900", *rows[0][8:]])  # older day
    with open(d / "MXvideos.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "video_id",
                "trending_date",
                "title",
                "channel_title",
                "category_id",
                "publish_time",
                "tags",
                "views",
                "likes",
                "dislikes",
                "comment_count",
                "comments_disabled",
                "ratings_disabled",
                "video_error_or_removed",
                "description",
            ]
        )
        w.writerows(rows)
    (d / "MX_category_id.json").write_text(
        '{"items": [{"id": "10", "snippet": {"title": "Music"}},'
        ' {"id": "24", "snippet": {"title": "Entertainment"}},'
        ' {"id": "25", "snippet": {"title": "News & Politics"}}]}',
        encoding="utf-8",
    )
    return d / "MXvideos.csv"


def test_messy_youtube_trending_export(db, tmp_path):
    f = _youtube_messy_export(tmp_path)
    r, res = ingest(db, f)
    assert r.returncode == 0, r.stderr
    with open(f, newline="", encoding="utf-8") as fh:
        rows = [x for x in csv.DictReader(fh) if x["trending_date"] == "18.14.06"]
    assert len(rows) == 25
    assert query(db, "SELECT sum(views)::BIGINT FROM consumption") == [
        (sum(int(x["views"]) for x in rows),)
    ]
    first = min(datetime.fromisoformat(x["publish_time"].replace("Z", "+00:00")) for x in rows)
    assert query(db, "SELECT min(ts_utc) FROM consumption")[0][0].replace(
        tzinfo=None
    ) == first.replace(minute=0, second=0, microsecond=0, tzinfo=None)
    titles = query(db, "SELECT DISTINCT topic FROM consumption")
    assert all(isinstance(t[0], str) and not math.isnan(len(t[0])) for t in titles)
