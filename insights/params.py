"""Notebook and widget parameters as people type them: region aliases, channels in any case.

The CLI accepts ``CDMX``, ``Nuevo Leon`` or ``cdmx`` for a region and ``TikTok``
for ``tiktok``; notebooks and widget panels go through the same functions.

>>> region_list("CDMX, Nuevo Leon,Cdmx")
['Ciudad de México', 'Nuevo León']
>>> channel_list("TikTok,INSTAGRAM", ["instagram", "tiktok", "youtube"])
['tiktok', 'instagram']
"""

from __future__ import annotations

from collections.abc import Iterable

from insights import InsightsError
from insights.regions import canonical_region


def _split(text: str | Iterable[str] | None) -> list[str]:
    if text is None:
        return []
    items = text.split(",") if isinstance(text, str) else list(text)
    return [s.strip() for s in items if s and s.strip()]


def region_list(text: str | Iterable[str] | None, known: Iterable[str] | None = None) -> list[str]:
    """Comma-separated region names or aliases -> canonical names, duplicates dropped.

    With ``known`` (the regions that have data), a name outside it is an error
    naming the known ones; an empty text means "every region" (``[]``).
    """
    names = [canonical_region(r) or r for r in _split(text)]
    out = list(dict.fromkeys(names))
    if known is not None:
        known = sorted(set(known))
        missing = [r for r in out if r not in known]
        if missing:
            raise InsightsError(
                f"regions {', '.join(missing)}: no data for them; known: "
                + ", ".join(known[:12])
                + (" ..." if len(known) > 12 else "")
            )
    return out


def channel_list(text: str | Iterable[str] | None, known: Iterable[str]) -> list[str]:
    """Comma-separated channels in any case -> the names stored in the warehouse."""
    by_key = {c.casefold(): c for c in known}
    out = []
    for c in _split(text):
        if c.casefold() not in by_key:
            raise InsightsError(
                f"channel {c!r}: unknown; use one of {', '.join(sorted(by_key.values()))}"
            )
        out.append(by_key[c.casefold()])
    return list(dict.fromkeys(out))
