"""Candidate publishing slots: every (region, channel, start hour) with its engagement and energy.

Pure functions over Polars frames. Engagement over a window [t, t+L) is the sum
of the hourly forecasts (its interval the sum of the hourly bounds, which
assumes errors move together: a conservative band). Energy over the window is
the mean renewable share and carbon intensity of the region's grid zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from insights.recommend.errors import ParamError

CI_REF = 1000.0  # gCO2eq/kWh at which carbon availability reaches 0 (a coal plant's output)
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# the 80 % bounds, where the energy forecasts carry them, are averaged over the window too
ENERGY_COLUMNS = (
    "renewable_pct",
    "carbon_intensity",
    "renewable_pct_low",
    "renewable_pct_high",
    "carbon_intensity_low",
    "carbon_intensity_high",
)


@dataclass(frozen=True)
class SlotRules:
    """The constraints a team sets. Hours and days are in each region's local time."""

    start: datetime
    horizon_days: float = 7
    window_hours: int = 1
    hours: tuple[int, int] = (8, 23)  # inclusive start-hour range, local; (22, 2) wraps
    days: tuple[str, ...] = tuple(DAYS)
    signal: str = "renewable"  # or "carbon"
    regions: tuple[str, ...] = field(default_factory=tuple)
    channels: tuple[str, ...] = field(default_factory=tuple)


def parse_hours(text: str) -> tuple[int, int]:
    """``"8-23"`` -> ``(8, 23)``, inclusive local start hours; ``"22-2"`` wraps past midnight
    (22, 23, 0, 1, 2). A single hour ``"20"`` is ``(20, 20)``.

    >>> parse_hours("8-23"), parse_hours("22-2"), parse_hours("20")
    ((8, 23), (22, 2), (20, 20))
    """
    try:
        parts = [int(x) for x in text.replace(" ", "").split("-")]
        a, b = (parts[0], parts[0]) if len(parts) == 1 else parts
    except ValueError:
        raise ParamError(
            "hours", text, "use START-END in 0..23, e.g. 8-23 (22-2 wraps past midnight)"
        ) from None
    if not (0 <= a <= 23 and 0 <= b <= 23):
        raise ParamError("hours", text, "hours must be in 0..23, e.g. 8-23 or 22-2")
    return a, b


def hours_allowed(hour: pl.Expr, hours: tuple[int, int]) -> pl.Expr:
    """Whether a local start hour is in the inclusive range, wrapping past midnight if a > b."""
    a, b = hours
    return hour.is_between(a, b) if a <= b else (hour >= a) | (hour <= b)


def hour_set(hours: tuple[int, int]) -> list[int]:
    a, b = hours
    return list(range(a, b + 1)) if a <= b else [*range(a, 24), *range(0, b + 1)]


# Spanish and English day names and their usual abbreviations (accents optional).
DAY_ALIASES = {
    **{d: d for d in DAYS},
    "monday": "mon", "tues": "tue", "tuesday": "tue", "wednesday": "wed", "thur": "thu",
    "thurs": "thu", "thursday": "thu", "friday": "fri", "saturday": "sat", "sunday": "sun",
    "lun": "mon", "lunes": "mon", "mar": "tue", "martes": "tue", "mie": "wed", "miercoles": "wed",
    "jue": "thu", "jueves": "thu", "vie": "fri", "viernes": "fri", "sab": "sat", "sabado": "sat",
    "dom": "sun", "domingo": "sun",
}  # fmt: skip


def parse_days(text: str) -> tuple[str, ...]:
    """Comma-separated day names, Spanish or English, full or abbreviated, any case.

    >>> parse_days("lunes,Mié,sábado,sun")
    ('mon', 'wed', 'sat', 'sun')
    """
    import unicodedata

    def key(d: str) -> str:
        plain = unicodedata.normalize("NFKD", d.strip().casefold())
        return "".join(c for c in plain if not unicodedata.combining(c)).rstrip(".")

    given = [d for d in text.split(",") if d.strip()]
    bad = [d.strip() for d in given if key(d) not in DAY_ALIASES]
    if bad or not given:
        raise ParamError(
            "days",
            text,
            f"unknown day {', '.join(bad) or '(none given)'}; use English or Spanish names, "
            "e.g. mon,tue,wed,thu,fri,sat,sun or lun,mar,mié,jue,vie,sáb,dom",
        )
    return tuple(dict.fromkeys(DAY_ALIASES[key(d)] for d in given))


def availability(renewable_pct: pl.Expr, carbon: pl.Expr, signal: str) -> pl.Expr:
    """Energy availability in [0, 1]: the renewable share, or 1 - CI / 1000 g for ``carbon``."""
    if signal == "renewable":
        return (renewable_pct / 100).clip(0, 1)
    if signal == "carbon":
        return (1 - carbon / CI_REF).clip(0, 1)
    raise ParamError("signal", signal, "use renewable or carbon")


def national_fallback(regions: pl.DataFrame, energy: pl.DataFrame) -> pl.DataFrame:
    """Regions whose own grid zone has no energy rows use their country's national zone
    (the zone id before the ``-``: ``MX-CE`` -> ``MX``, CENACE's national mix) when it has
    some. ``regions``: ``region, grid_zone, ...``; ``energy``: ``zone, ...``. Adds
    ``national_signal`` (bool) and keeps the region's own zone as ``own_zone``."""
    have = set(energy["zone"].unique().to_list()) if energy.height else set()
    national = pl.col("grid_zone").str.split("-").list.first()
    fall = pl.col("grid_zone").is_not_null() & ~pl.col("grid_zone").is_in(list(have))
    fall = fall & national.is_in(list(have)) & (national != pl.col("grid_zone"))
    return regions.with_columns(
        pl.col("grid_zone").alias("own_zone"),
        pl.when(fall).then(national).otherwise(pl.col("grid_zone")).alias("grid_zone"),
        fall.fill_null(False).alias("national_signal"),
    )


def hourly_pairs(engagement: pl.DataFrame) -> pl.DataFrame:
    """Only the pairs whose forecast rows are one hour apart: a pair trained at a daily step
    forecasts a day's total, which scored as one hour's engagement would outrank every
    hourly pair. Such a pair is named, with that reason, by
    :func:`insights.recommend.coverage.not_recommended`."""
    if engagement.height == 0:
        return engagement
    step = engagement.group_by("region", "channel").agg(
        pl.col("ts").sort().diff().min().alias("_step")
    )
    keep = step.filter(pl.col("_step").is_null() | (pl.col("_step") == timedelta(hours=1)))
    return engagement.join(keep.select("region", "channel"), on=["region", "channel"])


def build_candidates(
    engagement: pl.DataFrame, energy: pl.DataFrame, regions: pl.DataFrame, rules: SlotRules
) -> pl.DataFrame:
    """One row per (region, channel, start hour in UTC) within the horizon, with ``allowed``.

    ``engagement``: ``region, channel, ts, yhat, yhat_lo, yhat_hi`` (hourly forecasts);
    ``energy``: ``zone, ts, renewable_pct, carbon_intensity`` (hourly forecasts);
    ``regions``: ``region, grid_zone, tz``. A region without data for its own zone is scored
    on its country's national signal (:func:`national_fallback`; ``national_signal`` says so).
    """
    regions = national_fallback(regions, energy)
    eng = hourly_pairs(engagement)
    if rules.regions:
        eng = eng.filter(pl.col("region").is_in(rules.regions))
    if rules.channels:
        eng = eng.filter(pl.col("channel").is_in(rules.channels))
    L = rules.window_hours
    start = rules.start.replace(minute=0, second=0, microsecond=0)
    if start < rules.start:
        start += timedelta(hours=1)
    end = start + timedelta(hours=rules.horizon_days * 24)
    eng = (
        eng.sort("region", "channel", "ts")
        .with_columns(
            *[
                pl.col(c).rolling_sum(L).shift(-(L - 1)).over("region", "channel").alias(c)
                for c in ("yhat", "yhat_lo", "yhat_hi")
            ],
            (pl.col("ts").shift(-(L - 1)).over("region", "channel") - pl.col("ts")).alias("_span"),
        )
        .filter(pl.col("_span") == timedelta(hours=L - 1))
    )
    en = energy.sort("zone", "ts").with_columns(
        *[
            pl.col(c).rolling_mean(L).shift(-(L - 1)).over("zone").alias(c)
            for c in ENERGY_COLUMNS
            if c in energy.columns
        ]
    )
    c = (
        eng.filter(pl.col("ts") >= start, pl.col("ts") < end)
        .join(
            regions.select("region", pl.col("grid_zone").alias("zone"), "tz", "national_signal"),
            on="region",
            how="left",
        )
        .join(en, on=["zone", "ts"], how="left")
    )
    if c.height == 0:
        return c
    parts = []
    for (tz,), g in c.partition_by("tz", as_dict=True).items():
        local = pl.col("ts").dt.convert_time_zone(tz or "UTC")
        parts.append(
            g.with_columns(
                local.dt.strftime("%Y-%m-%dT%H:%M:%S%:z").alias("start_local"),
                local.dt.hour().alias("_h"),
                (local.dt.weekday() - 1).alias("_d"),
            )
        )
    c = pl.concat(parts)
    day_idx = [DAYS.index(d) for d in rules.days]
    return (
        c.with_columns(
            availability(pl.col("renewable_pct"), pl.col("carbon_intensity"), rules.signal).alias(
                "energy_availability"
            ),
            (hours_allowed(pl.col("_h"), rules.hours) & pl.col("_d").is_in(day_idx)).alias(
                "allowed"
            ),
        )
        .drop("_h", "_d", "_span")
        .sort("region", "channel", "ts")
    )


def to_matrices(c: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray, np.ndarray, np.ndarray, list]:
    """Pairs x hours on a shared UTC grid: (pairs frame, engagement, availability, allowed, grid)."""
    grid = c["ts"].unique().sort()
    pairs = c.select("region", "channel").unique().sort("region", "channel")
    at = (
        c.select("region", "channel", "ts", "yhat", "energy_availability", "allowed")
        .join(pairs.with_row_index("_p"), on=["region", "channel"])
        .join(grid.to_frame().with_row_index("_t"), on="ts")
    )
    rows, cols = at["_p"].to_numpy(), at["_t"].to_numpy()
    E = np.full((pairs.height, len(grid)), np.nan)
    A = np.full_like(E, np.nan)
    ok = np.zeros_like(E, dtype=bool)
    E[rows, cols] = at["yhat"].to_numpy()
    A[rows, cols] = at["energy_availability"].fill_null(np.nan).to_numpy()
    ok[rows, cols] = at["allowed"].to_numpy() & np.isfinite(E[rows, cols])
    return pairs, E, A, ok, grid.to_list()
