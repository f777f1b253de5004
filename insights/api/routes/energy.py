"""``GET /v1/energy/now``: grid energy now and ahead for a region or zone, in the shape of
the Carbon Aware SDK's ``GET /emissions/forecasts/current`` (``location``, ``generatedAt``,
``requestedAt``, ``dataStartAt``, ``dataEndAt``, ``windowSize``, ``optimalDataPoint(s)``,
``forecastData``: Green-Software-Foundation/carbon-aware-sdk,
``casdk-docs/docs/tutorial-basics/carbon-aware-webapi.md``), plus the latest measured
hour and its level."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from insights.api.common import (
    Answer,
    ApiContext,
    Moment,
    Open,
    QueryModel,
    answer,
    answer_of,
    clean,
    client_field,
    context,
    iso,
    utc,
)
from insights.api.grid import (
    LEVEL_HIGH_RATIO,
    LEVEL_LOW_RATIO,
    LEVEL_REFERENCE_DAYS,
    default_range,
    forecast_window,
    level,
)
from insights.api.problems import GATE, problem_responses
from insights.api.snapshot import Snapshot
from insights.recommend.errors import NotAnswerable, ParamError
from insights.recommend.plan import MAX_HORIZON_DAYS, resolve_zone
from insights.regions import canonical_region, canonical_zone

MAX_WINDOW_MINUTES = 24 * 60 * 7
MAX_RANGE_HOURS = 24 * MAX_HORIZON_DAYS

router = APIRouter(prefix="/v1", tags=["energy"])


class EnergyNowQuery(QueryModel):
    region: str | None = Field(None, max_length=200, description="an audience region")
    zone: str | None = Field(None, max_length=100, description="a grid zone (or give region)")
    windowSize: int = Field(
        60, ge=1, le=MAX_WINDOW_MINUTES, description="minutes; the best start is for this long"
    )
    dataStartAt: Moment | None = Field(
        None, description="default: now; the forecast starts at the hour containing it"
    )
    dataEndAt: Moment | None = Field(None, description="default: 24 hours after dataStartAt")
    client: str | None = client_field()


class DataPoint(Open):
    location: str
    timestamp: str
    duration: int = Field(description="minutes")
    value: float | None = Field(description="gCO2eq/kWh (direct)")


class Current(Open):
    timestamp: str | None = Field(description="start of the latest hour with data (UTC)")
    ageHours: float | None
    renewablePct: float | None
    carbonIntensity: float | None = Field(description="gCO2eq/kWh (direct)")
    level: Literal["low", "moderate", "high"] | None


class EnergyNow(Open):
    location: str
    zone: str
    region: str | None
    ownZone: str = Field(description="the zone asked for, or the region's own")
    nationalSignal: bool = Field(description="the national signal stands in for ownZone")
    generatedAt: str
    requestedAt: str
    dataStartAt: str
    dataEndAt: str
    windowSize: int
    current: Current
    levelBasis: dict[str, Any]
    optimalDataPoint: DataPoint | None
    optimalDataPoints: list[DataPoint]
    forecastData: list[DataPoint]
    modelRun: str | None


@router.get(
    "/energy/now",
    response_model=EnergyNow,
    responses=problem_responses(*GATE, 422, 503),
    summary="Grid energy now and ahead for a region or zone (Carbon Aware SDK shape)",
)
async def energy_now(
    q: Annotated[EnergyNowQuery, Query()], ctx: Annotated[ApiContext, Depends(context)]
) -> Any:
    """The latest measured hour (its age, renewable share, carbon intensity and a
    ``low | moderate | high`` level), the forecast hours from ``dataStartAt`` to
    ``dataEndAt`` and, for a window of ``windowSize`` minutes, its best (lowest mean
    carbon intensity) start: ``optimalDataPoint`` (and ``optimalDataPoints`` as the
    Carbon Aware SDK's ``/emissions/forecasts/current`` names it).

    Level: the latest carbon intensity against the zone's mean over the previous
    30 days: low at <= 0.9 x the mean, high at >= 1.1 x, moderate in between."""
    s = ctx.snap()
    now = ctx.minute()
    key = ("en", s.client, s.version, now, q.model_dump_json())

    def make() -> Answer:
        return answer_of(EnergyNow, answer(lambda: energy_answer(s, q, now)))

    return ctx.cache.get_or(key, make).model


def energy_answer(s: Snapshot, q: EnergyNowQuery, now: datetime) -> dict:
    """The body of ``/v1/energy/now`` (see :func:`energy_now`).

    :raises ParamError: zone and region both or neither given, a bad range.
    :raises NotAnswerable: no forecast hours in the range."""
    if q.region and q.zone:
        raise ParamError("zone", q.zone, "give zone or region, not both")
    if not q.region and not q.zone:
        raise ParamError("zone", None, "give a zone or a region")
    zone, _tz = resolve_zone(s.fc, q.region, q.zone)
    # the zone asked for (or the region's own); the national signal may stand in for it
    own = (
        next(
            (r["grid_zone"] for r in s.regions if r["region"] == canonical_region(q.region or "")),
            None,
        )
        if q.region
        else canonical_zone(q.zone)
    )
    start, end = default_range(now if q.dataStartAt is None else utc(q.dataStartAt))
    if q.dataEndAt is not None:
        end = utc(q.dataEndAt)
    if end <= start:
        raise ParamError("data_end_at", q.dataEndAt, "must be after dataStartAt")
    if end - start > timedelta(hours=MAX_RANGE_HOURS):
        raise ParamError("data_end_at", q.dataEndAt, f"at most {MAX_HORIZON_DAYS} days after start")
    obs = s.observed.get(zone)
    cur: dict[str, Any] = {
        "timestamp": None,
        "ageHours": None,
        "renewablePct": None,
        "carbonIntensity": None,
        "level": None,
    }
    basis: dict[str, Any] = {
        "method": "latest hour against the zone's mean of the previous days",
        "referenceDays": LEVEL_REFERENCE_DAYS,
        "lowAtOrBelowRatio": LEVEL_LOW_RATIO,
        "highAtOrAboveRatio": LEVEL_HIGH_RATIO,
        "referenceCarbonIntensity": None,
        "referenceRenewablePct": None,
    }
    if obs is not None:
        ci, re = clean(obs["carbon_intensity"]), clean(obs["renewable_pct"])
        lvl = level(ci, obs["ci_ref"]) if ci is not None else None
        if lvl is None and re is not None:
            lvl = level(re, obs["r_ref"], lower_is_better=False)
        cur = {
            "timestamp": iso(obs["ts"]),
            "ageHours": round((now - obs["ts"]).total_seconds() / 3600, 1),
            "renewablePct": None if re is None else round(re, 1),
            "carbonIntensity": None if ci is None else round(ci, 1),
            "level": lvl,
        }
        basis["referenceCarbonIntensity"] = (
            None if clean(obs["ci_ref"]) is None else round(obs["ci_ref"], 1)
        )
        basis["referenceRenewablePct"] = (
            None if clean(obs["r_ref"]) is None else round(obs["r_ref"], 1)
        )
    series = s.series.get(zone)
    fw = forecast_window(series, zone, start, end, q.windowSize) if series else None
    if fw is None:
        last = iso(series.ts[-1]) if series else "none"
        raise NotAnswerable(
            f"no forecast hours for {zone} between {iso(start)} and {iso(end)} (forecasts "
            f"end {last}); ingest newer grid data and run `insights train`",
            ("data_start_at", "data_end_at"),
        )
    best = fw["optimalDataPoint"]
    return {
        "location": zone,
        "zone": zone,
        "region": q.region,
        "ownZone": own or zone,
        "nationalSignal": bool(own) and own != zone,
        "generatedAt": iso(s.loaded_at),
        "requestedAt": iso(now),
        "dataStartAt": iso(start),
        "dataEndAt": iso(end),
        "windowSize": q.windowSize,
        "current": cur,
        "levelBasis": basis,
        "optimalDataPoint": best,
        "optimalDataPoints": [best] if best else [],
        "forecastData": fw["forecastData"],
        "modelRun": s.fc["run_id"],
    }
