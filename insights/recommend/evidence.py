"""Hourly engagement expectations from the evidence teams have, when a pair has no forecast.

The recommendation scores hourly engagement per region x channel. The platforms rarely give
that series; they give per-post lifetime results (``posts``), audience activity by hour
(``audience_activity``), shares by geography without time (``audience_shares``) and daily
totals (``daily_series``). For a region x channel pair, the evidence is used in this order:

1. **The region's own hourly series** (the trained forecasts): used as it is; nothing here.
2. **The channel's hour-of-week profile**, read in the region's local time (a 20:00 peak is
   20:00 on each region's own clock):
   * from the team's posts (:mod:`insights.models.post_effects`): the pooled hour-of-day +
     day-of-week effect on the engagement rate; where the channel also has an audience
     activity profile (its own, else another channel's, named in the sentence), each hour's
     pooled effect leans on that profile instead of on the flat channel mean, in the share
     ``B`` the posts leave to their prior: ``log shape = effect + B * log activity``;
   * else from the channel's own audience activity alone, with a log-scale uncertainty of
     ``ACTIVITY_LOG_SD`` (an assumption: activity says when followers are online, not how a
     post published then does);
   scaled to engagements per hour by the recent daily level (``daily_series``, the mean of
   the last ``LEVEL_DAYS`` days: the region's own rows, else the channel's total times the
   region's share) or, without daily series, by the posts' own engagements per day; and by
   the region's share of the channel's audience (``audience_shares``: the channel's own,
   else another platform's, with ``BORROWED_SHARE_LOG_SD`` added to the uncertainty).
3. **Daily series only**: no hour of day can be recommended; the days of the week are ranked
   from the daily series (the mean of each weekday over the last ``DAY_WEEKS`` weeks, log
   scale, with its standard error) and the output says so.

The expectation has the long shape the recommendation consumes (``region, channel, ts,
yhat, yhat_lo, yhat_hi``, hourly, UTC), so the energy weighting, the Pareto front and the
render window work on it unchanged. Its interval (80 %, as the forecasts') is that of the
*expected* engagement: ``exp(+-1.2816 * sqrt(var shape + var level + var share))``; it
widens as the posts behind an hour get fewer, and is widest for an hour with no post.
Every pair carries a sentence in Spanish and English saying what it rests on.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from insights.i18n import brand
from insights.models.post_effects import DEFAULT_TZ, fit_post_effects, prepare_posts, z_of
from insights.regions import canonical_region

Z80 = 1.2816
LEVEL_DAYS = 28
DAY_WEEKS = 12
ACTIVITY_LOG_SD = 0.3  # assumption (see module docstring): about x/÷ 1.35
BORROWED_SHARE_LOG_SD = 0.3  # assumption: another platform's geography for this channel
ENGAGEMENT_METRICS = ("engagements", "interactions", "engagement")
# the platform's own tool, named in the sentence the way teams know it
SOURCE_NAMES = {
    "youtube": "YouTube Studio",
    "instagram": "Meta Business Suite",
    "facebook": "Meta Business Suite",
    "tiktok": "TikTok Studio",
    "x": "X Analytics",
    "linkedin": "LinkedIn",
    "ga4": "Google Analytics 4",
}
DAYS_ES = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NOTE_COLUMNS = {
    "region": pl.Utf8,
    "channel": pl.Utf8,
    "evidence": pl.Utf8,  # forecast | posts | posts+activity | activity | days_only
    "hourly": pl.Boolean,
    "n_posts": pl.Int64,
    "evidence_es": pl.Utf8,
    "evidence_en": pl.Utf8,
}


def _month(d, lang: str) -> str:
    from babel.dates import format_date

    return format_date(d, "MMMM 'de' y" if lang == "es" else "MMMM y", locale=lang)


def _source_name(platform: str | None) -> str:
    return SOURCE_NAMES.get((platform or "").lower(), brand(platform or ""))


def _offset_hours(tz: str, at: datetime) -> float:
    off = at.astimezone(ZoneInfo(tz)).utcoffset()
    return off.total_seconds() / 3600 if off is not None else 0.0


# --- profiles per channel (168 local hours of the week) ------------------------------------


def activity_profile(activity: pl.DataFrame, audience_tz: str, at: datetime) -> pl.DataFrame:
    """``channel, platform, weekday, hour, log_act`` (log of activity over its weekly mean)
    for the 168 hours of each channel's profile, on the audience's local clock.

    ``activity``: the ``audience_activity`` table. A profile without weekdays is the same
    every day. A profile in another zone (``tz``) is moved to ``audience_tz`` by the
    difference of their UTC offsets at ``at`` (the export says when followers are online in
    its zone's clock). Per channel, the metric with the most rows is used. Hours with no
    activity count as 1 % of the busiest hour (a log of 0 is no evidence of minus infinity).
    """
    if activity is None or activity.height == 0:
        return pl.DataFrame(
            schema={"channel": pl.Utf8, "platform": pl.Utf8, "weekday": pl.Int32,
                    "hour": pl.Int32, "log_act": pl.Float64}
        )  # fmt: skip
    pick = (
        activity.group_by("channel", "platform", "metric")
        .len()
        .sort("len", "platform", "metric", descending=[True, False, False])
        .unique("channel", keep="first")
        .drop("len")
    )
    a = activity.join(pick, on=["channel", "platform", "metric"])
    shift = {
        tz: round(_offset_hours(audience_tz, at) - _offset_hours(tz, at))
        for tz in a["tz"].drop_nulls().unique().to_list()
    }
    a = a.with_columns(
        pl.col("tz").replace_strict(shift, default=0).fill_null(0).cast(pl.Int32).alias("_sh")
    )
    # local hour and weekday after the shift (a shift across midnight moves the day too)
    a = a.with_columns((pl.col("hour_local").cast(pl.Int32) + pl.col("_sh")).alias("_h"))
    a = a.with_columns(
        (pl.col("_h") % 24).alias("hour"),
        pl.when(pl.col("weekday").is_not_null())
        .then((pl.col("weekday").cast(pl.Int32) + pl.col("_h").floordiv(24)) % 7)
        .alias("wd"),
    )
    days = pl.DataFrame({"weekday": list(range(7))}, schema={"weekday": pl.Int32})
    dated = a.filter(pl.col("wd").is_not_null()).select(
        "channel", "platform", pl.col("wd").alias("weekday"), "hour", "value"
    )
    undated = (
        a.filter(pl.col("wd").is_null())
        .select("channel", "platform", "hour", "value")
        .join(days, how="cross")
        .select("channel", "platform", "weekday", "hour", "value")
    )
    full = (
        pl.concat([dated, undated])
        .group_by("channel", "platform", "weekday", "hour")
        .agg(pl.col("value").mean())
    )
    grid = (
        full.select("channel", "platform")
        .unique()
        .join(days, how="cross")
        .join(pl.DataFrame({"hour": list(range(24))}, schema={"hour": pl.Int32}), how="cross")
    )
    out = grid.join(full, on=["channel", "platform", "weekday", "hour"], how="left")
    out = out.with_columns(pl.col("value").fill_null(0.0))
    floor = pl.max_horizontal(pl.col("value").max().over("channel") * 0.01, pl.lit(1e-12))
    out = out.with_columns(pl.max_horizontal("value", floor).log().alias("_l"))
    return out.select(
        "channel", "platform", "weekday", "hour",
        (pl.col("_l") - pl.col("_l").mean().over("channel")).alias("log_act"),
    ).sort("channel", "weekday", "hour")  # fmt: skip


def channel_profiles(
    posts: pl.DataFrame | None,
    activity: pl.DataFrame | None,
    *,
    at: datetime,
    default_tz: str = DEFAULT_TZ,
    account_tz: dict[str, str] | None = None,
) -> tuple[pl.DataFrame, dict]:
    """``(profile, facts)``. ``profile``: ``channel, weekday, hour, log_shape, var`` for every
    channel with posts or activity (168 local hours each); ``facts[channel]``: ``n_posts,
    since`` (first settled post's date), ``activity_of`` (the channel whose activity shaped
    it, or ``None``), ``activity_platform``, ``kind`` (``posts``, ``posts+activity`` or
    ``activity``), ``posts_per_day`` and ``engagements_per_day`` (from the settled posts).
    """
    act = activity_profile(activity, default_tz, at)
    act_channels = set(act["channel"].unique().to_list())
    facts: dict[str, dict] = {}
    parts = []
    post_channels: set[str] = set()
    if posts is not None and posts.height:
        prep = prepare_posts(posts, default_tz=default_tz, account_tz=account_tz)
        used = prep.filter(pl.col("status") == "used")
        if used.height:
            model = fit_post_effects(prep, prepared=True)
            week = model.hour_of_week()
            z = z_of(model.level)
            # several accounts on one channel: their profiles averaged, weighted by posts
            week = (
                week.with_columns(
                    ((pl.col("high") - pl.col("low")) / (2 * z)).pow(2).alias("_v"),
                    pl.col("n_hour").sum().over("account", "channel").alias("_w"),
                )
                .group_by("channel", "weekday", "hour")
                .agg(
                    ((pl.col("effect") * pl.col("_w")).sum() / pl.col("_w").sum()).alias("eff"),
                    ((pl.col("_v") * pl.col("_w")).sum() / pl.col("_w").sum()).alias("var"),
                    ((pl.col("shrinkage") * pl.col("_w")).sum() / pl.col("_w").sum()).alias("B"),
                )
            )
            for ch, g in week.partition_by("channel", as_dict=True).items():
                ch = ch[0]
                post_channels.add(ch)
                u = used.filter(pl.col("channel") == ch)
                span_days = max(
                    1.0,
                    (u["published_utc"].max() - u["published_utc"].min()).total_seconds() / 86400,
                )
                own = ch in act_channels
                borrowed = None
                if not own and act_channels:
                    borrowed = sorted(act_channels)[0]
                prior_of = ch if own else borrowed
                if prior_of is not None:
                    prior = act.filter(pl.col("channel") == prior_of).select(
                        "weekday", "hour", "log_act", "platform"
                    )
                    g = g.join(prior.drop("platform"), on=["weekday", "hour"], how="left")
                    g = g.with_columns(
                        (pl.col("eff") + pl.col("B") * pl.col("log_act").fill_null(0.0)).alias(
                            "log_shape"
                        )
                    )
                    plat = prior["platform"][0]
                else:
                    g = g.with_columns(pl.col("eff").alias("log_shape"))
                    plat = None
                parts.append(g.select("channel", "weekday", "hour", "log_shape", "var"))
                facts[ch] = {
                    "n_posts": u.height,
                    "since": u["published_utc"].min().date(),
                    "activity_of": prior_of,
                    "activity_platform": plat,
                    "kind": "posts+activity" if prior_of else "posts",
                    "posts_per_day": u.height / span_days,
                    "engagements_per_day": float(u["eng"].sum()) / span_days,
                    "excluded": model.excluded,
                }
    for ch in sorted(act_channels - post_channels):
        a = act.filter(pl.col("channel") == ch)
        parts.append(
            a.select(
                "channel", "weekday", "hour", pl.col("log_act").alias("log_shape"),
                pl.lit(ACTIVITY_LOG_SD**2).alias("var"),
            )
        )  # fmt: skip
        facts[ch] = {
            "n_posts": 0,
            "since": None,
            "activity_of": ch,
            "activity_platform": a["platform"][0],
            "kind": "activity",
            "posts_per_day": None,
            "engagements_per_day": None,
        }
    schema = {"channel": pl.Utf8, "weekday": pl.Int32, "hour": pl.Int32,
              "log_shape": pl.Float64, "var": pl.Float64}  # fmt: skip
    prof = pl.concat([p.cast(schema) for p in parts]) if parts else pl.DataFrame(schema=schema)
    return prof.sort("channel", "weekday", "hour"), facts


# --- geography and level --------------------------------------------------------------------


def region_shares(shares: pl.DataFrame | None, channels: list[str]) -> pl.DataFrame:
    """``channel, region, share, platform, borrowed`` per channel: the channel's own
    region-level shares, else (``borrowed``) those of the platform that covers the most
    regions. ``geo`` names resolve through the regions gazetteer (accents, ISO codes);
    a name that does not resolve is dropped. ``share`` is the column when given, else the
    value over the total of the same platform, metric and file."""
    empty = pl.DataFrame(
        schema={"channel": pl.Utf8, "region": pl.Utf8, "share": pl.Float64,
                "platform": pl.Utf8, "borrowed": pl.Boolean}
    )  # fmt: skip
    if shares is None or shares.height == 0:
        return empty
    s = shares.filter(pl.col("geo_level") == "region")
    if s.height == 0:
        return empty
    names = s["geo"].unique().to_list()
    canon = {n: canonical_region(n) for n in names}
    s = s.with_columns(
        pl.col("geo").replace_strict(canon, default=None, return_dtype=pl.Utf8).alias("region"),
        pl.coalesce(
            "share",
            pl.col("value") / pl.col("value").sum().over("platform", "metric", "file_sha256"),
        ).alias("_s"),
    ).filter(pl.col("region").is_not_null())
    # one geography per platform x channel: the metric with the most regions
    best = (
        s.group_by("platform", "channel", "metric", "file_sha256")
        .agg(pl.col("region").n_unique().alias("n"))
        .sort("n", "metric", descending=[True, False])
        .unique(["platform", "channel"], keep="first")
    )
    s = s.join(best.drop("n"), on=["platform", "channel", "metric", "file_sha256"])
    s = s.group_by("platform", "channel", "region").agg(pl.col("_s").sum().alias("share"))
    out = []
    widest = (
        s.group_by("platform", "channel").len().sort("len", "platform", descending=[True, False])
    )
    for ch in channels:
        own = s.filter(pl.col("channel") == ch)
        if own.height:
            plat = own.group_by("platform").len().sort("len", descending=True)["platform"][0]
            out.append(own.filter(pl.col("platform") == plat).with_columns(borrowed=False))
        elif widest.height:
            plat, other = widest["platform"][0], widest["channel"][0]
            out.append(
                s.filter(pl.col("platform") == plat, pl.col("channel") == other).with_columns(
                    pl.lit(ch).alias("channel"), borrowed=True
                )
            )
    if not out:
        return empty
    return pl.concat(out).select(empty.columns)


def daily_levels(daily: pl.DataFrame | None, end: datetime | None = None) -> pl.DataFrame:
    """``channel, region (null: the channel's total), platform, metric, level, log_var,
    n_days, first_day, last_day``: the mean daily value over the last ``LEVEL_DAYS`` days of
    each series (engagement metrics preferred, else the metric with the most rows), and the
    variance of its log mean (sample variance of log daily values over ``n``)."""
    schema = {"channel": pl.Utf8, "region": pl.Utf8, "platform": pl.Utf8, "metric": pl.Utf8,
              "level": pl.Float64, "log_var": pl.Float64, "n_days": pl.Int64,
              "first_day": pl.Date, "last_day": pl.Date}  # fmt: skip
    if daily is None or daily.height == 0:
        return pl.DataFrame(schema=schema)
    rank = (
        pl.when(pl.col("metric").str.to_lowercase().is_in(list(ENGAGEMENT_METRICS)))
        .then(0)
        .otherwise(1)
    )
    pick = (
        daily.group_by("channel", "region", "platform", "metric")
        .len()
        .with_columns(rank.alias("_r"))
        .sort("_r", "len", descending=[False, True])
        .unique(["channel", "region"], keep="first", maintain_order=True)
        .select("channel", "region", "platform", "metric")
    )
    d = daily.join(pick, on=["channel", "region", "platform", "metric"], nulls_equal=True)
    d = d.group_by("channel", "region", "platform", "metric", "day").agg(pl.col("value").sum())
    last = pl.col("day").max().over("channel", "region")
    recent = d.filter(pl.col("day") > last - pl.duration(days=LEVEL_DAYS))
    lv = pl.col("value").clip(lower_bound=1e-9).log()
    return (
        recent.group_by("channel", "region", "platform", "metric")
        .agg(
            pl.col("value").mean().alias("level"),
            (lv.var() / pl.len()).fill_null(0.25).alias("log_var"),
            pl.len().cast(pl.Int64).alias("n_days"),
            pl.col("day").min().alias("first_day"),
            pl.col("day").max().alias("last_day"),
        )
        .select(list(schema))
        .cast(schema)
    )


def weekday_advice(daily: pl.DataFrame | None) -> pl.DataFrame:
    """``channel, region, weekday (0 = Monday), effect (log, against the series' mean),
    low, high (80 %), n_days, rank``: the days of the week from the last ``DAY_WEEKS`` weeks
    of each daily series (engagement metrics preferred)."""
    schema = {"channel": pl.Utf8, "region": pl.Utf8, "weekday": pl.Int32,
              "effect": pl.Float64, "low": pl.Float64, "high": pl.Float64,
              "n_days": pl.Int64, "rank": pl.Int32}  # fmt: skip
    if daily is None or daily.height == 0:
        return pl.DataFrame(schema=schema)
    lv = daily_levels(daily).select("channel", "region", "platform", "metric")
    d = (
        daily.join(lv, on=["channel", "region", "platform", "metric"], nulls_equal=True)
        .group_by("channel", "region", "day")
        .agg(pl.col("value").sum())
    )
    last = pl.col("day").max().over("channel", "region")
    d = d.filter(pl.col("day") > last - pl.duration(days=7 * DAY_WEEKS)).with_columns(
        pl.col("value").clip(lower_bound=1e-9).log().alias("_l"),
        (pl.col("day").dt.weekday() - 1).cast(pl.Int32).alias("weekday"),
    )
    d = d.with_columns((pl.col("_l") - pl.col("_l").mean().over("channel", "region")).alias("_r"))
    s = (
        d.group_by("channel", "region", "weekday")
        .agg(
            pl.col("_r").mean().alias("effect"),
            pl.col("_r").std().alias("_sd"),
            pl.len().cast(pl.Int64).alias("n_days"),
        )
        .with_columns(
            (pl.col("_sd").fill_null(1.0) / pl.col("n_days").sqrt()).alias("_se"),
        )
    )
    return (
        s.with_columns(
            (pl.col("effect") - Z80 * pl.col("_se")).alias("low"),
            (pl.col("effect") + Z80 * pl.col("_se")).alias("high"),
            pl.col("effect")
            .rank("ordinal", descending=True)
            .over("channel", "region")
            .cast(pl.Int32)
            .alias("rank"),
        )
        .select(list(schema))
        .sort("channel", "region", "rank")
    )


# --- sentences ------------------------------------------------------------------------------


def _sentence(
    f: dict | None, ch: str, share: dict | None, level: dict | None, region: str, own: bool
):
    """(es, en) for an hourly pair; ``own``: the level is the region's own daily series."""
    es, en = [], []
    if f and f["n_posts"]:
        es.append(f"{f['n_posts']} publicaciones de {brand(ch)} desde {_month(f['since'], 'es')}")
        en.append(f"{f['n_posts']} {brand(ch)} posts since {_month(f['since'], 'en')}")
    if f and f["activity_of"]:
        es.append(f"la actividad por hora de {brand(f['activity_of'])}")
        en.append(f"{brand(f['activity_of'])}'s audience activity by hour")
    head_es = " y ".join(es)
    head_en = " and ".join(en)
    tail_es, tail_en = [], []
    if own:
        src = _source_name(level["platform"])
        tail_es.append(f"serie diaria propia de {region} en {src} ({level['n_days']} días)")
        tail_en.append(f"{region}'s own daily series from {src} ({level['n_days']} days)")
    else:
        src = _source_name(share["platform"])
        tail_es.append(f"participación de {region} según {src}")
        tail_en.append(f"{region}'s share from {src}")
    if own:
        pass
    elif level is not None:
        src = _source_name(level["platform"])
        tail_es.append(f"nivel diario de {src} ({level['n_days']} días, {level['metric']})")
        tail_en.append(f"daily level from {src} ({level['n_days']} days, {level['metric']})")
    elif f and f.get("engagements_per_day"):
        tail_es.append("nivel diario de las propias publicaciones")
        tail_en.append("daily level from the posts themselves")
    else:
        tail_es.append("sin nivel diario: índice relativo, no interacciones")
        tail_en.append("no daily level: a relative index, not engagements")
    return f"{head_es}; {'; '.join(tail_es)}", f"{head_en}; {'; '.join(tail_en)}"


def _days_sentence(ch: str, region: str, level: dict, best: list[int]):
    src = _source_name(level["platform"])
    es = (
        f"Solo hay totales diarios de {brand(ch)} ({src}, {level['n_days']} días): no se puede "
        f"recomendar una hora del día; mejores días: {', '.join(DAYS_ES[d] for d in best)}"
    )
    en = (
        f"Only daily totals for {brand(ch)} ({src}, {level['n_days']} days): no hour of day "
        f"can be recommended; best days: {', '.join(DAYS_EN[d] for d in best)}"
    )
    return es, en


# --- the expectation ------------------------------------------------------------------------


def assemble(
    evidence: dict,
    regions: pl.DataFrame,
    start: datetime,
    horizon_days: float,
    skip_pairs: set[tuple[str, str]] = frozenset(),
    *,
    default_tz: str = DEFAULT_TZ,
    account_tz: dict[str, str] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """``(hourly, notes, days)`` for every region x channel the evidence covers, except
    ``skip_pairs`` (those with their own forecasts).

    ``evidence``: :func:`insights.recommend.evidence_tables.read_evidence`'s dict;
    ``regions``: ``region, grid_zone, tz``. ``hourly``: ``region, channel, ts (UTC), yhat,
    yhat_lo, yhat_hi`` from the first hour at or after ``start`` over ``horizon_days``;
    ``notes``: :data:`NOTE_COLUMNS`; ``days``: :func:`weekday_advice` rows of the pairs
    that have only daily series.
    """
    posts, activity = evidence.get("posts"), evidence.get("audience_activity")
    shares, daily = evidence.get("audience_shares"), evidence.get("daily_series")
    prof, facts = channel_profiles(
        posts, activity, at=start, default_tz=default_tz, account_tz=account_tz
    )
    levels = daily_levels(daily)
    channels = sorted(
        set(facts)
        | set(levels["channel"].to_list())
        | (set(shares["channel"].to_list()) if shares is not None else set())
    )
    sh = region_shares(shares, channels)
    tz_of = dict(zip(regions["region"].to_list(), regions["tz"].to_list(), strict=True))
    t0 = start.replace(minute=0, second=0, microsecond=0)
    if t0 < start:
        t0 += timedelta(hours=1)
    n_hours = max(1, int(math.ceil(horizon_days * 24)))
    ts = pl.datetime_range(
        t0, t0 + timedelta(hours=n_hours - 1), "1h", time_zone="UTC", eager=True
    ).alias("ts")
    hourly, notes, days = [], [], []
    for ch in channels:
        ch_shares = {
            r["region"]: r for r in sh.filter(pl.col("channel") == ch).iter_rows(named=True)
        }
        ch_levels = levels.filter(pl.col("channel") == ch)
        own_level = {
            r["region"]: r
            for r in ch_levels.filter(pl.col("region").is_not_null()).iter_rows(named=True)
        }
        total = ch_levels.filter(pl.col("region").is_null())
        total = total.row(0, named=True) if total.height else None
        f = facts.get(ch)
        served = sorted((set(ch_shares) | set(own_level)) & set(tz_of))
        for region in served:
            if (region, ch) in skip_pairs:
                continue
            share = ch_shares.get(region)
            level = own_level.get(region) or total
            if f is None:  # no hourly evidence for the channel: days only, if daily series
                if level is None:
                    continue
                region_days = (
                    weekday_advice(daily.filter(pl.col("channel") == ch))
                    .filter(
                        pl.col("region") == region
                        if region in own_level
                        else pl.col("region").is_null()
                    )
                    .with_columns(pl.lit(region).alias("region"))
                )
                best = region_days.sort("rank")["weekday"].head(3).to_list()
                es, en = _days_sentence(ch, region, level, best)
                days.append(region_days)
                notes.append((region, ch, "days_only", False, 0, es, en))
                continue
            # engagements per day for the region
            var = 0.0
            if region in own_level:
                per_day, var = level["level"], level["log_var"]
                share = None
            else:
                if level is not None:
                    per_day, var = level["level"], level["log_var"]
                elif f.get("engagements_per_day"):
                    per_day = f["engagements_per_day"]
                    var = 1.0 / max(1, f["n_posts"])
                else:
                    per_day = 24.0  # a relative index: 1 per hour on average
                if share is not None:
                    per_day *= share["share"]
                    if share["borrowed"]:
                        var += BORROWED_SHARE_LOG_SD**2
            p = prof.filter(pl.col("channel") == ch)
            norm = math.log(float(np.exp(p["log_shape"].to_numpy()).mean()))
            tz = tz_of.get(region) or "UTC"
            local = ts.dt.convert_time_zone(tz)
            frame = pl.DataFrame(
                {
                    "ts": ts,
                    "weekday": (local.dt.weekday() - 1).cast(pl.Int32),
                    "hour": local.dt.hour().cast(pl.Int32),
                }
            ).join(p.drop("channel"), on=["weekday", "hour"], how="left")
            sd = (pl.col("var") + var).sqrt()
            mean = pl.lit(per_day / 24) * (pl.col("log_shape") - norm).exp()
            hourly.append(
                frame.select(
                    pl.lit(region).alias("region"),
                    pl.lit(ch).alias("channel"),
                    "ts",
                    mean.alias("yhat"),
                    (mean * (-Z80 * sd).exp()).alias("yhat_lo"),
                    (mean * (Z80 * sd).exp()).alias("yhat_hi"),
                )
            )
            es, en = _sentence(f, ch, share, level, region, own=region in own_level)
            notes.append((region, ch, f["kind"], True, f["n_posts"], es, en))
    hourly_schema = {"region": pl.Utf8, "channel": pl.Utf8, "ts": pl.Datetime("us", "UTC"),
                     "yhat": pl.Float64, "yhat_lo": pl.Float64, "yhat_hi": pl.Float64}  # fmt: skip
    h = pl.concat(hourly) if hourly else pl.DataFrame(schema=hourly_schema)
    n = pl.DataFrame(notes, schema=NOTE_COLUMNS, orient="row")
    d = pl.concat(days) if days else weekday_advice(None)
    return h.cast(hourly_schema), n, d


def forecast_note(region: str, channel: str, run_id: str | None) -> tuple[str, str]:
    """(es, en) for a pair served by its own hourly forecasts."""
    run = f" (modelo {run_id})" if run_id else ""
    run_en = f" (model {run_id})" if run_id else ""
    return (
        f"serie horaria propia de {region} en {brand(channel)}{run}",
        f"{region}'s own hourly {brand(channel)} series{run_en}",
    )


def with_evidence(fc: dict, start: datetime, horizon_days: float) -> dict:
    """``fc`` (:func:`insights.recommend.io.latest_forecasts`) with the pairs that have no
    forecast but have evidence added to ``fc["engagement"]``, ``fc["evidence_notes"]`` (one
    row per pair, forecast pairs included, :data:`NOTE_COLUMNS`) and ``fc["evidence_days"]``
    (:func:`weekday_advice` rows of the days-only pairs). Unchanged when ``fc`` carries no
    ``evidence`` or the horizon is not a positive number."""
    ev = fc.get("evidence")
    if not ev or not any(v is not None for v in ev.values()):
        return fc
    if not (isinstance(horizon_days, int | float) and 0 < horizon_days < 10_000):
        return fc
    eng = fc["engagement"]
    have = set(eng.select("region", "channel").unique().iter_rows())
    hourly, notes, days = assemble(ev, fc["regions"], start, horizon_days, have)
    fnotes = pl.DataFrame(
        [
            (r, c, "forecast", True, 0, *forecast_note(r, c, fc.get("run_id")))
            for r, c in sorted(have)
        ],
        schema=NOTE_COLUMNS,
        orient="row",
    )
    if hourly.height:
        # forecasts carry their `method` (profile or model); the evidence rows have none
        eng = pl.concat([eng, hourly], how="diagonal_relaxed")
    return {
        **fc,
        "engagement": eng,
        "evidence_notes": pl.concat([fnotes, notes]),
        "evidence_days": days,
    }


def with_sentences(out: pl.DataFrame, notes: pl.DataFrame | None) -> list[dict]:
    """Output rows (dicts) with ``evidence`` (its kind), ``evidence_es`` and ``evidence_en``
    joined from ``notes`` by region and channel; the rows as they are without notes."""
    if notes is None:
        return out.to_dicts()
    n = notes.select("region", "channel", "evidence", "evidence_es", "evidence_en")
    return out.join(n, on=["region", "channel"], how="left").to_dicts()


def days_payload(notes: pl.DataFrame | None, days: pl.DataFrame | None) -> list[dict]:
    """The pairs with daily totals only: their sentence (no hour of day can be recommended)
    and the days of the week, best first, as percent against the series' mean (80 %)."""
    if notes is None or days is None or days.height == 0:
        return []
    from insights.recommend.slots import DAYS

    def pct(x: float) -> float:
        return round(100 * (math.exp(x) - 1), 1)

    out = []
    for r in notes.filter(pl.col("evidence") == "days_only").iter_rows(named=True):
        d = days.filter(pl.col("region") == r["region"], pl.col("channel") == r["channel"])
        out.append(
            {
                "region": r["region"],
                "channel": r["channel"],
                "evidence_es": r["evidence_es"],
                "evidence_en": r["evidence_en"],
                "days": [
                    {
                        "weekday": DAYS[x["weekday"]],
                        "rank": x["rank"],
                        "vs_mean_pct": pct(x["effect"]),
                        "vs_mean_pct_low": pct(x["low"]),
                        "vs_mean_pct_high": pct(x["high"]),
                        "n_days": x["n_days"],
                    }
                    for x in d.sort("rank").iter_rows(named=True)
                ],
            }
        )
    return out
