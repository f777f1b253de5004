"""The demo's second brand: a small café chain in three northern states (synthetic).

The demo warehouse holds two brands, so that what keeps brands apart (``--client``, see
:mod:`insights.brands`) is seen working: the main demo's audience (:mod:`insights.demo_data`,
brand ``default``) and this one, ingested with ``--client`` (:data:`BRAND`). It is small on
purpose (3 states x 2 channels, one topic, at most :data:`MAX_DAYS` days), so that training
it adds little to ``make demo``.

Its audience differs from the main demo's where a recommendation can see it: a morning peak
(coffee, about 08:30 local, 10:30 at weekends) and an afternoon one (about 17:00), no evening
peak, in the states' own clocks (Monterrey, Chihuahua, Hermosillo). The file is the same
layout as the main demo's ``consumption.parquet`` (columns ``timestamp`` (UTC), ``region``,
``channel``, ``topic``, ``views``, ``engagements``), so ``insights ingest`` reads it the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from insights.regions import load_regions

BRAND = "Café Ñandú"
#: state -> the brand's size there (mean engagements per hour at the morning peak, Instagram)
STATES = {"Nuevo León": 23.0, "Chihuahua": 15.0, "Sonora": 12.0}
#: channel -> (relative size, views per engagement)
CHANNELS = {"instagram": (1.0, 12.0), "tiktok": (0.7, 20.0)}
TOPIC = "café"
MAX_DAYS = 56  # eight weeks: enough for three weekly backtest cut-offs


def hours_until(end: datetime, days: int) -> np.ndarray:
    """The UTC hours (``datetime64[us]``, naive) of the ``days`` days up to ``end``'s hour
    (``end`` naive: UTC)."""
    if end.tzinfo is not None:
        end = end.astimezone(UTC).replace(tzinfo=None)
    last = np.datetime64(end, "h")
    return np.arange(last - np.timedelta64(days * 24, "h"), last + 1).astype("datetime64[us]")


def brand_frame(hours: np.ndarray, seed: int) -> pl.DataFrame:
    """Hourly audience of :data:`BRAND` for UTC ``hours`` (``datetime64[us]``): one row per
    hour, state and channel; engagements and views are Poisson counts."""
    rng = np.random.default_rng(seed + 1000)  # not the main demo's draws
    tz = dict(load_regions().select("region", "tz").iter_rows())
    utc = pl.Series("t", hours).dt.replace_time_zone("UTC")
    frames = []
    for state, size_here in STATES.items():
        local = utc.dt.convert_time_zone(tz[state])  # the state's own clock
        hod = (local.dt.hour() + local.dt.minute() / 60).to_numpy().astype(float)
        weekend = (local.dt.weekday() >= 6).to_numpy()  # Saturday, Sunday (ISO 6, 7)
        morning_at = np.where(weekend, 10.5, 8.5)
        shape = (
            0.03
            + np.exp(-0.5 * ((hod - morning_at) / 1.3) ** 2)
            + 0.55 * np.exp(-0.5 * ((hod - 17.0) / 1.6) ** 2)
        )
        for ch, (size, vpe) in CHANNELS.items():
            lam = size_here * size * shape * (1 + 0.1 * weekend)
            frames.append(
                pl.DataFrame(
                    {
                        "timestamp": hours,
                        "region": state,
                        "channel": ch,
                        "topic": TOPIC,
                        "views": rng.poisson(lam * vpe),
                        "engagements": rng.poisson(lam),
                    }
                )
            )
    return pl.concat(frames).with_columns(pl.col("timestamp").dt.replace_time_zone("UTC"))


def write_brand_data(out: str | Path, end: datetime, seed: int, days: int) -> dict[str, int]:
    """Write ``consumption.parquet`` of :data:`BRAND` into ``out`` (the last ``min(days,
    MAX_DAYS)`` days up to ``end``, UTC) and a README naming the brand; rows per file."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    df = brand_frame(hours_until(end, min(days, MAX_DAYS)), seed)
    df.write_parquet(out / "consumption.parquet", statistics=True)
    (out / "README.md").write_text(
        f"# Demo data of a second brand (synthetic)\n\n{BRAND}: a café chain in "
        f"{', '.join(STATES)}. Ingest it as its own brand:\n\n"
        f'    insights ingest {out} --client "{BRAND}"\n\n'
        "See the docstring of `insights/demo_brand.py` for what it encodes.\n",
        encoding="utf-8",
    )
    return {str(out / "consumption.parquet"): df.height}
