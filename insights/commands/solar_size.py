"""`insights solar-size`: the PV (and battery) that would offset the studio's measured kWh."""

from __future__ import annotations

import argparse


def _floats(text: str | None, name: str) -> tuple[float, ...] | None:
    from insights import InsightsError

    if text is None:
        return None
    try:
        vals = tuple(float(x) for x in text.split(","))
    except ValueError:
        raise InsightsError(f"{name} {text!r}: numbers separated by commas") from None
    if len(vals) == 1:
        vals = vals * 12
    if len(vals) != 12 or min(vals) <= 0:
        raise InsightsError(f"{name}: one value or 12 (January..December), all positive")
    return vals


def run(args: argparse.Namespace) -> int:
    from insights import InsightsError, warehouse
    from insights.commands.common import check_flexible, emit_json
    from insights.studio import emissions, solar

    if not 0 <= args.losses < 100:
        raise InsightsError("--losses is a percentage between 0 and 100")
    if args.target_match is not None and not 0 < args.target_match <= 1:
        raise InsightsError("--target-match is a share between 0 and 1 (0.8 = 80 %)")
    if not -90 <= args.lat <= 90 or not -180 <= args.lon <= 180:
        raise InsightsError("--lat/--lon out of range")
    from insights.studio import MEXICO_CITY

    near_cdmx = abs(args.lat - MEXICO_CITY[0]) < 0.5 and abs(args.lon - MEXICO_CITY[1]) < 0.5
    notes = []
    alt = args.alt
    if alt is None and near_cdmx:
        alt = MEXICO_CITY[2]
    elif alt is None:  # never Mexico City's 2,240 m for another site without a word
        from pvlib.location import lookup_altitude  # pvlib's bundled map, no download

        alt = float(lookup_altitude(args.lat, args.lon))
        notes.append(
            f"altitude {alt:.0f} m looked up for {args.lat}, {args.lon} (pvlib's coarse "
            "elevation map); give --alt for the site's own"
        )
    if not near_cdmx and args.clear_sky_index is None and args.monthly_ghi is None:
        notes.append(
            "cloudiness: Mexico City's assumed monthly clear-sky index (no data for this "
            "site); give --monthly-ghi (kWh/m2/day, Jan..Dec) or --clear-sky-index for it"
        )
    s = solar.PVSettings(
        latitude=args.lat,
        longitude=args.lon,
        altitude=alt,
        tilt=args.tilt,
        azimuth=args.azimuth,
        losses=args.losses / 100,
        temp_air=args.temp_air,
    )
    idx = _floats(args.clear_sky_index, "--clear-sky-index")
    if idx is not None:
        if max(idx) > 1:
            raise InsightsError("--clear-sky-index values are at most 1 (clear sky)")
        s.clear_sky_index = idx
    s.monthly_ghi = _floats(args.monthly_ghi, "--monthly-ghi")
    with warehouse.read(args.db) as con:
        hourly = emissions.load_hourly(con)
    if hourly.height == 0:
        raise InsightsError(
            "no studio logs in the warehouse; `insights ingest` nvidia-smi or CodeCarbon logs"
        )
    check_flexible(args.flexible, hourly["job"].to_list())
    out = solar.size(hourly, s, args.flexible or None, args.slack_hours, args.target_match)
    if notes:
        out["notes"] = notes
    if args.json:
        emit_json(out)
        return 0
    for n in notes:
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
