"""``GET /v1/render-window``: the lowest-carbon start of a render or training job, the
``insights render-window --json`` document (through
:func:`insights.recommend.plan.plan_render_window`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import Field

from insights.api import casing
from insights.api.common import (
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
)
from insights.api.problems import GATE, deprecated_names_response, problem_responses
from insights.recommend.plan import MAX_RENDER_HOURS, plan_render_window

router = APIRouter(prefix="/v1", tags=["energy"])


class RenderWindowQuery(QueryModel):
    hours: int = Field(ge=1, le=MAX_RENDER_HOURS, description="job length in hours")
    kw: float = Field(gt=0, le=1e6, description="power draw in kW")
    deadline: Moment = Field(description="ISO 8601; without offset: the zone's local time")
    region: str | None = Field(None, max_length=200)
    zone: str | None = Field(None, max_length=100)
    client: str | None = client_field()


class RenderWindow(Open):
    zone: str
    tz: str = Field(description="the zone's IANA time zone")
    deadlineLocal: str = Field(
        description="the deadline as read (no offset given: the zone's local time)"
    )
    deadlineUtc: str
    startLocal: str
    startUtc: str
    kgco2: float = Field(description="kgCO2eq of the job started at startUtc")
    kgco2Now: float = Field(description="kgCO2eq of the job started now")
    savingPct: float = Field(description="percent less than starting now")
    deadline_local: str = deprecated("deadlineLocal")
    deadline_utc: str = deprecated("deadlineUtc")
    start_local: str = deprecated("startLocal")
    start_utc: str = deprecated("startUtc")
    kgco2_now: float = deprecated("kgco2Now")
    saving_pct: float = deprecated("savingPct")


@router.get(
    "/render-window",
    response_model=RenderWindow,
    responses={**deprecated_names_response(), **problem_responses(*GATE, 422, 503)},
    summary="Lowest-carbon start of a render or training job (`insights render-window`)",
)
def render_window(
    q: Annotated[RenderWindowQuery, Query()],
    ctx: Annotated[ApiContext, Depends(context)],
    response: Response,
) -> Any:
    """For a ``hours`` h job drawing ``kw`` kW that must end by ``deadline``: the start
    with the least forecast emissions and the saving against starting now."""
    s = ctx.snap()
    now = ctx.minute()
    deadline = q.deadline.isoformat()
    out = answer(
        lambda: plan_render_window(
            s.fc, q.hours, q.kw, deadline, region=q.region, zone=q.zone, now=now
        )
    )
    deprecate(response)
    return answer_of(RenderWindow, casing.render_window(out)).model
