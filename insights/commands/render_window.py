"""`insights render-window`: the lowest-carbon start for a render or training job."""

from __future__ import annotations

import argparse

from insights.commands.common import WHEN_HELP, add_db, emit_json, parse_when


def run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    import polars as pl

    from insights import InsightsError
    from insights.recommend.io import latest_forecasts
    from insights.recommend.render_window import best_start
    from insights.regions import canonical_region, canonical_zone

    fc = latest_forecasts(args.db)
    regions = fc["regions"]
    if args.region:
        name = canonical_region(args.region) or args.region
        row = regions.filter(pl.col("region") == name)
        if row.height == 0:
            raise InsightsError(f"--region {args.region!r}: unknown region")
        zone, tz = row["grid_zone"][0], row["tz"][0]
    elif args.zone:
        zone = canonical_zone(args.zone)
        row = regions.filter(pl.col("grid_zone") == zone)
        tz = row["tz"][0] if row.height else "UTC"
    else:
        raise InsightsError("give --zone or --region")
    if args.hours < 1 or args.kw <= 0:
        raise InsightsError("--hours must be at least 1 and --kw positive")
    ci = fc["energy"].filter(pl.col("zone") == zone).drop_nulls("carbon_intensity").sort("ts")
    if ci.height == 0:
        known = sorted(fc["energy"]["zone"].unique())
        raise InsightsError(f"no carbon forecast for zone {zone}; known: {', '.join(known)}")
    deadline = parse_when(args.deadline, "--deadline")
    now = parse_when(args.now, "--now") if args.now else datetime.now(UTC)
    first = (now + timedelta(minutes=59)).replace(minute=0, second=0, microsecond=0)
    future = ci.filter(pl.col("ts") >= first)
    if future.height == 0:
        raise InsightsError("forecasts end before now; ingest newer grid data and retrain")
    ts0 = future["ts"][0]
    last_start = int((deadline - ts0).total_seconds() // 3600) - args.hours
    last_start = min(last_start, future.height - args.hours)
    if last_start < 0:
        raise InsightsError(
            f"a {args.hours} h job cannot finish by {deadline.isoformat()} within the forecasts "
            f"(from {ts0:%Y-%m-%d %H:%M} UTC to {future['ts'][-1]:%Y-%m-%d %H:%M} UTC)"
        )
    plan = best_start(future["carbon_intensity"].to_numpy(), args.hours, args.kw, last_start)
    start = future["ts"][plan.start_index]
    out = {
        "zone": zone,
        "start_local": start.astimezone(ZoneInfo(tz)).isoformat(),
        "start_utc": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "kgco2": round(plan.kgco2, 3),
        "kgco2_now": round(plan.kgco2_now, 3),
        "saving_pct": round(plan.saving_pct, 1),
    }
    if args.json:
        emit_json(out)
    else:
        print(
            f"Start the {args.hours} h, {args.kw} kW job at {out['start_local']} ({zone}): "
            f"{out['kgco2']} kgCO2eq, against {out['kgco2_now']} kgCO2eq starting now "
            f"({out['saving_pct']}% less)."
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("render-window", help="lowest-carbon start for a render/training job")
    p.add_argument("--hours", type=int, required=True, help="job length in hours")
    p.add_argument("--kw", type=float, required=True, help="power draw in kW")
    p.add_argument("--deadline", required=True, help=f"when the job must be finished; {WHEN_HELP}")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--zone", help="grid zone (MX-CE, BR-CS, or a CENACE code such as CEL)")
    g.add_argument("--region", help="audience region (its grid zone is used); aliases accepted")
    p.add_argument("--now", default=None, help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    add_db(p)
    p.set_defaults(func=run)
