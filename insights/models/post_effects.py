"""What the team's own posts say about publish hour, channel and post type.

Pure functions over the ``posts`` table's frame (columns in ``docs/posts-evidence.md``:
``platform, account, post_id, published_utc, post_type, channel, region, impressions, reach,
views, likes, comments, shares, saves, engagements, source, file_sha256, exported_at``).

**Engagement per post.** ``rate = engagements / basis``. ``engagements`` is the exported
column; when it is empty, the sum of the likes, comments, shares and saves the row has (Meta's
own definition of engagement for a post). The basis is chosen *per channel*, never mixed
within one: ``reach`` when at least half of the channel's posts carry it, else ``impressions``
on the same rule, else ``views`` (TikTok's content export gives views only). A post without
its channel's basis (or with a basis of 0) is left out, counted under ``no_basis``. Rates are
modelled on the log scale, ``y = log((engagements + 0.5) / (basis + 0.5))`` (the +0.5 keeps
a post with no engagement finite: Cox, *The Analysis of Binary Data*, 1970, the empirical
logit's continuity correction), so every effect is a multiplier of the rate.

**Settling.** Lifetime totals keep growing after publication, and Meta documents that the
data behind its media insights "can be delayed up to 48 hours" (Instagram Platform, Media
Insights reference, developers.facebook.com/docs/instagram-platform/reference/
instagram-media/insights). No platform documents when lifetime totals stop moving, so a post
is used only when it was at least ``SETTLE_DAYS`` = 7 days old when its metrics were read:
``exported_at`` when the export says it, else the newest publish time in the same file (the
export cannot be older than its newest post, so this only ever leaves more posts out).
Younger posts are left out, counted under ``too_young``; none is extrapolated.

**Local time.** A post's hour is read in its audience's time zone: the region's zone when the
row has a known region (:func:`insights.regions.region_tz`), else the account's zone from
``account_tz``, else ``default_tz`` (America/Mexico_City, which has kept UTC-6 all year
since 2022).

**Partial pooling.** ``y = account + channel + post_type + hour + weekday + noise``, each
term a set of random effects nested in the one before (channels within the account; types,
local hours of the day and local days of the week within the channel). The hour of the week
is modelled as hour of day + day of week: the 168 cells of an interaction would hold one or
two posts each in a history of a few hundred, and the synthetic backtest showed such an
interaction term only adding noise to the ranking (docs/posts-evidence.md). Fitted by
backfitting (Hastie & Tibshirani, *Generalized Additive Models*, 1990, ch. 4): each level in
turn is fitted to the residuals of the others with the hierarchical normal model of Gelman et
al., *Bayesian Data Analysis* (3rd ed.), sec. 5.4 (:func:`shrink`): a group mean of ``n``
posts is pulled toward its parent by ``B ~ (s2/n) / (s2/n + tau^2)``, ``tau`` (how much the
groups of that level really differ, one value per level, shared by the channels) integrated
over its posterior rather than plugged in. An hour with two posts therefore stays near its
channel's mean unless the hours really differ and the two posts are far out. Intervals are normal on the log scale (``LEVEL`` = 90 %) and shown as
multipliers of the channel's rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from insights.platform_schema import PLATFORM_SCHEMA

SETTLE_DAYS = 7
DEFAULT_TZ = "America/Mexico_City"
LEVEL = 0.90
BASES = ("reach", "impressions", "views")
COMPONENTS = ("likes", "comments", "shares", "saves")
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# backfitting sweeps at most; the effects move by less than 1e-5 well before this on every history
# tried (tests and docs/posts-evidence.md)
SWEEPS = 25
POSTS_COLUMNS = PLATFORM_SCHEMA["posts"]


def z_of(level: float) -> float:
    """The standard normal quantile of a two-sided ``level`` interval (0.9 -> 1.645)."""
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2))


def _tz_of(region: str | None, account: str | None, account_tz: dict, default_tz: str) -> str:
    from insights.regions import canonical_region, region_tz

    if region:
        tz = region_tz(canonical_region(region) or region)
        if tz != "UTC":
            return tz
    return account_tz.get(account or "", default_tz)


def prepare_posts(
    posts: pl.DataFrame,
    *,
    default_tz: str = DEFAULT_TZ,
    account_tz: dict[str, str] | None = None,
    settle_days: float = SETTLE_DAYS,
) -> pl.DataFrame:
    """Every post with its engagement rate, local hour and ``status``.

    Adds ``account_key`` (``account`` or ``"(account)"``), ``type_key`` (``post_type`` or
    ``"(type)"``), ``eng`` (engagements used), ``basis`` (the channel's denominator name),
    ``basis_value``, ``rate``, ``y`` (log rate), ``tz``, ``hour`` (0-23 local), ``weekday``
    (0 = Monday, local), ``how`` (``weekday * 24 + hour``), ``age_days`` (at the metrics'
    reading) and ``status``: ``used`` | ``too_young`` | ``no_basis`` | ``no_engagements``.
    """
    account_tz = account_tz or {}
    df = posts.with_columns(
        pl.col("published_utc").dt.convert_time_zone("UTC"),
        pl.col("account").fill_null("(account)").alias("account_key"),
        pl.col("post_type").fill_null("(type)").alias("type_key"),
    )
    comps = [c for c in COMPONENTS if c in df.columns]
    any_comp = pl.any_horizontal([pl.col(c).is_not_null() for c in comps])
    df = df.with_columns(
        pl.coalesce(
            pl.col("engagements").cast(pl.Float64),
            pl.when(any_comp).then(pl.sum_horizontal([pl.col(c) for c in comps]).cast(pl.Float64)),
        ).alias("eng")
    )
    # the channel's basis: the first of reach, impressions, views that half its posts carry
    cover = df.group_by("channel").agg(
        *[(pl.col(b).fill_null(0) > 0).mean().alias(b) for b in BASES]
    )
    basis_of = {}
    for row in cover.iter_rows(named=True):
        ok = [b for b in BASES if row[b] >= 0.5]
        basis_of[row["channel"]] = ok[0] if ok else max(BASES, key=lambda b: row[b])
    df = df.with_columns(pl.col("channel").replace_strict(basis_of, default=None).alias("basis"))
    df = df.with_columns(
        pl.coalesce(
            *[pl.when(pl.col("basis") == b).then(pl.col(b).cast(pl.Float64)) for b in BASES]
        ).alias("basis_value")
    )
    # when the metrics were read: the export's time, else the newest post of the same file
    newest = pl.col("published_utc").max().over("file_sha256")
    read_at = pl.coalesce(pl.col("exported_at").dt.convert_time_zone("UTC"), newest)
    df = df.with_columns(
        ((read_at - pl.col("published_utc")).dt.total_seconds() / 86400).alias("age_days")
    )
    tzs = [
        _tz_of(r, a, account_tz, default_tz)
        for r, a in zip(df["region"].to_list(), df["account"].to_list(), strict=True)
    ]
    df = df.with_columns(pl.Series("tz", tzs, dtype=pl.Utf8))
    parts = []
    for (tz,), g in df.partition_by("tz", as_dict=True, maintain_order=True).items():
        local = pl.col("published_utc").dt.convert_time_zone(tz)
        parts.append(
            g.with_columns(
                local.dt.hour().cast(pl.Int32).alias("hour"),
                (local.dt.weekday() - 1).cast(pl.Int32).alias("weekday"),
            )
        )
    df = pl.concat(parts) if parts else df.with_columns(hour=pl.lit(0), weekday=pl.lit(0))
    status = (
        pl.when(pl.col("eng").is_null())
        .then(pl.lit("no_engagements"))
        .when(pl.col("basis_value").is_null() | (pl.col("basis_value") <= 0))
        .then(pl.lit("no_basis"))
        .when(pl.col("age_days") < settle_days)
        .then(pl.lit("too_young"))
        .otherwise(pl.lit("used"))
    )
    return df.with_columns(
        (pl.col("weekday") * 24 + pl.col("hour")).alias("how"),
        (pl.col("eng") / pl.col("basis_value")).alias("rate"),
        ((pl.col("eng") + 0.5) / (pl.col("basis_value") + 0.5)).log().alias("y"),
        status.alias("status"),
    ).sort("published_utc", "platform", "post_id")


TAU_MAX = 2.0  # log scale: a group 7x its parent's rate; the prior on tau is uniform below it
TAU_GRID = 200


def shrink(
    n: np.ndarray, mean: np.ndarray, s2: float
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """Partial pooling of group means of residuals toward 0 (their parent's estimate).

    The hierarchical normal model of Gelman et al., *Bayesian Data Analysis* (3rd ed., 2013),
    sec. 5.4: ``mean_j ~ N(theta_j, s2 / n_j)``, ``theta_j ~ N(0, tau^2)``, with a uniform
    prior on ``tau`` (their sec. 5.7) over ``[0, TAU_MAX]``, integrated on a grid of
    ``TAU_GRID`` points (their eqs. 5.17-5.21), so the intervals carry the uncertainty about
    ``tau`` and a small ``tau`` never collapses every group onto its parent.

    ``n``: posts per group; ``mean``: the groups' mean residual; ``s2``: the residual
    variance of one post. Returns ``(posterior mean, posterior variance, posterior mean of
    tau^2, B)``, ``B`` the share of each estimate taken from the parent (0 = the group's own
    posts alone, 1 = the parent alone).
    """
    n = np.asarray(n, dtype=float)
    mean = np.asarray(mean, dtype=float)
    v = s2 / n  # (k,)
    tau = np.linspace(0.0, TAU_MAX, TAU_GRID)[:, None]  # (g, 1)
    tot = v[None, :] + tau**2
    loglik = -0.5 * (np.log(tot) + mean[None, :] ** 2 / tot).sum(axis=1)
    w = np.exp(loglik - loglik.max())
    w /= w.sum()
    keep = tau**2 / tot  # share of the group's own mean, given tau
    cond_mean = keep * mean[None, :]
    cond_var = keep * v[None, :]
    post = w @ cond_mean
    var = w @ (cond_var + cond_mean**2) - post**2
    return post, np.maximum(var, 0.0), float(w @ tau[:, 0] ** 2), 1 - w @ keep


# level name -> the columns that name a group (each level nested in the one before)
LEVELS = {
    "account": ["account_key"],
    "channel": ["account_key", "channel"],
    "post_type": ["account_key", "channel", "type_key"],
    "hour": ["account_key", "channel", "hour"],
    "weekday": ["account_key", "channel", "weekday"],
}


@dataclass(frozen=True)
class PostEffects:
    """A fitted model. ``effects``: one row per level x group (see :func:`fit_post_effects`);
    ``posts``: :func:`prepare_posts`'s frame with ``fitted`` for used posts; ``s2``: residual
    variance (log scale); ``tau2``: between-group variance per level; ``excluded``: posts
    left out per reason."""

    effects: pl.DataFrame
    posts: pl.DataFrame
    s2: float
    tau2: dict
    excluded: dict
    level: float = LEVEL

    def hour_table(self, kind: str = "hour") -> pl.DataFrame:
        """``kind`` = ``hour`` or ``weekday`` rows, best first within each channel."""
        return self.effects.filter(pl.col("level") == kind).sort(
            "account", "channel", "effect", descending=[False, False, True]
        )

    def predict(self, frame: pl.DataFrame, levels: tuple[str, ...]) -> np.ndarray:
        """The summed effects of ``levels`` for the rows of ``frame`` (which holds the
        levels' key columns: ``account_key, channel, type_key, hour, weekday``); a group the
        model never saw adds 0 (its parent's value)."""
        out = np.zeros(frame.height)
        names = {"account_key": "account", "type_key": "post_type"}
        for lvl in levels:
            cols = LEVELS[lvl]
            eff = self.effects.filter(pl.col("level") == lvl).select(
                *[pl.col(names.get(c, c)).alias(c) for c in cols], pl.col("effect").alias("_e")
            )
            j = frame.select(cols).with_row_index("_i").join(eff, on=cols, how="left")
            out += j.sort("_i")["_e"].fill_null(0.0).to_numpy()
        return out

    def hour_of_week(self) -> pl.DataFrame:
        """The 168 local hours of the week per account and channel: ``account, channel,
        weekday, hour, effect`` (hour of day + day of week, log scale, relative to the
        channel's mean), ``low, high`` (the ``level`` interval; the two terms' variances
        added), ``lift, lift_low, lift_high`` (``exp``), ``n_posts`` (posts at that very
        hour of the week), ``n_hour`` and ``n_weekday`` (posts behind each term), and
        ``shrinkage`` (the hour term's). An hour or day with no post gets effect 0 and the
        level's whole spread (``tau^2``) as its variance: no evidence, a wide interval."""
        z = z_of(self.level)
        e = self.effects
        pairs = e.filter(pl.col("level") == "channel").select("account", "channel")
        grid = pairs.join(
            pl.DataFrame({"weekday": list(range(7))}, schema={"weekday": pl.Int32}), how="cross"
        ).join(pl.DataFrame({"hour": list(range(24))}, schema={"hour": pl.Int32}), how="cross")

        def part(lvl: str, key: str) -> pl.DataFrame:
            return e.filter(pl.col("level") == lvl).select(
                "account",
                "channel",
                key,
                pl.col("effect").alias(f"e_{lvl}"),
                ((pl.col("high") - pl.col("low")) / (2 * z)).pow(2).alias(f"v_{lvl}"),
                pl.col("n_posts").alias(f"n_{lvl}"),
                pl.col("shrinkage").alias(f"b_{lvl}"),
            )

        cells = self.posts.group_by(
            pl.col("account_key").alias("account"), "channel", "weekday", "hour"
        ).agg(pl.len().alias("n_posts"))
        t_h = self.tau2.get("hour", 0.0) or 0.0
        t_w = self.tau2.get("weekday", 0.0) or 0.0
        out = (
            grid.join(part("hour", "hour"), on=["account", "channel", "hour"], how="left")
            .join(part("weekday", "weekday"), on=["account", "channel", "weekday"], how="left")
            .join(cells, on=["account", "channel", "weekday", "hour"], how="left")
            .with_columns(
                (pl.col("e_hour").fill_null(0.0) + pl.col("e_weekday").fill_null(0.0)).alias(
                    "effect"
                ),
                (pl.col("v_hour").fill_null(t_h) + pl.col("v_weekday").fill_null(t_w))
                .sqrt()
                .alias("_se"),
                pl.col("n_posts").fill_null(0).cast(pl.Int64),
                pl.col("n_hour").fill_null(0).cast(pl.Int64),
                pl.col("n_weekday").fill_null(0).cast(pl.Int64),
                pl.col("b_hour").fill_null(1.0).alias("shrinkage"),
            )
            .with_columns(
                (pl.col("effect") - z * pl.col("_se")).alias("low"),
                (pl.col("effect") + z * pl.col("_se")).alias("high"),
            )
        )
        return out.select(
            "account", "channel", "weekday", "hour", "effect", "low", "high",
            pl.col("effect").exp().alias("lift"), pl.col("low").exp().alias("lift_low"),
            pl.col("high").exp().alias("lift_high"), "n_posts", "n_hour", "n_weekday",
            "shrinkage",
        ).sort("account", "channel", "weekday", "hour")  # fmt: skip


def fit_post_effects(
    posts: pl.DataFrame,
    *,
    default_tz: str = DEFAULT_TZ,
    account_tz: dict[str, str] | None = None,
    settle_days: float = SETTLE_DAYS,
    level: float = LEVEL,
    prepared: bool = False,
) -> PostEffects:
    """Fit the partially pooled model to the settled posts.

    Returns :class:`PostEffects` whose ``effects`` frame has one row per level and group:
    ``level`` (account | channel | post_type | hour | weekday), ``account``, ``channel``
    (null for the account level), ``post_type``, ``hour`` (0-23 local), ``weekday`` (0 =
    Monday), ``n_posts``, ``raw`` (the group's unpooled mean residual), ``effect`` (posterior
    mean, log scale, relative to the parent: the account row holds the account's mean log
    rate), ``low``/``high`` (its ``level`` interval), ``lift``/``lift_low``/``lift_high``
    (``exp`` of those: the multiplier of the parent's rate), ``shrinkage`` (B, 0 = the data
    alone, 1 = the parent alone). Raises ``ValueError`` when no post is usable (the message
    says how many were left out and why).
    """
    df = (
        posts
        if prepared
        else prepare_posts(
            posts, default_tz=default_tz, account_tz=account_tz, settle_days=settle_days
        )
    )
    excluded = dict(df.filter(pl.col("status") != "used").group_by("status").len().iter_rows())
    used = df.filter(pl.col("status") == "used")
    if used.height == 0:
        why = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in sorted(excluded.items()))
        raise ValueError(f"no settled post with engagements and a basis ({why or 'no posts'})")
    y = used["y"].to_numpy()
    idx = {}
    for lvl, cols in LEVELS.items():
        codes = used.select(pl.struct(cols).rank("dense").cast(pl.Int64) - 1).to_series()
        idx[lvl] = codes.to_numpy()
    est = {lvl: np.zeros(idx[lvl].max() + 1) for lvl in LEVELS}
    var = {lvl: np.zeros_like(est[lvl]) for lvl in LEVELS}
    shr = {lvl: np.zeros_like(est[lvl]) for lvl in LEVELS}
    cnt = {lvl: np.bincount(idx[lvl]).astype(float) for lvl in LEVELS}
    tau2: dict[str, float] = {}

    def total(skip: str | None = None) -> np.ndarray:
        return sum(est[lv][idx[lv]] for lv in LEVELS if lv != skip)

    # the account level: plain means (one account is the usual case; nothing to pool with)
    s2 = float(np.var(y, ddof=1)) if len(y) > 1 else 1.0
    for _ in range(SWEEPS):
        prev = {k: v.copy() for k, v in est.items()}
        for lvl in LEVELS:
            r = y - total(skip=lvl)
            sums = np.bincount(idx[lvl], weights=r)
            means = sums / cnt[lvl]
            if lvl == "account":
                est[lvl], var[lvl] = means, s2 / cnt[lvl]
                continue
            est[lvl], var[lvl], tau2[lvl], shr[lvl] = shrink(cnt[lvl], means, s2)
        resid = y - total()
        dof = max(1, len(y) - len(est["channel"]) - len(est["account"]))
        s2 = max(float((resid**2).sum() / dof), 1e-6)
        if max(np.abs(est[k] - prev[k]).max() for k in est) < 1e-5:
            break
    z = z_of(level)
    rows = []
    for lvl, cols in LEVELS.items():
        keys = used.select(*cols).with_columns(pl.Series("_g", idx[lvl])).unique("_g")
        keys = keys.sort("_g")
        r = y - total(skip=lvl)
        raw = np.bincount(idx[lvl], weights=r) / cnt[lvl]
        se = np.sqrt(var[lvl])
        rows.append(
            keys.select(
                pl.lit(lvl).alias("level"),
                pl.col("account_key").alias("account"),
                (pl.col("channel") if "channel" in cols else pl.lit(None, pl.Utf8)).alias(
                    "channel"
                ),
                (pl.col("type_key") if "type_key" in cols else pl.lit(None, pl.Utf8)).alias(
                    "post_type"
                ),
                (pl.col("hour") if "hour" in cols else pl.lit(None, pl.Int32)).alias("hour"),
                (pl.col("weekday") if "weekday" in cols else pl.lit(None, pl.Int32)).alias(
                    "weekday"
                ),
            ).with_columns(
                pl.Series("n_posts", cnt[lvl].astype(np.int64)),
                pl.Series("raw", raw),
                pl.Series("effect", est[lvl]),
                pl.Series("low", est[lvl] - z * se),
                pl.Series("high", est[lvl] + z * se),
                pl.Series("shrinkage", shr[lvl]),
            )
        )
    eff = pl.concat(rows).with_columns(
        pl.col("effect").exp().alias("lift"),
        pl.col("low").exp().alias("lift_low"),
        pl.col("high").exp().alias("lift_high"),
    )
    fitted = used.with_columns(pl.Series("fitted", total()))
    return PostEffects(eff, fitted, s2, tau2, excluded, level)


def hour_label(weekday: int | None, hour: int, lang: str = "en") -> str:
    """``"fri 20:00"`` / ``"vie 20:00"``, or ``"20:00"`` without a weekday."""
    days = WEEKDAYS if lang == "en" else ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"]
    return f"{days[weekday]} {hour:02d}:00" if weekday is not None else f"{hour:02d}:00"
