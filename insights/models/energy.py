"""Hourly grid forecasts per zone: renewable share and carbon intensity.

A direct multi-horizon model: for an origin T and each step h in 1..H it sees
the step, the target's hour and weekday (the solar day cycle lives in the hour),
the last value, the last day's mean, the value 24 h before the target (or the
latest same-hour value known at T) and the mean of the seven latest same-hour
values, and learns the departure from that seven-day same-hour mean. One
``HistGradientBoostingRegressor`` per signal, trained across zones.

The backtest compares it, on origins it was not trained on, with persistence
(the last value, held) and 24-hour seasonal naive (the latest same hour).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.base import BaseEstimator
from sklearn.ensemble import HistGradientBoostingRegressor

ORIGIN_EVERY_H = 6  # training origins every 6 h: four times the data of daily origins
FEATURES = [
    "h",
    "hour",
    "dow",
    "last",
    "mean24",
    "sn24",
    "mean7",
    "mean28",
    "mean7d",
    "doy_s",
    "doy_c",
]


def hourly_arrays(df: pl.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per series: (hourly UTC timestamps, values interpolated over short gaps)."""
    out = {}
    for (sid,), g in df.sort("ts").partition_by("series_id", as_dict=True).items():
        grid = pl.DataFrame(
            {"ts": pl.datetime_range(g["ts"].min(), g["ts"].max(), "1h", eager=True)}
        ).join(g.select("ts", "y"), on="ts", how="left")
        y = grid["y"].interpolate().fill_null(strategy="forward").fill_null(strategy="backward")
        out[sid] = (grid["ts"].to_numpy(), y.to_numpy().astype(float))
    return out


def _rows(
    ts: np.ndarray, y: np.ndarray, origins: np.ndarray, horizon: int
) -> dict[str, np.ndarray]:
    h = np.tile(np.arange(1, horizon + 1), len(origins))
    o = np.repeat(origins, horizon)
    back = 24 * np.ceil(h / 24).astype(int)
    t = o + h
    hours = ts.astype("datetime64[h]").astype(np.int64) % 24
    t0 = ts[0].astype("datetime64[h]").astype(np.int64)
    abs_t = t0 + t
    mean7 = np.mean([y[t - back - 24 * k] for k in range(7)], axis=0)
    mean28 = np.mean([y[t - back - 24 * k] for k in range(28)], axis=0)
    csum = np.concatenate([[0.0], np.cumsum(y)])
    doy = ((abs_t // 24) % 365.25) / 365.25 * 2 * math.pi
    return {
        "h": h.astype(float),
        "hour": ((hours[0] + t) % 24).astype(float),
        "dow": (((abs_t // 24) + 3) % 7).astype(float),  # 1970-01-01 was a Thursday
        "last": y[o],
        "mean24": (csum[o + 1] - csum[o - 23]) / 24,
        "sn24": y[t - back],
        "mean7": mean7,
        "mean28": mean28,
        "mean7d": (csum[o + 1] - csum[o - 167]) / 168,
        "doy_s": np.sin(doy),
        "doy_c": np.cos(doy),
        "t": t,
    }


class EnergyForecaster(BaseEstimator):
    """Direct multi-horizon forecaster of one hourly grid signal across zones."""

    def __init__(
        self,
        horizon: int = 168,
        history_days: int = 180,
        max_iter: int = 200,
        learning_rate: float = 0.06,
        max_train_rows: int = 150_000,
        random_state: int = 0,
    ):
        self.horizon = horizon
        self.max_train_rows = max_train_rows
        self.history_days = history_days
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.random_state = random_state

    def _min_origin(self) -> int:
        return 24 * (math.ceil(self.horizon / 24) + 28)

    def _train_rows(self, arrays, last_origin: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
        X, Y = [], []
        for sid, (ts, y) in arrays.items():
            hi = last_origin[sid]
            lo = max(self._min_origin(), hi - 24 * self.history_days)
            origins = np.arange(hi, lo, -ORIGIN_EVERY_H)[::-1]
            if len(origins) == 0:
                continue
            r = _rows(ts, y, origins, self.horizon)
            X.append(np.column_stack([r[f] for f in FEATURES]))
            Y.append(y[r["t"]] - r["mean7"])
        if not X:
            raise ValueError("not enough history to train the energy model (needs 36+ days)")
        X, Y = np.vstack(X), np.concatenate(Y)
        if len(Y) > self.max_train_rows:  # overlapping origins are redundant: subsample
            keep = np.random.default_rng(self.random_state).choice(
                len(Y), self.max_train_rows, replace=False
            )
            X, Y = X[keep], Y[keep]
        return X, Y

    def fit(self, df: pl.DataFrame) -> EnergyForecaster:
        """``df``: ``series_id`` (zone), ``ts`` (UTC hour), ``y``."""
        self.arrays_ = hourly_arrays(df)
        last = {s: len(y) - 1 - self.horizon for s, (_, y) in self.arrays_.items()}
        X, Y = self._train_rows(self.arrays_, last)
        self.model_ = HistGradientBoostingRegressor(
            max_iter=self.max_iter, learning_rate=self.learning_rate, random_state=self.random_state
        ).fit(X, Y)
        return self

    def predict(self) -> pl.DataFrame:
        """The next ``horizon`` hours after each zone's last observation."""
        frames = []
        for sid, (ts, y) in self.arrays_.items():
            if len(y) <= self._min_origin():
                continue
            ext = np.concatenate([y, np.zeros(self.horizon)])
            o = len(y) - 1
            tsx = np.concatenate(
                [ts, ts[-1] + np.arange(1, self.horizon + 1) * np.timedelta64(1, "h")]
            )
            r = _rows(tsx, ext, np.array([o]), self.horizon)
            yhat = self.model_.predict(np.column_stack([r[f] for f in FEATURES])) + r["mean7"]
            frames.append(pl.DataFrame({"series_id": sid, "ts": tsx[r["t"]], "yhat": yhat}))
        return pl.concat(frames).with_columns(pl.col("ts").dt.replace_time_zone("UTC"))


@dataclass
class EnergyBacktest:
    mae: dict[str, float]  # model, persistence, seasonal_naive_24h
    per_zone: pl.DataFrame


def backtest_energy(
    est: EnergyForecaster,
    df: pl.DataFrame,
    n_blocks: int = 4,
    block_days: int = 14,
    spacing_days: int = 91,
) -> EnergyBacktest:
    """Rolling origin: ``n_blocks`` test blocks spaced ``spacing_days`` apart, ending at the data's
    end; each block's daily origins are scored by a model trained only on targets before it."""
    arrays = hourly_arrays(df)
    H = est.horizon
    sums: dict[str, dict[str, list[float]]] = {}
    for b in range(n_blocks):
        tests = {}
        for sid, (_, y) in arrays.items():
            end = len(y) - H - 24 * spacing_days * b
            start = end - 24 * block_days
            if start - H - 24 * 28 > est._min_origin():
                tests[sid] = np.arange(start, end, 24)
        if not tests:
            continue
        fitted = EnergyForecaster(**est.get_params())
        X, Y = fitted._train_rows(
            {s: arrays[s] for s in tests}, {s: int(o[0]) - H for s, o in tests.items()}
        )
        model = HistGradientBoostingRegressor(
            max_iter=est.max_iter, learning_rate=est.learning_rate, random_state=est.random_state
        ).fit(X, Y)
        for sid, origins in tests.items():
            ts, y = arrays[sid]
            r = _rows(ts, y, origins, H)
            actual = y[r["t"]]
            pred = model.predict(np.column_stack([r[f] for f in FEATURES])) + r["mean7"]
            acc = sums.setdefault(sid, {"model": [], "persistence": [], "seasonal_naive_24h": []})
            acc["model"].append(float(np.abs(actual - pred).mean()))
            acc["persistence"].append(float(np.abs(actual - r["last"]).mean()))
            acc["seasonal_naive_24h"].append(float(np.abs(actual - r["sn24"]).mean()))
    if not sums:
        raise ValueError("not enough history to backtest the energy model")
    per = pl.DataFrame(
        [
            {
                "zone": z,
                **{k: float(np.mean(v)) for k, v in acc.items()},
                "n_blocks": len(acc["model"]),
            }
            for z, acc in sums.items()
        ]
    )
    mae = {c: float(per[c].mean()) for c in ("model", "persistence", "seasonal_naive_24h")}
    return EnergyBacktest(mae, per)
