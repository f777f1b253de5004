"""Energy models: accuracy and cost of train's energy pipeline (backtest, then the final fit
calibrated on its residuals) with all history versus the window the model uses.

For each of several origins in the data's last half year, the pipeline is run on the data
before the origin and its served 168-hour forecast scored against what followed (MAE per
target, mean over origins), with its wall time. ``--configs`` picks the variants:

* ``full``: every block the history allows (up to 4, 91 days apart), fitted on all history;
* ``window``: the rule in :func:`insights.models.energy.backtest_window`: blocks inside the
  model's training window only, each fit given the hours its rows read.

Usage: python benchmarks/energy_window.py [--db WAREHOUSE] [--origins 4] [--threads 1]
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta

import polars as pl
from threadpoolctl import threadpool_limits

from insights.models import energy as E
from insights.training import ENERGY_TARGETS, load_energy


def pipeline(df: pl.DataFrame, variant: str) -> tuple[pl.DataFrame, int]:
    est = E.EnergyForecaster(horizon=168)
    if variant == "full":
        bt = E.backtest_energy(est, df, n_blocks=4, limit_to_window=False)
        fit_df = df
    else:
        bt = E.backtest_energy(est, df)
        fit_df = E.trim_to_window(df, est.fit_window_hours())
    nb = int(bt.per_zone["n_blocks"].max())
    return E.EnergyForecaster(horizon=168).fit(fit_df, residuals=bt.residuals).predict(), nb


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=None)
    ap.add_argument("--origins", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--configs", default="full,window")
    a = ap.parse_args()
    energy = load_energy(a.db)
    end = energy["ts"].max()
    origins = [end - timedelta(days=7 + 42 * k) for k in range(a.origins)]
    print(f"energy: {energy.height} hours, {energy['ts'].min()} .. {end}; origins {origins}")
    print(f"{'variant':<8} {'target':<24} {'MAE':>8} {'blocks':>6} {'seconds':>8}")
    with threadpool_limits(a.threads, user_api="openmp"):
        for variant in a.configs.split(","):
            for target in ENERGY_TARGETS:
                df = energy.select(
                    pl.col("zone").alias("series_id"), "ts", pl.col(target).alias("y")
                ).drop_nulls("y")
                maes, secs, nbs = [], 0.0, []
                for o in origins:
                    t0 = time.perf_counter()
                    fc, nb = pipeline(df.filter(pl.col("ts") <= o), variant)
                    secs += time.perf_counter() - t0
                    nbs.append(nb)
                    got = fc.join(df, on=["series_id", "ts"])
                    maes.append(float((got["yhat"] - got["y"]).abs().mean()))
                mae = sum(maes) / len(maes)
                print(
                    f"{variant:<8} {target:<24} {mae:>8.3f} {max(nbs):>6} {secs / len(origins):>8.2f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
