"""`insights recommend`: when, where and on which channel to publish."""

from __future__ import annotations

import argparse
import sys

from insights.commands.common import WHEN_HELP, add_client, add_db, emit_json


def params_from_args(args: argparse.Namespace):
    from insights.recommend.plan import RecommendParams

    return RecommendParams(
        regions=tuple(args.region or ()),
        channels=tuple(args.channel or ()),
        energy_weight=args.energy_weight,
        signal=args.signal,
        slots=args.slots,
        window_hours=args.window_hours,
        min_gap_hours=args.min_gap_hours,
        hours=args.hours,
        days=args.days,
        horizon_days=args.horizon_days,
        start=args.from_,
    )


def run(args: argparse.Namespace) -> int:
    from insights import pipeline

    outcome = pipeline.recommend(params_from_args(args), args.db, client=args.client)
    res, fc, rec_id = outcome.result, outcome.forecasts, outcome.run_id
    recs, rules, age_h = res.recs, res.rules, res.data_age_hours
    no_energy = res.regions_without_energy
    national = res.regions_on_national_signal
    if args.format == "json":
        from insights.api import casing  # the /v1/publish-windows document, both names

        emit_json(casing.publish_windows(res.payload(fc, rec_id)))
    elif args.format == "csv":
        import polars as pl

        from insights.recommend.output import iso_z, output_frame
        from insights.textsafe import csv_safe

        # one row per slot; the run's identity repeated in the last columns, so a row
        # copied into a spreadsheet still says which run, weight and data it came from;
        # no cell a spreadsheet would run as a formula
        out = output_frame(recs, fc["regions"])
        if res.evidence is not None:  # what each pair rests on (es/en)
            ev = res.evidence.select("region", "channel", "evidence", "evidence_es", "evidence_en")
            out = out.join(ev, on=["region", "channel"], how="left")
        out = out.with_columns(
            pl.lit(rec_id).alias("recommendation_run"),
            pl.lit(fc["run_id"]).alias("model_run"),
            pl.lit(args.energy_weight).alias("energy_weight"),
            pl.lit(iso_z(fc["data_end"])).alias("data_end"),
        )
        sys.stdout.write(csv_safe(out).write_csv())
    else:
        if fc["run_id"] is None:  # a warehouse with platform exports only (issue 25)
            print(f"Recommendations {rec_id or '(not stored)'} (no model run: platform evidence)")
        else:
            print(
                f"Recommendations {rec_id or '(not stored)'} (model {fc['run_id']}; "
                f"data ends {fc['data_end']}, {age_h} h ago; slots from "
                f"{rules.start:%Y-%m-%d %H:%M} UTC, forecasts bridge the gap)"
            )
        print(
            f"energy weight {args.energy_weight}, ranked by {SIGNAL_WORDS[args.signal]}; "
            "Δ = against the best engagement-only slot of the same region and channel"
        )
        print(format_table(recs))
        print(disagreement_note(recs, args.signal))
        if national:
            print(
                f"national grid signal ({', '.join(sorted(set(recs['grid_zone'].drop_nulls())))}"
                f") used for {len(national)} region(s) without data for their own control "
                f"region: {', '.join(national)}"
            )
        if no_energy:
            print(f"no grid forecast for: {', '.join(no_energy)} (ranked by engagement only)")
        if res.evidence is not None:  # what each pair rests on
            import polars as pl

            own = res.evidence.filter(pl.col("evidence") == "forecast")
            if own.height:  # one line for the pairs on their own series (96 in the demo)
                print(
                    f"evidence, {own.height} pair(s): their own hourly series (model {fc['run_id']})"
                )
            for r in res.evidence.filter(pl.col("evidence") != "forecast").iter_rows(named=True):
                print(f"evidence, {r['region']} {r['channel']}: {r['evidence_en']}")
        print(format_coverage(res.not_recommended, res.pooled_profile))
    return 0


SIGNAL_WORDS = {"renewable": "renewable share", "carbon": "carbon intensity"}


def disagreement_note(recs, signal: str) -> str:
    """What ``!`` after a row means: its renewable share and its carbon intensity point
    opposite ways against the engagement-only best, and which of the two ranked it."""
    n = int(recs["energy_signals_disagree"].fill_null(False).sum()) if recs.height else 0
    if not n:
        return "renewable share and carbon intensity agree on every slot above"
    other = SIGNAL_WORDS["carbon" if signal == "renewable" else "renewable"]
    return (
        f"! {n} slot(s): renewable share and carbon intensity disagree (a greener mix that "
        f"emits more per kWh, or the reverse); ranked by {SIGNAL_WORDS[signal]}, not "
        f"{other} (--signal {'carbon' if signal == 'renewable' else 'renewable'} ranks by it)"
    )


def format_coverage(skipped, pooled) -> str:
    """The pairs left out, each with its reason, and the pairs sharing the pooled profile."""
    from insights.recommend.plan import POOLED_NOTE

    lines = []
    if skipped:
        lines.append(f"not recommended ({len(skipped)} pair(s)):")
        lines += [f"  {s['region']} / {s['channel']}: {s['reason']}" for s in skipped]
    if pooled:
        names = ", ".join(f"{p['region']} / {p['channel']}" for p in pooled)
        lines.append(f"pooled profile ({len(pooled)} pair(s): {names}): {POOLED_NOTE}")
    return "\n".join(lines) if lines else "every selected pair has slots above"


def format_table(recs) -> str:
    head = (
        f"{'region':<20} {'channel':<10} {'#':>2} {'start (local)':<25} {'engagement (80%)':>26}"
        f" {'renew%':>6} {'gCO2':>6} {'score':>5} {'Δeng%':>6} {'Δren pp':>7} {'Δcarbon%':>8}"
    )
    lines = [head, "-" * len(head)]
    for r in recs.iter_rows(named=True):
        band = f"{r['expected_engagement']:,.0f} ({r['engagement_low']:,.0f}–{r['engagement_high']:,.0f})"
        # rounded to the shown tenth first, then + 0.0: no "-0.0"
        fmt = lambda v, f: format(round(v, 1) + 0.0, f) if v is not None else "-"  # noqa: E731
        lines.append(
            f"{r['region'][:20]:<20} {r['channel'][:10]:<10} {r['rank']:>2} {r['start_local']:<25} "
            f"{band:>26} {fmt(r['renewable_pct'], '6.1f')} {fmt(r['carbon_intensity'], '6.0f')} "
            f"{r['score']:5.2f} {fmt(r['engagement_vs_best_pct'], '6.1f')} "
            f"{fmt(r['renewable_vs_best_pp'], '+7.1f')} {fmt(r['carbon_vs_best_pct'], '+8.1f')}"
            + (" !" if r["energy_signals_disagree"] else "")
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
    add_client(p)
    p.set_defaults(func=run)
