"""The ``/v1`` routes, one module per resource, each an :class:`fastapi.APIRouter` that
:func:`insights.api.app.create_app` includes (the layout of datasette's ``datasette/views/``:
``index.py``, ``database.py``, ``table.py``, ``row.py``, one module per kind of resource). Each route reads :class:`insights.api.common.ApiContext` through
a dependency and returns its declared pydantic model."""

from __future__ import annotations

from fastapi import APIRouter

from insights.api.routes import (
    energy,
    footprint,
    health,
    regions,
    render_window,
    windows,
    zones,
)

ROUTERS: tuple[APIRouter, ...] = (
    windows.router,
    energy.router,
    render_window.router,
    regions.router,
    zones.router,
    health.router,
    footprint.router,
)
