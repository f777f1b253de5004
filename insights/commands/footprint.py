"""`insights footprint`: the energy and emissions of distributing a campaign, per post,
region and hour of viewing, and which variant to serve where the grid is dirtier."""

from __future__ import annotations

import argparse

from insights.commands.common import add_client, add_db, emit_json, parse_when


def _floats(x: float | None) -> str:
    """A quantity with the precision its size calls for, written by :mod:`insights.i18n`
    (Babel; never ``-0``)."""
    from insights import i18n

    if x is None:
        return "n/a"
    if abs(x) >= 100:
        return i18n.number(x, "en")
    if abs(x) >= 1:
        return i18n.number(x, "en", 1)
    return "0" if i18n.rounds_to_zero(x, 12) else f"{x:.3g}"  # 3 significant digits


def _pct(x: float | None, digits: int = 1, signed: bool = False) -> str:
    from insights import i18n

    return i18n.pct(x, "en", digits, signed=signed)


def run(args: argparse.Namespace) -> int:
    from insights import InsightsError
    from insights.footprint import ledger as L
    from insights.footprint.variants import DEFAULT_VARIANTS, load_variants
    from insights.regions import canonical_region

    variants = load_variants(args.variants) if args.variants else DEFAULT_VARIANTS
    regions = []
    for r in args.region:
        name = canonical_region(r)
        if not name:
            raise InsightsError(f"--region {r!r}: unknown region")
        regions.append(name)
    p = L.LedgerParams(
        campaign=args.campaign,
        days=args.days,
        end=parse_when(args.end, "--end") if args.end else None,
        variants=tuple(variants),
        energy_weight=args.energy_weight,
        floor=args.floor,
        factor_set=args.factor_set,
        regions=tuple(regions),
        channels=tuple(args.channel),
    )
    from insights.footprint.variants import check_weight_floor

    check_weight_floor(p.energy_weight, p.floor)
    from insights import pipeline

    # one brand's rows: --client, else INSIGHTS_CLIENT, else the warehouse's only brand
    with pipeline.as_brand(args.db, args.client):
        r = L.footprint(args.db, p)
    if args.ledger_csv:
        try:
            r["ledger"].write_csv(args.ledger_csv)
        except OSError as exc:
            raise InsightsError(f"{args.ledger_csv}: cannot write the ledger ({exc})") from None
    s = L.summary(r)
    if args.json:
        emit_json(s)
        return 0
    camp = s["campaign"] or "all campaigns"
    print(f"Distribution footprint of {camp}, {s['period']['start']} .. {s['period']['end']}")
    for set_id, t in s["totals"].items():
        print(
            f"  {set_id:<11} {_floats(t['views'])} views, {_floats(t['bytes'] / 1e9)} GB, "
            f"delivery {_floats(t['delivery_kwh'])} kWh + devices {_floats(t['device_kwh'])} kWh "
            f"-> {_floats(t['kgco2e'])} kgCO2e at the hour of viewing, "
            f"{_floats(t['kgco2e_annual'])} at the annual factor "
            f"({_pct(t['hour_vs_annual_pct'], signed=True)}); embodied {_floats(t['embodied_kg'])} kg"
        )
    sp = s["spread"]
    print(
        f"  spread between factor sets: {_floats(sp['min_kgco2e'])} .. "
        f"{_floats(sp['max_kgco2e'])} kgCO2e (x{sp['max_over_min']})"
    )
    print(
        "  grid signal: "
        + ", ".join(
            f"{g['grid_signal']} {g['signal_quality']} {g['rows']} rows" for g in s["gridSignals"]
        )
    )
    print(f"  caveat: {s['caveat']}")
    b, a = s["before"], s["after"]
    print(
        f"\nVariant advice ({s['adviceFactorSet']}, energy weight {s['energyWeight']}, "
        f"engagement floor {s['engagementFloor']}):"
    )
    print(
        f"  {_floats(b['kgco2e'])} -> {_floats(a['kgco2e'])} kgCO2e, engagement kept "
        f"{_pct(a['engagement_kept_pct'])}, bytes in high-intensity hours "
        f"{_pct(b['bytes_high_share_pct'])} -> {_pct(a['bytes_high_share_pct'])}"
    )
    if s["switchWeight"] is not None:
        print(f"  the advice first serves a lighter variant from energy weight {s['switchWeight']}")
    print("  Pareto (non-dominated): kg avoided / engagement given up")
    for pt in s["pareto"]:
        per = pt["kg_avoided_per_pct"]
        print(
            f"    {pt['name']:<14} {_floats(pt['kg_avoided'])} kg / "
            f"{_pct(pt['engagement_given_up_pct'], 2)}"
            + (f"  ({_floats(per)} kg per 1%)" if per is not None else "")
        )
    for n in s["notes"]:
        print(f"  note: {n}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from insights.footprint.ledger import (
        DEFAULT_ENERGY_WEIGHT,
        DEFAULT_FACTOR_SET,
        DEFAULT_FLOOR,
        FACTOR_SETS,
    )

    p = sub.add_parser(
        "footprint",
        help="energy and emissions of distributing a campaign, and variants by grid level",
    )
    p.add_argument("--campaign", help="a consumption topic (default: every topic)")
    p.add_argument("--days", type=int, default=7, help="days up to --end (7; at most 366)")
    p.add_argument("--end", help="end of the period (ISO 8601; default: end of the data)")
    p.add_argument("--region", action="append", default=[], help="repeatable; default all")
    p.add_argument("--channel", action="append", default=[], help="repeatable; default all")
    p.add_argument(
        "--variants",
        metavar="FILE.json",
        help='variants of the piece: {"variants": [{"name", "kind": "video"|"display", '
        '"engagement_kept", "bitrate_kbps" | "bytes_per_view"+"seconds_per_view", "basis"}]}; '
        "the first is the full piece (default: 1080p, 480p and a still, stated defaults)",
    )
    p.add_argument(
        "--energy-weight",
        type=float,
        default=DEFAULT_ENERGY_WEIGHT,
        help=f"share of attention on energy, 0..1, as in recommend ({DEFAULT_ENERGY_WEIGHT})",
    )
    p.add_argument(
        "--floor",
        type=float,
        default=DEFAULT_FLOOR,
        help=f"lowest engagement kept a variant may have, 0..1 ({DEFAULT_FLOOR})",
    )
    p.add_argument(
        "--factor-set",
        choices=FACTOR_SETS,
        default=DEFAULT_FACTOR_SET,
        help=f"factor set the advice uses (the ledger shows all; {DEFAULT_FACTOR_SET})",
    )
    p.add_argument("--ledger-csv", metavar="PATH", help="write every ledger row to a CSV file")
    p.add_argument("--json", action="store_true", help="one JSON document instead of text")
    add_db(p)
    add_client(p)
    p.set_defaults(func=run)
