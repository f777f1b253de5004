"""Engagement forecasting: insights against seasonal naive, statsforecast MSTL and mlforecast.

450 generated hourly series of two years (daily and weekly seasonality, trend,
Mexican holidays, noise). Every method forecasts the last 168 hours unseen;
MASE uses each series' in-sample seasonal-naive (168 h) error as its scale.
Wall time covers training plus forecasting, in this process, on this machine.

Usage: python benchmarks/bench_models.py [--series 450] [--skip-peers]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import holidays
import numpy as np
import polars as pl

from insights.models.metrics import mase, mase_scale
from insights.models.trend import EngagementForecaster

H = 168


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
    return pl.concat(frames)


def score(train: pl.DataFrame, test: pl.DataFrame, fc: pl.DataFrame, col: str) -> float:
    out = []
    j = test.join(fc.select("unique_id", "ds", col), on=["unique_id", "ds"])
    hist = {
        k[0]: g["y"].to_numpy() for k, g in train.partition_by("unique_id", as_dict=True).items()
    }
    for (sid,), g in j.partition_by("unique_id", as_dict=True).items():
        out.append(mase(g["y"].to_numpy(), g[col].to_numpy(), mase_scale(hist[sid], 168)))
    return float(np.nanmean(out))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=450)
    ap.add_argument("--skip-peers", action="store_true")
    ap.add_argument("--out", default="benchmarks/out/models.json")
    args = ap.parse_args()
    df = generate(args.series)
    cut = df["ds"].unique().sort()[-H - 1]
    train, test = df.filter(pl.col("ds") <= cut), df.filter(pl.col("ds") > cut)
    rows = {}

    t0 = time.perf_counter()
    last = (
        train.group_by("unique_id")
        .tail(H)
        .with_columns((pl.col("ds") + pl.duration(hours=H)).alias("ds"))
    )
    rows["seasonal_naive"] = {
        "seconds": time.perf_counter() - t0,
        "mase": score(train, test, last.rename({"y": "sn"}), "sn"),
    }

    t0 = time.perf_counter()
    y = train.rename({"unique_id": "series_id", "ds": "ts"})
    meta = pl.DataFrame(
        {"series_id": y["series_id"].unique(), "tz": "America/Mexico_City", "country": "MX"}
    )
    est = EngagementForecaster(horizon=H).fit(
        y, meta, residuals=pl.DataFrame(schema={"series_id": pl.Utf8, "resid": pl.Float64})
    )
    fc = est.predict().rename({"series_id": "unique_id", "ts": "ds"})
    rows["insights"] = {"seconds": time.perf_counter() - t0, "mase": score(train, test, fc, "yhat")}
    print(json.dumps(rows), flush=True)

    if not args.skip_peers:
        import pandas as pd

        tp = train.to_pandas()
        tp["ds"] = tp["ds"].dt.tz_localize(None)
        recent = tp[tp["ds"] > tp["ds"].max() - pd.Timedelta(weeks=8)]

        from statsforecast import StatsForecast
        from statsforecast.models import MSTL, AutoETS

        t0 = time.perf_counter()
        sf = StatsForecast(
            models=[MSTL(season_length=[24, 168], trend_forecaster=AutoETS(model="ZZN"))],
            freq="h",
            n_jobs=os.cpu_count(),
        )
        f = pl.from_pandas(sf.forecast(df=recent, h=H).reset_index(drop=False))
        f = f.with_columns(pl.col("ds").dt.replace_time_zone("UTC"))
        rows["statsforecast_mstl_8w"] = {
            "seconds": time.perf_counter() - t0,
            "mase": score(train, test, f, "MSTL"),
        }
        print(json.dumps(rows), flush=True)

        import lightgbm as lgb
        from mlforecast import MLForecast
        from mlforecast.lag_transforms import RollingMean

        t0 = time.perf_counter()
        mf = MLForecast(
            models={
                "lgbm": lgb.LGBMRegressor(
                    n_estimators=300, learning_rate=0.05, num_leaves=63, verbose=-1
                )
            },
            freq="h",
            lags=[168, 336, 504],
            lag_transforms={168: [RollingMean(window_size=168)]},
            date_features=["hour", "dayofweek"],
        )
        recent16 = tp[tp["ds"] > tp["ds"].max() - pd.Timedelta(weeks=16)]
        mf.fit(recent16, static_features=[])
        f = pl.from_pandas(mf.predict(H)).with_columns(pl.col("ds").dt.replace_time_zone("UTC"))
        rows["mlforecast_lightgbm_16w"] = {
            "seconds": time.perf_counter() - t0,
            "mase": score(train, test, f, "lgbm"),
        }
        print(json.dumps(rows), flush=True)
        t0 = time.perf_counter()  # the same model on the full two years
        mf.fit(tp, static_features=[])
        f = pl.from_pandas(mf.predict(H)).with_columns(pl.col("ds").dt.replace_time_zone("UTC"))
        rows["mlforecast_lightgbm_2y"] = {
            "seconds": time.perf_counter() - t0,
            "mase": score(train, test, f, "lgbm"),
        }
    versions = {
        p: version(p)
        for p in ("scikit-learn", "polars", "statsforecast", "mlforecast", "lightgbm")
        if _installed(p)
    }
    summary = {
        "series": args.series,
        "horizon": H,
        "cpus": os.cpu_count(),
        "results": {
            k: {"seconds": round(v["seconds"], 1), "mase": round(v["mase"], 3)}
            for k, v in rows.items()
        },
        "versions": versions,
    }
    print(json.dumps(summary, indent=2))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(summary, indent=2))


def _installed(p: str) -> bool:
    try:
        version(p)
        return True
    except Exception:
        return False


if __name__ == "__main__":
    main()
