"""`insights render-window`: the lowest-carbon start for a render or training job."""

from __future__ import annotations

import argparse

from insights.commands.common import LOCAL_WHEN_HELP, add_client, add_db, emit_json


def run(args: argparse.Namespace) -> int:
    from datetime import datetime

    from insights import pipeline

    request = pipeline.RenderWindowRequest(
        hours=args.hours,
        kw=args.kw,
        deadline=args.deadline,
        region=args.region,
        zone=args.zone,
        now=datetime.fromisoformat(args.now) if args.now else None,
    )
    out = pipeline.render_window(request, args.db, client=args.client)
    if args.json:
        from insights.api import casing  # the /v1/render-window document, both names

        emit_json(casing.render_window(out))
    else:
        print(
            f"Start the {args.hours} h, {args.kw} kW job at {out['start_local']} ({out['zone']}): "
            f"{out['kgco2']} kgCO2eq, against {out['kgco2_now']} kgCO2eq starting now "
            f"({out['saving_pct']}% less); deadline {out['deadline_local']} ({out['tz']})."
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("render-window", help="lowest-carbon start for a render/training job")
    p.add_argument("--hours", type=int, required=True, help="job length in hours")
    p.add_argument("--kw", type=float, required=True, help="power draw in kW")
    p.add_argument(
        "--deadline", required=True, help=f"when the job must be finished; {LOCAL_WHEN_HELP}"
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument("--zone", help="grid zone (MX-CE, BR-CS, or a CENACE code such as CEL)")
    g.add_argument("--region", help="audience region (its grid zone is used); aliases accepted")
    p.add_argument("--now", default=None, help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    add_db(p)
    add_client(p, "whose model run's grid forecasts are used")
    p.set_defaults(func=run)
