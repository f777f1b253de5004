"""``GET /v1/zones``: the grid zones with measured or forecast energy, and the regions each
serves."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import TypeAdapter

from insights.api.common import CLIENT_DOC, ApiContext, Open, context, iso, list_of
from insights.api.problems import GATE, problem_responses

router = APIRouter(prefix="/v1", tags=["warehouse"])


class ZoneOut(Open):
    zone: str
    regions: list[str]
    latestHour: str | None
    hasForecast: bool


Zones = TypeAdapter(list[ZoneOut])


@router.get(
    "/zones",
    response_model=list[ZoneOut],
    responses=problem_responses(*GATE),
)
async def zones(
    ctx: Annotated[ApiContext, Depends(context)],
    client: Annotated[str | None, Query(max_length=64, description=CLIENT_DOC)] = None,
) -> Any:
    """Grid zones with measured or forecast energy data, and the regions they serve."""
    s = ctx.store.current
    names = sorted(set(s.observed) | set(s.series))
    by_zone: dict[str, list[str]] = {}
    for r in s.regions:
        by_zone.setdefault(r["signal_zone"], []).append(r["region"])
    return list_of(
        Zones,
        [
            {
                "zone": z,
                "regions": by_zone.get(z, []),
                "latestHour": iso(s.observed[z]["ts"]) if z in s.observed else None,
                "hasForecast": z in s.series,
            }
            for z in names
        ],
    )
