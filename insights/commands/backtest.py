"""`insights backtest`: the advice replay, what following the advice would have given over
past weeks (:mod:`insights.recommend.advice_replay`; the command keeps its first name)."""

from __future__ import annotations

import argparse

from insights.commands.common import add_client, add_db, close_progress, emit_json, progress


def run(args: argparse.Namespace) -> int:
    from insights import InsightsError

    if not 0.0 <= args.energy_weight <= 1.0:
        raise InsightsError(f"--energy-weight {args.energy_weight}: must be between 0 and 1")
    if args.weeks < 1:
        raise InsightsError("--weeks must be at least 1")
    from insights import pipeline

    # one brand's rows: --client, else INSIGHTS_CLIENT, else the warehouse's only brand
    with pipeline.as_brand(args.db, args.client):
        return _backtest(args)


def _backtest(args: argparse.Namespace) -> int:
    from insights.progress import set_total
    from insights.recommend.advice_replay import replay_advice, summarise
    from insights.recommend.advice_store import cached_replay_advice, latest_run_id
    from insights.recommend.io import load_backtest_inputs
    from insights.recommend.slots import parse_hours

    inp = load_backtest_inputs(args.db, args.weeks, args.audience_from_load)
    say = progress(args, bar="advice replay")
    set_total(say, args.weeks)
    options = {
        "weeks": args.weeks,
        "energy_weight": args.energy_weight,
        "slots": args.slots,
        "gap": args.min_gap_hours,
        "hours": parse_hours(args.hours),
        "habitual_hour": args.habitual_hour,
    }
    frames = (inp["actual"], inp["energy"], inp["regions"], inp["meta"])
    week_done = lambda k: say(f"week {k}/{args.weeks} done")  # noqa: E731
    run_id = latest_run_id(args.db)
    if run_id is None:  # nothing trained yet: nothing to store it with
        slots = replay_advice(*frames, progress=week_done, **options)
    else:  # the report's result for the same run, options and data is read back
        slots, computed = cached_replay_advice(
            args.db, run_id, *frames, progress=week_done, **options
        )
        if not computed:
            say(f"reused the stored advice replay of run {run_id}")
    close_progress(say)
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
        emit_json(summary)
        return 0
    print(
        f"Advice replay over {args.weeks} past week(s), energy weight {args.energy_weight}; "
        "mean actual outcome per chosen slot:"
    )
    print(f"{'strategy':<16} {'engagement':>12} {'gCO2/kWh':>9} {'renew%':>7} {'slots':>6}")
    for r in summary["strategies"]:
        print(
            f"{r['strategy']:<16} {r['engagement']:>12,.1f} {r['carbon_intensity']:>9.1f} "
            f"{r['renewable_pct']:>7.1f} {r['n_slots']:>6}"
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backtest", help="what following the advice would have given, past weeks")
    p.add_argument("--weeks", type=int, default=4, help="past weeks to replay (default 4)")
    p.add_argument(
        "--energy-weight",
        type=float,
        default=0.25,
        help="0 = engagement only, 1 = energy only (default 0.25)",
    )
    p.add_argument("--slots", type=int, default=3, help="slots per region and channel (default 3)")
    p.add_argument(
        "--min-gap-hours", type=int, default=12, help="minimum hours between slots (default 12)"
    )
    p.add_argument(
        "--hours",
        default="8-23",
        help="allowed local start hours START-END; 22-2 wraps past midnight (default 8-23)",
    )
    p.add_argument("--habitual-hour", type=int, default=20, help="local hour (default 20)")
    p.add_argument(
        "--audience-from-load",
        metavar="ZONE",
        default=None,
        help="use a grid zone's load as the audience stand-in (e.g. BR-CS)",
    )
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    add_db(p)
    add_client(p)
    p.set_defaults(func=run)
