"""The columns of the platform tables (``posts``, ``audience_activity``, ``audience_shares``,
``daily_series``): one contract shared by the sources that fill them
(:mod:`insights.sources`) and the models that read them (:mod:`insights.models.post_effects`,
:mod:`insights.recommend.evidence`). Names and types change only with a migration."""

from __future__ import annotations

from typing import Any

import polars as pl

PLATFORM_SCHEMA: dict[str, dict[str, Any]] = {
    "posts": {
        "platform": pl.Utf8,
        "account": pl.Utf8,
        "post_id": pl.Utf8,
        "published_utc": pl.Datetime("us", "UTC"),
        "post_type": pl.Utf8,
        "channel": pl.Utf8,
        "region": pl.Utf8,
        "impressions": pl.Int64,
        "reach": pl.Int64,
        "views": pl.Int64,
        "likes": pl.Int64,
        "comments": pl.Int64,
        "shares": pl.Int64,
        "saves": pl.Int64,
        "engagements": pl.Int64,
        "source": pl.Utf8,
        "file_sha256": pl.Utf8,
        "exported_at": pl.Datetime("us", "UTC"),
    },
    "audience_activity": {
        "platform": pl.Utf8,
        "channel": pl.Utf8,
        "weekday": pl.Int16,
        "hour_local": pl.Int16,
        "tz": pl.Utf8,
        "value": pl.Float64,
        "metric": pl.Utf8,
        "source": pl.Utf8,
        "file_sha256": pl.Utf8,
    },
    "audience_shares": {
        "platform": pl.Utf8,
        "channel": pl.Utf8,
        "geo": pl.Utf8,
        "geo_level": pl.Utf8,
        "metric": pl.Utf8,
        "value": pl.Float64,
        "share": pl.Float64,
        "source": pl.Utf8,
        "file_sha256": pl.Utf8,
    },
    "daily_series": {
        "day": pl.Date,
        "platform": pl.Utf8,
        "channel": pl.Utf8,
        "region": pl.Utf8,
        "metric": pl.Utf8,
        "value": pl.Float64,
        "source": pl.Utf8,
        "file_sha256": pl.Utf8,
    },
}
