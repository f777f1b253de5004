"""`insights train`: backtest and fit the engagement and energy models."""

from __future__ import annotations

import argparse

from insights.commands.common import add_client, add_db, close_progress, emit_json, progress


def run(args: argparse.Namespace) -> int:
    from insights import pipeline
    from insights.threads import boosting_threads

    request = pipeline.TrainRequest(
        horizon_hours=args.horizon_hours,
        cutoffs=args.cutoffs,
        by_topic=args.by_topic,
        engine=args.engine,
    )
    say = progress(args, bar="train")
    try:
        with boosting_threads():  # OpenMP threads chosen for this process (insights.threads)
            m = pipeline.train(request, args.db, progress=say, client=args.client)
    finally:
        close_progress(say)
    if args.json:
        from insights.training.result import plain

        emit_json(plain(m))
        return 0
    for run in m["brands"].values() if "brands" in m else [m]:
        _print_run(run, several="brands" in m)
    return 0


def _print_run(m: dict, several: bool) -> None:
    brand = f"brand {m['client']}, " if several or m.get("client") != "default" else ""
    print(f"run {m['run_id']}: {brand}{m['n_series']} series, {m['seconds']} s")
    if m["mase"] is None:
        # the real cause is each series' own reason, listed below
        print("  engagement backtest: none of the series could be backtested (reasons below)")
    else:
        print(
            f"  engagement backtest: MASE {m['mase']:.3f} (seasonal naive "
            f"{m['mase_seasonal_naive']:.3f}; MAE {m['relative_mae']:.2f}x seasonal naive's), "
            f"sMAPE {m['smape']:.1f}%, "
            f"80% interval coverage {m['coverage_80']:.1%}"
        )
    nb = m.get("not_backtested") or {}
    if nb:
        print(f"  not backtested ({len(nb)} series; still forecast by fallback):")
        for sid, why in list(nb.items())[:10]:
            print(f"    {sid}: {why}")
        if len(nb) > 10:
            print(f"    ... and {len(nb) - 10} more (--json lists them all)")
    for target, e in m["energy"].items():
        for key in ("skipped", "forecast_skipped"):
            if key in e:
                print(f"  {target}: {e[key]}")
        if "mae" in e:
            mae = e["mae"]
            print(
                f"  {target} backtest MAE: model {mae['model']:.2f}, persistence "
                f"{mae['persistence']:.2f}, seasonal naive 24h {mae['seasonal_naive_24h']:.2f}"
            )
    for note in (f.get("backtest_note") for f in m["by_frequency"].values()):
        if note:
            print(f"  backtest: {note}")
    reasons = m.get("fallback_reasons") or {}
    for why in ("chosen by backtest", "short history"):
        served = {s: f for s, f in m["fallbacks"].items() if reasons.get(s) == why}
        if served:
            print(f"  not served by the model ({why}): {served}")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="backtest and fit the engagement and energy models")
    p.add_argument(
        "--horizon-hours", type=int, default=168, help="forecast horizon in hours (default 168)"
    )
    p.add_argument("--cutoffs", type=int, default=3, help="backtest cut-offs (default 3)")
    p.add_argument("--by-topic", action="store_true", help="one series per topic too")
    p.add_argument(
        "--json", action="store_true", help="the run's summary as one JSON document on stdout"
    )
    p.add_argument(
        "--engine",
        default=None,
        choices=["local", "spark"],
        help="where the brands are fitted: local (this process) or spark (one Spark task per "
        "brand; local[2], or a cluster through SPARK_REMOTE); default: $INSIGHTS_ENGINE, "
        "else local",
    )
    add_db(p)
    add_client(p, "to train (default: $INSIGHTS_CLIENT, else every brand, each on its own)")
    p.set_defaults(func=run)
