"""Energy models: accuracy and cost of train's energy pipeline (backtest, then the final fit
calibrated on its residuals) with all history versus the window the model uses.

For each of several origins in the data's last half year, the pipeline is run on the data
before the origin and its served 168-hour forecast scored against what followed (MAE per
target, mean over origins), with its wall time. ``--configs`` picks the variants:

* ``full``: every block the history allows (up to 4, 91 days apart), what ``train`` does;
* ``window``: ``backtest_window(..., limit_blocks=True)``: blocks inside the model's
  training window only (measured, not adopted: ``docs/performance.md``).

Printed per variant and target: MAE of the served forecast and the share of actual hours
inside its 80 % band (mean over origins), the blocks replayed, seconds per origin.

Usage: python benchmarks/energy_window.py [--db WAREHOUSE] [--origins 4] [--threads 1]
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta

import polars as pl
from threadpoolctl import threadpool_limits

from insights.models import energy as E
from insights.models.backtest import backtest
from insights.training import ENERGY_TARGETS, load_energy


def pipeline(df: pl.DataFrame) -> dict[str, tuple[pl.DataFrame, int, float]]:
    """Both variants from one run: the window rule's blocks are the newest blocks of the
    full backtest (same rows, same models: ``tests/models/test_energy_window.py``), and the
    final fit reads the same hours either way; only the per-bucket choice and the band's
    calibration differ. Returns ``{variant: (forecast, blocks, seconds)}``, the seconds of
    the full variant measured, of the window variant estimated (its blocks and the fit)."""
    est = E.EnergyForecaster(horizon=168)
    t0 = time.perf_counter()
    bt = backtest(est, df, n_cutoffs=4)
    t_bt = time.perf_counter() - t0
    nb = int(bt.per_zone["n_blocks"].max())
    n_win = min(nb, E.backtest_window(est, 4, 14, 91, limit_blocks=True)[0])
    per_block = bt.residuals.height // nb  # one zone: blocks of equal size, oldest first
    win_resid = bt.residuals.tail(per_block * n_win)
    t0 = time.perf_counter()
    model = E.EnergyForecaster(horizon=168).fit(df, residuals=bt.residuals)
    full = model.predict()
    t_fit = time.perf_counter() - t0
    model.choice_ = E.choose_per_bucket(win_resid)
    model.resid_q_ = model._quantiles(E._chosen_resid(win_resid, model.choice_))
    return {
        "full": (full, nb, t_bt + t_fit),
        "window": (model.predict(), n_win, t_bt * n_win / nb + t_fit),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=None)
    ap.add_argument("--origins", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    energy = load_energy(a.db)
    end = energy["ts"].max()
    origins = [end - timedelta(days=7 + 42 * k) for k in range(a.origins)]
    print(f"energy: {energy.height} hours, {energy['ts'].min()} .. {end}; origins {origins}")
    print(f"{'variant':<8} {'target':<24} {'MAE':>8} {'cov80':>6} {'blocks':>6} {'seconds':>8}")
    with threadpool_limits(a.threads, user_api="openmp"):
        for target in ENERGY_TARGETS:
            df = energy.select(
                pl.col("zone").alias("series_id"), "ts", pl.col(target).alias("y")
            ).drop_nulls("y")
            res: dict[str, list] = {}
            for o in origins:
                for variant, (fc, nb, secs) in pipeline(df.filter(pl.col("ts") <= o)).items():
                    got = fc.join(df, on=["series_id", "ts"])
                    err = float((got["yhat"] - got["y"]).abs().mean())
                    inside = ((got["y"] >= got["yhat_lo"]) & (got["y"] <= got["yhat_hi"])).mean()
                    res.setdefault(variant, []).append((err, float(inside), nb, secs))
            for variant, rows in res.items():
                n = len(rows)
                print(
                    f"{variant:<8} {target:<24} {sum(r[0] for r in rows) / n:>8.3f} "
                    f"{sum(r[1] for r in rows) / n:>6.2f} {max(r[2] for r in rows):>6} "
                    f"{sum(r[3] for r in rows) / n:>8.2f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
