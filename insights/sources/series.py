"""Single-series files (``timestamp,value``; ``ds,y``) -> ``consumption`` (region global,
channel = file stem). Reader: :mod:`insights.ingest.series`."""

from __future__ import annotations

from insights.ingest import series
from insights.sources.base import Source, register
from insights.sources.tables import frame_stager, merge_consumption_table


def _merge(con, sha, counts):
    return merge_consumption_table(con, sha, counts)


register(
    Source(
        "series",
        "single series (timestamp,value / ds,y)",
        "consumption",
        frame_stager("consumption", lambda s: series.read_series(s.path, s.info, s.source)),
        _merge,
        lambda p: series.is_series(p.header),
        order=800,
    )
)
