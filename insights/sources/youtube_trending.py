"""Kaggle "Trending YouTube Video Statistics" (``MXvideos.csv``) -> ``consumption``.
Reader: :mod:`insights.ingest.youtube`."""

from __future__ import annotations

from insights.ingest import youtube
from insights.sources.base import Source, register
from insights.sources.tables import frame_stager, merge_consumption_table

register(
    Source(
        "youtube",
        "YouTube trending videos (Kaggle dataset)",
        "consumption",
        frame_stager("consumption", lambda s: youtube.read_youtube(s.path, s.info, s.source)),
        merge_consumption_table,
        lambda p: youtube.is_youtube(p.header),
        order=500,
    )
)
