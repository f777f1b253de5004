"""``GET /v1/publish-windows``: when to publish, the ``insights recommend --format json``
document (the same fields, defaults and validation, through
:func:`insights.recommend.plan.plan_recommendations`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import Field

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
    deprecated,
    utc,
)
from insights.api.problems import GATE, deprecated_names_response, problem_responses
from insights.recommend.plan import (
    MAX_HORIZON_DAYS,
    MAX_SLOTS,
    MAX_WINDOW_HOURS,
    RecommendParams,
    plan_recommendations,
)
from insights.recommend.slots import DAYS

router = APIRouter(prefix="/v1", tags=["publish"])


class PublishWindowsQuery(QueryModel):
    region: list[str] = Field(default=[], description="repeatable; default: every region")
    channel: list[str] = Field(default=[], description="repeatable; default: every channel")
    energyWeight: float = Field(
        0.25, ge=0, le=1, description="0 = engagement only, 1 = energy only"
    )
    signal: Literal["renewable", "carbon"] = "renewable"
    slots: int = Field(3, ge=1, le=MAX_SLOTS, description="slots per region and channel")
    windowHours: int = Field(1, ge=1, le=MAX_WINDOW_HOURS)
    minGapHours: int = Field(12, ge=0, le=24 * MAX_HORIZON_DAYS)
    hours: str = Field(
        "8-23", max_length=10, description="allowed local start hours START-END, 0..23"
    )
    days: str = Field(",".join(DAYS), max_length=100, description="allowed local weekdays")
    horizonDays: float = Field(7, gt=0, le=MAX_HORIZON_DAYS)
    from_: Moment | None = Field(
        None, alias="from", description="start (ISO 8601; no offset: UTC); default now"
    )
    client: str | None = client_field()


class Recommendation(Open):
    """One chosen slot (the fields of ``recommend --format json``'s ``recommendations``)."""

    rank: int
    region: str
    channel: str
    gridZone: str | None
    startLocal: str = Field(description="ISO 8601 with the offset of tz at that instant")
    startUtc: str = Field(description="ISO 8601 UTC with Z")
    windowHours: int
    expectedEngagement: float
    engagementLow: float | None
    engagementHigh: float | None
    renewablePct: float | None
    carbonIntensity: float | None
    energyAvailability: float | None
    score: float
    engagementVsBestPct: float | None
    renewableVsBestPp: float | None = Field(
        description="renewable share against the best engagement-only slot, percentage points"
    )
    carbonVsBestPct: float | None = Field(
        description="carbon intensity against the best engagement-only slot, percent"
    )
    energySignalsDisagree: bool | None = Field(
        description="renewable share and carbon intensity point opposite ways (the ranking "
        "used params.signal)"
    )
    grid_zone: str | None = deprecated("gridZone")
    start_local: str = deprecated("startLocal")
    start_utc: str = deprecated("startUtc")
    window_hours: int = deprecated("windowHours")
    expected_engagement: float = deprecated("expectedEngagement")
    engagement_low: float | None = deprecated("engagementLow")
    engagement_high: float | None = deprecated("engagementHigh")
    renewable_pct: float | None = deprecated("renewablePct")
    carbon_intensity: float | None = deprecated("carbonIntensity")
    energy_availability: float | None = deprecated("energyAvailability")
    engagement_vs_best_pct: float | None = deprecated("engagementVsBestPct")
    renewable_vs_best_pp: float | None = deprecated("renewableVsBestPp")
    carbon_vs_best_pct: float | None = deprecated("carbonVsBestPct")
    energy_signals_disagree: bool | None = deprecated("energySignalsDisagree")


class PublishWindows(Open):
    """The ``recommend --format json`` document (read-only: nothing is stored)."""

    recommendationRun: None = Field(description="always null: the API stores nothing")
    modelRun: str | None = Field(description="the model run answered from")
    client: str | None = Field(description="the brand")
    dataEnd: str | None
    dataAgeHours: float | None
    params: dict[str, Any] = Field(description="the parameters used, under both names")
    regionsWithoutEnergy: list[str]
    notRecommended: list[dict[str, Any]] = Field(
        description="selected pairs without a slot: region, channel, code, reason"
    )
    pooledProfile: dict[str, Any] = Field(
        description="recommended pairs forecast from the pooled profile, and what that means"
    )
    recommendations: list[Recommendation]
    recommendation_run: None = deprecated("recommendationRun")
    model_run: str | None = deprecated("modelRun")
    data_end: str | None = deprecated("dataEnd")
    data_age_hours: float | None = deprecated("dataAgeHours")
    regions_without_energy: list[str] = deprecated("regionsWithoutEnergy")
    not_recommended: list[dict[str, Any]] = deprecated("notRecommended")
    pooled_profile: dict[str, Any] = deprecated("pooledProfile")


@router.get(
    "/publish-windows",
    response_model=PublishWindows,
    responses={**deprecated_names_response(), **problem_responses(*GATE, 422, 503)},
    summary="When to publish: the `insights recommend --format json` result",
)
def publish_windows(
    q: Annotated[PublishWindowsQuery, Query()],
    ctx: Annotated[ApiContext, Depends(context)],
    response: Response,
) -> Any:
    """Scores every future slot of each region and channel by forecast engagement and
    grid energy (weight ``energyWeight``) and returns the chosen slots, with the same
    defaults, validation and fields as ``insights recommend --format json``.
    ``recommendationRun`` is null: the API is read-only and stores nothing."""
    s = ctx.snap()
    now = ctx.minute()
    key = ("pw", s.client, s.version, now, q.model_dump_json())

    def make() -> Answer:
        p = RecommendParams(
            regions=tuple(q.region),
            channels=tuple(q.channel),
            energy_weight=q.energyWeight,
            signal=q.signal,
            slots=q.slots,
            window_hours=q.windowHours,
            min_gap_hours=q.minGapHours,
            hours=q.hours,
            days=q.days,
            horizon_days=q.horizonDays,
            start=utc(q.from_) if q.from_ else None,
        )
        res = answer(lambda: plan_recommendations(s.fc, p, now=now))
        return answer_of(PublishWindows, casing.publish_windows(res.payload(s.fc, None)))

    deprecate(response)
    return ctx.cache.get_or(key, make).model
