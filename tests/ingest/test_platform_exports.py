"""Issue 23: the platforms' own downloads, through the real CLI into a real DuckDB file.

Fixtures under tests/fixtures/platforms: the four field cases handed over by users (copied
from the shared field-cases-native folder, with their README) and layout-exact siblings
with made-up values, one per layout the readers' docstrings cite.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.conftest import ROOT, json_lines, query, run_cli

FX = ROOT / "tests" / "fixtures" / "platforms"


def ingest(db: Path, *args) -> tuple:
    r = run_cli("ingest", *args, "--db", db, "--json")
    assert "Traceback" not in r.stderr, r.stderr
    return r, json_lines(r.stdout)


def platform_rows(db: Path) -> dict[str, int]:
    return {
        t: query(db, f"SELECT count(*) FROM {t}")[0][0]
        for t in ("consumption", "posts", "daily_series", "audience_shares", "audience_activity")
    }


# --- field cases (README of field-cases-native) ------------------------------------------------


def test_youtube_totals_is_seven_days_never_an_hour(db):
    """Totals.csv (Date,Views): 7 daily rows for channel YouTube at grain day; nothing in
    consumption (no midnight hour), no engagements made up from views. Its UTF-16 copy
    is the same download: the same 7 days, replaced, not added."""
    r, res = ingest(db, FX / "youtube-studio-Totals.csv", FX / "youtube-studio-Totals-utf16.csv")
    assert r.returncode == 0, r.stderr
    assert [x["kind"] for x in res] == ["youtube_studio_totals"] * 2
    assert query(db, "SELECT count(*) FROM consumption") == [(0,)]
    rows = query(
        db,
        "SELECT day, platform, channel, region, metric, value FROM daily_series ORDER BY day",
    )
    assert len(rows) == 7
    assert rows[0] == (date(2024, 3, 1), "youtube", "youtube", None, "views", 1287.0)
    assert rows[-1][0] == date(2024, 3, 7)
    assert {m for *_, m, _ in rows} == {"views"}  # no engagements invented


def test_ga4_spanish_ui_needs_the_property_time_zone(db):
    r, res = ingest(db, FX / "ga4-region-platform-date-hour.csv")
    assert r.returncode == 1 and res[0]["status"] == "rejected"
    assert res[0]["kind"] == "ga4" and "--tz" in res[0]["reason"]
    assert platform_rows(db)["consumption"] == 0

    r, res = ingest(db, FX / "ga4-region-platform-date-hour.csv", "--tz", "America/Mexico_City")
    assert r.returncode == 0 and res[0]["status"] == "loaded", res
    rows = query(
        db,
        """SELECT ts_utc, region, region_raw, channel, views, engagements, grain
           FROM consumption ORDER BY ts_utc, region""",
    )
    assert len(rows) == 6
    # 09:00 in Mexico City (UTC-6, no DST since 2022) is 15:00 UTC
    assert rows[0] == (
        datetime(2024, 3, 1, 15, tzinfo=UTC),
        "Ciudad de México",
        "Mexico City",
        "web",
        296.0,
        70.0,  # engagements = Engaged sessions
        "hour",
    )
    assert ("Nuevo León", "Nuevo Leon") in {(r[1], r[2]) for r in rows}


def test_tiktok_overview_needs_a_year(db):
    r, res = ingest(db, FX / "tiktok-studio-overview.csv")
    assert r.returncode == 1 and "--year" in res[0]["reason"]
    assert platform_rows(db)["daily_series"] == 0

    r, res = ingest(db, FX / "tiktok-studio-overview.csv", "--year", "2024")
    assert r.returncode == 0, r.stderr
    days = query(
        db,
        """SELECT DISTINCT day FROM daily_series WHERE platform = 'tiktok'
           AND channel = 'tiktok' ORDER BY day""",
    )
    assert [d for (d,) in days] == [date(2024, 3, d) for d in range(1, 8)]
    assert query(
        db, "SELECT value FROM daily_series WHERE day = '2024-03-01' AND metric = 'video_views'"
    ) == [(8072.0,)]


def test_meta_instagram_content_is_posts_and_a_reexport_replaces(db):
    r, res = ingest(db, FX / "meta-business-suite-ig-content.csv")
    assert r.returncode == 1 and "--tz" in res[0]["reason"] and res[0]["kind"] == "meta_content"

    r, res = ingest(db, FX / "meta-business-suite-ig-content.csv", "--tz", "America/Mexico_City")
    assert r.returncode == 0, r.stderr
    rows = query(
        db,
        """SELECT platform, account, post_id, published_utc, post_type, impressions, reach,
                  likes, comments, saves, shares, engagements
           FROM posts ORDER BY post_id""",
    )
    assert len(rows) == 3
    assert rows[0] == (
        "instagram",
        "estudio.creativo.mx",
        "17900000000000",
        datetime(2024, 3, 2, 1, 10, tzinfo=UTC),  # 03/01/2024 19:10 in Mexico City
        "IG image",
        7723,
        4173,
        327,
        38,
        19,
        4,
        327 + 38 + 4 + 19,
    )
    # the newer layout (Views instead of Impressions) of the same post replaces its metrics
    r, _ = ingest(
        db, FX / "meta-business-suite-ig-content-reexport.csv", "--tz", "America/Mexico_City"
    )
    assert r.returncode == 0, r.stderr
    assert query(db, "SELECT count(*) FROM posts") == [(3,)]
    assert query(
        db, "SELECT views, likes, impressions FROM posts WHERE post_id = '17900000000000'"
    ) == [(9100, 350, None)]


# --- siblings -----------------------------------------------------------------------------------


def test_ga4_time_zone_stated_in_the_file_is_used(db, tmp_path):
    """A download whose comment block states the zone needs no --tz (and the file's zone
    wins over --tz: it is the property's)."""
    f = tmp_path / "ga4-with-zone.csv"
    text = (FX / "ga4-region-platform-date-hour.csv").read_text(encoding="utf-8")
    f.write_text(text.replace("# Todos", "# Time zone: America/Bogota\n# Todos", 1))
    r, res = ingest(db, f, "--tz", "America/Mexico_City")
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert "America/Bogota" in " ".join(res[0]["notes"])
    # 09:00 in Bogotá (UTC-5) = 14:00 UTC
    assert query(db, "SELECT min(ts_utc) FROM consumption") == [
        (datetime(2024, 3, 1, 14, tzinfo=UTC),)
    ]


def test_ga4_english_date_hour_sums_cities_and_resolves_brazil(db):
    r, res = ingest(db, FX / "ga4-en-datehour-city.csv", "--tz", "America/Sao_Paulo")
    assert r.returncode == 0, r.stderr
    rows = query(
        db, "SELECT ts_utc, region, views, engagements FROM consumption ORDER BY ts_utc, region"
    )
    # 09:00 in São Paulo (UTC-3) = 12:00 UTC; Campinas and São Paulo city add up
    assert rows == [
        (datetime(2024, 3, 1, 12, tzinfo=UTC), "Distrito Federal", 120.0, 80.0),
        (datetime(2024, 3, 1, 12, tzinfo=UTC), "São Paulo", 350.0, 230.0),
        (datetime(2024, 3, 1, 13, tzinfo=UTC), "São Paulo", 310.0, 200.0),
    ]


def test_ga4_portuguese_ui_with_two_tables_loads_the_hourly_one(db):
    r, res = ingest(db, FX / "ga4-pt-two-tables.csv", "--tz", "America/Sao_Paulo")
    assert r.returncode == 0 and res[0]["kind"] == "ga4", (r.stdout, r.stderr)
    assert any("without an hour left out" in n for n in res[0]["notes"])
    assert query(
        db, "SELECT ts_utc, region, views, engagements FROM consumption ORDER BY region"
    ) == [
        (datetime(2024, 3, 1, 23, tzinfo=UTC), "Bahia", 300.0, 41.0),
        (datetime(2024, 3, 1, 23, tzinfo=UTC), "São Paulo", 900.0, 120.0),
    ]
    assert query(db, "SELECT count(*) FROM daily_series") == [(0,)]


def test_ga4_without_hour_is_daily_and_without_date_is_rejected(db):
    r, res = ingest(db, FX / "ga4-en-daily-region.csv", FX / "ga4-no-date.csv")
    assert [x["status"] for x in res] == ["loaded", "rejected"]
    assert "Date" in res[1]["reason"]
    assert query(db, "SELECT count(*) FROM consumption") == [(0,)]
    assert query(
        db,
        """SELECT day, region, metric, value FROM daily_series
           WHERE platform = 'ga4' AND region = 'Estado de México' ORDER BY day, metric""",
    ) == [
        (date(2024, 3, 1), "Estado de México", "engaged_sessions", 52.0),
        (date(2024, 3, 1), "Estado de México", "views", 410.0),
        (date(2024, 3, 2), "Estado de México", "engaged_sessions", 47.0),
        (date(2024, 3, 2), "Estado de México", "views", 388.0),
    ]


def test_tiktok_follower_history_crosses_the_new_year(db):
    r, _ = ingest(db, FX / "tiktok-studio-follower-history.csv", "--year", "2023")
    assert r.returncode == 0, r.stderr
    rows = query(
        db, "SELECT day, value FROM daily_series WHERE metric = 'followers_net' ORDER BY day"
    )
    assert rows == [
        (date(2023, 12, 30), 35.0),
        (date(2023, 12, 31), 35.0),
        (date(2024, 1, 1), -6.0),
        (date(2024, 1, 2), 36.0),
    ]


def test_tiktok_studio_audience_content_and_portuguese_ui(db):
    """FollowerActivity -> an hourly profile (the export day's zero-filled hours left out),
    FollowerTopTerritories -> shares, Content -> posts, Portuguese Overview and Viewers ->
    daily rows; FollowerGender is told it has no table."""
    r, res = ingest(
        db,
        FX / "tiktok-follower-activity.csv",
        FX / "tiktok-territories.csv",
        FX / "tiktok-gender.csv",
        FX / "tiktok-content.csv",
        FX / "tiktok-overview-pt.csv",
        FX / "tiktok-viewers.csv",
        "--year",
        "2024",
        "--tz",
        "America/Mexico_City",
    )
    assert [x["status"] for x in res] == ["loaded"] * 2 + ["rejected"] + ["loaded"] * 3, res
    assert "gender" in res[2]["reason"]
    # 2024-09-23 and 24 are a Monday and a Tuesday; the 25th (the export day) is left out
    assert query(
        db,
        """SELECT weekday, hour_local, value, tz FROM audience_activity
           WHERE hour_local = 20 ORDER BY weekday""",
    ) == [(0, 20, 43.0, "America/Mexico_City"), (1, 20, 41.0, "America/Mexico_City")]
    assert query(db, "SELECT count(*) FROM audience_activity") == [(48,)]
    assert query(db, "SELECT geo, share FROM audience_shares ORDER BY geo") == [
        ("CO", 0.08),
        ("MX", 0.615),
        ("US", 0.2),
    ]
    assert query(
        db, "SELECT post_id, published_utc, views FROM posts ORDER BY post_id LIMIT 1"
    ) == [("7340000000000000001", datetime(2024, 3, 2, 1, 30, tzinfo=UTC), 8072)]
    assert query(
        db,
        """SELECT metric, value FROM daily_series WHERE day = '2024-03-01'
           AND metric IN ('video_views', 'viewers_total', 'viewers_new') ORDER BY metric""",
    ) == [("video_views", 8072.0), ("viewers_new", 0.0)]  # 'undefined' is no value


def test_tiktok_activity_without_a_year_keeps_the_hours_without_weekdays(db):
    r, res = ingest(db, FX / "tiktok-follower-activity.csv")
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert query(db, "SELECT count(*), count(weekday), count(tz) FROM audience_activity") == [
        (24, 0, 0)
    ]


def test_meta_facebook_content_with_a_multiline_caption(db):
    r, res = ingest(db, FX / "meta-business-suite-fb-content.csv", "--tz", "America/Sao_Paulo")
    assert r.returncode == 0 and res[0]["kind"] == "meta_content", (r.stdout, r.stderr)
    rows = query(
        db,
        """SELECT platform, post_id, published_utc, views, reach, likes, comments, shares,
                  engagements FROM posts ORDER BY published_utc""",
    )
    assert rows[0] == (
        "facebook",
        "1827720132094663",
        datetime(2024, 3, 5, 21, 12, tzinfo=UTC),
        270,
        200,
        10,  # reactions
        3,
        1,
        14,  # = Meta's own "Reactions, Comments and Shares"
    )
    captions = query(db, "SELECT count(*) FROM posts WHERE account LIKE '%calor%'")
    assert captions == [(0,)]  # the caption is not stored


def test_meta_insights_utf16_is_a_daily_series(db):
    r, res = ingest(db, FX / "meta-insights-views.csv")
    assert r.returncode == 0 and res[0]["kind"] == "meta_insights", (r.stdout, r.stderr)
    assert query(db, "SELECT day, metric, value FROM daily_series ORDER BY day") == [
        (date(2024, 3, 1), "views", 8226.0),
        (date(2024, 3, 2), "views", 905.0),
        (date(2024, 3, 3), "views", 1027.0),
    ]


def test_youtube_table_and_chart_data(db):
    r, res = ingest(
        db,
        FX / "Table data.csv",
        FX / "Chart data.csv",
        FX / "youtube-table-data-traffic-source.csv",
        FX / "youtube-chart-data-content.csv",
    )
    assert [x["status"] for x in res] == ["loaded", "loaded", "rejected", "rejected"]
    assert "Traffic source" in res[2]["reason"] and "Content" in res[3]["reason"]
    shares = query(
        db,
        """SELECT geo, round(share, 3) FROM audience_shares
           WHERE platform = 'youtube' AND metric = 'views' ORDER BY geo""",
    )
    assert shares == [("BR", 0.25), ("CO", 0.05), ("MX", 0.7)]  # of the Total row
    assert query(db, "SELECT count(*) FROM audience_shares WHERE metric LIKE 'average_view%'") == [
        (0,)
    ]  # averages are not shares
    assert query(
        db, "SELECT region, value FROM daily_series WHERE day = '2024-03-02' ORDER BY region"
    ) == [("Brasil", 38.0), ("México", 133.0)]
    assert query(db, "SELECT count(*) FROM consumption") == [(0,)]


def test_x_overview_and_post_activity(db):
    r, res = ingest(db, FX / "x-account-overview.csv", FX / "x-post-activity.csv")
    assert [x["kind"] for x in res] == ["x_account_overview", "x_posts"], res
    assert query(
        db,
        "SELECT day, value FROM daily_series WHERE metric = 'impressions' ORDER BY day",
    ) == [(date(2024, 3, 1), 2871.0), (date(2024, 3, 2), 2199.0)]
    rows = query(
        db,
        """SELECT post_id, published_utc, impressions, comments, shares, saves, engagements
           FROM posts ORDER BY post_id""",
    )
    # X gives the day only: no publish hour is made up
    assert rows[0] == ("1763000000000000001", None, 1234, 3, 4 + 1, 2, 40)


def test_linkedin_workbook_metrics_and_posts_under_a_description_row(db):
    r, res = ingest(db, FX / "linkedin-content.xlsx")
    assert r.returncode == 0 and res[0]["kind"] == "linkedin_metrics", (r.stdout, r.stderr)
    assert query(
        db,
        """SELECT day, value FROM daily_series
           WHERE platform = 'linkedin' AND metric = 'impressions_total' ORDER BY day""",
    ) == [(date(2024, 3, 1), 1200.0), (date(2024, 3, 2), 1000.0)]
    assert query(
        db,
        "SELECT value FROM daily_series WHERE day = '2024-03-02' AND metric = 'engagement_rate_total'",
    ) == [(0.045,)]
    assert query(
        db,
        """SELECT platform, post_id, published_utc, impressions, likes, comments, shares,
                  engagements FROM posts""",
    ) == [("linkedin", "7170000000000000001", None, 1200, 30, 4, 2, 36)]


def test_search_console_dates_countries_and_queries(db):
    r, res = ingest(db, FX / "Dates.csv", FX / "Countries.csv", FX / "Queries.csv")
    assert [x["status"] for x in res] == ["loaded", "loaded", "rejected"]
    assert "queries" in res[2]["reason"]
    assert query(
        db, "SELECT value FROM daily_series WHERE day = '2024-03-02' AND metric = 'ctr'"
    ) == [(0.0208,)]
    assert query(
        db,
        """SELECT geo, value, round(share, 4) FROM audience_shares
           WHERE metric = 'clicks' ORDER BY geo""",
    ) == [("BR", 5.0, 0.0833), ("MX", 55.0, 0.9167)]


# --- messages that point the right way ----------------------------------------------------------


def test_headerless_nvidia_log_and_related_queries_are_told_what_they_are(db):
    r, res = ingest(db, FX / "nvidia-smi-noheader.csv", FX / "relatedQueries.csv")
    assert r.returncode == 1
    nv, rq = (x["reason"] for x in res)
    assert "nvidia-smi" in nv and "--format=csv" in nv
    assert "region" not in nv and "engagements" not in nv  # not sent to consumption columns
    assert "related-queries" in rq
    assert all(n == 0 for n in platform_rows(db).values())


# --- the registry -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("youtube-studio-Totals.csv", "youtube_studio_totals"),
        ("youtube-studio-Totals-utf16.csv", "youtube_studio_totals"),
        ("Table data.csv", "youtube_studio_table"),
        ("Chart data.csv", "youtube_studio_chart"),
        ("ga4-region-platform-date-hour.csv", "ga4"),
        ("ga4-en-datehour-city.csv", "ga4"),
        ("tiktok-studio-overview.csv", "tiktok_studio"),
        ("tiktok-overview-pt.csv", "tiktok_studio"),
        ("tiktok-follower-activity.csv", "tiktok_follower_activity"),
        ("tiktok-territories.csv", "tiktok_territories"),
        ("tiktok-content.csv", "tiktok_content"),
        ("meta-business-suite-ig-content.csv", "meta_content"),
        ("meta-business-suite-fb-content.csv", "meta_content"),
        ("meta-insights-views.csv", "meta_insights"),
        ("x-account-overview.csv", "x_account_overview"),
        ("x-post-activity.csv", "x_posts"),
        ("Dates.csv", "search_console_dates"),
        ("Countries.csv", "search_console_countries"),
        ("Queries.csv", "search_console_other"),
        ("nvidia-smi-noheader.csv", None),
    ],
)
def test_detection_reads_the_registry(name, kind):
    from insights.ingest.detect import detect_kind
    from insights.ingest.textfile import inspect

    assert detect_kind(inspect(FX / name), name) == kind


def test_a_date_views_file_not_named_totals_is_a_daily_generic_series(db, tmp_path):
    """The same two columns under another name are a generic series (the name is the
    hint), stored at daily grain: never a midnight hour."""
    f = tmp_path / "daily.csv"
    f.write_text((FX / "youtube-studio-Totals.csv").read_text())
    r, res = ingest(db, f)
    assert res[0]["kind"] == "series" and res[0]["grain"] == "day", (r.stdout, r.stderr)
    assert query(db, "SELECT DISTINCT grain FROM consumption") == [("day",)]


def test_kind_choices_are_the_registry():
    from insights import sources

    r = run_cli("ingest", "--help")
    flat = " ".join(r.stdout.split())
    for kind in sources.kinds():
        assert kind in flat
    assert len(set(sources.kinds())) == len(sources.kinds())
