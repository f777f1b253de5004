"""`insights solar-size`: the PV (and battery) that would offset the studio's measured kWh."""

from __future__ import annotations

import argparse
from typing import Any


def run(args: argparse.Namespace) -> int:
    from insights import pipeline
    from insights.commands.common import emit_json

    request = pipeline.SolarRequest(
        lat=args.lat,
        lon=args.lon,
        alt=args.alt,
        tilt=args.tilt,
        azimuth=args.azimuth,
        losses=args.losses,
        temp_air=args.temp_air,
        clear_sky_index=args.clear_sky_index,
        monthly_ghi=args.monthly_ghi,
        flexible=tuple(args.flexible or ()),
        slack_hours=args.slack_hours,
        target_match=args.target_match,
    )
    out = pipeline.solar_size(request, args.db)
    if args.json:
        emit_json(out)
        return 0
    print(render(out, bool(args.flexible), args.lang))
    return 0


# The text output in the language of --lang; every number goes through insights.i18n
# (Babel, CLDR: es_MX or en_US), as on the report pages. --json is unchanged.
TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "note": "note: {n}",
        "pv": "PV at {lat}, {lon} ({alt} m), tilt {tilt}°, azimuth {az}°, losses {loss} "
        "({irr}): {y} kWh/kWp/yr",
        "irr": {
            "user monthly GHI": "user monthly GHI",
            "clear sky x default monthly index": "clear sky x default monthly index",
        },
        "published": "  published: {ref} kWh/kWp/yr ({src}); modelled {diff}",
        "studio": "Studio: {kwh} kWh in {days} days -> {year} kWh/yr -> {kwp} kWp covers it "
        "over a year (it would have made {pv} kWh in the logged days)",
        "hourly": "Hour by hour with that PV: {m1} of the kWh as logged; {m2} with {which} "
        "moved up to {slack} h later to sunny hours",
        "flexible": "flexible jobs",
        "all": "all jobs (what-if)",
        "battery": "Battery for {share} hour-by-hour: {kwh} kWh",
        "no_battery": "Battery for {share} hour-by-hour: not reachable with this PV (at most "
        "{max})",
    },
    "es": {
        "note": "nota: {n}",
        "pv": "FV en {lat}, {lon} ({alt} m), inclinación {tilt}°, azimut {az}°, pérdidas "
        "{loss} ({irr}): {y} kWh/kWp/año",
        "irr": {
            "user monthly GHI": "GHI mensual dada",
            "clear sky x default monthly index": "cielo despejado x índice mensual supuesto",
        },
        "published": "  publicado: {ref} kWh/kWp/año ({src}); modelado {diff}",
        "studio": "Estudio: {kwh} kWh en {days} días -> {year} kWh/año -> {kwp} kWp lo cubren "
        "en el año (habrían dado {pv} kWh en los días registrados)",
        "hourly": "Hora por hora con esos paneles: {m1} de los kWh tal como se registraron; "
        "{m2} con {which} movidos hasta {slack} h después a horas de sol",
        "flexible": "los trabajos flexibles",
        "all": "todos los trabajos (hipótesis)",
        "battery": "Batería para {share} hora por hora: {kwh} kWh",
        "no_battery": "Batería para {share} hora por hora: inalcanzable con estos paneles "
        "(como mucho {max})",
    },
}


def render(out: dict, flexible: bool, lang: str) -> str:
    """The text of ``insights solar-size`` for ``out`` (:func:`insights.pipeline.solar_size`)."""
    from insights import i18n

    tx, loc = TEXT[lang], out["location"]
    num = lambda v, d=1: i18n.number(v, lang, d)  # noqa: E731
    notes = out.get("notes_es" if lang == "es" else "notes", [])
    lines = [tx["note"].format(n=n) for n in notes]
    lines.append(
        tx["pv"].format(
            lat=num(loc["latitude"], 4), lon=num(loc["longitude"], 4), alt=num(loc["altitude_m"], 0),
            tilt=num(loc["tilt"]), az=num(loc["azimuth"]), loss=i18n.pct(out["losses_pct"], lang, 1),
            irr=tx["irr"].get(out["irradiance"], out["irradiance"]),
            y=num(out["specific_yield_kwh_per_kwp"]),
        )
    )  # fmt: skip
    if "published_check" in out:
        c = out["published_check"]
        lines.append(
            tx["published"].format(
                ref=num(c["kwh_per_kwp_yr"], 0),
                src=c["source"],
                diff=i18n.pct(c["difference_pct"], lang, 1, signed=True),
            )
        )
    lines.append(
        tx["studio"].format(
            kwh=num(out["logged_kwh"], 3), days=i18n.number(out["logged_days"], lang),
            year=num(out["yearly_kwh"]), kwp=num(out["kwp_annual_net"], 2),
            pv=num(out["pv_kwh_in_logged_period"], 2),
        )
    )  # fmt: skip
    lines.append(
        tx["hourly"].format(
            m1=i18n.pct(100 * out["matched_share_as_logged"], lang, 1),
            m2=i18n.pct(100 * out["matched_share_shifted"], lang, 1),
            which=tx["flexible" if flexible else "all"],
            slack=i18n.number(out["slack_hours"], lang),
        )
    )
    if "battery_kwh" in out:
        share = i18n.pct(100 * out["target_share"], lang)
        b = out["battery_kwh"]
        lines.append(
            tx["battery"].format(share=share, kwh=num(b, 2))
            if b is not None
            else tx["no_battery"].format(
                share=share, max=i18n.pct(100 * out["max_share_with_battery"], lang, 1)
            )
        )
    return "\n".join(lines)


def register(sub: argparse._SubParsersAction) -> None:
    from insights.commands.common import add_db, add_flexible_jobs, add_lang
    from insights.studio import MEXICO_CITY

    p = sub.add_parser("solar-size", help="PV kWp (and battery) to offset the studio's kWh")
    p.add_argument("--lat", type=float, default=MEXICO_CITY[0], help="latitude (Mexico City)")
    p.add_argument("--lon", type=float, default=MEXICO_CITY[1], help="longitude")
    p.add_argument(
        "--alt",
        type=float,
        default=None,
        help="altitude, m (default: Mexico City's 2240 m there; elsewhere looked up, with a note)",
    )
    p.add_argument("--tilt", type=float, default=20.0, help="module tilt, degrees (20)")
    p.add_argument("--azimuth", type=float, default=180.0, help="degrees, 180 = south")
    p.add_argument("--losses", type=float, default=14.0, help="system losses, %% (14)")
    p.add_argument("--temp-air", type=float, default=18.0, help="air temperature, °C (18)")
    p.add_argument(
        "--clear-sky-index",
        default=None,
        help="cloudiness derate: one value or 12 monthly (default: a Mexico City assumption)",
    )
    p.add_argument(
        "--monthly-ghi", default=None, help="12 monthly mean GHI values, kWh/m2/day (Jan..Dec)"
    )
    add_flexible_jobs(
        p,
        "jobs (by name pattern) that may move to sunny hours; repeatable",
        "how much a flexible job may move (12)",
    )
    p.add_argument("--target-match", type=float, default=None, help="hour-by-hour share 0..1")
    p.add_argument("--json", action="store_true", help="one JSON document instead of text")
    add_lang(p)
    add_db(p)
    p.set_defaults(func=run)
