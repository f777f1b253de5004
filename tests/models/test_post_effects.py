"""Post effects: what the team's own posts say about the publish hour (issue 25)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from insights.models.post_backtest import post_backtest
from insights.models.post_effects import fit_post_effects, prepare_posts
from insights.models.synthetic_posts import synthetic_posts

# The planted effect: posts published at 20:00 local get 1.65x the engagement rate (log 0.5)
# of the other hours; 150 posts over 15 local hours (about 10 each), post-to-post noise
# 0.35 on the log scale. docs/posts-evidence.md gives the recovery for smaller effects.
PLANTED = 0.5


def test_the_planted_best_hour_is_ranked_first_in_at_least_9_of_10_seeds():
    first = []
    for seed in range(10):
        model = fit_post_effects(synthetic_posts(150, seed, best_hour=20, hour_effect=PLANTED))
        first.append(model.hour_table("hour")["hour"][0])
    assert sum(h == 20 for h in first) >= 9, first


def test_with_no_hour_effect_no_hour_interval_excludes_the_channel_mean_in_9_of_10_seeds():
    clean = 0
    for seed in range(10):
        hours = fit_post_effects(synthetic_posts(150, seed, best_hour=None)).hour_table("hour")
        assert hours.height == 15 and hours["n_posts"].sum() == 150
        clean += int(((hours["low"] > 0) | (hours["high"] < 0)).sum() == 0)
    assert clean >= 9


def test_the_same_history_with_a_planted_hour_does_get_an_interval_above_the_mean():
    """The null test above must be able to fail: the same intervals flag a real effect."""
    flagged = 0
    for seed in range(10):
        hours = fit_post_effects(synthetic_posts(300, seed, hour_effect=PLANTED)).hour_table()
        flagged += int(hours.filter(pl.col("hour") == 20)["low"][0] > 0)
    assert flagged >= 8


def test_an_hour_with_two_lucky_posts_does_not_win():
    base = synthetic_posts(150, 3, best_hour=None, hours=tuple(range(9, 21)))
    lucky = (
        base.head(2)
        .with_columns(
            pl.col("post_id") + "-lucky",
            pl.col("published_utc").dt.replace_time_zone(None).dt.truncate("1d")
            + pl.duration(hours=3 + 6),  # 03:00 in Mexico City (UTC-6)
            (pl.col("reach") * 0.06).cast(pl.Int64).alias("engagements"),  # 1.5x: lucky
        )
        .with_columns(pl.col("published_utc").dt.replace_time_zone("UTC"))
    )
    hours = fit_post_effects(pl.concat([base, lucky])).hour_table()
    three = hours.filter(pl.col("hour") == 3).row(0, named=True)
    assert three["n_posts"] == 2
    assert three["raw"] == max(hours["raw"])  # a spreadsheet's mean would put it first
    assert hours["hour"][0] != 3 and three["low"] < 0  # pooled: neither first nor sure
    assert three["effect"] < 0.5 * three["raw"]


def test_posts_younger_than_seven_days_at_export_are_left_out_and_counted():
    exported = datetime(2026, 3, 1, tzinfo=UTC)
    posts = synthetic_posts(
        60, 1, start=exported - timedelta(days=30), days=30, exported_at=exported
    )
    prep = prepare_posts(posts)
    young = prep.filter(pl.col("published_utc") > exported - timedelta(days=7))
    assert young.height > 0 and (young["status"] == "too_young").all()
    model = fit_post_effects(posts)
    assert model.excluded == {"too_young": young.height}
    assert model.posts.height == 60 - young.height


def test_without_export_time_the_newest_post_of_the_same_file_bounds_the_age():
    posts = synthetic_posts(40, 2, days=20).with_columns(
        pl.lit(None, pl.Datetime("us", "UTC")).alias("exported_at")
    )
    prep = prepare_posts(posts)
    newest = posts["published_utc"].max()
    expected = (posts["published_utc"] > newest - timedelta(days=7)).sum()
    assert (prep["status"] == "too_young").sum() == expected > 0


def test_local_hour_follows_region_then_account_then_mexico_city():
    t = datetime(2026, 7, 1, 2, 30, tzinfo=UTC)  # 20:30 in Mexico City, 19:30 in Tijuana (PDT)
    posts = synthetic_posts(3, 0).with_columns(
        pl.lit(t).alias("published_utc"),
        pl.Series("region", ["Tijuana", None, None]),  # a main city resolves to its state
        pl.Series("account", ["a", "b", "c"]),
    )
    prep = prepare_posts(posts, account_tz={"b": "America/Cancun"}).sort("account")
    assert prep["hour"].to_list() == [19, 21, 20]
    assert prep["weekday"].to_list() == [1, 1, 1]  # Tuesday 30 June, local


def test_rate_basis_is_chosen_per_channel_and_never_mixed():
    ig = synthetic_posts(10, 0)
    tk = synthetic_posts(10, 1, channel="tiktok", platform="tiktok").with_columns(
        pl.lit(None, pl.Int64).alias("reach"), pl.lit(None, pl.Int64).alias("impressions")
    )
    # one Instagram post lacks reach: left out, not computed per impression
    ig = ig.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(None).otherwise(pl.col("reach")).alias("reach")
    )
    prep = prepare_posts(pl.concat([ig, tk]))
    by = dict(prep.group_by("channel").agg(pl.col("basis").unique()).iter_rows())
    assert by == {"instagram": ["reach"], "tiktok": ["views"]}
    assert prep.filter(pl.col("status") == "no_basis").height == 1
    row = prep.filter(pl.col("channel") == "tiktok").row(0, named=True)
    assert row["rate"] == pytest.approx(row["engagements"] / row["views"])


def test_missing_engagements_are_meta_s_sum_of_parts():
    posts = synthetic_posts(5, 0)
    blank = posts.with_columns(pl.lit(None, pl.Int64).alias("engagements"))
    prep = prepare_posts(blank).sort("post_id")
    assert prep["eng"].to_list() == posts.sort("post_id")["engagements"].cast(pl.Float64).to_list()
    none = blank.with_columns(
        *[pl.lit(None, pl.Int64).alias(c) for c in ("likes", "comments", "shares", "saves")]
    )
    with pytest.raises(ValueError, match="5 no engagements"):
        fit_post_effects(none)


def test_post_type_effects_are_recovered_and_carry_counts():
    model = fit_post_effects(synthetic_posts(300, 4))
    types = model.effects.filter(pl.col("level") == "post_type").sort("effect", descending=True)
    assert types["post_type"].to_list() == ["Reel", "Carousel", "IG image"]
    assert types["n_posts"].sum() == 300
    week = model.hour_of_week()
    assert week.height == 168 and week["n_posts"].sum() == 300
    unseen = week.filter(pl.col("hour") == 3).row(0, named=True)  # nobody posts at 03:00
    seen = week.filter(pl.col("hour") == 12, pl.col("weekday") == 2).row(0, named=True)
    assert unseen["n_hour"] == 0 and unseen["high"] - unseen["low"] > seen["high"] - seen["low"]


# an evening peak at 20:00 and a trough at 08:00 (a 1.8x swing), posts at any hour
EVENING = {h: 0.3 * math.cos(2 * math.pi * (h - 20) / 24) for h in range(24)}


def test_backtest_on_a_planted_history_beats_the_habitual_hour_and_sees_nothing_in_noise():
    kw = dict(best_hour=None, hours=tuple(range(24)), habit=(13, 0.3))
    table, meta = post_backtest(synthetic_posts(300, 7, hour_profile=EVENING, **kw), seed=1)
    assert meta["n_train"] == 200 and meta["n_test"] == 100
    r = {row["method"]: row for row in table.iter_rows(named=True)}
    assert r["model"]["spearman_low"] > 0 and r["model"]["lift_pct_low"] > 0
    assert r["habitual"]["lift_vs_model_pct_low"] > 0  # the model's lift is above the habit's
    null, _ = post_backtest(synthetic_posts(300, 7, **kw), seed=1)
    row = null.filter(pl.col("method") == "model").row(0, named=True)
    assert row["lift_pct_low"] < 0 and row["spearman_low"] < 0  # no gain claimed


def test_backtest_refuses_a_history_too_short():
    with pytest.raises(ValueError, match="at least 30"):
        post_backtest(synthetic_posts(30, 0))
