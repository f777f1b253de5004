"""The HTTP API (FastAPI): publish windows, energy now and ahead, render window, regions,
zones and health, under ``/v1``. Errors are RFC 7807 problem documents
(``application/problem+json``).

Every endpoint answers from the in-memory :class:`insights.api.snapshot.Snapshot`; none
opens the warehouse. Answers are cached per snapshot, parameters and UTC minute ("now" is
taken to the minute), so a scheduler polling every few seconds costs one computation a
minute.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from insights import InsightsError, __version__
from insights.api.grid import (
    LEVEL_HIGH_RATIO,
    LEVEL_LOW_RATIO,
    LEVEL_REFERENCE_DAYS,
    default_range,
    forecast_window,
    level,
)
from insights.api.security import bearer_matches
from insights.api.snapshot import REFRESH_BOUND_S, Snapshot, SnapshotStore
from insights.recommend.errors import NotAnswerable, ParamError
from insights.recommend.plan import (
    MAX_HORIZON_DAYS,
    MAX_RENDER_HOURS,
    MAX_SLOTS,
    MAX_WINDOW_HOURS,
    RecommendParams,
    plan_recommendations,
    plan_render_window,
    resolve_zone,
)
from insights.recommend.slots import DAYS
from insights.regions import canonical_region, canonical_zone, is_country_row

PROBLEM = "application/problem+json"
MAX_WINDOW_MINUTES = 24 * 60 * 7
MAX_RANGE_HOURS = 24 * MAX_HORIZON_DAYS

# snake_case (the CLI's and plan's names) -> the API's query parameter names
API_NAMES = {
    "energy_weight": "energyWeight",
    "window_hours": "windowHours",
    "min_gap_hours": "minGapHours",
    "horizon_days": "horizonDays",
    "from": "from",
    "window_size": "windowSize",
    "data_start_at": "dataStartAt",
    "data_end_at": "dataEndAt",
}


def api_name(param: str) -> str:
    return API_NAMES.get(param, param)


# ---------------------------------------------------------------- problem documents


class InvalidParam(BaseModel):
    name: str = Field(description="the query parameter")
    reason: str


class Problem(BaseModel):
    """RFC 7807 problem details."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(description="a URI naming the kind of problem")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    invalidParams: list[InvalidParam] | None = None


def problem(
    status: int,
    title: str,
    detail: str | None,
    request: Request | None = None,
    kind: str | None = None,
    invalid: list[dict] | None = None,
    headers: dict | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": f"urn:insights:problem:{kind}" if kind else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.url.path
    if invalid:
        body["invalidParams"] = invalid
    return Response(
        json.dumps(body, ensure_ascii=False), status, media_type=PROBLEM, headers=headers
    )


def _problem_responses(*codes: int) -> dict:
    titles = {
        400: "Invalid parameters (named in invalidParams)",
        401: "Missing or wrong bearer token",
        422: "Valid parameters the forecasts cannot answer",
        503: "No forecasts yet (run `insights train`)",
    }
    return {
        c: {"model": Problem, "description": titles[c], "content": {PROBLEM: {}}} for c in codes
    }


class ApiProblem(Exception):
    def __init__(self, status: int, title: str, detail: str, kind: str, invalid=None) -> None:
        self.status, self.title, self.detail, self.kind, self.invalid = (
            status,
            title,
            detail,
            kind,
            invalid,
        )


def _param_problem(exc: ParamError) -> ApiProblem:
    name = api_name(exc.param)
    detail = exc.detail if exc.value is None else f"{name}={exc.value!r}: {exc.detail}"
    return ApiProblem(
        400, "Invalid parameter", detail, "invalid-parameter", [{"name": name, "reason": detail}]
    )


def _finite(obj: Any) -> Any:
    """NaN and infinities become null (JSON has neither)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def _json(obj: Any) -> Response:
    return Response(
        json.dumps(_finite(obj), ensure_ascii=False, default=str, allow_nan=False).encode(),
        media_type="application/json",
    )


def _in_range(t: datetime | None) -> datetime | None:
    """Dates from 1970 to 2199 only: anything else is a typo, and overflows date arithmetic."""
    if t is None:
        return t
    try:
        u = t.astimezone(UTC) if t.tzinfo else t
    except (OverflowError, ValueError):
        raise ValueError("date out of range 1970..2199") from None
    if not 1970 <= u.year < 2200:
        raise ValueError("date out of range 1970..2199")
    return t


Moment = Annotated[datetime, AfterValidator(_in_range)]


# ---------------------------------------------------------------- query models (type hints)


class _Query(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class PublishWindowsQuery(_Query):
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


class EnergyNowQuery(_Query):
    region: str | None = Field(None, max_length=200, description="an audience region")
    zone: str | None = Field(None, max_length=100, description="a grid zone (or give region)")
    windowSize: int = Field(
        60, ge=1, le=MAX_WINDOW_MINUTES, description="minutes; the best start is for this long"
    )
    dataStartAt: Moment | None = Field(
        None, description="default: now; the forecast starts at the hour containing it"
    )
    dataEndAt: Moment | None = Field(None, description="default: 24 hours after dataStartAt")


class RenderWindowQuery(_Query):
    hours: int = Field(ge=1, le=MAX_RENDER_HOURS, description="job length in hours")
    kw: float = Field(gt=0, le=1e6, description="power draw in kW")
    deadline: Moment = Field(description="ISO 8601; without offset: the zone's local time")
    region: str | None = Field(None, max_length=200)
    zone: str | None = Field(None, max_length=100)


# ---------------------------------------------------------------- response models (docs)


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Recommendation(Open):
    rank: int
    region: str
    channel: str
    grid_zone: str | None
    start_local: str
    start_utc: str
    window_hours: int
    expected_engagement: float
    engagement_low: float | None
    engagement_high: float | None
    renewable_pct: float | None
    carbon_intensity: float | None
    energy_availability: float | None
    score: float
    engagement_vs_best_pct: float | None
    renewable_vs_best_pp: float | None = Field(
        description="renewable share against the best engagement-only slot, percentage points"
    )
    carbon_vs_best_pct: float | None = Field(
        description="carbon intensity against the best engagement-only slot, percent"
    )
    energy_signals_disagree: bool | None = Field(
        description="renewable share and carbon intensity point opposite ways (the ranking "
        "used params.signal)"
    )


class PublishWindows(Open):
    recommendation_run: None = Field(description="always null: the API stores nothing")
    model_run: str
    data_end: str | None
    data_age_hours: float | None
    params: dict[str, Any]
    regions_without_energy: list[str]
    not_recommended: list[dict[str, Any]] = Field(
        description="selected pairs without a slot: region, channel, code, reason"
    )
    pooled_profile: dict[str, Any] = Field(
        description="recommended pairs forecast from the pooled profile, and what that means"
    )
    recommendations: list[Recommendation]


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
    modelRun: str


class RenderWindow(Open):
    zone: str
    tz: str
    deadline_local: str  # the deadline as read (no offset given: the zone's local time)
    deadline_utc: str
    start_local: str
    start_utc: str
    kgco2: float
    kgco2_now: float
    saving_pct: float


class RegionOut(Open):
    region: str
    country: str | None
    gridZone: str | None  # the region's own grid zone (control region)
    signalZone: str | None  # the zone whose signal it is scored on (national when own has none)
    tz: str | None
    hasForecasts: bool


class ZoneOut(Open):
    zone: str
    regions: list[str]
    latestHour: str | None
    hasForecast: bool


class Health(Open):
    status: Literal["ok", "degraded", "no-forecasts"]
    version: str
    unanswerable: list[dict[str, Any]] = Field(
        default_factory=list,
        description="regions the API cannot answer for, and why (status is then 'degraded')",
    )
    dataEnd: str | None
    energyEnd: str | None
    modelRun: dict[str, Any] | None
    snapshot: dict[str, Any]


# ---------------------------------------------------------------- the app


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Cache:
    """A small LRU of response bodies, keyed by snapshot version + parameters + minute,
    bounded by entries and by bytes (one publish-windows answer can be 6 MB): an answer
    larger than a quarter of ``max_bytes`` is served but not kept.
    Thread-safe (sync endpoints run in a thread pool); computing happens outside the lock."""

    def __init__(self, size: int = 512, max_bytes: int = 64 * 2**20) -> None:
        self.size, self.d, self.lock = size, OrderedDict(), threading.Lock()
        self.max_bytes, self.bytes = max_bytes, 0

    def get_or(self, key, make: Callable[[], Response]) -> Response:
        with self.lock:
            hit = self.d.get(key)
            if hit is not None:
                self.d.move_to_end(key)
        if hit is not None:
            return Response(hit, media_type="application/json")
        resp = make()
        body = resp.body
        if len(body) > self.max_bytes // 4:
            return resp
        with self.lock:
            old = self.d.pop(key, None)
            self.bytes -= len(old) if old is not None else 0
            self.d[key] = body
            self.bytes += len(body)
            while len(self.d) > self.size or self.bytes > self.max_bytes:
                self.bytes -= len(self.d.popitem(last=False)[1])
        return resp


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def create_app(
    store: SnapshotStore, token: str | None = None, clock: Callable[[], datetime] | None = None
) -> FastAPI:
    """The ASGI app over ``store``. With ``token``, every ``/v1`` request needs
    ``Authorization: Bearer <token>``."""
    clock = clock or (lambda: datetime.now(UTC))
    try:  # Swagger UI's script and style, shipped inside a package: the docs page needs no CDN
        import fastapi_offline

        static = Path(fastapi_offline.__file__).parent / "static"
        docs = (static / "swagger-ui-bundle.js").exists()
    except ImportError:
        static, docs = None, False
    app = FastAPI(
        title="insights API",
        version=__version__,
        description=(
            "When to publish, and how green the grid is now and ahead, from the local "
            "insights warehouse. Errors are RFC 7807 problem documents."
        ),
        docs_url=None,
        redoc_url=None,
    )
    cache = _Cache()

    if docs and static is not None:
        from fastapi.staticfiles import StaticFiles

        app.mount("/docs-static", StaticFiles(directory=static), name="docs-static")

        @app.get("/docs", include_in_schema=False)
        def swagger() -> HTMLResponse:
            return get_swagger_ui_html(
                openapi_url="/openapi.json",
                title="insights API",
                swagger_js_url="/docs-static/swagger-ui-bundle.js",
                swagger_css_url="/docs-static/swagger-ui.css",
                swagger_favicon_url="/docs-static/favicon.png",
                swagger_ui_parameters={"validatorUrl": None},
            )

    async def bearer(request: Request, call_next):
        # every path but the docs page's static files (Swagger UI's own script and style):
        # with a token set, /docs and /openapi.json need it too (docs/security.md)
        path = request.url.path
        if not path.startswith("/docs-static/") and not bearer_matches(
            request.headers.get("authorization"), token or ""
        ):
            return problem(
                401,
                "Unauthorized",
                "send Authorization: Bearer <token> (the INSIGHTS_API_TOKEN the server "
                "was started with)",
                request,
                "unauthorized",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return await call_next(request)

    if token:  # only then: a middleware costs every request a little
        app.middleware("http")(bearer)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        bad = []
        for e in exc.errors():
            loc = [str(x) for x in e.get("loc", ()) if x not in ("query", "body")]
            name = loc[0] if loc else "request"
            if e.get("type") == "extra_forbidden":
                reason = "unknown parameter"
            else:
                reason = e.get("msg", "invalid")
            bad.append({"name": name, "reason": reason})
        detail = "; ".join(f"{b['name']}: {b['reason']}" for b in bad)
        return problem(400, "Invalid parameters", detail, request, "invalid-parameter", bad)

    @app.exception_handler(ApiProblem)
    async def api_problem(request: Request, exc: ApiProblem):
        return problem(exc.status, exc.title, exc.detail, request, exc.kind, exc.invalid)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        from http import HTTPStatus

        title = HTTPStatus(exc.status_code).phrase
        return problem(exc.status_code, title, str(exc.detail), request, None)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception):  # a bug: say so, without a traceback
        return problem(500, "Internal Server Error", type(exc).__name__, request, "bug")

    def snap() -> Snapshot:
        s = store.current
        if s.fc is None:
            raise ApiProblem(503, "No forecasts", s.problem or "no forecasts", "no-forecasts")
        return s

    def answer(make: Callable[[], Any]) -> Any:
        try:
            return make()
        except ParamError as exc:
            raise _param_problem(exc) from None
        except NotAnswerable as exc:
            names = [api_name(p) for p in exc.params]
            raise ApiProblem(
                422,
                "Not answerable from the forecasts",
                str(exc),
                "not-answerable",
                [{"name": n, "reason": str(exc)} for n in names] or None,
            ) from None
        except InsightsError as exc:
            raise ApiProblem(422, "Not answerable", str(exc), "not-answerable") from None

    def minute() -> datetime:
        return clock().replace(second=0, microsecond=0)

    v1 = "/v1"

    @app.get(
        f"{v1}/publish-windows",
        response_model=PublishWindows,
        responses=_problem_responses(400, 401, 422, 503),
        summary="When to publish: the `insights recommend --format json` result",
        tags=["publish"],
    )
    def publish_windows(q: Annotated[PublishWindowsQuery, Query()]):
        """Scores every future slot of each region and channel by forecast engagement and
        grid energy (weight ``energyWeight``) and returns the chosen slots, with the same
        defaults, validation and fields as ``insights recommend --format json``.
        ``recommendation_run`` is null: the API is read-only and stores nothing."""
        s = snap()
        now = minute()
        key = ("pw", s.client, s.version, now, q.model_dump_json())

        def make():
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
                start=_utc(q.from_) if q.from_ else None,
            )
            res = answer(lambda: plan_recommendations(s.fc, p, now=now))
            return _json(res.payload(s.fc, None))

        return cache.get_or(key, make)

    @app.get(
        f"{v1}/energy/now",
        response_model=EnergyNow,
        responses=_problem_responses(400, 401, 422, 503),
        summary="Grid energy now and ahead for a region or zone (Carbon Aware SDK shape)",
        tags=["energy"],
    )
    async def energy_now(q: Annotated[EnergyNowQuery, Query()]):
        """The latest measured hour (its age, renewable share, carbon intensity and a
        ``low | moderate | high`` level), the forecast hours from ``dataStartAt`` to
        ``dataEndAt`` and, for a window of ``windowSize`` minutes, its best (lowest mean
        carbon intensity) start: ``optimalDataPoint`` (and ``optimalDataPoints`` as the
        Carbon Aware SDK's ``/emissions/forecasts/current`` names it).

        Level: the latest carbon intensity against the zone's mean over the previous
        30 days: low at <= 0.9 x the mean, high at >= 1.1 x, moderate in between."""
        s = snap()
        now = minute()
        key = ("en", s.client, s.version, now, q.model_dump_json())
        return cache.get_or(key, lambda: _json(answer(lambda: _energy_now(s, q, now))))

    @app.get(
        f"{v1}/render-window",
        response_model=RenderWindow,
        responses=_problem_responses(400, 401, 422, 503),
        summary="Lowest-carbon start of a render or training job (`insights render-window`)",
        tags=["energy"],
    )
    def render_window(q: Annotated[RenderWindowQuery, Query()]):
        """For a ``hours`` h job drawing ``kw`` kW that must end by ``deadline``: the start
        with the least forecast emissions and the saving against starting now."""
        s = snap()
        now = minute()
        deadline = q.deadline.isoformat()
        return _json(
            answer(
                lambda: plan_render_window(
                    s.fc, q.hours, q.kw, deadline, region=q.region, zone=q.zone, now=now
                )
            )
        )

    @app.get(
        f"{v1}/regions",
        response_model=list[RegionOut],
        responses=_problem_responses(401),
        tags=["warehouse"],
    )
    async def regions():
        """Audience regions known to the warehouse, their grid zone and time zone."""
        s = store.current
        return _json(
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
            ]
        )

    @app.get(
        f"{v1}/zones",
        response_model=list[ZoneOut],
        responses=_problem_responses(401),
        tags=["warehouse"],
    )
    async def zones():
        """Grid zones with measured or forecast energy data, and the regions they serve."""
        s = store.current
        names = sorted(set(s.observed) | set(s.series))
        by_zone: dict[str, list[str]] = {}
        for r in s.regions:
            by_zone.setdefault(r["signal_zone"], []).append(r["region"])
        return _json(
            [
                {
                    "zone": z,
                    "regions": by_zone.get(z, []),
                    "latestHour": _iso(s.observed[z]["ts"]) if z in s.observed else None,
                    "hasForecast": z in s.series,
                }
                for z in names
            ]
        )

    @app.get(
        f"{v1}/health",
        response_model=Health,
        responses=_problem_responses(401),
        tags=["warehouse"],
    )
    async def health():
        """Data end, the model run answers come from, the package version and the snapshot's
        age (a new run is served at most ``refreshBoundSeconds`` after it is stored)."""
        s = store.current
        return _json(
            {
                "status": (
                    "no-forecasts" if s.fc is None else "degraded" if s.unanswerable else "ok"
                ),
                "client": s.client,
                "version": __version__,
                "unanswerable": s.unanswerable,
                "dataEnd": s.data_end,
                "energyEnd": s.energy_end,
                "modelRun": s.model_run,
                "snapshot": {
                    "version": s.version,
                    "loadedAt": _iso(s.loaded_at),
                    "ageSeconds": round(store.age_s(), 1),
                    "refreshBoundSeconds": REFRESH_BOUND_S,
                    "lastError": store.last_error,
                    "warehouse": s.db,
                },
            }
        )

    from insights.api.footprint import add_routes  # /v1/variant and /v1/footprint

    add_routes(app, store, clock, cache, answer, snap)
    return app


def _energy_now(s: Snapshot, q: EnergyNowQuery, now: datetime) -> dict:
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
    start, end = default_range(now if q.dataStartAt is None else _utc(q.dataStartAt))
    if q.dataEndAt is not None:
        end = _utc(q.dataEndAt)
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
        ci, re = _clean(obs["carbon_intensity"]), _clean(obs["renewable_pct"])
        lvl = level(ci, obs["ci_ref"]) if ci is not None else None
        if lvl is None and re is not None:
            lvl = level(re, obs["r_ref"], lower_is_better=False)
        cur = {
            "timestamp": _iso(obs["ts"]),
            "ageHours": round((now - obs["ts"]).total_seconds() / 3600, 1),
            "renewablePct": None if re is None else round(re, 1),
            "carbonIntensity": None if ci is None else round(ci, 1),
            "level": lvl,
        }
        basis["referenceCarbonIntensity"] = (
            None if _clean(obs["ci_ref"]) is None else round(obs["ci_ref"], 1)
        )
        basis["referenceRenewablePct"] = (
            None if _clean(obs["r_ref"]) is None else round(obs["r_ref"], 1)
        )
    series = s.series.get(zone)
    fw = forecast_window(series, zone, start, end, q.windowSize) if series else None
    if fw is None:
        last = _iso(series.ts[-1]) if series else "none"
        raise NotAnswerable(
            f"no forecast hours for {zone} between {_iso(start)} and {_iso(end)} (forecasts "
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
        "generatedAt": _iso(s.loaded_at),
        "requestedAt": _iso(now),
        "dataStartAt": _iso(start),
        "dataEndAt": _iso(end),
        "windowSize": q.windowSize,
        "current": cur,
        "levelBasis": basis,
        "optimalDataPoint": best,
        "optimalDataPoints": [best] if best else [],
        "forecastData": fw["forecastData"],
        "modelRun": s.fc["run_id"],
    }
