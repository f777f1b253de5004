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

    m = train(args.db, horizon=args.horizon_hours, n_cutoffs=args.cutoffs,
              by_topic=args.by_topic, progress=_progress(args))
    if args.json:
        _out({k: v for k, v in m.items()})
        return 0
    print(f"run {m['run_id']}: {m['n_series']} series, {m['seconds']} s")
    print(f"  engagement backtest: MASE {m['mase']:.3f} (seasonal naive "
          f"{m['mase_seasonal_naive']:.3f}), sMAPE {m['smape']:.1f}%, "
          f"80% interval coverage {m['coverage_80']:.1%}")
    for target, e in m["energy"].items():
        if "mae" in e:
            mae = e["mae"]
            print(f"  {target} backtest MAE: model {mae['model']:.2f}, persistence "
                  f"{mae['persistence']:.2f}, seasonal naive 24h {mae['seasonal_naive_24h']:.2f}")
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
