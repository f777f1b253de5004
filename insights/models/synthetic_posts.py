"""Synthetic post histories with a known hour effect, for tests and the recovery figures.

Each post is published on a random day at a random local hour of ``hours`` (or, with
``habit``, at the team's habitual hour with that probability), reaches a log-normal
audience, and gets engagements drawn from a Poisson law whose rate per reach is

    base_rate * exp(hour_effect [if the hour is best_hour] + type effect + noise),
    noise ~ Normal(0, noise_sd)

so the planted effect is a multiplier of the engagement rate (``exp(0.4)`` = 1.49x).
Rows carry exactly the ``posts`` table's columns (:data:`POSTS_COLUMNS`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from insights.models.post_effects import DEFAULT_TZ, POSTS_COLUMNS

TYPE_EFFECTS = {"Reel": 0.25, "Carousel": 0.10, "IG image": 0.0}


def synthetic_posts(
    n: int = 150,
    seed: int = 0,
    *,
    best_hour: int | None = 20,
    hour_effect: float = 0.4,
    hours: tuple[int, ...] = tuple(range(8, 23)),
    channel: str = "instagram",
    platform: str = "instagram",
    account: str | None = "Marca MX",
    start: datetime = datetime(2026, 1, 5, tzinfo=UTC),
    days: int = 180,
    tz: str = DEFAULT_TZ,
    type_effects: dict[str, float] | None = None,
    base_rate: float = 0.04,
    noise_sd: float = 0.35,
    reach_median: float = 3000.0,
    habit: tuple[int, float] | None = None,
    hour_profile: dict[int, float] | None = None,
    exported_at: datetime | None = None,
) -> pl.DataFrame:
    """``n`` posts of one account and channel (seeded). ``best_hour=None`` plants no hour
    effect. ``habit=(hour, p)`` publishes at ``hour`` with probability ``p``. ``hour_profile``
    (local hour -> log effect) plants a whole profile instead of one best hour. ``exported_at``
    defaults to ``start + days + 14 days`` (every post settled)."""
    rng = np.random.default_rng(seed)
    types = type_effects if type_effects is not None else TYPE_EFFECTS
    zone = ZoneInfo(tz)
    day = rng.integers(0, days, n)
    hour = rng.choice(np.array(hours), n)
    if habit is not None:
        at_habit = rng.random(n) < habit[1]
        hour = np.where(at_habit, habit[0], hour)
    minute = rng.integers(0, 60, n)
    kinds = rng.choice(np.array(list(types)), n)
    local0 = start.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    published = [
        (local0 + timedelta(days=int(d))).replace(hour=int(h), minute=int(m)).astimezone(UTC)
        for d, h, m in zip(day, hour, minute, strict=True)
    ]
    reach = np.maximum(50, rng.lognormal(np.log(reach_median), 0.5, n)).astype(np.int64)
    log_rate = (
        np.log(base_rate)
        + np.array([types[k] for k in kinds])
        + (hour_effect * (hour == best_hour) if best_hour is not None else 0.0)
        + (np.array([hour_profile.get(int(h), 0.0) for h in hour]) if hour_profile else 0.0)
        + rng.normal(0, noise_sd, n)
    )
    eng = rng.poisson(reach * np.exp(log_rate))
    # engagements split into Meta's parts (reactions, comments, shares, saves)
    shares_of = [0.8, 0.08, 0.06, 0.06]
    parts = rng.multinomial(eng, shares_of).T if n else np.zeros((4, 0), dtype=np.int64)
    impressions = (reach * rng.uniform(1.1, 1.6, n)).astype(np.int64)
    exported = exported_at or (start + timedelta(days=days + 14))
    return pl.DataFrame(
        {
            "platform": [platform] * n,
            "account": [account] * n,
            "post_id": [f"{platform}-{seed}-{i:05d}" for i in range(n)],
            "published_utc": published,
            "post_type": kinds.tolist(),
            "channel": [channel] * n,
            "region": [None] * n,
            "impressions": impressions,
            "reach": reach,
            "views": impressions,
            "likes": parts[0],
            "comments": parts[1],
            "shares": parts[2],
            "saves": parts[3],
            "engagements": eng.astype(np.int64),
            "source": ["synthetic"] * n,
            "file_sha256": [f"synthetic-{seed}"] * n,
            "exported_at": [exported] * n,
        },
        schema=POSTS_COLUMNS,
    )
