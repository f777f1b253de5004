"""The HTTP API (FastAPI): publish windows, energy now and ahead, render window, regions,
zones, health, variant and footprint, under ``/v1``. Errors are RFC 7807 problem documents
(``application/problem+json``).

:func:`create_app` only wires: the routers (one module per resource in
:mod:`insights.api.routes`), the bearer token check, the error handlers and the offline
docs page. Every endpoint answers from the in-memory
:class:`insights.api.snapshot.Snapshot` (``/v1/footprint`` alone reads the warehouse, under
the shared lock), returns its declared pydantic model, and is cached per brand, snapshot,
parameters and UTC minute (:mod:`insights.api.common`). Field names are camelCase, the old
snake_case ones kept for one release (:mod:`insights.api.casing`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from insights import __version__
from insights.api import casing
from insights.api.common import ApiContext, Cache
from insights.api.problems import PROBLEM, ApiProblem, Problem, problem
from insights.api.routes import ROUTERS
from insights.api.security import bearer_matches
from insights.api.snapshot import SnapshotStore

__all__ = ["PROBLEM", "Problem", "create_app"]

_Cache = Cache  # the name tests/hardening/test_api_reach.py imports

DESCRIPTION = (
    "When to publish, and how green the grid is now and ahead, from the local insights "
    "warehouse. Errors are RFC 7807 problem documents.\n\n"
    "Every `/v1` operation takes `client`, the brand answered for: with a brand-scoped "
    "token (INSIGHTS_API_CLIENT_TOKENS) another brand is 403 and an unknown one 404.\n\n"
    + casing.DEPRECATION_NOTE
)


def create_app(
    store: SnapshotStore, token: str | None = None, clock: Callable[[], datetime] | None = None
) -> FastAPI:
    """The ASGI app over ``store``. With ``token``, every request (but the docs page's
    static files) needs ``Authorization: Bearer <token>``. ``serve`` wraps it in
    :class:`insights.api.brands.BrandGate` (tokens per brand, the ``client`` parameter)
    and :class:`insights.api.security.HostGuard`."""
    try:  # Swagger UI's script and style, shipped inside a package: the docs page needs no CDN
        import fastapi_offline

        static = Path(fastapi_offline.__file__).parent / "static"
        docs = (static / "swagger-ui-bundle.js").exists()
    except ImportError:
        static, docs = None, False
    app = FastAPI(
        title="insights API",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
    )
    app.state.insights = ApiContext(store, clock or (lambda: datetime.now(UTC)), Cache())
    for router in ROUTERS:
        app.include_router(router)

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
        title = HTTPStatus(exc.status_code).phrase
        return problem(exc.status_code, title, str(exc.detail), request, None)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception):  # a bug: say so, without a traceback
        return problem(500, "Internal Server Error", type(exc).__name__, request, "bug")

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict:
    """FastAPI's document, less the 422 "Validation Error" it adds to every operation with
    parameters (this API answers invalid parameters with 400 problem documents), and less
    the ``application/json`` it lists beside each error's ``application/problem+json``
    (errors are only ever problem documents)."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        doc = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        ref = "#/components/schemas/HTTPValidationError"
        for methods in doc["paths"].values():
            for op in methods.values():
                r422 = op.get("responses", {}).get("422", {})
                schema = r422.get("content", {}).get("application/json", {}).get("schema", {})
                if schema.get("$ref") == ref:
                    del op["responses"]["422"]
                for r in op.get("responses", {}).values():
                    if PROBLEM in r.get("content", {}):
                        r["content"].pop("application/json", None)
        if ref not in str(doc["paths"]):
            for name in ("HTTPValidationError", "ValidationError"):
                doc.get("components", {}).get("schemas", {}).pop(name, None)
        app.openapi_schema = doc
    return app.openapi_schema
