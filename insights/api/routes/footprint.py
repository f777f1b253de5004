"""``GET /v1/variant`` (which variant of a piece to serve now, by the grid's level) and
``GET /v1/footprint`` (the distribution ledger of a campaign), one router. Same problem
documents, validation and cache as the other endpoints (:mod:`insights.api.common`).

``/v1/variant`` answers from the in-memory snapshot like the other endpoints: the zone's
forecast carbon intensity for the hour containing ``at`` (or the latest measured hour when
``at`` falls in it), its level against the zone's mean of the previous 30 days (low at or
below 0.9x, high at or above 1.1x: the level of ``/v1/energy/now``), and the variant chosen
by :func:`insights.footprint.variants.choose`. The level means what the level answered by
the carbon-aware-websites APIs means: Green Web Foundation's grid-aware-websites library
(``lib/gridIntensity.js``, default ``level`` mode) passes on Electricity Maps' carbon
intensity level, ``low | moderate | high`` relative to the zone's own recent intensity, not a
fixed gCO2/kWh threshold; its ``average`` mode compares the current intensity with the
zone's annual average. Electricity Maps does not publish the thresholds in the sources
consulted, so this API states its own (0.9 / 1.1 of the 30-day mean), relative as theirs.

Variants: those of ``INSIGHTS_VARIANTS`` (a variants JSON file, see
:func:`insights.footprint.variants.load_variants`) when set, else the stated defaults.

``/v1/footprint`` reads the warehouse: a ledger needs the hourly consumption, which the
snapshot does not hold. It takes the shared lock for one read (a writer at work: 503,
retry) and caches the answer per snapshot version and parameters. Its ledger rows carry
camelCase names beside the snake_case ones of earlier releases (:mod:`insights.api.casing`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import Field

from insights import InsightsError, i18n, settings
from insights.api import casing
from insights.api.common import (
    Answer,
    ApiContext,
    Moment,
    Open,
    QueryModel,
    answer,
    answer_of,
    client_field,
    context,
    deprecate,
    iso,
    utc,
)
from insights.api.grid import (
    LEVEL_HIGH_RATIO,
    LEVEL_LOW_RATIO,
    LEVEL_REFERENCE_DAYS,
    hour_floor,
    level,
)
from insights.api.problems import GATE, ApiProblem, deprecated_names_response, problem_responses
from insights.api.snapshot import LOCK_WAIT_S
from insights.footprint import factors as F
from insights.footprint import ledger as L
from insights.footprint.variants import DEFAULT_VARIANTS, Variant, choose, load_variants
from insights.locking import WarehouseBusy
from insights.recommend.plan import resolve_zone

router = APIRouter(prefix="/v1", tags=["footprint"])

MAX_ROWS = 1000

_TITLES = {
    422: "Valid parameters the data cannot answer",
    503: "No forecasts yet (variant), or the warehouse is busy (footprint; retry)",
}


class VariantQuery(QueryModel):
    region: str = Field(max_length=200, description="the viewer's region (aliases accepted)")
    channel: str | None = Field(None, max_length=100, description="echoed; same advice")
    at: Moment | None = Field(None, description="ISO 8601 (no offset: UTC); default now")
    energyWeight: float = Field(
        L.DEFAULT_ENERGY_WEIGHT, ge=0, le=1, description="as in /v1/publish-windows"
    )
    floor: float = Field(L.DEFAULT_FLOOR, ge=0, le=1, description="lowest engagement kept")
    factorSet: Literal["iab-europe", "swd-v4"] = L.DEFAULT_FACTOR_SET
    client: str | None = client_field()


class FootprintQuery(QueryModel):
    campaign: str | None = Field(None, max_length=200, description="a topic; default all")
    days: int = Field(7, ge=1, le=L.MAX_DAYS, description="days up to end")
    end: Moment | None = Field(None, description="default: end of the consumption data")
    energyWeight: float = Field(L.DEFAULT_ENERGY_WEIGHT, ge=0, le=1)
    floor: float = Field(L.DEFAULT_FLOOR, ge=0, le=1)
    factorSet: Literal["iab-europe", "swd-v4"] = L.DEFAULT_FACTOR_SET
    limit: int = Field(100, ge=0, le=MAX_ROWS, description="ledger rows in this page")
    offset: int = Field(0, ge=0, le=10**9)
    client: str | None = client_field()


class VariantOut(Open):
    region: str
    zone: str
    at: str
    hour: str
    variant: dict[str, Any]
    gridLevel: Literal["low", "moderate", "high"] | None
    carbonIntensity: float | None
    why: str
    alternatives: list[dict[str, Any]]
    levelBasis: dict[str, Any]


class FootprintOut(Open):
    summary: dict[str, Any]
    rows: list[dict[str, Any]] = Field(
        description="ledger rows, each field under its camelCase name and (deprecated, for "
        "one release) its snake_case one"
    )
    totalRows: int
    offset: int
    limit: int


def _variants() -> tuple[Variant, ...]:
    path = settings.current().variants_file
    return load_variants(path) if path else DEFAULT_VARIANTS


def _intensity_at(s, zone: str, hour: datetime) -> tuple[float, str]:
    """gCO2eq/kWh of ``zone`` in ``hour``: the latest measured hour when ``hour`` is it
    (as ``/v1/energy/now`` reports it), else the forecast for that hour."""
    obs = s.observed.get(zone)
    if obs is not None and obs["ts"] == hour and obs["carbon_intensity"] is not None:
        v = float(obs["carbon_intensity"])
        if np.isfinite(v):
            return v, "measured"
    series = s.series.get(zone)
    if series is not None and hour in series.ts:
        v = float(series.carbon_intensity[series.ts.index(hour)])
        if np.isfinite(v):
            return v, "forecast"
    last = iso(series.ts[-1]) if series else "none"
    raise InsightsError(
        f"no carbon intensity for {zone} at {iso(hour)} (forecasts end {last}); "
        "ask for an hour the forecasts cover"
    )


def variant_answer(s, q: VariantQuery, now: datetime) -> dict:
    """The body of ``/v1/variant`` (see the module docstring)."""
    zone, _tz = resolve_zone(s.fc, q.region, None)
    at = now if q.at is None else utc(q.at)
    hour = hour_floor(at)
    ci, basis = _intensity_at(s, zone, hour)
    obs = s.observed.get(zone) or {}
    ref = obs.get("ci_ref")
    ref = float(ref) if ref is not None and np.isfinite(ref) else None
    lvl = level(ci, ref)
    ratio = ci / ref if ref else 1.0
    from insights.regions import canonical_region

    name = canonical_region(q.region) or q.region
    country = next((r["country"] for r in s.regions if r["region"] == name), None)
    variants = _variants()
    seconds = L.DEFAULT_VIDEO_SECONDS
    kwh = []
    for v in variants:
        by, secs = v.usage(1.0, seconds)
        e = F.energy(q.factorSet, F.Usage(by, secs, 1.0, v.kind), country)
        kwh.append(e.kwh)
    kept = np.array([v.engagement_kept for v in variants])
    i = int(choose(kept, np.array(kwh), np.array([ratio]), q.energyWeight, q.floor)[0])
    chosen = variants[i]
    alts = [
        {
            "name": v.name,
            "kind": v.kind,
            "engagementKept": v.engagement_kept,
            "engagementBasis": v.basis,
            "kwhPerView": float(f"{k:.4g}"),
            "gCO2ePerView": float(f"{k * ci:.4g}"),
            "allowed": bool(j == 0 or v.engagement_kept >= q.floor),
        }
        for j, (v, k) in enumerate(zip(variants, kwh, strict=True))
    ]
    pct = None if ref is None else round(100 * (ratio - 1), 1)
    where = (
        f"{zone} at {round(ci)} gCO2eq/kWh ({basis})"
        + (
            ""
            if pct is None
            else f", {i18n.pct(pct, 'en', 1, signed=True)} against its 30-day mean {round(ref)}"
        )
        + (f": level {lvl}" if lvl else "")
    )
    if i == 0:
        why = f"{where}; at energy weight {q.energyWeight} the full piece scores best"
    else:
        saved = 100 * (1 - kwh[i] / kwh[0]) if kwh[0] else 0.0
        why = (
            f"{where}; at energy weight {q.energyWeight} {chosen.name} scores best: "
            f"{i18n.pct(saved, 'en')} less energy per view for "
            f"{i18n.pct(100 * (1 - chosen.engagement_kept), 'en')} less engagement (floor {q.floor})"
        )
    return {
        "region": name,
        "channel": q.channel,
        "zone": zone,
        "at": iso(at),
        "hour": iso(hour),
        "variant": {
            "name": chosen.name,
            "kind": chosen.kind,
            "engagementKept": chosen.engagement_kept,
            "engagementBasis": chosen.basis,
        },
        "gridLevel": lvl,
        "carbonIntensity": round(ci, 1),
        "signal": basis,
        "why": why,
        "alternatives": alts,
        "energyWeight": q.energyWeight,
        "engagementFloor": q.floor,
        "factorSet": F.describe(q.factorSet),
        "secondsPerView": seconds,
        "levelBasis": {
            "method": "hour's carbon intensity against the zone's mean of the previous days",
            "referenceDays": LEVEL_REFERENCE_DAYS,
            "lowAtOrBelowRatio": LEVEL_LOW_RATIO,
            "highAtOrAboveRatio": LEVEL_HIGH_RATIO,
            "referenceCarbonIntensity": None if ref is None else round(ref, 1),
            "compatibleWith": "Electricity Maps carbon-intensity-level (low | moderate | high, "
            "relative to the zone's recent intensity), as used by Green Web Foundation's "
            "grid-aware-websites",
        },
    }


@router.get(
    "/variant",
    response_model=VariantOut,
    responses=problem_responses(*GATE, 422, 503, titles=_TITLES),
    summary="Which variant of a piece to serve now, by the grid's level",
)
def variant(
    q: Annotated[VariantQuery, Query()], ctx: Annotated[ApiContext, Depends(context)]
) -> Any:
    """For a viewer in ``region`` at ``at`` (default now): the grid level
    (``low | moderate | high``: the hour's carbon intensity against the zone's mean of
    the previous 30 days, low at or below 0.9x, high at or above 1.1x), the variant that
    best trades engagement against emissions at ``energyWeight`` without going below the
    engagement ``floor``, and why. A player or CDN can call it per request; answers are
    cached per minute."""
    s = ctx.snap()
    now = ctx.minute()
    key = (
        "variant",
        s.client,
        s.version,
        now,
        q.model_dump_json(),
        settings.current().variants_file,
    )

    def make() -> Answer:
        return answer_of(VariantOut, answer(lambda: variant_answer(s, q, now)))

    return ctx.cache.get_or(key, make).model


@router.get(
    "/footprint",
    response_model=FootprintOut,
    responses={
        **deprecated_names_response(),
        **problem_responses(*GATE, 422, 503, titles=_TITLES),
    },
    summary="The distribution ledger of a campaign (`insights footprint --json`)",
)
def footprint(
    q: Annotated[FootprintQuery, Query()],
    ctx: Annotated[ApiContext, Depends(context)],
    response: Response,
) -> Any:
    """Energy and emissions of distributing ``campaign`` (a topic) over ``days`` days:
    totals per factor set, their spread, the hour of viewing against an annual factor,
    the variant advice before/after and its Pareto points (``summary``), and one page of
    ledger rows of ``factorSet`` (campaign, post, region, hour, with the grid signal
    used and whether it was measured)."""
    s = ctx.store.current
    key = (
        "footprint",
        s.client,
        s.version,
        q.model_dump_json(),
        settings.current().variants_file,
    )

    def make() -> Answer:
        p = L.LedgerParams(
            campaign=q.campaign,
            days=q.days,
            end=utc(q.end) if q.end else None,
            variants=_variants(),
            energy_weight=q.energyWeight,
            floor=q.floor,
            factor_set=q.factorSet,
        )
        from insights import warehouse

        def run() -> dict:
            try:
                with warehouse.read(s.db, timeout_s=LOCK_WAIT_S, client=s.client) as con:
                    df, meta = L.load_inputs(con, p)
            except WarehouseBusy:
                raise ApiProblem(
                    503, "Warehouse busy", "a writer holds the warehouse; retry", "busy"
                ) from None
            r = L.compute(df, meta, p)
            rows, total = L.ledger_rows(r, q.factorSet, q.offset, q.limit)
            return {
                "summary": L.summary(r),
                "rows": casing.footprint_rows(rows),
                "totalRows": total,
                "offset": q.offset,
                "limit": q.limit,
            }

        return answer_of(FootprintOut, answer(run))

    deprecate(response)
    return ctx.cache.get_or(key, make).model
