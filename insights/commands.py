"""Commands of the later stages (models, recommendations, reports), registered on the CLI."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from insights.cli import EXTRA_COMMANDS, _out


def _progress(args: argparse.Namespace) -> Callable[[str], None]:
    quiet = getattr(args, "json", False) or not sys.stderr.isatty()
    return (lambda _m: None) if quiet else (lambda m: print(f"  · {m}", file=sys.stderr))


def cmd_train(args: argparse.Namespace) -> int:
    from insights.training import train

    m = train(
        args.db,
        horizon=args.horizon_hours,
        n_cutoffs=args.cutoffs,
        by_topic=args.by_topic,
        progress=_progress(args),
    )
    if args.json:
        _out(m)
        return 0
    print(f"run {m['run_id']}: {m['n_series']} series, {m['seconds']} s")
    print(
        f"  engagement backtest: MASE {m['mase']:.3f} (seasonal naive "
        f"{m['mase_seasonal_naive']:.3f}; MAE {m['relative_mae']:.2f}x seasonal naive's), "
        f"sMAPE {m['smape']:.1f}%, "
        f"80% interval coverage {m['coverage_80']:.1%}"
    )
    for target, e in m["energy"].items():
        if "mae" in e:
            mae = e["mae"]
            print(
                f"  {target} backtest MAE: model {mae['model']:.2f}, persistence "
                f"{mae['persistence']:.2f}, seasonal naive 24h {mae['seasonal_naive_24h']:.2f}"
            )
    if m["fallbacks"]:
        print(f"  fallbacks (too little history): {m['fallbacks']}")
    return 0


def register_train(sub: argparse._SubParsersAction, add_db: Callable) -> None:
    p = sub.add_parser("train", help="backtest and fit the engagement and energy models")
    p.add_argument("--horizon-hours", type=int, default=168)
    p.add_argument("--cutoffs", type=int, default=3, help="backtest cut-offs (default 3)")
    p.add_argument("--by-topic", action="store_true", help="one series per topic too")
    p.add_argument("--json", action="store_true")
    add_db(p)
    p.set_defaults(func=cmd_train)


EXTRA_COMMANDS.append(register_train)


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
    if args.window_hours < 1 or args.slots < 1 or args.min_gap_hours < 0 or args.horizon_days <= 0:
        raise InsightsError("--window-hours, --slots and --horizon-days must be positive")
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


def cmd_recommend(args: argparse.Namespace) -> int:
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
        "from": rules.start.isoformat(),
        "model_run": fc["run_id"],
        "regions": list(rules.regions),
        "channels": list(rules.channels),
    }
    rec_id = store_recommendations(args.db, recs, params)
    no_energy = sorted(set(cands.filter(cands["energy_availability"].is_null())["region"]))
    if args.format == "json":
        _out(
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
        sys.stdout.write(recs.write_csv())
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


def register_recommend(sub: argparse._SubParsersAction, add_db: Callable) -> None:
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
    p.set_defaults(func=cmd_recommend)


EXTRA_COMMANDS.append(register_recommend)


def cmd_backtest(args: argparse.Namespace) -> int:
    from insights import InsightsError
    from insights.recommend.advice_backtest import backtest_advice, summarise
    from insights.recommend.io import load_backtest_inputs
    from insights.recommend.slots import parse_hours

    if not 0.0 <= args.energy_weight <= 1.0:
        raise InsightsError(f"--energy-weight {args.energy_weight}: must be between 0 and 1")
    if args.weeks < 1:
        raise InsightsError("--weeks must be at least 1")
    inp = load_backtest_inputs(args.db, args.weeks, args.audience_from_load)
    say = _progress(args)
    slots = backtest_advice(
        inp["actual"],
        inp["energy"],
        inp["regions"],
        inp["meta"],
        weeks=args.weeks,
        energy_weight=args.energy_weight,
        slots=args.slots,
        gap=args.min_gap_hours,
        hours=parse_hours(args.hours),
        habitual_hour=args.habitual_hour,
        progress=lambda k: say(f"week {k}/{args.weeks} done"),
    )
    summary = summarise(slots)
    summary.update(
        {
            "weeks": args.weeks,
            "energy_weight": args.energy_weight,
            "habitual_hour": args.habitual_hour,
            "audience": f"load of {args.audience_from_load}"
            if args.audience_from_load
            else "consumption engagements",
        }
    )
    if args.json:
        _out(summary)
        return 0
    print(
        f"Backtest over {args.weeks} past week(s), energy weight {args.energy_weight}; "
        "mean actual outcome per chosen slot:"
    )
    print(f"{'strategy':<16} {'engagement':>12} {'gCO2/kWh':>9} {'renew%':>7} {'slots':>6}")
    for r in summary["strategies"]:
        print(
            f"{r['strategy']:<16} {r['engagement']:>12,.1f} {r['carbon_intensity']:>9.1f} "
            f"{r['renewable_pct']:>7.1f} {r['n_slots']:>6}"
        )
    return 0


def register_backtest(sub: argparse._SubParsersAction, add_db: Callable) -> None:
    p = sub.add_parser("backtest", help="what following the advice would have given, past weeks")
    p.add_argument("--weeks", type=int, default=4)
    p.add_argument("--energy-weight", type=float, default=0.25)
    p.add_argument("--slots", type=int, default=3)
    p.add_argument("--min-gap-hours", type=int, default=12)
    p.add_argument("--hours", default="8-23")
    p.add_argument("--habitual-hour", type=int, default=20, help="local hour (default 20)")
    p.add_argument(
        "--audience-from-load",
        metavar="ZONE",
        default=None,
        help="use a grid zone's load as the audience stand-in (e.g. BR-CS)",
    )
    p.add_argument("--json", action="store_true")
    add_db(p)
    p.set_defaults(func=cmd_backtest)


def cmd_render_window(args: argparse.Namespace) -> int:
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
    try:
        deadline = datetime.fromisoformat(args.deadline)
    except ValueError:
        raise InsightsError(f"--deadline {args.deadline!r}: not an ISO 8601 date-time") from None
    if deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=ZoneInfo(tz))
    now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
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
        _out(out)
    else:
        print(
            f"Start the {args.hours} h, {args.kw} kW job at {out['start_local']} ({zone}): "
            f"{out['kgco2']} kgCO2eq, against {out['kgco2_now']} kgCO2eq starting now "
            f"({out['saving_pct']}% less)."
        )
    return 0


def register_render_window(sub: argparse._SubParsersAction, add_db: Callable) -> None:
    p = sub.add_parser("render-window", help="lowest-carbon start for a render/training job")
    p.add_argument("--hours", type=int, required=True, help="job length in hours")
    p.add_argument("--kw", type=float, required=True, help="power draw in kW")
    p.add_argument("--deadline", required=True, help="ISO 8601; without offset: the zone's time")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--zone")
    g.add_argument("--region")
    p.add_argument("--now", default=None, help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true")
    add_db(p)
    p.set_defaults(func=cmd_render_window)


EXTRA_COMMANDS.extend([register_backtest, register_render_window])


def cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from insights.report import run_report

    given = dict(args.param or [])
    written = run_report(Path(args.out), given, args.lang, args.db, args.notebooks, args.only)
    for p in written:
        print(p)
    return 0


def register_report(sub: argparse._SubParsersAction, add_db: Callable) -> None:
    p = sub.add_parser("report", help="run the notebooks with papermill and export offline HTML")
    p.add_argument("--out", default="reports", help="folder (default: reports)")
    p.add_argument(
        "-p",
        "--param",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="a notebook parameter (repeatable); unknown names are an error",
    )
    p.add_argument("--lang", default="es", help="es or en (default es)")
    p.add_argument("--notebooks", default=None, help="folder of numbered notebooks")
    p.add_argument("--only", action="append", help="run only notebooks whose name starts so")
    add_db(p)
    p.set_defaults(func=cmd_report)


EXTRA_COMMANDS.append(register_report)
