"""The ``recommend`` and ``render-window`` answers as pure functions over loaded forecasts.

Shared by the CLI (``insights recommend`` / ``insights render-window``) and the HTTP API
(``insights serve``): both validate the same parameters with the same messages and return
the same fields. ``fc`` is the dict :func:`insights.recommend.io.latest_forecasts` returns.
Nothing here reads or writes the warehouse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from insights.recommend.coverage import no_slot_message, not_recommended, pooled_profile_pairs
from insights.recommend.engine import recommend
from insights.recommend.errors import NotAnswerable, ParamError
from insights.recommend.render_window import best_start
from insights.recommend.slots import (
    DAYS,
    SlotRules,
    build_candidates,
    national_fallback,
    parse_days,
    parse_hours,
)
from insights.regions import canonical_region, canonical_zone

MAX_HORIZON_DAYS = 60  # forecasts never reach further; a larger horizon is a mistake
MAX_SLOTS = 500
MAX_WINDOW_HOURS = 24 * 7
MAX_RENDER_HOURS = 24 * 14
POOLED_NOTE = (
    "these pairs have too little history of their own: their forecast is the pooled "
    "hour-of-week profile of all series scaled to each pair's level, so their slots share "
    "one profile rather than their own audience's rhythm"
)


@dataclass(frozen=True)
class RecommendParams:
    """The options of ``insights recommend`` (same names, same defaults)."""

    regions: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    energy_weight: float = 0.25
    signal: str = "renewable"
    slots: int = 3
    window_hours: int = 1
    min_gap_hours: int = 12
    hours: str = "8-23"
    days: str = ",".join(DAYS)
    horizon_days: float = 7
    start: str | datetime | None = None  # ISO 8601 (no offset: UTC); None: now
    extra: dict = field(default_factory=dict)


def _parse_start(start: str | datetime | None, now: datetime | None) -> datetime:
    if start is None or start == "":
        return now or datetime.now(UTC)
    if isinstance(start, str):
        try:
            start = datetime.fromisoformat(start)
        except ValueError:
            raise ParamError("from", start, "not an ISO 8601 date-time") from None
    try:
        start = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
    except OverflowError:
        raise ParamError("from", start.isoformat(), "out of range 1970..2199") from None
    if not 1970 <= start.year < 2200:
        raise ParamError("from", start.isoformat(), "out of range 1970..2199")
    return start


def recommend_rules(fc: dict, p: RecommendParams, now: datetime | None = None) -> SlotRules:
    """Validate ``p`` against the loaded forecasts; raise :class:`ParamError` naming the first
    bad parameter."""
    if not (isinstance(p.energy_weight, int | float) and 0.0 <= p.energy_weight <= 1.0):
        raise ParamError("energy_weight", p.energy_weight, "must be between 0 and 1")
    if p.signal not in ("renewable", "carbon"):
        raise ParamError("signal", p.signal, "use renewable or carbon")
    known = set(fc["engagement"]["region"].unique())
    regions = []
    for r in p.regions:
        canon = canonical_region(r) or r
        if canon not in known:
            raise ParamError(
                "region",
                r,
                f"no forecasts for it; known: {', '.join(sorted(known)[:12])}"
                + (" ..." if len(known) > 12 else ""),
            )
        regions.append(canon)
    by_key = {c.casefold(): c for c in fc["engagement"]["channel"].unique()}
    channels = []
    for c in p.channels:  # matched without regard to case (TikTok, tiktok)
        if c.strip().casefold() not in by_key:
            raise ParamError(
                "channel", c, f"unknown; use one of {', '.join(sorted(by_key.values()))}"
            )
        channels.append(by_key[c.strip().casefold()])
    if not 1 <= p.window_hours <= MAX_WINDOW_HOURS:
        raise ParamError("window_hours", p.window_hours, f"must be 1..{MAX_WINDOW_HOURS}")
    if not 1 <= p.slots <= MAX_SLOTS:
        raise ParamError("slots", p.slots, f"must be 1..{MAX_SLOTS}")
    if not 0 <= p.min_gap_hours <= 24 * MAX_HORIZON_DAYS:
        raise ParamError("min_gap_hours", p.min_gap_hours, "must be 0 or more")
    if not (math.isfinite(p.horizon_days) and 0 < p.horizon_days <= MAX_HORIZON_DAYS):
        raise ParamError(
            "horizon_days", p.horizon_days, f"must be positive, at most {MAX_HORIZON_DAYS}"
        )
    start = _parse_start(p.start, now)
    return SlotRules(
        start=start,
        horizon_days=p.horizon_days,
        window_hours=p.window_hours,
        hours=parse_hours(p.hours),
        days=parse_days(p.days),
        signal=p.signal,
        regions=tuple(regions),
        channels=tuple(channels),
    )


@dataclass(frozen=True)
class RecommendResult:
    recs: pl.DataFrame
    params: dict
    rules: SlotRules
    data_age_hours: float | None
    regions_without_energy: list[str]
    # regions of a country whose own grid zone has no data, scored on the national signal
    regions_on_national_signal: list[str] = ()
    # what each pair rests on, and the days-only advice (insights.recommend.evidence)
    evidence: pl.DataFrame | None = None
    days_only: pl.DataFrame | None = None
    # selected pairs without a slot, each with its reason (insights.recommend.coverage)
    not_recommended: list[dict] = ()
    # recommended pairs whose forecast is the pooled hour-of-week profile, not their history
    pooled_profile: list[dict] = ()

    def payload(self, fc: dict, recommendation_run: str | None) -> dict:
        """The ``recommend --format json`` document."""
        from insights.recommend.evidence import days_payload, with_sentences
        from insights.recommend.output import UNITS, iso_z, output_frame

        return {
            "recommendation_run": recommendation_run,
            "model_run": fc["run_id"],
            "client": fc.get("client"),  # the brand (insights.brands)
            "data_end": iso_z(fc["data_end"]),
            "data_age_hours": self.data_age_hours,
            "params": {**self.params, "from": iso_z(self.params["from"])},
            "regions_without_energy": self.regions_without_energy,
            "regions_on_national_signal": list(self.regions_on_national_signal),
            "not_recommended": list(self.not_recommended),
            "pooled_profile": {
                "pairs": list(self.pooled_profile),
                "note": POOLED_NOTE if self.pooled_profile else None,
            },
            "time_format": "start_utc and every other instant: ISO 8601 UTC with Z; "
            "start_local: ISO 8601 with the offset of tz (IANA) at that instant",
            "units": UNITS,
            "recommendations": with_sentences(
                output_frame(self.recs, fc["regions"]), self.evidence
            ),
            "days_only": days_payload(self.evidence, self.days_only),
        }


def plan_recommendations(
    fc: dict, p: RecommendParams, now: datetime | None = None
) -> RecommendResult:
    """Validate, build the candidate slots and choose them (see :mod:`insights.recommend.engine`).

    Raises :class:`ParamError` for a bad parameter and :class:`NotAnswerable` when the
    forecasts hold no slot for valid parameters.
    """
    fc = with_evidence(fc, p, now)  # pairs without forecasts, from platform evidence
    rules = recommend_rules(fc, p, now)
    cands = build_candidates(fc["engagement"], fc["energy"], fc["regions"], rules)
    fc_end = fc["engagement"]["ts"].max()
    days = fc.get("evidence_days")
    if cands.height == 0 and days is not None and days.height:
        pass  # only daily evidence: no hour to recommend, the days are the answer
    elif cands.height == 0 and fc_end is None:
        raise NotAnswerable("no forecasts and no hourly evidence; ingest data first")
    elif cands.height == 0:  # each selected pair's own reason, never the whole run's end
        empty = pl.DataFrame(schema={"region": pl.Utf8, "channel": pl.Utf8})
        raise NotAnswerable(
            no_slot_message(not_recommended(fc, rules, cands, empty)),
            ("from", "horizon_days"),
        )
    if cands.height and not cands["allowed"].any():
        raise NotAnswerable(
            f"no slot allowed: --hours {p.hours} and --days {p.days} leave no start hour in "
            "the horizon; widen them",
            ("hours", "days"),
        )
    recs = recommend(cands, p.energy_weight, p.slots, p.min_gap_hours, p.window_hours)
    data_end = datetime.fromisoformat(fc["data_end"]) if fc["data_end"] else None
    # how old the data is now (not at --from: a later --from does not make data older)
    now_ = now or datetime.now(UTC)
    age_h = round((now_ - data_end).total_seconds() / 3600, 1) if data_end else None
    params = {
        "energy_weight": p.energy_weight,
        "signal": p.signal,
        "slots": p.slots,
        "window_hours": p.window_hours,
        "min_gap_hours": p.min_gap_hours,
        "hours": p.hours,
        "days": p.days,
        "horizon_days": p.horizon_days,
        "from": rules.start.isoformat(),
        "model_run": fc["run_id"],
        "regions": list(rules.regions),
        "channels": list(rules.channels),
    }
    # regions with no grid value in any candidate hour (a grid forecast that ends a few hours
    # before the engagement forecast leaves some hours without one; that is not "no data")
    no_energy = sorted(
        cands.group_by("region")
        .agg(pl.col("energy_availability").is_null().all().alias("none"))
        .filter(pl.col("none"))["region"]
        .to_list()
        if cands.height
        else []
    )
    national = (
        sorted(set(cands.filter(cands["national_signal"].fill_null(False))["region"]))
        if "national_signal" in cands.columns
        else []
    )
    notes = fc.get("evidence_notes")
    if notes is not None:  # what the evidence says about the pairs asked for only
        keep = [
            pl.col(k).is_in(v)
            for k, v in (("region", rules.regions), ("channel", rules.channels))
            if v
        ]
        notes = notes.filter(*keep) if keep else notes
        days = days.filter(*keep) if keep and days is not None else days
    skipped = not_recommended(fc, rules, cands, recs)
    pooled = pooled_profile_pairs(fc, recs)
    return RecommendResult(
        recs,
        params,
        rules,
        age_h,
        no_energy,
        national,
        evidence=notes,
        days_only=days,
        not_recommended=skipped,
        pooled_profile=pooled,
    )


def with_evidence(fc: dict, p: RecommendParams, now: datetime | None) -> dict:
    """``fc`` with the evidence path's pairs (:func:`insights.recommend.evidence.with_evidence`)
    over the requested horizon; ``fc`` itself when it carries no evidence or the start or
    horizon is invalid (:func:`recommend_rules` then says which)."""
    if not fc.get("evidence"):
        return fc
    from insights.recommend import evidence

    try:
        start = _parse_start(p.start, now)
    except ParamError:
        return fc
    return evidence.with_evidence(fc, start, min(p.horizon_days, MAX_HORIZON_DAYS))


def resolve_zone(fc: dict, region: str | None, zone: str | None) -> tuple[str, str]:
    """``(grid zone, IANA time zone)`` of a region or a zone; :class:`ParamError` if unknown."""
    regions = national_fallback(fc["regions"], fc["energy"])
    if region:
        name = canonical_region(region) or region
        row = regions.filter(pl.col("region") == name)
        if row.height == 0:
            raise ParamError("region", region, "unknown region")
        return row["grid_zone"][0], row["tz"][0]
    if zone:
        z = canonical_zone(zone)
        row = regions.filter(pl.col("grid_zone") == z)
        if row.height == 0:  # a region's own zone (MX-CE) that the national signal serves
            row = regions.filter(pl.col("own_zone") == z)
            if row.height:
                return row["grid_zone"][0], row["tz"][0]
        known = set(fc["energy"]["zone"].unique()) if fc["energy"].height else set()
        if row.height == 0 and z not in known:
            raise ParamError("zone", zone, f"unknown zone; known: {', '.join(sorted(known))}")
        return z, (row["tz"][0] if row.height else "UTC")
    raise ParamError("zone", None, "give a zone or a region", message="give --zone or --region")


def plan_render_window(
    fc: dict,
    hours: int,
    kw: float,
    deadline: str,
    region: str | None = None,
    zone: str | None = None,
    now: datetime | None = None,
) -> dict:
    """The lowest-carbon start of a ``hours`` h, ``kw`` kW job finishing by ``deadline``
    (ISO 8601; without an offset, the zone's local time): the ``render-window --json`` fields
    ``zone, start_local, start_utc, kgco2, kgco2_now, saving_pct``."""
    zone, tz = resolve_zone(fc, region, zone)
    if not 1 <= hours <= MAX_RENDER_HOURS:
        raise ParamError("hours", hours, f"must be 1..{MAX_RENDER_HOURS}")
    if not (math.isfinite(kw) and kw > 0):
        raise ParamError("kw", kw, "must be positive")
    ci = fc["energy"].filter(pl.col("zone") == zone).drop_nulls("carbon_intensity").sort("ts")
    if ci.height == 0:
        known = sorted(fc["energy"]["zone"].unique()) if fc["energy"].height else []
        raise NotAnswerable(
            f"no carbon forecast for zone {zone}; known: {', '.join(known)}", ("zone",)
        )
    try:
        dl = datetime.fromisoformat(deadline)
    except ValueError:
        raise ParamError("deadline", deadline, "not an ISO 8601 date-time") from None
    # the one rule (docs/clocks-and-languages.md): a time without an offset is the local
    # time of the place the answer is about; a render job has one zone, so its clock
    local_tz = ZoneInfo(tz)
    if dl.tzinfo is None:
        dl = dl.replace(tzinfo=local_tz)
    now = now or datetime.now(UTC)
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    first = (now + timedelta(minutes=59)).replace(minute=0, second=0, microsecond=0)
    future = ci.filter(pl.col("ts") >= first)
    if future.height == 0:
        raise NotAnswerable("forecasts end before now; ingest newer grid data and retrain")
    ts0 = future["ts"][0]
    last_start = int((dl - ts0).total_seconds() // 3600) - hours
    last_start = min(last_start, future.height - hours)
    if last_start < 0:
        raise NotAnswerable(
            f"a {hours} h job cannot finish by {dl.isoformat()} within the forecasts "
            f"(from {ts0:%Y-%m-%d %H:%M} UTC to {future['ts'][-1]:%Y-%m-%d %H:%M} UTC)",
            ("hours", "deadline"),
        )
    plan = best_start(future["carbon_intensity"].to_numpy(), hours, kw, last_start)
    start = future["ts"][plan.start_index]
    return {
        "zone": zone,
        "tz": tz,
        # the deadline as read, so a caller sees which clock a time without offset took
        "deadline_local": dl.astimezone(local_tz).isoformat(),
        "deadline_utc": dl.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "start_local": start.astimezone(local_tz).isoformat(),
        "start_utc": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "kgco2": round(plan.kgco2, 3),
        "kgco2_now": round(plan.kgco2_now, 3),
        "saving_pct": round(plan.saving_pct, 1),
    }
