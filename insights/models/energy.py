"""Hourly grid forecasts per zone: renewable share and carbon intensity.

A direct multi-horizon model: for an origin T and each step h in 1..H it sees
the step, the target's hour and weekday (the solar day cycle lives in the hour),
the last value, the last day's mean, the value 24 h before the target (or the
latest same-hour value known at T) and the mean of the seven latest same-hour
values, and learns the departure from that seven-day same-hour mean. One
``HistGradientBoostingRegressor`` per signal, trained across zones.

The backtest (:func:`insights.models.backtest.backtest`, replaying blocks with
:func:`replay_blocks`) compares it, on origins it was not trained on, with persistence
(the last value, held) and 24-hour seasonal naive (the latest same hour), by
horizon bucket (1-24, 25-48, 49-96, 97-168 h): MAE and MAPE per zone. What serves each
zone's bucket is chosen on older blocks' forecasts of unseen data
(:func:`choose_per_bucket`): in hours 1-24 the better of persistence and seasonal naive
unless the model or a mean of it (or of its intercept-corrected forecast) with the
baselines beats it by 2 % (Hyndman & Athanasopoulos, FPP3, 13.4 forecast combinations);
later, the model unless a baseline or the model/seasonal-naive mean beats it by 5 %.

Intervals: split conformal, like engagement, made locally adaptive: the residuals
(actual - forecast) of forecasts made on data the model had not seen (the
backtest's, handed to ``fit``; or, without them, the last 14 daily origins held
out), divided by the origin's recent volatility (mean absolute day-on-day change
over the week before it), give per zone and horizon bucket the finite-sample 10th
and 90th percentiles; the band is the forecast plus those times the current
origin's volatility (``yhat_lo``, ``yhat_hi``). Grids change regime with the
seasons (hydro, solar), and a bias can change sign with them: the bounds are
symmetric (the 80 % quantile of |residual|). The
backtest measures their coverage on each block with bounds from older blocks
only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.base import BaseEstimator
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.utils.validation import check_is_fitted

# the horizon buckets (hours ahead) are every forecaster's (models.forecaster); BUCKETS and
# bucket_label stay importable from here
from insights.models.forecaster import (  # noqa: F401
    BUCKETS,
    bucket_label,
    bucket_of,
    require_columns,
)
from insights.models.intervals import conformal_band, symmetric_bounds
from insights.models.metrics import mase_scale
from insights.models.series_grid import utc_micros
from insights.threads import boosting_threads

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
MIN_BUCKET_RESIDUALS = 48  # fewer per zone and bucket: the zone's pooled bounds
# resid: (actual - forecast) / the origin's volatility (mean |day-on-day change|, last week);
# resid_sn, resid_p, resid_ic: the same for 24 h seasonal naive, persistence and the
# intercept-corrected model (null where not kept)
RESID_SCHEMA = {
    "series_id": pl.Utf8,
    "h": pl.Int64,
    "resid": pl.Float64,
    "resid_sn": pl.Float64,
    "resid_p": pl.Float64,
    "resid_ic": pl.Float64,
}
# what can serve a zone's horizon bucket: persistence too, which the first hours of a
# smooth grid signal favour (the last hour is closer than the same hour yesterday)
SERVED = ("model", "seasonal_naive_24h", "persistence", "mean")
CHOICE_MARGIN = 0.95  # a baseline serves a bucket only when 5 % better than the model
BASELINES = ("seasonal_naive_24h", "persistence")
# hours 1-24: the model, its mean with seasonal naive, the mean of the model, seasonal
# naive and persistence, and the mean of the intercept-corrected model and seasonal naive
FIRST_DAY_CANDIDATES = ("model", "mean", "mean3", "mean_ic")
FIRST_DAY_MARGIN = 0.98  # the first day serves the better baseline unless 2 % beaten
# weights of (model, seasonal naive, persistence, intercept-corrected model) per method;
# each row sums to 1, so a method's residual is the same combination of the residuals
WEIGHTS = {
    "model": (1.0, 0.0, 0.0, 0.0),
    "seasonal_naive_24h": (0.0, 1.0, 0.0, 0.0),
    "persistence": (0.0, 0.0, 1.0, 0.0),
    "mean": (0.5, 0.5, 0.0, 0.0),
    "mean3": (1 / 3, 1 / 3, 1 / 3, 0.0),
    "mean_ic": (0.0, 0.5, 0.0, 0.5),
}
_RESID_COLS = ("resid", "resid_sn", "resid_p", "resid_ic")


def intercept_corrected(model: np.ndarray, h: np.ndarray, last: np.ndarray) -> np.ndarray:
    """The model's forecast moved by the gap between the last value and its own one-hour
    forecast, at every step of the origin: ``model + (last - model[h == 1])``. ``h`` holds
    each origin's steps 1..H in order (as :func:`_rows` builds them). Intercept correction
    (Clements & Hendry, "Intercept corrections and structural change", Journal of
    Applied Econometrics 11(5), 1996): a model that missed a level shift is put back on
    the level it can see at the origin."""
    h = np.asarray(h)
    origin = np.cumsum(h == h.min()) - 1
    return model + (last - model[h == h.min()][origin])


def choose_per_bucket(residuals: pl.DataFrame) -> dict[tuple[str, int], str]:
    """Per (zone, horizon bucket): what serves, from the mean |residual| of forecasts of
    unseen data (at least ``MIN_BUCKET_RESIDUALS``; residuals of older blocks only in the
    backtest).

    Hours 1-24: the better of 24 h seasonal naive and persistence, unless one of
    ``FIRST_DAY_CANDIDATES`` (the model; its mean with seasonal naive; the mean of the
    model, seasonal naive and persistence; the mean of the intercept-corrected model and
    seasonal naive) is 2 % better: in the first day the baselines hold the freshest
    information and the model must show it beats them (issue 27). Forecast
    combinations chosen on rolling-origin evaluation: Hyndman & Athanasopoulos,
    Forecasting: Principles and Practice, 3rd ed., 5.10 and 13.4. Later buckets: the
    model, unless 24 h seasonal naive, persistence or the model/seasonal-naive mean is
    5 % better (the engagement forecasts' rule, ``models.selection``)."""
    if residuals.height == 0 or "resid_sn" not in residuals.columns:
        return {}
    r = residuals.drop_nulls("resid_sn")
    out = {}
    r = r.with_columns(pl.Series("b", bucket_of(r["h"].to_numpy())))
    for (z, bi), g in r.partition_by(["series_id", "b"], as_dict=True).items():
        if g.height < MIN_BUCKET_RESIDUALS:
            continue
        names = SERVED if bi != 0 else (*FIRST_DAY_CANDIDATES, *BASELINES)
        mae = {m: float(np.mean(np.abs(_method_resid(g, m)))) for m in names}
        mae = {m: v for m, v in mae.items() if np.isfinite(v)}
        if bi == 0:
            base = min((m for m in BASELINES if m in mae), key=mae.__getitem__)
            cands = [m for m in FIRST_DAY_CANDIDATES if m in mae]
            best = min(cands, key=lambda m: (mae[m], cands.index(m)))
            out[(z, int(bi))] = best if mae[best] < FIRST_DAY_MARGIN * mae[base] else base
            continue
        best = min(mae, key=lambda m: (mae[m], SERVED.index(m)))
        out[(z, int(bi))] = best if mae[best] < CHOICE_MARGIN * mae["model"] else "model"
    return out


def _method_resid(r: pl.DataFrame, name: str) -> np.ndarray:
    """Residuals of method ``name``: NaN where a component it uses was not kept."""
    out = np.zeros(r.height)
    for w, col in zip(WEIGHTS[name], _RESID_COLS, strict=True):
        if w:
            got = r[col].fill_null(np.nan).to_numpy() if col in r.columns else np.nan
            out = out + w * got
    return out


def _chosen_resid(residuals: pl.DataFrame, choice: dict[tuple[str, int], str]) -> pl.DataFrame:
    """The residuals of what serves each (zone, bucket): the band describes the forecast."""
    if not choice or "resid_sn" not in residuals.columns:
        return residuals
    b = bucket_of(residuals["h"].to_numpy())
    zones = residuals["series_id"].to_numpy()
    resid = residuals["resid"].to_numpy().astype(float).copy()
    for (z, bi), m in choice.items():
        rows = (zones == z) & (b == bi)
        if m != "model" and rows.any():
            got = _method_resid(residuals.filter(pl.Series(rows)), m)
            resid[rows] = np.where(np.isnan(got), resid[rows], got)
    return residuals.select("series_id", "h").with_columns(pl.Series("resid", resid))


def _serve(
    choice: dict[tuple[str, int], str],
    zone: str,
    h: np.ndarray,
    model: np.ndarray,
    sn: np.ndarray,
    last: np.ndarray,
) -> np.ndarray:
    parts = (model, sn, last, intercept_corrected(model, h, last))
    out = np.asarray(model, dtype=float).copy()
    b = bucket_of(h)
    for bi in np.unique(b):
        rows = b == bi
        w = WEIGHTS[choice.get((zone, int(bi)), "model")]
        out[rows] = sum(wi * x[rows] for wi, x in zip(w, parts, strict=True) if wi)
    return out


def hourly_long(y: pl.DataFrame) -> pl.DataFrame:
    """The long columns the energy model reads: ``series_id`` (string), ``ts`` (UTC
    microseconds, from any precision), ``y``; ``ValueError`` when one is missing."""
    require_columns(y)
    return y.select(pl.col("series_id").cast(pl.Utf8), utc_micros(y), "y")


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
    # the origin's recent volatility: mean |day-on-day change| over its last week
    dsum = np.concatenate([[0.0], np.cumsum(np.abs(y - np.concatenate([y[:24], y[:-24]])))])
    vol = (dsum[o + 1] - dsum[o - 167]) / 168
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
        "vol": np.maximum(vol, 1e-6),
    }


class EnergyForecaster(BaseEstimator):
    """Direct multi-horizon forecaster of one hourly grid signal across zones.

    Keeps the forecaster contract (:mod:`insights.models.forecaster`): ``fit`` returns
    ``self``, learned attributes end in ``_`` (``model_``, ``choice_`` per zone and horizon
    bucket, ``resid_q_`` the band's bounds, ``arrays_`` the hours it forecasts from),
    ``predict`` raises ``NotFittedError`` before ``fit``. Settings: ``horizon`` hours,
    ``history_days`` of training origins, ``max_iter`` and ``learning_rate`` of the
    boosting, ``max_train_rows``, ``interval`` coverage, ``random_state``."""

    def __init__(
        self,
        horizon: int = 168,
        history_days: int = 180,
        max_iter: int = 200,
        learning_rate: float = 0.06,
        max_train_rows: int = 150_000,
        interval: float = 0.8,
        random_state: int = 0,
    ):
        self.interval = interval
        self.horizon = horizon
        self.max_train_rows = max_train_rows
        self.history_days = history_days
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.random_state = random_state

    def _min_origin(self) -> int:
        return 24 * (math.ceil(self.horizon / 24) + 28)

    def fit_window_hours(self) -> int:
        """Hours of history a fit reads: ``history_days`` of training origins, the
        look-back of their features (``_min_origin``: 28 days of same-hour means past the
        horizon) and the ``horizon`` of targets after the last origin. Older hours change
        nothing in the fitted model (:func:`trim_to_window`)."""
        return 24 * self.history_days + self._min_origin() + self.horizon + 1

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

    def fit(
        self,
        y: pl.DataFrame,
        meta: pl.DataFrame | None = None,
        residuals: pl.DataFrame | None = None,
    ) -> EnergyForecaster:
        """``y``: ``series_id`` (zone), ``ts`` (hours, any precision; naive read as UTC),
        ``y``. ``meta`` is accepted for the shared contract (:mod:`insights.models.forecaster`)
        and not used: the features are in UTC hours. ``residuals`` (``series_id``, ``h``,
        ``resid`` = actual - forecast) of forecasts of unseen data calibrate the 80 %
        intervals (:attr:`Replay.residuals`, from the backtest); without them the last 14
        daily origins are held out and forecast by a model trained before them."""
        df = hourly_long(y)
        if residuals is None:
            try:
                residuals = replay_blocks(self, df, n_blocks=1).residuals
            except ValueError:  # too short to hold anything out: no interval
                residuals = pl.DataFrame(schema=RESID_SCHEMA)
        self.choice_ = choose_per_bucket(residuals)
        self.resid_q_ = self._quantiles(_chosen_resid(residuals, self.choice_))
        # the rows below read only the last fit_window_hours(): a year more of grid history
        # would cost the gap-filling pass, never the model
        self.arrays_ = hourly_arrays(trim_to_window(df, self.fit_window_hours()))
        last = {s: len(y) - 1 - self.horizon for s, (_, y) in self.arrays_.items()}
        X, Y = self._train_rows(self.arrays_, last)
        with boosting_threads():  # one OpenMP thread on a shared 2-core machine
            self.model_ = HistGradientBoostingRegressor(
                max_iter=self.max_iter,
                learning_rate=self.learning_rate,
                random_state=self.random_state,
            ).fit(X, Y)
        return self

    def _quantiles(self, residuals: pl.DataFrame) -> dict:
        """Conformal bounds per (zone, bucket), the zone's over all buckets, or ``None``."""
        out: dict = {}
        if residuals.height == 0:
            return out
        b = bucket_of(residuals["h"].to_numpy())
        r = residuals.with_columns(pl.Series("b", b))
        for (z,), g in r.partition_by("series_id", as_dict=True).items():
            out[(z, None)] = symmetric_bounds(g["resid"].to_numpy(), self.interval)
            for (bi,), gb in g.partition_by("b", as_dict=True).items():
                if gb.height >= MIN_BUCKET_RESIDUALS:
                    out[(z, int(bi))] = symmetric_bounds(gb["resid"].to_numpy(), self.interval)
        return out

    def _bounds(self, zone: str, h: np.ndarray, vol: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Additive bounds: the conformal quantiles of residuals in units of the origin's
        recent volatility, times this origin's volatility."""
        q = getattr(self, "resid_q_", {})
        lo, hi = np.full(len(h), np.nan), np.full(len(h), np.nan)
        for i, b in enumerate(bucket_of(h)):
            got = q.get((zone, int(b))) or q.get((zone, None))
            if got:
                lo[i], hi[i] = got
        return lo * vol, hi * vol

    def predict(self, horizon: int | None = None) -> pl.DataFrame:
        """The next ``horizon`` hours after each zone's last observation: ``series_id``,
        ``ts``, ``yhat``, ``yhat_lo``, ``yhat_hi`` (80 % conformal; null without
        calibration residuals for the zone). ``horizon`` other than the fitted one is
        refused (the model is trained for its steps)."""
        check_is_fitted(self, "model_")
        if horizon is not None and horizon != self.horizon:
            raise ValueError("refit with the new horizon: the model is trained for its steps")
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
            yhat = _serve(getattr(self, "choice_", {}), sid, r["h"], yhat, r["sn24"], r["last"])
            lo, hi = self._bounds(sid, r["h"].astype(int), r["vol"])
            yhat_lo, yhat_hi = conformal_band(yhat, lo, hi, log=False)
            frames.append(
                pl.DataFrame(
                    {
                        "series_id": sid,
                        "ts": tsx[r["t"]],
                        "yhat": yhat,
                        "yhat_lo": yhat_lo,
                        "yhat_hi": yhat_hi,
                    }
                ).with_columns(pl.col("yhat_lo", "yhat_hi").fill_nan(None))
            )
        return pl.concat(frames).with_columns(pl.col("ts").dt.replace_time_zone("UTC"))


def trim_to_window(df: pl.DataFrame, hours: int) -> pl.DataFrame:
    """Each series' last ``hours`` hours (``ts`` after its latest ``ts`` minus ``hours - 1``)."""
    last = pl.col("ts").max().over("series_id")
    return df.filter(pl.col("ts") > last - pl.duration(hours=hours))


def backtest_window(
    est: EnergyForecaster,
    n_blocks: int,
    block_days: int,
    spacing_days: int,
    limit_blocks: bool = False,
) -> tuple[int, int]:
    """(blocks replayed, hours of history they read): the backtest reads the hours its
    blocks' rows read, not every month of history.

    Hours: the horizon after the newest block, the blocks' span, and a fit's window
    (:meth:`EnergyForecaster.fit_window_hours`) before the oldest block: with the defaults
    (4 blocks 91 days apart, 14 days each, 180 days of origins, 168 h) about 516 days.
    Older hours change no block's model or score.

    ``limit_blocks``: replay only blocks whose test days start inside the final model's
    training window (``history_days``), at least two (two with the defaults). Measured and
    not the default: on the Electricity Maps reference zones the band calibrated on one
    block covered 55 % instead of about 80 % (``docs/performance.md``)."""
    n = n_blocks
    if limit_blocks:
        inside = 1 + (est.history_days - block_days) // spacing_days
        n = max(1, min(n_blocks, max(2, inside)))
    hours = est.horizon + 24 * (spacing_days * (n - 1) + block_days) + est.fit_window_hours()
    return n, hours


@dataclass
class Replay:
    """What the energy model would have forecast at each backtest block, from models trained
    only on targets before the block (:func:`replay_blocks`), ready to be scored by
    :func:`insights.models.backtest.backtest`.

    ``errors``: one row per zone, block and forecast step: ``zone``, ``cutoff`` (block,
    oldest 0), ``h`` (hours ahead), ``actual``, the forecasts ``model``, ``served`` (the
    per-bucket choice from older blocks), ``persistence``, ``seasonal_naive_24h``, the
    served band ``yhat_lo``/``yhat_hi`` from older blocks' residuals (NaN where none),
    ``chosen`` (older blocks existed to choose and calibrate on) and ``scale`` (the zone's
    mean absolute 24 h difference before the block: the MASE denominator).
    ``residuals``: ``RESID_SCHEMA``, every block's, for the final fit's band."""

    errors: pl.DataFrame
    residuals: pl.DataFrame


def replay_blocks(
    est: EnergyForecaster,
    df: pl.DataFrame,
    n_blocks: int = 4,
    block_days: int = 14,
    spacing_days: int = 91,
    limit_to_window: bool = False,
) -> Replay:
    """Rolling origin: ``n_blocks`` test blocks spaced ``spacing_days`` apart, ending at the
    data's end; each block's daily origins are forecast by a model trained only on targets
    before it, what serves each bucket chosen and the band calibrated on the residuals of the
    blocks before it (the oldest block only calibrates).

    ``df``: ``series_id`` (zone), ``ts`` (UTC hour), ``y``. Only the hours the blocks read are
    used (:func:`backtest_window`; the same blocks and forecasts as with all history).
    ``limit_to_window``: only the blocks inside the model's training window (not the default,
    see :func:`backtest_window`). Raises ``ValueError`` when no zone has enough history for
    one block."""
    n_blocks, hours = backtest_window(est, n_blocks, block_days, spacing_days, limit_to_window)
    df = trim_to_window(df, hours)
    arrays = hourly_arrays(df)
    H = est.horizon
    errs: list[pl.DataFrame] = []
    resid_frames: list[pl.DataFrame] = []
    for b in reversed(range(n_blocks)):  # oldest first: later blocks calibrate on earlier
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
        with boosting_threads():
            model = HistGradientBoostingRegressor(
                max_iter=est.max_iter,
                learning_rate=est.learning_rate,
                random_state=est.random_state,
            ).fit(X, Y)
        earlier = pl.concat(resid_frames) if resid_frames else pl.DataFrame(schema=RESID_SCHEMA)
        # what would have served each bucket, and its band, from the older blocks only
        choice = choose_per_bucket(earlier)
        fitted.resid_q_ = fitted._quantiles(_chosen_resid(earlier, choice))
        for sid, origins in tests.items():
            ts, y = arrays[sid]
            r = _rows(ts, y, origins, H)
            actual = y[r["t"]]
            raw = model.predict(np.column_stack([r[f] for f in FEATURES])) + r["mean7"]
            pred = _serve(choice, sid, r["h"], raw, r["sn24"], r["last"])
            h = r["h"].astype(int)
            lo, hi = fitted._bounds(sid, h, r["vol"])
            errs.append(
                pl.DataFrame(
                    {
                        "zone": sid,
                        "cutoff": n_blocks - 1 - b,
                        "h": h,
                        "actual": actual,
                        "model": raw,
                        "served": pred,
                        "persistence": r["last"],
                        "seasonal_naive_24h": r["sn24"],
                        "yhat_lo": pred + lo,
                        "yhat_hi": pred + hi,
                        "chosen": earlier.height > 0,
                        "scale": mase_scale(y[: int(origins[0]) + 1], 24),
                    }
                )
            )
            resid_frames.append(
                pl.DataFrame(
                    {
                        "series_id": sid,
                        "h": h,
                        "resid": (actual - raw) / r["vol"],
                        "resid_sn": (actual - r["sn24"]) / r["vol"],
                        "resid_p": (actual - r["last"]) / r["vol"],
                        "resid_ic": (actual - intercept_corrected(raw, r["h"], r["last"]))
                        / r["vol"],
                    }
                )
            )
    if not errs:
        raise ValueError("not enough history to backtest the energy model")
    return Replay(pl.concat(errs), pl.concat(resid_frames))
