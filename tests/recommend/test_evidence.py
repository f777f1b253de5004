"""The evidence path: hourly expectations from posts, activity, shares and daily series."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta

import duckdb
import polars as pl
import pytest

from insights import warehouse
from insights.models.synthetic_posts import synthetic_posts
from insights.recommend.evidence import assemble, with_evidence
from insights.recommend.evidence_tables import COLUMNS, load_frame, read_evidence
from insights.recommend.plan import RecommendParams, plan_recommendations
from insights.regions import load_regions
from tests.conftest import run_cli

START = datetime(2026, 12, 7, 15, 30, tzinfo=UTC)  # a Monday, 09:30 in Mexico City
SCHEMA_MD = {  # the shared contract, column by column (name, DuckDB type)
    "posts": "platform VARCHAR, account VARCHAR, post_id VARCHAR, published_utc TIMESTAMP WITH "
    "TIME ZONE, post_type VARCHAR, channel VARCHAR, region VARCHAR, impressions BIGINT, reach "
    "BIGINT, views BIGINT, likes BIGINT, comments BIGINT, shares BIGINT, saves BIGINT, "
    "engagements BIGINT, source VARCHAR, file_sha256 VARCHAR, exported_at TIMESTAMP WITH TIME ZONE",
    "audience_activity": "platform VARCHAR, channel VARCHAR, weekday SMALLINT, hour_local "
    "SMALLINT, tz VARCHAR, value DOUBLE, metric VARCHAR, source VARCHAR, file_sha256 VARCHAR",
    "audience_shares": "platform VARCHAR, channel VARCHAR, geo VARCHAR, geo_level VARCHAR, metric "
    "VARCHAR, value DOUBLE, share DOUBLE, source VARCHAR, file_sha256 VARCHAR",
    "daily_series": "day DATE, platform VARCHAR, channel VARCHAR, region VARCHAR, metric VARCHAR, "
    "value DOUBLE, source VARCHAR, file_sha256 VARCHAR",
}


def activity(channel: str = "tiktok", peak: int = 21, tz: str = "America/Mexico_City"):
    """Followers online by local hour, peaking at ``peak`` (no weekday: every day alike)."""
    value = [
        10 + 90 * math.exp(-(min((h - peak) % 24, (peak - h) % 24) ** 2) / 8) for h in range(24)
    ]
    return pl.DataFrame(
        {
            "platform": channel,
            "channel": channel,
            "weekday": None,
            "hour_local": list(range(24)),
            "tz": tz,
            "value": value,
            "metric": "followers_online",
            "source": "test",
            "file_sha256": "act",
        },
        schema_overrides={"weekday": pl.Int16, "hour_local": pl.Int16},
    )


def shares(geo=("Jalisco", "CDMX", "Nuevo Leon"), value=(300.0, 500.0, 200.0)):
    return pl.DataFrame(
        {
            "platform": "youtube",
            "channel": "youtube",
            "geo": list(geo),
            "geo_level": "region",
            "metric": "views",
            "value": list(value),
            "share": None,
            "source": "test",
            "file_sha256": "geo",
        },
        schema_overrides={"share": pl.Float64},
    )


def daily(channel="youtube", saturday=1.3, days=84):
    d = [date(2026, 9, 1) + timedelta(days=i) for i in range(days)]
    return pl.DataFrame(
        {
            "day": d,
            "platform": channel,
            "channel": channel,
            "region": None,
            "metric": "engagements",
            "value": [
                1000.0 * (saturday if x.weekday() == 5 else 1.0) + 7 * (i % 5)
                for i, x in enumerate(d)
            ],
            "source": "test",
            "file_sha256": "daily",
        },
        schema_overrides={"region": pl.Utf8},
    )


REGIONS = load_regions().select("region", "grid_zone", "tz")


def test_tables_are_created_with_exactly_the_shared_contract():
    con = duckdb.connect()
    assert read_evidence(con) == dict.fromkeys(SCHEMA_MD)  # absent tables read as None
    for table in SCHEMA_MD:
        load_frame(con, table, pl.DataFrame(schema=COLUMNS[table]))
        got = ", ".join(f"{n} {t}" for n, t, *_ in con.execute(f"DESCRIBE {table}").fetchall())
        assert got == SCHEMA_MD[table]


def test_a_re_export_replaces_the_same_post_and_keeps_the_others():
    con = duckdb.connect()
    posts = synthetic_posts(20, 0)
    load_frame(con, "posts", posts)
    newer = posts.head(3).with_columns(pl.col("engagements") + 1000)
    load_frame(con, "posts", newer)
    got = read_evidence(con)["posts"].sort("post_id")
    assert got.height == 20
    assert got.head(3)["engagements"].to_list() == newer.sort("post_id")["engagements"].to_list()
    with pytest.raises(ValueError, match="no column likes_total"):
        load_frame(con, "posts", posts.rename({"likes": "likes_total"}))
    assert read_evidence(con)["posts"].height == 20  # the bad frame changed nothing


def test_posts_and_activity_give_an_hourly_expectation_in_each_region_s_local_time():
    ev = {
        "posts": synthetic_posts(150, 1, best_hour=20, hour_effect=0.5),
        "audience_activity": activity("instagram", peak=20),
        "audience_shares": shares(geo=("Jalisco", "Baja California"), value=(600.0, 400.0)),
        "daily_series": None,
    }
    hourly, notes, days = assemble(ev, REGIONS, START, 7)
    assert days.height == 0
    assert set(notes["region"]) == {"Jalisco", "Baja California"}
    best = (
        hourly.sort("yhat", descending=True)
        .group_by("region", maintain_order=True)
        .first()
        .with_columns(pl.col("ts").dt.convert_time_zone("America/Tijuana").dt.hour().alias("tj"))
    )
    local = {
        r["region"]: r["ts"]
        .astimezone(
            __import__("zoneinfo").ZoneInfo(
                dict(REGIONS.select("region", "tz").iter_rows())[r["region"]]
            )
        )
        .hour
        for r in best.iter_rows(named=True)
    }
    assert local == {"Jalisco": 20, "Baja California": 20}  # 20:00 on each region's clock
    # ... which are different instants: Tijuana is 2 hours behind Guadalajara in December
    by = dict(best.select("region", "ts").iter_rows())
    assert by["Baja California"] - by["Jalisco"] == timedelta(hours=2)
    # the share scales the level: Jalisco 60 %, Baja California 40 %
    tot = dict(hourly.group_by("region").agg(pl.col("yhat").sum()).iter_rows())
    assert tot["Jalisco"] / tot["Baja California"] == pytest.approx(1.5)
    row = notes.filter(pl.col("region") == "Jalisco").row(0, named=True)
    assert row["evidence"] == "posts+activity" and row["n_posts"] == 150
    assert row["evidence_es"].startswith(
        "150 publicaciones de Instagram desde enero de 2026 y la actividad por hora de Instagram; participación de Jalisco según YouTube Studio"
    )
    assert row["evidence_en"].startswith("150 Instagram posts since January 2026")
    assert (hourly["yhat_lo"] < hourly["yhat"]).all() and (hourly["yhat"] < hourly["yhat_hi"]).all()


def test_the_interval_widens_when_the_posts_are_fewer():
    def width(n):
        ev = {
            "posts": synthetic_posts(n, 2),
            "audience_shares": shares(),
            "daily_series": daily("instagram"),
        }
        h, _, _ = assemble(ev, REGIONS, START, 7)
        j = h.filter(pl.col("region") == "Jalisco")
        return (j["yhat_hi"] / j["yhat_lo"]).log().mean()

    assert width(40) > width(400)


def test_only_daily_series_recommend_days_and_say_no_hour_can_be():
    ev = {"audience_shares": shares(), "daily_series": daily("youtube", saturday=1.4)}
    hourly, notes, days = assemble(ev, REGIONS, START, 7)
    assert hourly.height == 0
    assert set(notes["evidence"]) == {"days_only"} and not notes["hourly"].any()
    jal = notes.filter(pl.col("region") == "Jalisco").row(0, named=True)
    assert "no se puede recomendar una hora del día" in jal["evidence_es"]
    assert "no hour of day can be recommended" in jal["evidence_en"]
    assert "mejores días: sábado" in jal["evidence_es"]
    first = days.filter(pl.col("region") == "Jalisco", pl.col("rank") == 1).row(0, named=True)
    assert first["weekday"] == 5 and first["low"] > 0


def fc_with(evidence: dict, forecast_pairs=(("Jalisco", "youtube"),)) -> dict:
    ts = [START.replace(minute=0) + timedelta(hours=h) for h in range(24 * 8)]
    eng = pl.DataFrame(
        {
            "region": [r for r, _ in forecast_pairs for _ in ts],
            "channel": [c for _, c in forecast_pairs for _ in ts],
            "ts": ts * len(forecast_pairs),
            "yhat": [float(t.hour) for t in ts] * len(forecast_pairs),
            "yhat_lo": 0.0,
            "yhat_hi": 50.0,
        },
        schema_overrides={"ts": pl.Datetime("us", "UTC"), "region": pl.Utf8, "channel": pl.Utf8},
    )
    energy = pl.DataFrame(
        {
            "zone": "MX",
            "ts": ts,
            "renewable_pct": [20.0 + (t.hour % 12) for t in ts],
            "carbon_intensity": 400.0,
        },
        schema_overrides={"ts": pl.Datetime("us", "UTC")},
    )
    return {
        "run_id": "r1",
        "data_end": None,
        "engagement": eng,
        "energy": energy,
        "regions": REGIONS,
        "evidence": evidence,
    }


def test_the_plan_serves_pairs_without_forecasts_from_evidence_and_says_so():
    ev = {
        "posts": synthetic_posts(120, 3),
        "audience_activity": activity(),
        "audience_shares": shares(),
        "daily_series": None,
    }
    fc = fc_with(ev)
    res = plan_recommendations(
        fc, RecommendParams(energy_weight=0.25, start=START.isoformat()), now=START
    )
    pairs = set(res.recs.select("region", "channel").unique().iter_rows())
    assert ("Jalisco", "youtube") in pairs  # the forecast pair, as before
    assert {
        ("Jalisco", "instagram"),
        ("Jalisco", "tiktok"),
        ("Ciudad de México", "instagram"),
    } <= pairs
    doc = res.payload(fc, None)
    by = {(r["region"], r["channel"]): r for r in doc["recommendations"]}
    assert by[("Jalisco", "youtube")]["evidence"] == "forecast"
    assert by[("Jalisco", "instagram")]["evidence"] == "posts+activity"
    assert "120 publicaciones de Instagram" in by[("Jalisco", "instagram")]["evidence_es"]
    assert by[("Jalisco", "tiktok")]["evidence_en"].startswith("TikTok's audience activity by hour")
    assert json.loads(json.dumps(doc, default=str))["days_only"] == []
    # the forecast pair's slots are exactly those of a plan without evidence
    plain = plan_recommendations(
        {**fc, "evidence": None}, RecommendParams(start=START.isoformat()), now=START
    )
    a = res.recs.filter(pl.col("channel") == "youtube").select("start_utc", "score")
    assert a.equals(plain.recs.select("start_utc", "score"))


def test_energy_weighting_works_on_evidence_pairs_as_on_forecasts():
    ev = {
        "posts": synthetic_posts(120, 3),
        "audience_activity": activity(),
        "audience_shares": shares(),
        "daily_series": None,
    }
    fc = fc_with(ev, forecast_pairs=())
    fc["engagement"] = fc["engagement"].clear()
    picks = []
    for w in (0.0, 1.0):
        res = plan_recommendations(
            fc,
            RecommendParams(
                energy_weight=w,
                slots=1,
                regions=("Jalisco",),
                channels=("tiktok",),
                start=START.isoformat(),
            ),
            now=START,
        )
        picks.append(res.recs.row(0, named=True))
    assert picks[0]["expected_engagement"] >= picks[1]["expected_engagement"]
    assert picks[1]["renewable_pct"] >= picks[0]["renewable_pct"]
    assert picks[0]["start_local"][11:13] in {"20", "21", "22"}  # TikTok's evening peak


def test_a_plan_from_daily_series_alone_returns_days_not_hours():
    ev = {"audience_shares": shares(), "daily_series": daily()}
    fc = fc_with(ev, forecast_pairs=())
    fc["engagement"] = fc["engagement"].clear()
    res = plan_recommendations(fc, RecommendParams(start=START.isoformat()), now=START)
    doc = res.payload(fc, None)
    assert doc["recommendations"] == []
    jal = next(d for d in doc["days_only"] if d["region"] == "Jalisco")
    assert jal["days"][0]["weekday"] == "sat" and jal["days"][0]["vs_mean_pct"] > 20
    assert "no hour of day can be recommended" in jal["evidence_en"]


def test_without_evidence_the_plan_is_unchanged():
    fc = fc_with(None)
    assert with_evidence(fc, START, 7) is fc


def test_cli_recommends_from_platform_tables_alone(tmp_path):
    """No consumption file, no model run: the real CLI on a real warehouse file."""
    db = tmp_path / "wh.duckdb"
    with warehouse.write(db) as con:
        load_frame(
            con, "posts", synthetic_posts(90, 5, start=datetime(2026, 8, 3, tzinfo=UTC), days=100)
        )
        load_frame(con, "audience_activity", activity())
        load_frame(con, "audience_shares", shares())
        load_frame(con, "daily_series", daily())
    r = run_cli(
        "recommend",
        "--db",
        db,
        "--format",
        "json",
        "--from",
        START.isoformat(),
        "--region",
        "Jalisco",
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    kinds = {x["channel"]: x["evidence"] for x in doc["recommendations"]}
    assert kinds == {"instagram": "posts+activity", "tiktok": "activity"}
    ig = next(x for x in doc["recommendations"] if x["channel"] == "instagram")
    assert ig["evidence_es"].startswith("90 publicaciones de Instagram desde agosto de 2026")
    assert [d["channel"] for d in doc["days_only"]] == ["youtube"]
    assert (
        "Jalisco" in doc["days_only"][0]["evidence_es"]
        or doc["days_only"][0]["region"] == "Jalisco"
    )
    r = run_cli(
        "recommend",
        "--db",
        db,
        "--format",
        "csv",
        "--region",
        "Jalisco",
        "--from",
        START.isoformat(),
    )
    assert r.returncode == 0, r.stderr
    assert "participación de Jalisco según YouTube Studio" in r.stdout  # accents intact
    r = run_cli("recommend", "--db", db, "--region", "Jalisco", "--from", START.isoformat())
    assert "evidence, Jalisco youtube: Only daily totals" in r.stdout


def _section(fc: dict, shown, lang: str) -> str:
    """The report's evidence section as read (Markdown escapes removed)."""
    from insights.recommend.evidence_report import evidence_section

    shown = pl.DataFrame(list(shown), schema=["region", "channel"], orient="row")
    return evidence_section(fc, shown, lang, n_boot=200, now=START).replace("\\", "")


def test_report_section_says_what_each_recommendation_rests_on_and_what_the_posts_say():
    ev = {
        "posts": synthetic_posts(150, 1, hour_effect=0.6),
        "audience_activity": activity(peak=22),
        "audience_shares": shares(),
        "daily_series": None,
    }
    fc = fc_with(ev)  # forecasts carry their method, as the warehouse's do
    fc["engagement"] = fc["engagement"].with_columns(pl.lit("model").alias("method"))
    fc = with_evidence(fc, START, 7)
    assert fc["engagement"].filter(pl.col("channel") == "instagram").height == 3 * 24 * 7
    shown = [("Jalisco", "youtube"), ("Jalisco", "instagram"), ("Ciudad de México", "tiktok")]
    es = _section(fc, shown, "es")
    assert "1. **Jalisco · YouTube**: serie horaria propia de Jalisco en YouTube (modelo r1)" in es
    assert "2. **Jalisco · Instagram**: 150 publicaciones de Instagram desde enero" in es
    assert "3. **Ciudad de México · TikTok**: la actividad por hora de TikTok" in es
    rows = [line for line in es.splitlines() if line.startswith("| Instagram |")]
    assert len(rows) == 3 and rows[0].startswith("| Instagram | 20:00 | +")  # the planted hour
    assert "Seguidores de TikTok más activos (TikTok Studio, America/Mexico_City): 22:00" in es
    for method in ("Modelo (efectos agrupados)", "Media por hora de la hoja de cálculo"):
        assert f"| {method} | 0." in es
    assert "no tiene publicaciones" not in es
    en = _section(fc, shown, "en")
    assert "2. **Jalisco · Instagram**: 150 Instagram posts since January 2026" in en
    assert "| Instagram | 8:00 PM | +" in en and "Learned from the 100 posts before" in en


def test_report_section_without_posts_or_with_too_few_says_so():
    ev = {"posts": None, "audience_activity": activity(), "audience_shares": None}
    fc = fc_with(ev)
    en = _section(fc, [("Jalisco", "youtube")], "en")
    assert "the warehouse holds no posts" in en and "rest on the hourly series alone" in en
    assert "Jalisco's own hourly YouTube series (model r1)" in en
    assert "TikTok (follower activity by hour): no download places" in en
    es = _section(fc, [("Jalisco", "youtube")], "es")
    assert "el almacén no tiene publicaciones" in es
    few = fc_with({**ev, "posts": synthetic_posts(20, 2)})
    en = _section(few, [("Jalisco", "youtube")], "en")
    assert "No post backtest: 20 settled posts, and it needs at least 45" in en
    assert "| Instagram |" in en  # the hours are still shown, with their wide intervals


def test_report_section_escapes_names_from_the_data_once():
    from insights.recommend.evidence_report import evidence_section

    posts = pl.concat(
        [synthetic_posts(60, 4, account="<img src=x>|a"), synthetic_posts(60, 5, account="b")]
    )
    fc = fc_with({"posts": posts, "audience_activity": None, "audience_shares": None})
    shown = pl.DataFrame({"region": ["*Jalisco*"], "channel": ["youtube"]})
    md = evidence_section(fc, shown, "en", n_boot=50, now=START)
    assert "| Instagram \\(&lt;img src=x&gt;\\|a\\) |" in md  # one table cell, shown as typed
    assert "**\\*Jalisco\\* · YouTube**" in md and "<img" not in md
