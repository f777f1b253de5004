"""The API's errors: RFC 7807 problem documents (``application/problem+json``), the
exception the routes raise for one (:class:`ApiProblem`), and the ``responses`` entries
that document them in the OpenAPI document.

The 400/401/403/404 answers of :class:`insights.api.brands.BrandGate` (tokens and the
``client`` parameter) are written before any route runs; they are documented here too, on
every ``/v1`` operation, so a client generated from the document knows them.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from insights.recommend.errors import ParamError

PROBLEM = "application/problem+json"

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
    """The query parameter a :class:`ParamError` names, as the API spells it."""
    return API_NAMES.get(param, param)


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
    """A problem document response (``type`` is ``urn:insights:problem:<kind>``)."""
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


TITLES = {
    400: "Invalid parameters (named in invalidParams), a malformed `client`, or no `client` "
    "on a warehouse of several brands (urn:insights:problem:brand-required)",
    401: "Missing or wrong bearer token",
    403: "A brand-scoped token (INSIGHTS_API_CLIENT_TOKENS) naming another brand in `client` "
    "(urn:insights:problem:brand-forbidden)",
    404: "No brand of that name in the warehouse (`client`; urn:insights:problem:unknown-brand)",
    422: "Valid parameters the forecasts cannot answer",
    503: "No forecasts yet (run `insights train`)",
}
#: What every /v1 operation may answer before its route runs (tokens and brands).
GATE = (400, 401, 403, 404)


def problem_responses(*codes: int, titles: dict[int, str] | None = None) -> dict:
    """OpenAPI ``responses`` entries: each code a :class:`Problem` as ``PROBLEM`` (the
    app's document drops the ``application/json`` entry FastAPI adds beside it)."""
    text = {**TITLES, **(titles or {})}
    schema = {"schema": {"$ref": "#/components/schemas/Problem"}}
    return {
        c: {"model": Problem, "description": text[c], "content": {PROBLEM: schema}}
        for c in sorted(set(codes))
    }


def deprecated_names_response() -> dict:
    """The 200 entry of an answer that still carries snake_case names: its ``Deprecation``
    header (RFC 9745) documented."""
    return {
        200: {
            "description": "The answer. Its snake_case fields (deprecated) repeat the "
            "camelCase ones for one more release.",
            "headers": {
                "Deprecation": {
                    "description": "RFC 9745: the answer carries field names deprecated at "
                    "this time (@ Unix seconds); read the camelCase ones",
                    "schema": {"type": "string", "pattern": "^@[0-9]+$"},
                }
            },
        }
    }


class ApiProblem(Exception):
    """Raised by a route: answered as a problem document by the app's handler."""

    def __init__(
        self, status: int, title: str, detail: str, kind: str, invalid: list | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.kind, self.invalid = (
            status,
            title,
            detail,
            kind,
            invalid,
        )


def param_problem(exc: ParamError) -> ApiProblem:
    """A 400 naming the parameter of a :class:`ParamError` by its API name."""
    name = api_name(exc.param)
    detail = exc.detail if exc.value is None else f"{name}={exc.value!r}: {exc.detail}"
    return ApiProblem(
        400, "Invalid parameter", detail, "invalid-parameter", [{"name": name, "reason": detail}]
    )
