"""`insights solar-size`: the PV (and battery) that would offset the studio's measured kWh."""

from __future__ import annotations

import argparse


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
    for n in out.get("notes", []):
        print(f"note: {n}")
    loc = out["location"]
    print(
        f"PV at {loc['latitude']}, {loc['longitude']} ({loc['altitude_m']:.0f} m), tilt "
        f"{loc['tilt']}°, azimuth {loc['azimuth']}°, losses {out['losses_pct']}% "
        f"({out['irradiance']}): {out['specific_yield_kwh_per_kwp']} kWh/kWp/yr"
    )
    if "published_check" in out:
        c = out["published_check"]
        print(
            f"  published: {c['kwh_per_kwp_yr']:.0f} kWh/kWp/yr ({c['source']}); "
            f"modelled {c['difference_pct']:+}%"
        )
    print(
        f"Studio: {out['logged_kwh']} kWh in {out['logged_days']} days -> "
        f"{out['yearly_kwh']} kWh/yr -> {out['kwp_annual_net']} kWp covers it over a year "
        f"(it would have made {out['pv_kwh_in_logged_period']} kWh in the logged days)"
    )
    which = "flexible jobs" if args.flexible else "all jobs (what-if)"
    print(
        f"Hour by hour with that PV: {100 * out['matched_share_as_logged']:.1f}% of the kWh as "
        f"logged; {100 * out['matched_share_shifted']:.1f}% with {which} moved up to "
        f"{out['slack_hours']} h later to sunny hours"
    )
    if "battery_kwh" in out:
        b = out["battery_kwh"]
        print(
            f"Battery for {100 * out['target_share']:.0f}% hour-by-hour: "
            + (
                f"{b} kWh"
                if b is not None
                else f"not reachable with this PV (at most {100 * out['max_share_with_battery']:.1f}%)"
            )
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from insights.commands.common import add_db, add_flexible_jobs
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
    add_db(p)
    p.set_defaults(func=run)
