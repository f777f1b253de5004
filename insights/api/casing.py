"""One casing across ``/v1``: camelCase field names, the old snake_case names kept for one
release beside them.

The reference is the Carbon Aware SDK of the Green Software Foundation, whose energy
endpoints ``/v1/energy/now`` follows: its WebApi answers ``GET /emissions/forecasts/current``
with ``requestedAt``, ``generatedAt``, ``location``, ``dataStartAt``, ``dataEndAt``,
``windowSize``, ``optimalDataPoint(s)`` and ``forecastData``, and ``GET
/emissions/average-carbon-intensity`` with ``startTime``, ``endTime`` and
``carbonIntensity`` (Green-Software-Foundation/carbon-aware-sdk,
``casdk-docs/docs/tutorial-basics/carbon-aware-webapi.md``, "Endpoints"). Query parameters
there are camelCase too (``dataStartAt``, ``windowSize``), as ours already were.

Until this release ``/v1/publish-windows``, ``/v1/render-window`` and the rows of
``/v1/footprint`` answered snake_case (``start_utc`` beside ``generatedAt``). Now each
snake_case field also comes under its camelCase name (:func:`camel`: ``start_utc`` ->
``startUtc``, ``kgco2_now`` -> ``kgco2Now``); the old name stays, with the same value, for
one release, and such answers carry a ``Deprecation`` header (RFC 9745, the IETF's
``draft-ietf-httpapi-deprecation-header``: ``@`` and the Unix time the old names were
deprecated). The old -> new table is in ``docs/reference/api.md``.

The CLI's ``recommend --format json`` and ``render-window --json`` print the same documents
as the API (one answer on every surface), so they carry both names too.

Only the keys of the objects named here are renamed: never a key that is data (a region,
a factor set).

Pure functions on plain dicts (no FastAPI, no pydantic): the CLI imports them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

#: When the snake_case names were deprecated (RFC 9745 ``Deprecation: @<seconds>``).
DEPRECATED_AT = datetime(2026, 12, 8, tzinfo=UTC)
DEPRECATION_HEADER = f"@{int(DEPRECATED_AT.timestamp())}"
DEPRECATION_NOTE = (
    "Field names are camelCase (the Carbon Aware SDK's casing). Each snake_case field of "
    "earlier releases is also sent under its old name, with the same value, for one more "
    "release: read the camelCase one. Answers that carry old names have a `Deprecation` "
    "header (RFC 9745). The old -> new table: docs/reference/api.md."
)

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")


@functools.lru_cache(maxsize=4096)  # a few dozen names, asked for once per field per answer
def camel(name: str) -> str:
    """``start_utc`` -> ``startUtc``; a name without ``_`` is returned as is.

    >>> camel("start_utc"), camel("kgco2_now"), camel("generatedAt"), camel("iab-europe")
    ('startUtc', 'kgco2Now', 'generatedAt', 'iab-europe')
    """
    if not _SNAKE.match(name):
        return name
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def renamed(names: Iterable[str]) -> dict[str, str]:
    """``{old: new}`` for the snake_case names among ``names``."""
    return {n: camel(n) for n in names if camel(n) != n}


def twin(obj: Mapping[str, Any]) -> dict[str, Any]:
    """``obj`` with each snake_case key also under its camelCase name (same value, each
    new name right after its old one). A camelCase key already there is kept as it is."""
    out: dict[str, Any] = {}
    for k, v in obj.items():
        out[k] = v
        new = camel(k)
        if new != k and new not in obj:
            out[new] = v
    return out


def _each(items: Any) -> Any:
    return [twin(x) if isinstance(x, Mapping) else x for x in items] if items else items


def publish_windows(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The ``recommend --format json`` / ``/v1/publish-windows`` document with both names:
    at its top level, in ``params``, ``units``, ``pooled_profile`` (and its ``pairs``) and
    in each item of ``recommendations``, ``not_recommended`` and ``days_only``."""
    out = dict(doc)
    for key in ("params", "units", "pooled_profile"):
        if isinstance(out.get(key), Mapping):
            out[key] = twin(out[key])
    if isinstance(out.get("pooled_profile"), Mapping):
        pp = out["pooled_profile"]
        out["pooled_profile"] = {**pp, "pairs": _each(pp.get("pairs"))}
    for key in ("recommendations", "not_recommended", "days_only"):
        if isinstance(out.get(key), list):
            out[key] = _each(out[key])
    return twin(out)


def render_window(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The ``render-window --json`` / ``/v1/render-window`` document with both names."""
    return twin(doc)


def footprint_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Ledger rows of ``/v1/footprint`` with both names (the summary is camelCase already)."""
    return [twin(r) for r in rows]
