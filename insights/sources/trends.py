"""Google Trends exports -> ``search_interest``: interest over time (``multiTimeline.csv``),
interest by region (``geoMap.csv``) and wide region-by-week tables. Reader:
:mod:`insights.ingest.trends` (wrapped as it is).

Related queries and related topics (``relatedQueries.csv``, ``relatedEntities.csv``) hold
ranked lists under ``TOP`` and ``RISING`` without dates or regions: recognised by their
preamble and told so, never read as a table.
"""

from __future__ import annotations

from insights.ingest import trends
from insights.regions import name_key
from insights.sources.base import Probe, Source, StageInput, register
from insights.sources.tables import frame_stager, merge_search_interest

# Section titles of the related-queries/topics lists (English, Spanish, Portuguese UI).
RELATED_SECTIONS = {"top", "rising", "principales", "en aumento", "principais", "em ascensao"}


def _layout(p: Probe) -> str | None:
    try:
        return trends.trends_layout(p.info.lines)
    except Exception:  # noqa: BLE001 - a preamble without a header is told by the reader
        return None


def _related(p: Probe) -> str | None:
    lines = p.info.lines
    if not trends.is_trends_preamble(lines):
        return None
    firsts = {name_key(line.split(",")[0]) for line in lines[1:12] if line.strip()}
    if firsts & RELATED_SECTIONS:
        return (
            "a Google Trends related-queries (or related-topics) file: ranked lists without "
            "dates or regions, nothing to load; download 'Interest over time' "
            "(multiTimeline.csv) or 'Interest by region' (geoMap.csv) instead"
        )
    return None


def _read(fn):
    return lambda s: fn(s.path, s.info, s.sha[:16], s.options.country)


def _read_wide(s: StageInput):
    return trends.read_wide(s.path, s.info, s.sha[:16], s.term, s.options.country)


register(
    Source(
        "trends_timeline",
        "Google Trends interest over time (multiTimeline.csv)",
        "search_interest",
        frame_stager("search_interest", _read(trends.read_multitimeline), with_sha=True),
        merge_search_interest,
        lambda p: _layout(p) == "multitimeline",
        _related,
        order=20,
    ),
    Source(
        "trends_geomap",
        "Google Trends interest by region (geoMap.csv)",
        "search_interest",
        frame_stager("search_interest", _read(trends.read_geomap), with_sha=True),
        merge_search_interest,
        lambda p: _layout(p) == "geomap",
        order=21,
    ),
    Source(
        "trends_wide",
        "wide region-by-week interest table",
        "search_interest",
        frame_stager("search_interest", _read_wide, with_sha=True),
        merge_search_interest,
        lambda p: not _layout(p) and trends.looks_wide_by_date(p.header),
        order=950,
    ),
)
