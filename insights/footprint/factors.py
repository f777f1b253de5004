"""Factor sets for the energy of distributing content: data with its source and version.

The constants live in ``insights/resources/footprint_factors.json`` (one object per set, each
with ``name``, ``version`` and ``source``); this module reads them and turns bytes and
seconds into kWh. Pure functions; units are in every name.

Sets:

``swd-v4``
    Sustainable Web Design model v4 as CO2.js uses it (thegreenwebfoundation/co2.js
    ``src/constants/index.js`` ``SWDV4``; ``src/constants/file-size.js``: GB = 1024^3
    bytes; ``src/sustainable-web-design-v4.js``): operational kWh/GB for data centre
    (0.055), network (0.059) and device (0.08); embodied kWh/GB 0.012, 0.013, 0.081 priced
    at the fixed global 494 gCO2e/kWh. Everything scales with bytes.
``iab-europe``
    IAB Europe's digital ad emissions methodology (iabeurope-beis/digital-ad-emissions
    ``docs/methodology.md`` at commit 19f3799, GMSF v1.2), delivery and consumption stages:
    network kWh/MB fixed 1.65e-5, mobile 1.17e-4, edge node 4.30e-7; the fixed/mobile split
    by region (LATAM 0.7145 / 0.2855); a non-creative overhead of 0.35 MB per video view
    (0.05 display) for payload levels 0-2; device kWh per second viewed (mobile 1.30e-6,
    tablet 1.40e-6, PC 1.54e-5, TV 3.80e-5, as renamed by the methodology's commit 91a1240
    "invert TV, PC EFs") weighted by the default device mix (0.61, 0.04, 0.18, 0.17).
    MB is not defined by the methodology; 10^6 bytes is assumed and said so in the set.

Both sets price operational kWh at the viewer's grid; embodied emissions are reported apart
(they do not depend on the hour). Neither set includes the production of the content.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from insights import InsightsError

# ISO 3166-1 alpha-2 codes of the countries IAB Europe lists for each connection split
# (methodology.md, "Fixed / Mobile Defaults"). Its LATAM list says "Chine" between Venezuela
# and Ecuador: read as Chile (China is in its APAC list already).
SPLIT_REGION_OF_COUNTRY = {
    **dict.fromkeys(
        # fmt: off
        [
            "MX",
            "GT",
            "HN",
            "NI",
            "SV",
            "CR",
            "PA",
            "BZ",
            "HT",
            "CU",
            "DO",
            "JM",
            "TT",
            "BS",
            "BB",
            "LC",
            "GD",
            "VC",
            "AG",
            "DM",
            "KN",
            "BR",
            "CO",
            "AR",
            "PE",
            "VE",
            "CL",
            "EC",
            "BO",
            "PY",
            "UY",
            "SR",
            "GY",
        ],
        # fmt: on
        "LATAM",
    ),
    "US": "NA",
    "CA": "NA",
}


@cache
def factor_sets() -> dict[str, dict]:
    """Every factor set by id (``swd-v4``, ``iab-europe``), as stored in the JSON resource."""
    text = (resources.files("insights") / "resources" / "footprint_factors.json").read_text(
        encoding="utf-8"
    )
    return json.loads(text)


def factor_set(set_id: str) -> dict:
    sets = factor_sets()
    if set_id not in sets:
        raise InsightsError(f"factor set {set_id!r}: unknown; choose one of {', '.join(sets)}")
    return sets[set_id]


def describe(set_id: str) -> dict:
    """``id, name, version, source`` of a set: what every emissions figure carries."""
    f = factor_set(set_id)
    return {"id": set_id, "name": f["name"], "version": f["version"], "source": f["source"]}


@dataclass(frozen=True)
class Usage:
    """What was served: ``bytes`` of content, ``seconds`` viewed, ``views``, and whether
    the piece is ``video`` or ``display`` (a still)."""

    bytes: float
    seconds: float
    views: float
    kind: str = "video"


@dataclass(frozen=True)
class Energy:
    """kWh to deliver and to view (operational, priced at the grid) and embodied kgCO2e."""

    delivery_kwh: float
    device_kwh: float
    embodied_kg: float

    @property
    def kwh(self) -> float:
        return self.delivery_kwh + self.device_kwh


def connection_split(country: str | None, set_id: str = "iab-europe") -> dict[str, float]:
    """IAB's default fixed/mobile split for the viewer's country.

    >>> connection_split("MX")
    {'fixed': 0.7145, 'mobile': 0.2855}
    """
    region = SPLIT_REGION_OF_COUNTRY.get((country or "").upper())
    if region is None:
        raise InsightsError(
            f"country {country!r}: IAB Europe's fixed/mobile defaults cover it under no "
            "region this workbench maps (LATAM, NA)"
        )
    return factor_set(set_id)["connection_split"][region]


def swd_energy(u: Usage, f: dict | None = None) -> Energy:
    """SWDM v4 (CO2.js): every segment in proportion to bytes, GB = 1024^3 bytes.

    >>> e = swd_energy(Usage(bytes=1024**3, seconds=0, views=1))
    >>> round(e.delivery_kwh, 6), round(e.device_kwh, 6), round(e.embodied_kg, 6)
    (0.114, 0.08, 0.052364)
    """
    f = f or factor_set("swd-v4")
    gb = u.bytes / f["bytes_per_gb"]
    op, emb = f["operational_kwh_per_gb"], f["embodied_kwh_per_gb"]
    return Energy(
        delivery_kwh=gb * (op["data_centre"] + op["network"]),
        device_kwh=gb * op["device"],
        embodied_kg=gb * sum(emb.values()) * f["embodied_grid_intensity_g_per_kwh"] / 1000,
    )


def swd_segments_g(
    bytes_: float, intensity: dict[str, float] | float | None = None
) -> dict[str, dict[str, float]]:
    """gCO2e per segment as CO2.js ``operationalEmissions`` / ``embodiedEmissions`` give
    them: operational at ``intensity`` (one value or per segment; default the global 494),
    embodied always at 494.

    >>> swd_segments_g(1024**3)["operational"]
    {'data_centre': 27.17, 'network': 29.146, 'device': 39.52}
    """
    f = factor_set("swd-v4")
    g = f["embodied_grid_intensity_g_per_kwh"]
    gi = (
        intensity
        if isinstance(intensity, dict)
        else dict.fromkeys(f["operational_kwh_per_gb"], g if intensity is None else intensity)
    )
    gb = bytes_ / f["bytes_per_gb"]
    return {
        "operational": {
            k: round(gb * v * gi[k], 10) for k, v in f["operational_kwh_per_gb"].items()
        },
        "embodied": {k: round(gb * v * g, 10) for k, v in f["embodied_kwh_per_gb"].items()},
    }


def iab_payload_mb(u: Usage, f: dict | None = None, overhead: bool = True) -> float:
    """Payload in MB: the content plus, for payload levels 0-2, IAB's non-creative overhead
    per view (0.35 MB video, 0.05 MB display)."""
    f = f or factor_set("iab-europe")
    extra = f["overhead_mb_per_view"][u.kind] * u.views if overhead else 0.0
    return u.bytes / f["bytes_per_mb"] + extra


def iab_energy(
    u: Usage,
    split: dict[str, float],
    f: dict | None = None,
    device_mix: dict[str, float] | None = None,
    overhead: bool = True,
) -> Energy:
    """IAB Europe delivery (per MB over the fixed/mobile ``split`` plus the edge node) and
    consumption (per second viewed over ``device_mix``, default IAB's)."""
    f = f or factor_set("iab-europe")
    mb = iab_payload_mb(u, f, overhead)
    d, de = f["delivery_kwh_per_mb"], f["delivery_embodied_kg_per_mb"]
    mix = device_mix or f["device_mix"]
    per_s = sum(share * f["device_kwh_per_second"][dev] for dev, share in mix.items())
    emb_s = sum(share * f["device_embodied_kg_per_second"][dev] for dev, share in mix.items())
    return Energy(
        delivery_kwh=mb * (split["mobile"] * d["mobile"] + split["fixed"] * d["fixed"] + d["edge"]),
        device_kwh=u.seconds * per_s,
        embodied_kg=mb
        * (split["mobile"] * de["mobile"] + split["fixed"] * de["fixed"] + de["edge"])
        + u.seconds * emb_s,
    )


def energy(set_id: str, u: Usage, country: str | None = None) -> Energy:
    """kWh and embodied kg of ``u`` under the factor set ``set_id``."""
    if set_id == "swd-v4":
        return swd_energy(u)
    if set_id == "iab-europe":
        return iab_energy(u, connection_split(country))
    factor_set(set_id)  # raises for an unknown id
    raise InsightsError(f"factor set {set_id!r}: no method")  # pragma: no cover


def kwh_per_unit(set_id: str, country: str | None, kind: str) -> dict[str, float]:
    """Linear coefficients of a set, so that a whole table can be priced column-wise:
    ``kwh = per_byte*bytes + per_second*seconds + per_view*views`` for delivery and device,
    and the same for embodied kg. Keys: ``delivery_per_byte, delivery_per_second,
    delivery_per_view, device_per_byte, device_per_second, device_per_view,
    embodied_per_byte, embodied_per_second, embodied_per_view``."""
    out = {}
    for name, u in (
        ("byte", Usage(1.0, 0.0, 0.0, kind)),
        ("second", Usage(0.0, 1.0, 0.0, kind)),
        ("view", Usage(0.0, 0.0, 1.0, kind)),
    ):
        e = energy(set_id, u, country)
        out[f"delivery_per_{name}"] = e.delivery_kwh
        out[f"device_per_{name}"] = e.device_kwh
        out[f"embodied_per_{name}"] = e.embodied_kg
    return out
