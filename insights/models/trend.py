"""A global engagement forecaster across all series, with conformal 80% intervals.

One ``HistGradientBoostingRegressor`` is trained on every series at once (the
long format), on targets divided by each series' recent mean so that large and
small regions share what they learn. Features are known at the forecast origin
for the whole horizon: local hour, weekday, hour of week, weekend, the series
country's holidays (``holidays``), lags/rolling means at whole multiples of
the season (168 h for hourly, 7 days for daily data) no shorter than the
horizon, and the step ``h`` with what was known at the origin (last value,
last day's and last season's means). Training rows each play a random step
after a simulated origin, so one model serves every step of the horizon.

Intervals are split-conformal: the 10th and 90th percentiles of each series'
log residuals on data the model had not seen (earlier backtest cut-offs, or the
last horizon of history held out and refitted), added to the point forecast.

>>> import polars as pl, numpy as np
>>> from datetime import datetime, UTC
>>> ts = pl.datetime_range(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 3, 31, tzinfo=UTC),
...                        "1h", eager=True)
>>> y = pl.DataFrame({"series_id": "a", "ts": ts,
...                   "y": 10 + 5 * np.sin(np.arange(len(ts)) * 2 * np.pi / 24)})
>>> f = EngagementForecaster(horizon=24, max_iter=30).fit(y)
>>> f.predict().shape
(24, 6)
"""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import polars as pl
from sklearn.base import BaseEstimator
from sklearn.ensemble import HistGradientBoostingRegressor

from insights.models.calendar import add_calendar

LOG_EPS = 1.0
FEATURES_CAL = ["hour", "dow", "how", "weekend", "holiday"]
FEATURES_ORIGIN = ["h", "last", "recent_day", "recent_season"]


def infer_step(ts: pl.Series) -> str:
    """``'1h'`` or ``'1d'`` from the median spacing of timestamps."""
    diffs = ts.sort().diff().drop_nulls()
    med = diffs.median() if len(diffs) else None
    return "1d" if med is not None and med.total_seconds() >= 20 * 3600 else "1h"


def regular_grid(y: pl.DataFrame, step: str) -> pl.DataFrame:
    """Each series on a complete grid from its first to last timestamp; gaps are null."""
    spans = y.group_by("series_id").agg(
        pl.col("ts").min().alias("a"), pl.col("ts").max().alias("b")
    )
    grids = spans.select("series_id", pl.datetime_ranges("a", "b", step).alias("ts")).explode(
        "ts", empty_as_null=True
    )
    agg = y.group_by("series_id", "ts").agg(pl.col("y").sum())
    return grids.join(agg, on=["series_id", "ts"], how="left").sort("series_id", "ts")


def step_delta(step: str) -> timedelta:
    return timedelta(hours=1) if step == "1h" else timedelta(days=1)


def default_meta(series_ids: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"series_id": series_ids, "tz": "UTC", "country": ""})


class EngagementForecaster(BaseEstimator):
    """Global gradient-boosting forecaster for many series; ``fit`` returns ``self``.

    Learned attributes: ``step_``, ``season_``, ``lag_unit_``, ``model_``,
    ``scale_`` (per-series level), ``method_`` (``global`` or a fallback per
    series), ``flags_`` (``short``/``gappy``), ``resid_q_`` (interval quantiles).
    """

    def __init__(
        self,
        horizon: int = 168,
        n_season_lags: int = 3,
        train_seasons: int | None = None,
        max_iter: int = 150,
        learning_rate: float = 0.08,
        interval: float = 0.8,
        random_state: int = 0,
    ):
        self.horizon = horizon
        self.n_season_lags = n_season_lags
        self.train_seasons = train_seasons
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.interval = interval
        self.random_state = random_state

    # -- features ---------------------------------------------------------
    def _origin_features(self, grid: pl.DataFrame, h: np.ndarray) -> pl.DataFrame:
        """What is known at the origin ``h`` steps before each row: the last value and the
        means of the last day and week, relative to the series' level."""
        y = grid["y"].to_numpy().astype(float)
        pos = grid.select(pl.int_range(pl.len()).over("series_id")).to_series().to_numpy()
        idx = np.arange(len(y))
        o = idx - h
        filled = np.nan_to_num(y)
        cs = np.concatenate([[0.0], np.cumsum(filled)])
        cn = np.concatenate([[0], np.cumsum(~np.isnan(y))])
        scale = grid["series_id"].replace_strict(self.scale_, default=1.0).to_numpy()
        day = 24 if self.step_ == "1h" else 1

        def window_mean(w: int) -> np.ndarray:
            ok = (pos - h) >= w - 1
            a, b = np.clip(o - w + 1, 0, None), np.clip(o + 1, 0, None)
            n = cn[b] - cn[a]
            with np.errstate(invalid="ignore", divide="ignore"):
                m = (cs[b] - cs[a]) / n
            return np.where(ok & (n > 0), m, np.nan) / scale

        last = np.where((pos - h) >= 0, y[np.clip(o, 0, None)], np.nan) / scale
        return grid.with_columns(
            pl.Series("h", h.astype(float)),
            pl.Series("last", last),
            pl.Series("recent_day", window_mean(day)),
            pl.Series("recent_season", window_mean(self.season_)),
        )

    def _features(self, grid: pl.DataFrame) -> pl.DataFrame:
        u = self.lag_unit_
        scale = pl.col("series_id").replace_strict(self.scale_, default=1.0)
        lag_cols = [
            (pl.col("y").shift(k * u).over("series_id") / scale).alias(f"lag{k}")
            for k in range(1, self.n_season_lags + 1)
        ]
        g = grid.with_columns(lag_cols)
        lags = [f"lag{k}" for k in range(1, self.n_season_lags + 1)]
        return g.with_columns(
            pl.mean_horizontal(lags).alias("lag_mean"),
            (
                pl.col("y").rolling_mean(self.season_, min_samples=1).shift(u).over("series_id")
                / scale
            ).alias("lvl"),
            pl.col("holiday").shift(u).over("series_id").fill_null(False).alias("hol_lag"),
        )

    @property
    def feature_names_(self) -> list[str]:
        lags = [f"lag{k}" for k in range(1, self.n_season_lags + 1)]
        return [*FEATURES_CAL, *lags, "lag_mean", "lvl", "hol_lag", *FEATURES_ORIGIN]

    def _with_calendar(self, grid: pl.DataFrame) -> pl.DataFrame:
        return add_calendar(grid, self.meta_).sort("series_id", "ts")

    # -- fit / predict ------------------------------------------------------
    def fit(
        self,
        y: pl.DataFrame,
        meta: pl.DataFrame | None = None,
        residuals: pl.DataFrame | None = None,
    ) -> EngagementForecaster:
        """Fit on ``y`` (``series_id``, ``ts``, ``y``).

        ``residuals`` (``series_id``, ``resid`` in log space) from forecasts of unseen
        data calibrate the intervals; without them the last horizon is held out once.
        """
        y = y.select("series_id", "ts", pl.col("y").cast(pl.Float64))
        ids = y["series_id"].unique().sort().to_list()
        self.meta_ = meta if meta is not None else default_meta(ids)
        self.step_ = infer_step(y["ts"])
        self.season_ = 168 if self.step_ == "1h" else 7
        self.lag_unit_ = self.season_ * math.ceil(self.horizon / self.season_)
        if residuals is None:
            residuals = self._holdout_residuals(y)
        self._fit_point(y)
        self.resid_q_ = self._quantiles(residuals)
        return self

    def _train_seasons(self) -> int:
        # default window: 8 weeks of hourly rows, two years of daily ones
        return self.train_seasons or (8 if self.step_ == "1h" else 104)

    def _fit_point(self, y: pl.DataFrame) -> None:
        # only the tail the features can reach: training window, lags and level
        keep = (self._train_seasons() + self.n_season_lags + 2) * self.lag_unit_
        y = y.filter(
            pl.col("ts") > pl.col("ts").max().over("series_id") - step_delta(self.step_) * keep
        )
        grid = regular_grid(y, self.step_)
        self.history_ = grid
        self.end_ = dict(grid.group_by("series_id").agg(pl.col("ts").max()).iter_rows())
        need = (self.n_season_lags + 2) * self.lag_unit_
        stats = grid.group_by("series_id").agg(
            pl.col("y").is_not_null().sum().alias("n"),
            pl.col("y").is_null().mean().alias("gap"),
            pl.col("y").tail(4 * self.season_).mean().alias("scale"),
        )
        self.scale_ = {
            s: (v if v and v > 0 else 1.0)
            for s, v in zip(stats["series_id"], stats["scale"], strict=True)
        }
        self.flags_ = {}
        self.method_ = {}
        for s, n, gap in stats.select("series_id", "n", "gap").iter_rows():
            flags = []
            if n < need:
                flags.append("short")
            if gap > 0.2:
                flags.append("gappy")
            self.flags_[s] = flags
            if n >= need:
                self.method_[s] = "global"
            elif n > self.season_:
                self.method_[s] = "seasonal_naive"
            else:
                self.method_[s] = "profile"
        glob = [s for s, m in self.method_.items() if m == "global"]
        self.model_ = None
        if glob:
            g = self._with_calendar(grid.filter(pl.col("series_id").is_in(glob)))
            # each training row plays a random step of the horizon after a simulated origin
            rng = np.random.default_rng(self.random_state)
            feats = self._origin_features(
                self._features(g), rng.integers(1, self.horizon + 1, g.height)
            )
            last = feats.group_by("series_id").agg(pl.col("ts").max().alias("end"))
            seasons = self._train_seasons()
            span = (
                pl.duration(hours=seasons * self.season_)
                if self.step_ == "1h"
                else pl.duration(days=seasons * self.season_)
            )
            train = feats.join(last, on="series_id").filter(
                pl.col("ts") > pl.col("end") - span,
                pl.col("y").is_not_null(),
                pl.col("lag1").is_not_null(),
            )
            scale = train["series_id"].replace_strict(self.scale_, default=1.0)
            target = (train["y"] / scale).to_numpy()
            self.model_ = HistGradientBoostingRegressor(
                max_iter=self.max_iter,
                learning_rate=self.learning_rate,
                random_state=self.random_state,
                categorical_features=None,
            ).fit(train.select(self.feature_names_).to_numpy().astype(float), target)
        # pooled hour-of-week profile (relative to each series' level) for fallbacks
        cal = self._with_calendar(grid)
        rel = cal.with_columns(
            (pl.col("y") / pl.col("series_id").replace_strict(self.scale_, default=1.0)).alias("r")
        )
        self.profile_ = rel.group_by("how").agg(pl.col("r").mean())

    def _holdout_residuals(self, y: pl.DataFrame) -> pl.DataFrame:
        cutoff = y["ts"].max() - step_delta(self.step_) * self.horizon
        train, test = y.filter(pl.col("ts") <= cutoff), y.filter(pl.col("ts") > cutoff)
        if train.height == 0:
            return pl.DataFrame(schema={"series_id": pl.Utf8, "resid": pl.Float64})
        self._fit_point(train)
        return log_residuals(self._predict_point(), test)

    def _future(self) -> pl.DataFrame:
        step = pl.duration(hours=1) if self.step_ == "1h" else pl.duration(days=1)
        rows = [
            pl.DataFrame({"series_id": s, "ts": [end]})
            .select(
                "series_id",
                pl.datetime_ranges(
                    pl.col("ts") + step, pl.col("ts") + step * self.horizon, self.step_
                ).alias("ts"),
            )
            .explode("ts", empty_as_null=True)
            for s, end in self.end_.items()
        ]
        return pl.concat(rows).with_columns(pl.lit(None, dtype=pl.Float64).alias("y"))

    def _predict_point(self) -> pl.DataFrame:
        fut = self._future()
        full = self._with_calendar(
            pl.concat([self.history_, fut.cast(self.history_.schema)]).sort("series_id", "ts")
        )
        n_hist = dict(self.history_.group_by("series_id").len().iter_rows())
        pos = full.select(pl.int_range(pl.len()).over("series_id")).to_series().to_numpy()
        hist_len = full["series_id"].replace_strict(n_hist, default=0).to_numpy()
        h = np.maximum(pos - (hist_len - 1), 1)
        feats = self._origin_features(self._features(full), h).join(
            fut.select("series_id", "ts"), on=["series_id", "ts"], how="semi"
        )
        scale = feats["series_id"].replace_strict(self.scale_, default=1.0)
        method = feats["series_id"].replace_strict(self.method_, default="profile")
        out = feats.select("series_id", "ts", "how", "lag1").with_columns(
            method.alias("method"), scale.alias("scale")
        )
        yhat = np.full(out.height, np.nan)
        is_glob = (out["method"] == "global").to_numpy()
        if self.model_ is not None and is_glob.any():
            X = feats.filter(pl.Series(is_glob)).select(self.feature_names_).to_numpy()
            yhat[is_glob] = self.model_.predict(X.astype(float))
        prof = out.join(self.profile_, on="how", how="left")["r"].to_numpy()
        naive = out["lag1"].to_numpy()
        sn = (out["method"] == "seasonal_naive").to_numpy()
        yhat[sn] = naive[sn]
        # seasonal naive with a gap, and the "profile" fallback, use the pooled profile
        fill = np.isnan(yhat)
        yhat[fill] = prof[fill]
        yhat = np.clip(np.nan_to_num(yhat, nan=0.0), 0, None) * out["scale"].to_numpy()
        return out.select("series_id", "ts", "method").with_columns(pl.Series("yhat", yhat))

    def _quantiles(self, residuals: pl.DataFrame) -> dict[str, tuple[float, float]]:
        a = (1 - self.interval) / 2
        if residuals.height == 0:
            return {}
        pooled = residuals["resid"].quantile(a), residuals["resid"].quantile(1 - a)
        self.resid_pooled_ = pooled
        per = residuals.group_by("series_id").agg(
            pl.col("resid").quantile(a).alias("lo"),
            pl.col("resid").quantile(1 - a).alias("hi"),
            pl.len().alias("n"),
        )
        return {
            s: (lo, hi) if n >= 48 else pooled
            for s, lo, hi, n in per.select("series_id", "lo", "hi", "n").iter_rows()
        }

    def predict(self, horizon: int | None = None) -> pl.DataFrame:
        """Forecast ``horizon`` steps after each series' end: ``yhat``, ``yhat_lo``, ``yhat_hi``."""
        if horizon is not None and horizon != self.horizon:
            raise ValueError("refit with the new horizon: lags depend on it")
        point = self._predict_point()
        pooled = getattr(self, "resid_pooled_", (0.0, 0.0))
        q = point["series_id"].map_elements(
            lambda s: list(self.resid_q_.get(s, pooled)), return_dtype=pl.List(pl.Float64)
        )
        lo, hi = q.list.get(0), q.list.get(1)
        logf = np.log(point["yhat"].to_numpy() + LOG_EPS)
        return point.with_columns(
            pl.Series("yhat_lo", np.clip(np.exp(logf + lo.to_numpy()) - LOG_EPS, 0, None)),
            pl.Series("yhat_hi", np.exp(logf + hi.to_numpy()) - LOG_EPS),
        ).select("series_id", "ts", "yhat", "yhat_lo", "yhat_hi", "method")


def log_residuals(forecast: pl.DataFrame, actual: pl.DataFrame) -> pl.DataFrame:
    j = forecast.join(actual.select("series_id", "ts", "y"), on=["series_id", "ts"]).drop_nulls("y")
    return j.select(
        "series_id",
        ((pl.col("y") + LOG_EPS).log() - (pl.col("yhat") + LOG_EPS).log()).alias("resid"),
    )
