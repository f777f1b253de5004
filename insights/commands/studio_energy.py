"""`insights studio-energy`: the studio's kWh and kgCO2e per day, week and job, time-matched."""

from __future__ import annotations

import argparse

from insights.commands.common import add_db, add_flexible_jobs, emit_json
from insights.studio import DEFAULT_ZONE


def _table(rows: list[dict], cols: list[str], label: str) -> None:
    print(f"\n{label}")
    print("  " + "  ".join(f"{c:>12}" if i else f"{c:<36}" for i, c in enumerate(cols)))
    for r in rows:
        print(
            "  "
            + "  ".join(
                f"{r[c]!s:>12}" if i else f"{str(r[c])[:36]:<36}" for i, c in enumerate(cols)
            )
        )


def run(args: argparse.Namespace) -> int:
    from insights import pipeline
    from insights.studio import emissions

    _, tz = emissions.resolve_zone(args.zone, args.region)  # the local time of the output
    request = pipeline.StudioEnergyRequest(
        zone=args.zone,
        region=args.region,
        flexible=tuple(args.flexible),
        slack_hours=args.slack_hours,
        annual_factor=args.annual_factor,
    )
    out = pipeline.studio_energy(request, args.db)
    zone, basis = out["zone"], out["annual_factor_basis"]
    if args.json:
        emit_json(out)
        return 0
    t = out["total"]
    print(
        f"Studio energy {out['period_local'][0][:16]} .. {out['period_local'][1][:16]} "
        f"({tz}), grid zone {zone}"
    )
    if out.get("note"):
        print(f"  {out['note']}")
    print(
        f"  {t['kwh']} kWh -> {t['kgco2e']} kgCO2e time-matched "
        f"({t['matched_g_per_kwh']} g/kWh), against {t['kgco2e_annual_factor']} kgCO2e at the "
        f"yearly average {out['annual_factor_g_per_kwh']} g/kWh ({basis}): "
        f"{t['kg_diff']:+} kg ({t['diff_pct']:+}%) from when the work ran"
    )
    if t["hours_without_intensity"]:
        print(f"  {t['hours_without_intensity']} h without intensity priced at the yearly factor")
    cols = ["kwh", "kg", "kg_annual", "kg_diff"]
    _table(out["days"], ["day", *cols], "Per day (local)")
    _table(out["weeks"], ["week", *cols], "Per week (starting Monday)")
    _table(
        out["jobs"],
        ["job", "kwh", "kg", "kg_annual", "best_delay_h", "saving_kg"],
        "Per job",
    )
    s = out["shift"]
    for key, label in (("flexible", "flexible jobs"), ("all", "all jobs (what-if)")):
        v = s[key]
        print(
            f"\nShifting {label}, up to {s['slack_hours']} h later: {v['jobs']} job(s), "
            f"{v['kgco2e']} -> {v['kgco2e_shifted']} kgCO2e, saving {v['saving_kg']} kg "
            f"({v['saving_pct']}%)"
            + ("" if key == "all" or s["flexible_patterns"] else "  [mark jobs with --flexible]")
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "studio-energy", help="the studio's GPU kWh and kgCO2e per day, week and job"
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument("--zone", help=f"grid zone (default {DEFAULT_ZONE}, Mexico City)")
    g.add_argument("--region", help="the studio's region (its grid zone is used)")
    add_flexible_jobs(
        p,
        "jobs whose start could move (glob on the job label; repeatable)",
        "how much later a job may start (12)",
    )
    p.add_argument(
        "--annual-factor",
        type=float,
        default=None,
        metavar="G",
        help="yearly average gCO2e/kWh (default: the zone's mean over the year in the warehouse)",
    )
    p.add_argument("--json", action="store_true", help="one JSON document instead of text")
    add_db(p)
    p.set_defaults(func=run)
