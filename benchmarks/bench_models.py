"""Engagement forecasting: insights against seasonal naive, statsforecast and mlforecast.

Panels (``--panel``):
- ``synthetic``: 450 generated hourly series of two years (daily and weekly
  seasonality, trend, Mexican holidays, Poisson noise); the benchmark in docs/explanation/benchmarks.md.
- ``peaks``: 450 hourly series of two years from a second generator (two daily
  peaks, weekend effects of either sign, holidays that lift or sink, AR(1) noise):
  see ``generate_peaks``.
- ``real``: the NAB Twitter volumes (10, hourly, ~9 weeks) and ONS Brazil load
  (4 subsystems, hourly, 2022 to Nov 2024) together: 14 real series.

Split: every series' last 168 hours are held out; every method sees the rest.
MASE (one definition for all): per series, the MAE over the 168 held-out hours
divided by the in-sample MAE of the weekly seasonal-naive forecast
(|y_t - y_{t-168}|) over that series' whole training history; then the mean
over series.

Each method runs in its own process (``--method``), reading the same Parquet
split; wall time covers fitting and forecasting (not reading the data), peak
memory is the process's maximum resident set size (``getrusage``), data
included. Peer configurations follow their documentation:

- ``mlf_docs``: mlforecast's end-to-end walkthrough: lags 1, 24 and 168, an
  expanding mean at lag 1 and a 48-hour rolling mean at lag 24, hour and weekday,
  ``Differences([24])`` as the target transform, LightGBM defaults.
- ``mlf_weekly``: lags at the weekly season (168/336/504/672), 24 and 168 h
  rolling means at lag 168, hour and weekday, ``LocalStandardScaler``; LightGBM
  300 trees, learning rate 0.05, 63 leaves (the issue's reference set-up).
- ``mlf_daily_weekly``: lags 24, 48, 168 and 336, rolling means of 24 h at lag
  24 and of 24 and 168 h at lag 168, hour and weekday, ``LocalStandardScaler``;
  LightGBM 300 trees, learning rate 0.05, 63 leaves.
- all three: the holiday flag as a dynamic exogenous feature (given for the
  future too), the full history, recursive forecasting (mlforecast's default).
- ``sf_mstl``: statsforecast ``MSTL(season_length=[24, 168])`` with an
  ``AutoETS(model="ZZN")`` trend, on the last 8 weeks (longer histories take
  minutes per hundred series on two cores).

Usage: ``PYTHONPATH=. python benchmarks/bench_models.py --panel synthetic
[--methods insights,seasonal_naive,mlf_weekly,...] [--timeout 600]``. Peers need
the ``bench`` extra (pandas < 3 for mlforecast 1.1 / statsforecast 2.1; set
``PEERS_PATH`` to a directory holding them, prepended to the child's path).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import holidays
import numpy as np
import polars as pl
from scipy.signal import lfilter

H = 168
OUT = Path("benchmarks/out")
METHODS = ["seasonal_naive", "insights", "mlf_weekly", "mlf_docs", "mlf_daily_weekly", "sf_mstl"]


def generate(n_series: int, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    n = 2 * 365 * 24
    ts = pl.datetime_range(start, start.replace(year=2025), "1h", eager=True, closed="left")[:n]
    t = np.arange(n)
    days = t // 24
    hol_dates = set(holidays.country_holidays("MX", years=[2023, 2024, 2025]).keys())
    is_hol = np.array([d in hol_dates for d in ts.dt.date().to_list()])
    frames = []
    for i in range(n_series):
        level = rng.uniform(20, 400)
        peak = rng.uniform(18, 22)
        daily = 0.3 + np.exp(-0.5 * ((t % 24 - peak) / rng.uniform(2, 4)) ** 2)
        weekly = 1 + rng.uniform(0.05, 0.3) * (days % 7 >= 5)
        trend = 1 + rng.uniform(-0.3, 0.5) * t / n
        hol = 1 + rng.uniform(0.1, 0.4) * is_hol
        y = rng.poisson(level * daily * weekly * trend * hol).astype(float)
        frames.append(pl.DataFrame({"unique_id": f"s{i:03d}", "ds": ts, "y": y}))
    return pl.concat(frames).with_columns(pl.lit("MX").alias("country"), pl.lit("UTC").alias("tz"))


def generate_peaks(n_series: int, seed: int = 1) -> pl.DataFrame:
    """A second generator, built apart from the product's demo: two daily peaks (morning and
    evening, each series its own hours, widths and weights, the evening one later at
    weekends), a weekend effect of either sign, holidays that lift or sink a series, a
    trend, and AR(1) noise on the log scale (persistence 0.5-0.95 per hour) under Poisson
    counts. Two years of hours; calendar days are UTC days (as ``generate``)."""
    rng = np.random.default_rng(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    n = 2 * 365 * 24
    ts = pl.datetime_range(start, start.replace(year=2025), "1h", eager=True, closed="left")[:n]
    t = np.arange(n)
    hod, days = t % 24, t // 24
    weekend = (days + 6) % 7 >= 5  # 2023-01-01 is a Sunday
    hol_dates = set(holidays.country_holidays("MX", years=[2023, 2024, 2025]).keys())
    is_hol = np.array([d in hol_dates for d in ts.dt.date().to_list()])
    frames = []
    for i in range(n_series):
        level = rng.uniform(20, 400)
        am, pm = rng.uniform(7, 10), rng.uniform(18, 21)
        shift = np.where(weekend, rng.uniform(0.5, 2.5), 0.0)
        w_am, w_pm = rng.uniform(1, 2.5), rng.uniform(1.5, 3.5)
        a_am = rng.uniform(0.3, 1.0)
        daily = (
            0.2
            + a_am * np.exp(-0.5 * ((hod - am - shift) / w_am) ** 2)
            + np.exp(-0.5 * ((hod - pm - shift) / w_pm) ** 2)
        )
        week = 1 + rng.uniform(-0.3, 0.4) * weekend
        hol = 1 + rng.uniform(-0.4, 0.6) * is_hol
        trend = 1 + rng.uniform(-0.4, 0.6) * t / n
        phi, sigma = rng.uniform(0.5, 0.95), rng.uniform(0.05, 0.2)
        e = lfilter([1.0], [1.0, -phi], rng.normal(0, sigma * np.sqrt(1 - phi**2), n))
        y = rng.poisson(level * daily * week * hol * trend * np.exp(e)).astype(float)
        frames.append(pl.DataFrame({"unique_id": f"p{i:03d}", "ds": ts, "y": y}))
    return pl.concat(frames).with_columns(pl.lit("MX").alias("country"), pl.lit("UTC").alias("tz"))


def real_panel() -> pl.DataFrame:
    from tests.models.real_series import nab_hourly, ons_hourly

    nab, _ = nab_hourly()
    ons, _ = ons_hourly()
    ons = ons.group_by("series_id", "ts").agg(pl.col("y").mean())  # DST repeats an hour
    return pl.concat(
        [
            nab.with_columns(pl.lit("US").alias("country"), pl.lit("America/New_York").alias("tz")),
            ons.select("series_id", "ts", "y").with_columns(
                pl.lit("BR").alias("country"), pl.lit("America/Sao_Paulo").alias("tz")
            ),
        ]
    ).select(
        pl.col("series_id").alias("unique_id"),
        pl.col("ts").alias("ds"),
        pl.col("y").cast(pl.Float64),
        "country",
        "tz",
    )


def with_holidays(df: pl.DataFrame) -> pl.DataFrame:
    """``holiday`` (0/1): the series' country's public holiday on that date of the series'
    own clock (``tz``): the same calendar insights derives from its metadata."""
    years = range(df["ds"].dt.year().min(), df["ds"].dt.year().max() + 2)
    days = pl.DataFrame(
        [
            {"country": c, "date": d}
            for c in df["country"].unique().to_list()
            for d in holidays.country_holidays(c, years=years)
        ],
        schema={"country": pl.Utf8, "date": pl.Date},
    ).with_columns(pl.lit(1).alias("holiday"))
    local = pl.concat(
        [
            g.with_columns(pl.col("ds").dt.convert_time_zone(tz).dt.date().alias("date"))
            for (tz,), g in df.partition_by("tz", as_dict=True, maintain_order=True).items()
        ]
    )
    return (
        local.join(days, on=["country", "date"], how="left")
        .with_columns(pl.col("holiday").fill_null(0))
        .drop("date")
    )


def prepare(panel: str, n_series: int) -> Path:
    make = {"synthetic": generate, "peaks": generate_peaks}
    df = make[panel](n_series) if panel in make else real_panel()
    df = with_holidays(df).sort("unique_id", "ds")
    # hold out each series' own last H hours
    cut = pl.col("ds").max().over("unique_id") - pl.duration(hours=H)
    d = OUT / f"bench_{panel}"
    d.mkdir(parents=True, exist_ok=True)
    df.filter(pl.col("ds") <= cut).write_parquet(d / "train.parquet")
    df.filter(pl.col("ds") > cut).write_parquet(d / "test.parquet")
    return d


def score(train: pl.DataFrame, test: pl.DataFrame, fc: pl.DataFrame) -> float:
    """Mean over series of MASE (see the module docstring); ``fc``: unique_id, ds, yhat."""
    from insights.models.metrics import mase, mase_scale

    j = test.join(fc.select("unique_id", "ds", "yhat"), on=["unique_id", "ds"], how="left")
    hist = {
        k: g["y"].to_numpy() for (k,), g in train.partition_by("unique_id", as_dict=True).items()
    }
    out = [
        mase(g["y"].to_numpy(), g["yhat"].fill_null(np.nan).to_numpy(), mase_scale(hist[s], H))
        for (s,), g in j.partition_by("unique_id", as_dict=True).items()
    ]
    return float(np.nanmean(out))


# -- the methods: each returns unique_id, ds, yhat ---------------------------------------


def run_seasonal_naive(train: pl.DataFrame, test: pl.DataFrame) -> pl.DataFrame:
    return (
        train.group_by("unique_id", maintain_order=True)
        .tail(H)
        .select(
            "unique_id",
            (pl.col("ds") + pl.duration(hours=H)).alias("ds"),
            pl.col("y").alias("yhat"),
        )
    )


def run_insights(train: pl.DataFrame, test: pl.DataFrame) -> pl.DataFrame:
    from insights.models.trend import EngagementForecaster

    y = train.select(pl.col("unique_id").alias("series_id"), pl.col("ds").alias("ts"), "y")
    # the series' country and clock: the same calendar the peers get as the holiday flag
    meta = train.select(pl.col("unique_id").alias("series_id"), "country", "tz").unique()
    # as `insights train` runs it: held-out window, choice among candidates, intervals
    est = EngagementForecaster(horizon=H).fit(y, meta)
    return est.predict().select(
        pl.col("series_id").alias("unique_id"), pl.col("ts").alias("ds"), "yhat"
    )


def _pandas(train: pl.DataFrame):
    tp = train.select("unique_id", "ds", "y", "holiday").to_pandas()
    tp["ds"] = tp["ds"].dt.tz_localize(None)
    return tp


def _future_exog(test: pl.DataFrame):
    fx = test.select("unique_id", "ds", "holiday").to_pandas()
    fx["ds"] = fx["ds"].dt.tz_localize(None)
    return fx


def _back(f) -> pl.DataFrame:
    out = pl.from_pandas(f).with_columns(pl.col("ds").dt.replace_time_zone("UTC"))
    col = [c for c in out.columns if c not in ("unique_id", "ds")][0]
    return out.select("unique_id", "ds", pl.col(col).alias("yhat"))


def run_mlforecast(train: pl.DataFrame, test: pl.DataFrame, config: str) -> pl.DataFrame:
    import lightgbm as lgb
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import ExpandingMean, RollingMean
    from mlforecast.target_transforms import Differences, LocalStandardScaler

    tuned = {"n_estimators": 300, "learning_rate": 0.05, "num_leaves": 63, "verbose": -1}
    configs = {
        "mlf_docs": {
            "models": {"lgbm": lgb.LGBMRegressor(verbose=-1)},
            "lags": [1, 24, 168],
            "lag_transforms": {1: [ExpandingMean()], 24: [RollingMean(window_size=48)]},
            "target_transforms": [Differences([24])],
        },
        "mlf_weekly": {
            "models": {"lgbm": lgb.LGBMRegressor(**tuned)},
            "lags": [168, 336, 504, 672],
            "lag_transforms": {168: [RollingMean(window_size=24), RollingMean(window_size=168)]},
            "target_transforms": [LocalStandardScaler()],
        },
        "mlf_daily_weekly": {
            "models": {"lgbm": lgb.LGBMRegressor(**tuned)},
            "lags": [24, 48, 168, 336],
            "lag_transforms": {
                24: [RollingMean(window_size=24)],
                168: [RollingMean(window_size=24), RollingMean(window_size=168)],
            },
            "target_transforms": [LocalStandardScaler()],
        },
    }
    mf = MLForecast(freq="h", date_features=["hour", "dayofweek"], **configs[config])
    mf.fit(_pandas(train), static_features=[])
    return _back(mf.predict(H, X_df=_future_exog(test)))


def run_sf_mstl(train: pl.DataFrame, test: pl.DataFrame) -> pl.DataFrame:
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL, AutoETS

    recent = train.filter(
        pl.col("ds") > pl.col("ds").max().over("unique_id") - pl.duration(weeks=8)
    )
    sf = StatsForecast(
        models=[MSTL(season_length=[24, 168], trend_forecaster=AutoETS(model="ZZN"))],
        freq="h",
        n_jobs=os.cpu_count(),
    )
    tp = _pandas(recent).drop(columns=["holiday"])
    return _back(sf.forecast(df=tp, h=H))


def child(method: str, d: Path) -> None:
    train, test = pl.read_parquet(d / "train.parquet"), pl.read_parquet(d / "test.parquet")
    t0 = time.perf_counter()
    if method.startswith("mlf_"):
        fc = run_mlforecast(train, test, method)
    else:
        fc = globals()[f"run_{method}"](train, test)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "method": method,
                "seconds": round(seconds, 1),
                "peak_mb": round(peak_mb),
                "mase": round(score(train, test, fc), 4),
            }
        ),
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--panel", choices=["synthetic", "peaks", "real"], default="synthetic")
    ap.add_argument("--series", type=int, default=450)
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--timeout", type=int, default=600, help="seconds per method")
    ap.add_argument("--method", help=argparse.SUPPRESS)  # child process
    args = ap.parse_args()
    d = OUT / f"bench_{args.panel}"
    if args.method:
        child(args.method, d)
        return
    d = prepare(args.panel, args.series)
    results = {}
    for m in args.methods.split(","):
        env = dict(os.environ)
        if m.startswith(("mlf_", "sf_")) and os.environ.get("PEERS_PATH"):
            env["PYTHONPATH"] = os.environ["PEERS_PATH"] + os.pathsep + env.get("PYTHONPATH", "")
        cmd = [sys.executable, __file__, "--panel", args.panel, "--method", m]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, env=env)
            line = [x for x in p.stdout.splitlines() if x.startswith("{")]
            results[m] = json.loads(line[-1]) if line else {"error": p.stderr[-800:]}
        except subprocess.TimeoutExpired:
            results[m] = {"error": f"did not finish in {args.timeout} s"}
        print(json.dumps({m: results[m]}), flush=True)
    versions = {}
    for p in ("scikit-learn", "polars", "statsforecast", "mlforecast", "lightgbm"):
        with contextlib.suppress(Exception):
            versions[p] = version(p)
    summary = {
        "panel": args.panel,
        "series": pl.read_parquet(d / "train.parquet")["unique_id"].n_unique(),
        "horizon": H,
        "cpus": os.cpu_count(),
        "results": results,
        "versions": versions,
    }
    print(json.dumps(summary, indent=2))
    (OUT / f"models_{args.panel}.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
