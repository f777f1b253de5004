"""How recommendations are written for machines: one time format, units, rounding.

Shared by ``insights recommend --format json|csv`` and the HTTP API, so both give the same
fields. Instants are ISO 8601 UTC with ``Z``; ``start_local`` carries the offset of the
slot's IANA time zone (``tz``) at that instant.
"""

from __future__ import annotations

import polars as pl

# Units of the numeric fields in JSON and CSV output (also in the JSON document itself).
UNITS = {
    "expected_engagement": "engagements (views' interactions) summed over the window",
    "engagement_low": "engagements, lower bound of the 80% interval",
    "engagement_high": "engagements, upper bound of the 80% interval",
    "renewable_pct": "percent of the grid's generation, mean over the window",
    "renewable_pct_low": "percent, lower bound of the grid forecast's interval",
    "renewable_pct_high": "percent, upper bound of the grid forecast's interval",
    "carbon_intensity": "gCO2eq/kWh, mean over the window",
    "carbon_intensity_low": "gCO2eq/kWh, lower bound of the grid forecast's interval",
    "carbon_intensity_high": "gCO2eq/kWh, upper bound of the grid forecast's interval",
    "energy_availability": "0..1 (renewable share, or 1 - gCO2eq/kWh / 1000)",
    "score": "0..1, the weighted score the ranking maximises",
    "engagement_vs_best_pct": "percent against the best engagement-only slot",
    "renewable_vs_best_pp": "percentage points of renewable share against the best "
    "engagement-only slot",
    "carbon_vs_best_pct": "percent of carbon intensity against the best engagement-only slot",
    "energy_signals_disagree": "true when renewable share and carbon intensity point opposite "
    "ways against the best engagement-only slot (params.signal is the one ranked by)",
    "window_hours": "hours",
    "data_age_hours": "hours",
}
DIGITS = {
    "expected_engagement": 1,
    "engagement_low": 1,
    "engagement_high": 1,
    "renewable_pct": 1,
    "renewable_pct_low": 1,
    "renewable_pct_high": 1,
    "carbon_intensity": 1,
    "carbon_intensity_low": 1,
    "carbon_intensity_high": 1,
    "energy_availability": 3,
    "score": 4,
    "engagement_vs_best_pct": 2,
    "renewable_vs_best_pp": 2,
    "carbon_vs_best_pct": 2,
}


def iso_z(value) -> str | None:
    """A UTC instant as ISO 8601 with ``Z``: ``2026-12-05T03:00:00Z``."""
    from datetime import UTC, datetime

    if value is None:
        return None
    dt = datetime.fromisoformat(str(value)) if not isinstance(value, datetime) else value
    dt = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def output_frame(recs, regions):
    """Recommendations for JSON/CSV: numbers rounded, the slot's IANA time zone added."""
    tz = regions.select("region", "tz")
    return (
        recs.join(tz, on="region", how="left")
        .with_columns(
            pl.col("tz").fill_null("UTC"),
            # + 0.0: a value rounded to zero is 0.0, never -0.0 in the JSON or CSV
            *[
                pl.col(c).cast(pl.Float64).round(d) + 0.0
                for c, d in DIGITS.items()
                if c in recs.columns
            ],
        )
        .select(
            [
                *recs.columns[: recs.columns.index("start_utc") + 1],
                "tz",
                *recs.columns[recs.columns.index("start_utc") + 1 :],
            ]
        )
    )
