"""The distribution ledger: what serving a campaign cost in energy and emissions, per post,
region and hour of viewing, at the viewer's grid in that hour; and the variant advice.

Keys. Consumption exports carry no campaign or post id: a *campaign* is a topic of the
``consumption`` table (``--campaign``; all topics when not given) and a *post* is its series
on one channel (``post`` = channel). Rows at a daily grain are left out (they have no hour of
viewing) and counted in ``notes``.

Per row (campaign, post, region, UTC hour):

* ``views``, ``engagements``; ``seconds`` watched: the export's ``watch_seconds`` when it has
  them (``seconds_basis = measured``), else views x IAB Europe's default video view time,
  30 s (``default``);
* ``bytes`` delivered: seconds x the served variant's bitrate (a still: views x its size).
  No export read here carries the platform's own delivered bytes, so none are used;
* ``delivery_kwh``, ``device_kwh``, ``embodied_kg`` under each factor set
  (:mod:`insights.footprint.factors`);
* ``kgco2e``: (delivery + device) kWh x the carbon intensity (direct, gCO2eq/kWh) of the
  region's grid zone in that hour, from the warehouse's ``energy`` table;
  ``kgco2e_annual`` the same kWh x the zone's annual factor (mean hourly intensity over the
  365 days up to the ledger's end). ``grid_signal`` says which was used: ``hourly_zone``
  (the region's own zone), ``hourly_national`` (its country's national zone, as the
  recommendation falls back: :func:`insights.recommend.slots.national_fallback`) or
  ``annual`` (no intensity that hour: the annual factor); ``signal_quality`` is
  ``measured`` or ``estimated`` (the energy row's flag; the annual fallback is estimated).

IAB Europe's caveat applies to the hourly device figure: devices are not necessarily
charged in the hour the content is watched (:data:`IAB_HOURLY_CAVEAT`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from insights import InsightsError, sql
from insights.api.grid import LEVEL_HIGH_RATIO, LEVEL_LOW_RATIO, LEVEL_REFERENCE_DAYS
from insights.footprint import factors as F
from insights.footprint.variants import (
    DEFAULT_VARIANTS,
    Variant,
    choose_for_weights,
    non_dominated,
    validate,
)

FACTOR_SETS = ("iab-europe", "swd-v4")
DEFAULT_FACTOR_SET = "iab-europe"
DEFAULT_VIDEO_SECONDS = 30.0  # IAB Europe, Delivery levels: level 0 default view time, video
DEFAULT_ENERGY_WEIGHT = 0.25  # the recommendation's default (insights recommend)
DEFAULT_FLOOR = 0.9
MAX_DAYS = 366
IAB_HOURLY_CAVEAT = F.factor_sets()["iab-europe"]["hourly_caveat"]
PARETO_WEIGHTS = tuple(round(x, 2) for x in np.linspace(0, 1, 21))


@dataclass(frozen=True)
class LedgerParams:
    campaign: str | None = None  # a consumption topic; None: every topic
    days: int = 7
    end: datetime | None = None  # default: the end of the consumption data
    variants: tuple[Variant, ...] = DEFAULT_VARIANTS
    energy_weight: float = DEFAULT_ENERGY_WEIGHT
    floor: float = DEFAULT_FLOOR
    factor_set: str = DEFAULT_FACTOR_SET  # the one the advice and the Pareto chart use
    regions: tuple[str, ...] = field(default_factory=tuple)
    channels: tuple[str, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------- IO: the warehouse


def load_inputs(con, p: LedgerParams) -> tuple[pl.DataFrame, dict]:
    """Hourly consumption of the campaign joined to the grid signal of each region's zone.

    Returns (frame, meta). Frame columns: ``ts_utc, campaign, post, region, country, zone,
    national_signal, views, engagements, watch_seconds, ci, estimated, ci_ref, ci_annual``.
    Raises :class:`InsightsError` when there is nothing to price."""
    if not 1 <= p.days <= MAX_DAYS:
        raise InsightsError(f"days {p.days}: must be between 1 and {MAX_DAYS}")
    where, args = ["1=1"], []
    if p.campaign:
        where.append("coalesce(topic, '') = ?")
        args.append(p.campaign)
    if p.regions:
        where.append(f"region IN ({','.join('?' * len(p.regions))})")
        args += list(p.regions)
    if p.channels:
        where.append(f"lower(channel) IN ({','.join('?' * len(p.channels))})")
        args += [c.lower() for c in p.channels]
    cond = " AND ".join(where)
    end = p.end
    if end is None:
        last = sql.one(con, f"SELECT max(ts_utc) FROM consumption WHERE {cond}", args)[0]
        if last is None:
            what = f"campaign {p.campaign!r}" if p.campaign else "any campaign"
            raise InsightsError(f"no consumption rows for {what} in the warehouse")
        end = last + timedelta(hours=1)
    start = end - timedelta(days=p.days)
    daily = sql.one(
        con,
        f"SELECT count(*) FROM consumption WHERE {cond} AND grain = 'day' "
        "AND ts_utc >= ? AND ts_utc < ?",
        [*args, start, end],
    )[0]
    cons = sql.frame(
        con,
        f"""SELECT ts_utc, coalesce(topic, '') AS campaign, channel AS post, region,
            sum(views) AS views, sum(engagements) AS engagements,
            sum(watch_seconds) AS watch_seconds
        FROM consumption
        WHERE {cond} AND coalesce(grain, 'hour') = 'hour' AND ts_utc >= ? AND ts_utc < ?
        GROUP BY ALL""",
        [*args, start, end],
    )
    if cons.height == 0:
        raise InsightsError(
            f"no hourly consumption between {start:%Y-%m-%d %H:%M} and {end:%Y-%m-%d %H:%M} UTC"
            + (f" for campaign {p.campaign!r}" if p.campaign else "")
        )
    energy = sql.frame(
        con,
        f"""WITH e AS (
            SELECT zone, ts_utc, avg(carbon_intensity_direct) AS ci,
                bool_or(coalesce(estimated, false)) AS estimated
            FROM energy WHERE carbon_intensity_direct IS NOT NULL
              AND ts_utc >= ? AND ts_utc < ? GROUP BY ALL)
        SELECT zone, ts_utc, ci, estimated,
            avg(ci) OVER (PARTITION BY zone ORDER BY ts_utc RANGE BETWEEN
                INTERVAL {LEVEL_REFERENCE_DAYS * 24 - 1} HOUR PRECEDING AND CURRENT ROW) AS ci_ref
        FROM e""",
        [start - timedelta(days=LEVEL_REFERENCE_DAYS), end],
    )
    annual = sql.frame(
        con,
        """SELECT zone, avg(carbon_intensity_direct) AS ci_annual, count(*) AS annual_hours
        FROM energy WHERE carbon_intensity_direct IS NOT NULL AND ts_utc >= ? AND ts_utc < ?
        GROUP BY zone""",
        [end - timedelta(days=365), end],
    )
    regions = sql.frame(con, "SELECT region, country, grid_zone FROM regions")
    from insights.recommend.slots import national_fallback

    regions = national_fallback(regions, energy.select("zone").unique())
    df = (
        cons.join(regions.rename({"grid_zone": "zone"}), on="region", how="left")
        .join(energy, on=["zone", "ts_utc"], how="left")
        .join(annual, on="zone", how="left")
        .sort("campaign", "post", "region", "ts_utc")
    )
    unpriced = df.filter(pl.col("ci_annual").is_null())["region"].unique().sort().to_list()
    if unpriced:
        df = df.filter(pl.col("ci_annual").is_not_null())
    if df.height == 0:
        raise InsightsError(
            "no carbon intensity for the grid zones of "
            + ", ".join(unpriced[:5])
            + "; ingest grid data (Electricity Maps or CENACE) first"
        )
    notes = []
    short = annual.filter(pl.col("annual_hours") < 365 * 24 * 0.9)
    for z, h in short.select("zone", "annual_hours").iter_rows():
        if z in set(df["zone"].to_list()):
            notes.append(
                f"annual factor of {z} is the mean of {h} hourly values ({h / 24:.0f} days), "
                "not a full year"
            )
    if daily:
        notes.append(f"{daily} daily consumption rows left out (no hour of viewing)")
    if unpriced:
        notes.append(f"regions without any grid intensity left out: {', '.join(unpriced)}")
    meta = {
        "daily_rows": daily,
        "start": start,
        "end": end,
        "notes": notes,
        "regions_unpriced": unpriced,
        "annual_factor": annual.filter(pl.col("zone").is_in(df["zone"].unique().to_list()))
        .sort("zone")
        .to_dicts(),
    }
    return df, meta


# ---------------------------------------------------------------- pure computation


def _priced(df: pl.DataFrame, v: Variant, set_id: str) -> pl.DataFrame:
    """kWh and embodied kg of serving variant ``v`` for every row, under ``set_id``."""
    seconds = (
        pl.when(pl.col("watch_seconds").is_not_null())
        .then(pl.col("watch_seconds"))
        .otherwise(pl.col("views") * DEFAULT_VIDEO_SECONDS)
    )
    if v.kind == "video":
        by = seconds * (v.bitrate_kbps * 1000 / 8)
        secs = seconds
    else:
        by = pl.col("views") * v.bytes_per_view
        secs = pl.col("views") * v.seconds_per_view
    out = df.with_columns(by.alias("bytes"), secs.alias("seconds"))
    coef = {c: F.kwh_per_unit(set_id, c, v.kind) for c in out["country"].unique().to_list()}
    cols = []
    for part in ("delivery", "device", "embodied"):
        expr = pl.lit(0.0)
        for country, c in coef.items():
            lin = (
                c[f"{part}_per_byte"] * pl.col("bytes")
                + c[f"{part}_per_second"] * pl.col("seconds")
                + c[f"{part}_per_view"] * pl.col("views")
            )
            expr = pl.when(pl.col("country") == country).then(lin).otherwise(expr)
        name = f"{part}_kwh" if part != "embodied" else "embodied_kg"
        cols.append(expr.alias(name))
    return out.with_columns(cols)


def _signal(df: pl.DataFrame) -> pl.DataFrame:
    hourly = pl.col("ci").is_not_null()
    return df.with_columns(
        pl.when(hourly).then(pl.col("ci")).otherwise(pl.col("ci_annual")).alias("ci_used"),
        pl.when(~hourly)
        .then(pl.lit("annual"))
        .when(pl.col("national_signal"))
        .then(pl.lit("hourly_national"))
        .otherwise(pl.lit("hourly_zone"))
        .alias("grid_signal"),
        pl.when(hourly & ~pl.col("estimated").fill_null(False))
        .then(pl.lit("measured"))
        .otherwise(pl.lit("estimated"))
        .alias("signal_quality"),
        (pl.col("ci") / pl.col("ci_ref")).alias("ratio"),
    ).with_columns(
        pl.when(pl.col("ratio") >= LEVEL_HIGH_RATIO)
        .then(pl.lit("high"))
        .when(pl.col("ratio") <= LEVEL_LOW_RATIO)
        .then(pl.lit("low"))
        .when(pl.col("ratio").is_not_null())
        .then(pl.lit("moderate"))
        .alias("grid_level"),
        pl.when(pl.col("watch_seconds").is_not_null())
        .then(pl.lit("measured"))
        .otherwise(pl.lit("default"))
        .alias("seconds_basis"),
    )


def ledger(df: pl.DataFrame, variant: Variant, set_id: str) -> pl.DataFrame:
    """One row per input row: usage, energy and emissions of serving ``variant`` under
    ``set_id`` (see the module docstring for the columns)."""
    out = _priced(_signal(df), variant, set_id)
    kwh = pl.col("delivery_kwh") + pl.col("device_kwh")
    return out.with_columns(
        pl.lit(set_id).alias("factor_set"),
        pl.lit(variant.name).alias("variant"),
        (kwh * pl.col("ci_used") / 1000).alias("kgco2e"),
        (kwh * pl.col("ci_annual") / 1000).alias("kgco2e_annual"),
    )


LEDGER_COLUMNS = [
    "factor_set",
    "campaign",
    "post",
    "region",
    "zone",
    "ts_utc",
    "variant",
    "views",
    "engagements",
    "seconds",
    "seconds_basis",
    "bytes",
    "delivery_kwh",
    "device_kwh",
    "kgco2e",
    "kgco2e_annual",
    "embodied_kg",
    "ci_used",
    "ci_annual",
    "grid_signal",
    "signal_quality",
    "grid_level",
]


def _totals(led: pl.DataFrame) -> dict:
    s = led.select(
        pl.col("views").sum(),
        pl.col("seconds").sum(),
        pl.col("bytes").sum(),
        pl.col("delivery_kwh").sum(),
        pl.col("device_kwh").sum(),
        pl.col("kgco2e").sum(),
        pl.col("kgco2e_annual").sum(),
        pl.col("embodied_kg").sum(),
    ).row(0, named=True)
    hour_effect = (
        100 * (s["kgco2e"] - s["kgco2e_annual"]) / s["kgco2e_annual"]
        if s["kgco2e_annual"]
        else None
    )
    return {**s, "hour_vs_annual_pct": hour_effect}


def _priced_variants(df: pl.DataFrame, p: LedgerParams) -> tuple[list[pl.DataFrame], np.ndarray]:
    """Each variant's priced ledger under the advice's factor set, and (N, V) kWh per view."""
    per = [ledger(df, v, p.factor_set) for v in p.variants]
    views = per[0]["views"].to_numpy().clip(1e-12)
    kwh = np.column_stack([(x["delivery_kwh"] + x["device_kwh"]).to_numpy() / views for x in per])
    return per, kwh


@dataclass(frozen=True)
class _Served:
    """Per-row arrays of every variant, to evaluate a choice of variants quickly."""

    eng: np.ndarray  # (N,)
    kg: np.ndarray  # (N, V)
    bytes: np.ndarray  # (N, V)
    high: np.ndarray  # (N,) bool: the hour's grid level is high
    kept: np.ndarray  # (V,)

    @classmethod
    def of(cls, per: list[pl.DataFrame], kept: np.ndarray) -> _Served:
        return cls(
            eng=per[0]["engagements"].fill_null(0).to_numpy(),
            kg=np.column_stack([x["kgco2e"].to_numpy() for x in per]),
            bytes=np.column_stack([x["bytes"].to_numpy() for x in per]),
            high=(per[0]["grid_level"] == "high").fill_null(False).to_numpy().astype(bool),
            kept=kept,
        )

    def policy(self, idx: np.ndarray) -> dict:
        rows = np.arange(len(idx))
        kg, by = self.kg[rows, idx], self.bytes[rows, idx]
        total_eng = self.eng.sum()
        kept_eng = (self.eng * self.kept[idx]).sum()
        return {
            "kgco2e": float(kg.sum()),
            "engagement_kept_pct": float(100 * kept_eng / total_eng) if total_eng else 100.0,
            "bytes": float(by.sum()),
            "bytes_high_share_pct": float(100 * by[self.high].sum() / by.sum())
            if by.sum()
            else 0.0,
        }


def compute(df: pl.DataFrame, meta: dict, p: LedgerParams) -> dict:
    """Everything the CLI, the report and the API show, from :func:`load_inputs`' output.

    Keys: ``ledger`` (rows of the full piece under every factor set), ``totals`` per factor
    set, ``spread`` between sets, ``advice`` (variant per region and hour at ``p``),
    ``policy`` (before/after), ``pareto`` (non-dominated points) and the provenance."""
    validate(p.variants)
    if p.factor_set not in FACTOR_SETS:
        F.factor_set(p.factor_set)
    full = p.variants[0]
    books = {s: ledger(df, full, s) for s in FACTOR_SETS}
    totals = {s: _totals(b) for s, b in books.items()}
    kgs = [t["kgco2e"] for t in totals.values()]
    spread = {
        "min_kgco2e": min(kgs),
        "max_kgco2e": max(kgs),
        "max_over_min": (max(kgs) / min(kgs)) if min(kgs) > 0 else None,
    }
    kept = np.array([v.engagement_kept for v in p.variants])
    per, kwh = _priced_variants(df, p)
    ratio = per[0]["ratio"].to_numpy()
    served = _Served.of(per, kept)
    picks = choose_for_weights(kept, kwh, ratio, (*PARETO_WEIGHTS, p.energy_weight), p.floor)
    idx = picks[p.energy_weight]
    before = served.policy(np.zeros(len(idx), dtype=int))
    after = served.policy(idx)
    points = []
    for i, v in enumerate(p.variants):
        pol = served.policy(np.full(len(idx), i))
        points.append({"name": v.name, "kind": "variant", "energy_weight": None, **pol})
    for w in PARETO_WEIGHTS:
        pol = served.policy(picks[w])
        points.append({"name": f"w={w:g}", "kind": "adaptive", "energy_weight": w, **pol})
    sw = next((w for w in PARETO_WEIGHTS if (picks[w] != 0).any()), None)
    at_switch = None if sw is None else {"energy_weight": sw, **served.policy(picks[sw])}
    for pt in points:
        pt["kg_avoided"] = before["kgco2e"] - pt["kgco2e"]
        pt["engagement_given_up_pct"] = 100 - pt["engagement_kept_pct"]
        gu = pt["engagement_given_up_pct"]
        pt["kg_avoided_per_pct"] = pt["kg_avoided"] / gu if gu > 1e-9 else None
    advice = (
        per[0]
        .select("campaign", "post", "region", "zone", "ts_utc", "ci_used", "ratio", "grid_level")
        .with_columns(
            pl.Series("variant", [p.variants[i].name for i in idx]),
            pl.Series("engagement_kept", kept[idx]),
        )
    )
    led = pl.concat([b.select(LEDGER_COLUMNS) for b in books.values()])
    return {
        "period": {"start": meta["start"], "end": meta["end"]},
        "campaign": p.campaign,
        "notes": meta["notes"],
        "daily_rows": meta.get("daily_rows", 0),
        "regions_unpriced": meta.get("regions_unpriced", []),
        "annual_factor": meta.get("annual_factor", []),
        "factor_sets": {s: F.describe(s) for s in FACTOR_SETS},
        "variants": [v.__dict__ for v in p.variants],
        "energy_weight": p.energy_weight,
        "engagement_floor": p.floor,
        "advice_factor_set": p.factor_set,
        "ledger": led,
        "totals": totals,
        "spread": spread,
        "advice": advice,
        "before": before,
        "after": after,
        "at_switch_weight": at_switch,
        "pareto": non_dominated(points),
        "points": points,
        "grid_signals": led.group_by("grid_signal", "signal_quality")
        .agg(pl.len().alias("rows"))
        .sort("grid_signal")
        .to_dicts(),
        "caveat": IAB_HOURLY_CAVEAT,
        "level_basis": {
            "referenceDays": LEVEL_REFERENCE_DAYS,
            "lowAtOrBelowRatio": LEVEL_LOW_RATIO,
            "highAtOrAboveRatio": LEVEL_HIGH_RATIO,
        },
    }


def switch_weight(points: list[dict]) -> float | None:
    """The lowest energy weight at which the adaptive advice serves anything but the full
    piece (None when even weight 1 keeps it everywhere)."""
    ws = [
        pt["energy_weight"]
        for pt in points
        if pt["kind"] == "adaptive" and pt["engagement_given_up_pct"] > 1e-9
    ]
    return min(ws) if ws else None


def _round(x, nd: int = 6):
    if isinstance(x, float):
        return float(f"{x:.{nd}g}") if np.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _round(v, nd) for k, v in x.items()}
    if isinstance(x, list):
        return [_round(v, nd) for v in x]
    return x


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


UNITS = {
    "views": "views",
    "seconds": "seconds watched",
    "bytes": "bytes delivered",
    "delivery_kwh": "kWh (network and data centre/edge, operational)",
    "device_kwh": "kWh (viewing devices, operational)",
    "kgco2e": "kgCO2e, operational kWh at the viewer's grid in the hour of viewing",
    "kgco2e_annual": "kgCO2e, the same kWh at the zone's annual factor",
    "embodied_kg": "kgCO2e embodied (not hour-dependent)",
    "ci_used": "gCO2eq/kWh (direct)",
    "kg_avoided_per_pct": "kgCO2e avoided per 1% of engagement given up",
}


def summary(r: dict) -> dict:
    """The JSON-ready summary of :func:`compute`'s result (no ledger rows): what the CLI's
    ``--json`` prints and ``GET /v1/footprint`` answers beside its rows."""
    adv = r["advice"]
    by_level = (
        adv.group_by("grid_level", "variant")
        .agg(pl.len().alias("hours"))
        .sort("grid_level", "variant", nulls_last=True)
        .to_dicts()
    )
    return _round(
        {
            "campaign": r["campaign"],
            "period": {"start": _iso(r["period"]["start"]), "end": _iso(r["period"]["end"])},
            "factorSets": r["factor_sets"],
            "totals": r["totals"],
            "spread": r["spread"],
            "gridSignals": r["grid_signals"],
            "annualFactor": r["annual_factor"],
            "caveat": r["caveat"],
            "variants": r["variants"],
            "energyWeight": r["energy_weight"],
            "engagementFloor": r["engagement_floor"],
            "adviceFactorSet": r["advice_factor_set"],
            "before": r["before"],
            "after": r["after"],
            "adviceByLevel": by_level,
            "switchWeight": switch_weight(r["points"]),
            "atSwitchWeight": r["at_switch_weight"],
            "pareto": r["pareto"],
            "levelBasis": r["level_basis"],
            "notes": r["notes"],
            "dailyRowsLeftOut": r["daily_rows"],
            "regionsUnpriced": r["regions_unpriced"],
            "units": UNITS,
        }
    )


def ledger_rows(
    r: dict, factor_set: str | None = None, offset: int = 0, limit: int | None = None
) -> tuple[list[dict], int]:
    """One page of ledger rows as plain dicts (UTC instants as ISO 8601 with Z, floats to
    six significant digits), and the number of rows in all."""
    led = r["ledger"]
    if factor_set:
        led = led.filter(pl.col("factor_set") == factor_set)
    total = led.height
    page = led.slice(offset, limit).with_columns(pl.col("ts_utc").dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return [_round(row, 6) for row in page.to_dicts()], total


def footprint(db: str | None, p: LedgerParams) -> dict:
    """Read the warehouse (shared lock) and :func:`compute`: the function the CLI, the
    notebook, the report and the API call."""
    from insights import warehouse

    with warehouse.read(db) as con:
        df, meta = load_inputs(con, p)
    return compute(df, meta, p)
