"""``GET /v1/regions``: the audience regions the warehouse knows, with their grid zone and
time zone."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field, TypeAdapter

from insights.api.common import CLIENT_DOC, ApiContext, Open, context, list_of
from insights.api.problems import GATE, problem_responses
from insights.regions import is_country_row

router = APIRouter(prefix="/v1", tags=["warehouse"])


class RegionOut(Open):
    region: str
    country: str | None
    gridZone: str | None = Field(description="the region's own grid zone (control region)")
    signalZone: str | None = Field(
        description="the zone whose signal it is scored on (national when its own has none)"
    )
    tz: str | None
    hasForecasts: bool


Regions = TypeAdapter(list[RegionOut])


@router.get(
    "/regions",
    response_model=list[RegionOut],
    responses=problem_responses(*GATE),
)
async def regions(
    ctx: Annotated[ApiContext, Depends(context)],
    client: Annotated[str | None, Query(max_length=64, description=CLIENT_DOC)] = None,
) -> Any:
    """Audience regions known to the warehouse, their grid zone and time zone."""
    s = ctx.store.current
    return list_of(
        Regions,
        [
            {
                "region": r["region"],
                "country": r["country"],
                "gridZone": r["grid_zone"],
                "signalZone": r["signal_zone"],
                "tz": r["tz"],
                "hasForecasts": r["has_forecasts"],
            }
            for r in s.regions
            # the country's own row (México, Brasil: national search interest) is no
            # audience region beside its states unless it has forecasts of its own
            if r["has_forecasts"] or not is_country_row(r["region"], r["country"])
        ],
    )
