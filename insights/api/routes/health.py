"""``GET /v1/health``: the data's end, the model run answers come from, the package version
and the snapshot's age."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from insights import __version__
from insights.api.common import CLIENT_DOC, ApiContext, Open, answer_of, context, iso
from insights.api.problems import GATE, problem_responses
from insights.api.snapshot import REFRESH_BOUND_S

router = APIRouter(prefix="/v1", tags=["warehouse"])


class Health(Open):
    status: Literal["ok", "degraded", "no-forecasts"]
    client: str = Field(description="the brand answered for")
    version: str
    unanswerable: list[dict[str, Any]] = Field(
        description="regions the API cannot answer for, and why (status is then 'degraded')",
    )
    dataEnd: str | None
    energyEnd: str | None
    modelRun: dict[str, Any] | None
    snapshot: dict[str, Any]


@router.get(
    "/health",
    response_model=Health,
    responses=problem_responses(*GATE),
)
async def health(
    ctx: Annotated[ApiContext, Depends(context)],
    client: Annotated[str | None, Query(max_length=64, description=CLIENT_DOC)] = None,
) -> Any:
    """Data end, the model run answers come from, the package version and the snapshot's
    age (a new run is served at most ``refreshBoundSeconds`` after it is stored)."""
    store = ctx.store
    s = store.current
    return answer_of(
        Health,
        {
            "status": ("no-forecasts" if s.fc is None else "degraded" if s.unanswerable else "ok"),
            "client": s.client,
            "version": __version__,
            "unanswerable": s.unanswerable,
            "dataEnd": s.data_end,
            "energyEnd": s.energy_end,
            "modelRun": s.model_run,
            "snapshot": {
                "version": s.version,
                "loadedAt": iso(s.loaded_at),
                "ageSeconds": round(store.age_s(), 1),
                "refreshBoundSeconds": REFRESH_BOUND_S,
                "lastError": store.last_error,
                "warehouse": s.db,
            },
        },
    ).model
