"""`insights recommend`: when, where and on which channel to publish."""

from __future__ import annotations

import argparse
import sys

from insights.commands.common import WHEN_HELP, add_db, emit_json, parse_when

# Units of the numeric fields in JSON and CSV output (also in the JSON document itself).
UNITS = {
    "expected_engagement": "engagements (views' interactions) summed over the window",
    "engagement_low": "engagements, lower bound of the 80% interval",
    "engagement_high": "engagements, upper bound of the 80% interval",
    "renewable_pct": "percent of the grid's generation, mean over the window",
    "carbon_intensity": "gCO2eq/kWh, mean over the window",
    "energy_availability": "0..1 (renewable share, or 1 - gCO2eq/kWh / 1000)",
    "score": "0..1, the weighted score the ranking maximises",
    "engagement_vs_best_pct": "percent against the best engagement-only slot",
    "carbon_vs_best_pct": "percent against the best engagement-only slot",
    "window_hours": "hours",
    "data_age_hours": "hours",
}
DIGITS = {
    "expected_engagement": 1,
    "engagement_low": 1,
    "engagement_high": 1,
    "renewable_pct": 1,
    "carbon_intensity": 1,
    "energy_availability": 3,
    "score": 4,
    "engagement_vs_best_pct": 2,
    "carbon_vs_best_pct": 2,
}


def iso_z(value) -> str | None:
    """A UTC instant as ISO 8601 with ``Z``: ``2026-12-05T03:00:00Z``."""
    from datetime import UTC, datetime

    if value is None:
        return None
    dt = datetime.fromisoformat(str(value)) if not isinstance(value, datetime) else value
    dt = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def output_frame(recs, regions):
    """Recommendations for JSON/CSV: numbers rounded, the slot's IANA time zone added."""
    import polars as pl

    tz = regions.select("region", "tz")
    return (
        recs.join(tz, on="region", how="left")
        .with_columns(
            pl.col("tz").fill_null("UTC"),
            *[pl.col(c).cast(pl.Float64).round(d) for c, d in DIGITS.items() if c in recs.columns],
        )
        .select(
            [
                *recs.columns[: recs.columns.index("start_utc") + 1],
                "tz",
                *recs.columns[recs.columns.index("start_utc") + 1 :],
            ]
        )
    )


def _rules_from_args(args: argparse.Namespace, fc: dict):
    from datetime import UTC, datetime

    from insights import InsightsError
    from insights.recommend.slots import SlotRules, parse_days, parse_hours
    from insights.regions import canonical_region

    regions = []
    known = set(fc["engagement"]["region"].unique())
    for r in args.region or []:
        canon = canonical_region(r) or r
        if canon not in known:
            raise InsightsError(
                f"--region {r!r}: no forecasts for it; known: {', '.join(sorted(known)[:12])}"
                + (" ..." if len(known) > 12 else "")
            )
        regions.append(canon)
    by_key = {c.casefold(): c for c in fc["engagement"]["channel"].unique()}
    chosen_channels = []
    for c in args.channel or []:
        if c.strip().casefold() not in by_key:
            raise InsightsError(
                f"--channel {c!r}: unknown; use one of {', '.join(sorted(by_key.values()))}"
            )
        chosen_channels.append(by_key[c.strip().casefold()])
    if args.window_hours < 1 or args.slots < 1 or args.min_gap_hours < 0 or args.horizon_days <= 0:
        raise InsightsError("--window-hours, --slots and --horizon-days must be positive")
    start = parse_when(args.from_, "--from").astimezone(UTC) if args.from_ else datetime.now(UTC)
    return SlotRules(
        start=start,
        horizon_days=args.horizon_days,
        window_hours=args.window_hours,
        hours=parse_hours(args.hours),
        days=parse_days(args.days),
        signal=args.signal,
        regions=tuple(regions),
        channels=tuple(chosen_channels),
    )


def run(args: argparse.Namespace) -> int:
    from datetime import datetime

    from insights import InsightsError
    from insights.recommend.engine import recommend
    from insights.recommend.io import latest_forecasts, store_recommendations
    from insights.recommend.slots import build_candidates

    if not 0.0 <= args.energy_weight <= 1.0:
        raise InsightsError(f"--energy-weight {args.energy_weight}: must be between 0 and 1")
    fc = latest_forecasts(args.db)
    rules = _rules_from_args(args, fc)
    cands = build_candidates(fc["engagement"], fc["energy"], fc["regions"], rules)
    fc_end = fc["engagement"]["ts"].max()
    if cands.height == 0:
        raise InsightsError(
            f"no forecast hours after {rules.start:%Y-%m-%d %H:%M} UTC (forecasts end "
            f"{fc_end:%Y-%m-%d %H:%M} UTC); ingest newer data and run `insights train`, "
            "or pass --from"
        )
    if not cands["allowed"].any():
        raise InsightsError(
            f"no slot allowed: --hours {args.hours} and --days {args.days} leave no start hour in "
            "the horizon; widen them"
        )
    recs = recommend(cands, args.energy_weight, args.slots, args.min_gap_hours, args.window_hours)
    data_end = datetime.fromisoformat(fc["data_end"]) if fc["data_end"] else None
    age_h = round((rules.start - data_end).total_seconds() / 3600, 1) if data_end else None
    params = {
        "energy_weight": args.energy_weight,
        "signal": args.signal,
        "slots": args.slots,
        "window_hours": args.window_hours,
        "min_gap_hours": args.min_gap_hours,
        "hours": args.hours,
        "days": args.days,
        "horizon_days": args.horizon_days,
        "from": iso_z(rules.start),
        "model_run": fc["run_id"],
        "regions": list(rules.regions),
        "channels": list(rules.channels),
    }
    rec_id = store_recommendations(args.db, recs, params)
    no_energy = sorted(set(cands.filter(cands["energy_availability"].is_null())["region"]))
    if args.format == "json":
        emit_json(
            {
                "recommendation_run": rec_id,
                "model_run": fc["run_id"],
                "data_end": iso_z(fc["data_end"]),
                "data_age_hours": age_h,
                "params": params,
                "regions_without_energy": no_energy,
                "time_format": "start_utc and every other instant: ISO 8601 UTC with Z; "
                "start_local: ISO 8601 with the offset of tz (IANA) at that instant",
                "units": UNITS,
                "recommendations": output_frame(recs, fc["regions"]).to_dicts(),
            }
        )
    elif args.format == "csv":
        import polars as pl

        # one row per slot; the run's identity repeated in the last columns, so a row
        # copied into a spreadsheet still says which run, weight and data it came from
        sys.stdout.write(
            output_frame(recs, fc["regions"])
            .with_columns(
                pl.lit(rec_id).alias("recommendation_run"),
                pl.lit(fc["run_id"]).alias("model_run"),
                pl.lit(args.energy_weight).alias("energy_weight"),
                pl.lit(iso_z(fc["data_end"])).alias("data_end"),
            )
            .write_csv()
        )
    else:
        print(
            f"Recommendations {rec_id} (model {fc['run_id']}; data ends {fc['data_end']}, "
            f"{age_h} h before {rules.start:%Y-%m-%d %H:%M} UTC; forecasts bridge the gap)"
        )
        print(
            f"energy weight {args.energy_weight} ({args.signal}); Δ = against the best "
            "engagement-only slot of the same region and channel"
        )
        print(format_table(recs))
        if no_energy:
            print(f"no grid forecast for: {', '.join(no_energy)} (ranked by engagement only)")
    return 0


def format_table(recs) -> str:
    head = (
        f"{'region':<20} {'channel':<10} {'#':>2} {'start (local)':<25} {'engagement (80%)':>26}"
        f" {'renew%':>6} {'gCO2':>6} {'score':>5} {'Δeng%':>6} {'Δcarbon%':>8}"
    )
    lines = [head, "-" * len(head)]
    for r in recs.iter_rows(named=True):
        band = f"{r['expected_engagement']:,.0f} ({r['engagement_low']:,.0f}–{r['engagement_high']:,.0f})"
        fmt = lambda v, f: format(v, f) if v is not None else "-"  # noqa: E731
        lines.append(
            f"{r['region'][:20]:<20} {r['channel'][:10]:<10} {r['rank']:>2} {r['start_local']:<25} "
            f"{band:>26} {fmt(r['renewable_pct'], '6.1f')} {fmt(r['carbon_intensity'], '6.0f')} "
            f"{r['score']:5.2f} {fmt(r['engagement_vs_best_pct'], '6.1f')} "
            f"{fmt(r['carbon_vs_best_pct'], '8.1f')}"
        )
    return "\n".join(lines)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("recommend", help="when, where and on which channel to publish")
    p.add_argument(
        "--region",
        action="append",
        help="region name or alias (CDMX, Nuevo Leon ...); repeatable; default: every region",
    )
    p.add_argument(
        "--channel",
        action="append",
        help="channel, any case (tiktok, TikTok); repeatable; default: every channel",
    )
    p.add_argument(
        "--energy-weight",
        type=float,
        default=0.25,
        help="0 = engagement only, 1 = energy only (default 0.25)",
    )
    p.add_argument(
        "--signal",
        choices=["renewable", "carbon"],
        default="renewable",
        help="energy signal: renewable share, or carbon intensity (default renewable)",
    )
    p.add_argument("--slots", type=int, default=3, help="slots per region and channel (default 3)")
    p.add_argument(
        "--window-hours", type=int, default=1, help="length of each slot in hours (default 1)"
    )
    p.add_argument(
        "--min-gap-hours",
        type=int,
        default=12,
        help="minimum hours between two slots of a region and channel (default 12)",
    )
    p.add_argument(
        "--hours",
        default="8-23",
        help="allowed local start hours START-END, inclusive; 22-2 wraps past midnight "
        "(default 8-23)",
    )
    p.add_argument(
        "--days",
        default="mon,tue,wed,thu,fri,sat,sun",
        help="allowed local days, comma-separated, English or Spanish (mon,tue or lun,mar,mié; "
        "full names too; default every day)",
    )
    p.add_argument(
        "--horizon-days", type=float, default=7, help="days ahead to consider (default 7)"
    )
    p.add_argument(
        "--from",
        dest="from_",
        default=None,
        help=f"start of the horizon (default now); {WHEN_HELP}",
    )
    p.add_argument(
        "--format",
        choices=["table", "json", "csv"],
        default="table",
        help="table (default), json (one document; ISO 8601 times, units listed) or csv",
    )
    add_db(p)
    p.set_defaults(func=run)
