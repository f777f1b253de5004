"""``insights serve``: a local, read-only HTTP API over the warehouse (FastAPI on Uvicorn).

:mod:`insights.api.snapshot` keeps an in-memory snapshot of the warehouse (never holding
the DuckDB file), :mod:`insights.api.grid` computes energy now and ahead, and
:mod:`insights.api.app` wires the ``/v1`` routers of :mod:`insights.api.routes` (one module
per resource) and the RFC 7807 errors of :mod:`insights.api.problems`.
"""
