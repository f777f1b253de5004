"""Sources: one module per kind of export, each declaring a :class:`~insights.sources.base.Source`
(kind, how it is recognised, how it is staged, which table it lands in, how it merges).

Detection (:func:`detect`), loading (:mod:`insights.ingest.load`), the ``--kind`` choices
and the docs all read this registry. Importing this package imports every source module,
so that each registers itself; the modules are listed here once.
"""

from __future__ import annotations

from insights.sources import (  # noqa: F401 - imported to register
    consumption,
    ga4,
    grid,
    linkedin,
    meta,
    search_console,
    series,
    studio_logs,
    tiktok,
    trends,
    x,
    youtube_studio,
    youtube_trending,
)
from insights.sources.base import Probe, Source, StageInput, detect, get, hint, kinds, sources

__all__ = ["Probe", "Source", "StageInput", "detect", "get", "hint", "kinds", "sources"]
