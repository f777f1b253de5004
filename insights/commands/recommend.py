"""`insights recommend`: when, where and on which channel to publish."""

from __future__ import annotations

import argparse
import math
import sys

from insights.commands.common import add_db, emit_json

MAX_HORIZON_DAYS = 366


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
    channels = set(fc["engagement"]["channel"].unique())
    for c in args.channel or []:
        if c not in channels:
            raise InsightsError(
                f"--channel {c!r}: unknown; use one of {', '.join(sorted(channels))}"
            )
    if args.window_hours < 1 or args.slots < 1 or args.min_gap_hours < 0:
        raise InsightsError("--window-hours and --slots must be positive, --min-gap-hours >= 0")
    if not (math.isfinite(args.horizon_days) and 1 / 24 <= args.horizon_days <= MAX_HORIZON_DAYS):
        raise InsightsError(
            f"--horizon-days {args.horizon_days}: give a number of days between 1/24 and "
            f"{MAX_HORIZON_DAYS} (forecasts reach only as far as `insights train` made them)"
        )
    if args.from_:
        try:
            start = datetime.fromisoformat(args.from_)
        except ValueError:
            raise InsightsError(f"--from {args.from_!r}: not an ISO 8601 date-time") from None
        start = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
    else:
        start = datetime.now(UTC)
    return SlotRules(
        start=start,
        horizon_days=args.horizon_days,
        window_hours=args.window_hours,
        hours=parse_hours(args.hours),
        days=parse_days(args.days),
        signal=args.signal,
        regions=tuple(regions),
        channels=tuple(args.channel or ()),
    )


def run(args: argparse.Namespace) -> int:
    from datetime import datetime

    from insights import InsightsError
    from insights.recommend.engine import recommend
    from insights.recommend.io import latest_forecasts, store_recommendations
    from insights.recommend.slots import build_candidates

    if not 0.0 <= args.energy_weight <= 1.0:  # NaN fails this too
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
        "from": rules.start.isoformat(),
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
                "data_end": fc["data_end"],
                "data_age_hours": age_h,
                "params": params,
                "regions_without_energy": no_energy,
                "recommendations": recs.to_dicts(),
            }
        )
    elif args.format == "csv":
        from insights.textsafe import csv_safe

        sys.stdout.write(csv_safe(recs).write_csv())  # no cell a spreadsheet would run
    else:
        print(
            f"Recommendations {rec_id or '(not stored)'} (model {fc['run_id']}; data ends {fc['data_end']}, "
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
    p.add_argument("--region", action="append", help="repeatable; default: every region")
    p.add_argument("--channel", action="append", help="repeatable; default: every channel")
    p.add_argument(
        "--energy-weight",
        type=float,
        default=0.25,
        help="0 = engagement only, 1 = energy only (default 0.25)",
    )
    p.add_argument("--signal", choices=["renewable", "carbon"], default="renewable")
    p.add_argument("--slots", type=int, default=3, help="slots per region and channel (default 3)")
    p.add_argument("--window-hours", type=int, default=1)
    p.add_argument("--min-gap-hours", type=int, default=12)
    p.add_argument("--hours", default="8-23", help="allowed local start hours (default 8-23)")
    p.add_argument("--days", default="mon,tue,wed,thu,fri,sat,sun")
    p.add_argument("--horizon-days", type=float, default=7)
    p.add_argument("--from", dest="from_", default=None, help="start (default: now)")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    add_db(p)
    p.set_defaults(func=run)
