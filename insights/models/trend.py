"""A global engagement forecaster across all series, with conformal 80% intervals.

One ``HistGradientBoostingRegressor`` is trained on every series at once (the
long format). Its target is the gap between each value and an anchor, divided
by the series' recent mean so that large and small regions share what they
learn. For hourly series the anchor is the series' hour-of-week index over the
last ``PROFILE_SEASONS`` weeks (that hour's mean over the mean of all hours in
them, read a lag unit before the target) times the mean of the last week known
at the origin; for daily series, the median of the same weekday in the last
three weeks. It is fitted on absolute error: marketing series have spikes, and
the median forecast is what MASE and sMAPE reward. Features are known at the
forecast origin for the whole horizon: local hour, weekday, hour of week,
weekend, the series country's holidays (``holidays``) and the series' own
running holiday lift (``holiday_lift``), lags at whole multiples of the season
no shorter than the horizon and their gaps to the baseline, the seasonal index
and anchor, and the step ``h`` with what was known at the origin (last value,
last day's and last season's means, and how each differs from the same span a
season earlier). Training rows play steps after simulated origins (one random
step each when the rows fill ``train_rows``; for few hourly series, up to every
step), so one model serves every step of the horizon. The training window
reaches back far enough for about ``train_rows`` rows (8 to 52 weeks of hours, 1
to 5 years of days), and larger sets are sampled down to it.

Intervals are split-conformal: finite-sample 10th and 90th percentiles of each
series' log residuals on data the model had not seen (earlier backtest cut-offs,
or held-out windows: one horizon of hours, four weeks of days, up to
``max_calibration_windows`` for few series), added to the point forecast; series
with few residuals use the pooled percentiles. With held-out windows, the model
fitted before the last of them is the one served (it is what the band
describes). The band is then stretched or narrowed along the horizon by how much
wider the pooled residuals of each day of it (each week, for daily data) ran
than all of them: a smooth series errs little in the first hours and more at the
week's end.

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
import os
import warnings
from datetime import timedelta

import numpy as np
import polars as pl
from sklearn.base import BaseEstimator
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from insights.models.calendar import add_calendar, holiday_dates
from insights.models.forecaster import require_columns
from insights.models.intervals import (
    LOG_EPS,
    RESID_SCHEMA,
    conformal_band,
    conformal_bounds,
    log_residuals,
    widen_bounds,
)
from insights.models.selection import (
    CANDIDATES,
    MIN_GROUP_SERIES,
    choose_candidates,
    chosen_residuals,
)
from insights.models.series_grid import (
    default_meta,
    normalize,
    panel_step,
    regular_grid,
    split_at_cutoff,
    step_delta,
)

FEATURES_CAL = ["hour", "dow", "how", "weekend", "holiday"]
FEATURES_ORIGIN = ["h", "last", "recent_day", "recent_season", "d_last", "d_day", "d_season"]
TRAIN_ROWS = 300_000  # default of ``train_rows``
TRAIN_SEASON_BOUNDS = {"1h": (8, 52), "1d": (52, 260)}
MIN_SERIES_RESIDUALS = 48  # fewer than this per series: use the pooled bounds
CALIBRATION_STEPS = {"1h": 168, "1d": 28}
CALIBRATION_RESIDUALS = 4000  # default of ``calibration_residuals``: wanted across series ...
MAX_CALIBRATION_WINDOWS = 4  # ... default of ``max_calibration_windows``: from at most these
MIN_GLOBAL_SEASONS = 3  # lag units of observed history a series needs for the global model
PROFILE_SEASONS = 20  # seasons averaged into each series' seasonal index


class EngagementForecaster(BaseEstimator):
    """Global gradient-boosting forecaster for many series; keeps the forecaster contract
    (:mod:`insights.models.forecaster`): ``fit`` returns ``self``, ``predict`` raises
    ``NotFittedError`` before it.

    Settings (all constructor parameters, so a clone in a worker process is the same
    estimator): ``horizon`` steps; ``n_season_lags`` season lags (their median is the
    baseline); ``train_seasons`` (``None``: sized by the row budget); ``max_iter`` and
    ``learning_rate`` of the boosting; ``loss`` (``absolute_error`` or any loss
    ``HistGradientBoostingRegressor`` takes); ``interval`` coverage; ``random_state``;
    ``train_rows`` (the training-row budget); ``calibration_residuals`` and
    ``max_calibration_windows`` (held-out residuals wanted, and the most windows refitted
    to get them); ``min_series_residuals`` (fewer per series: pooled bounds);
    ``n_threads``: OpenMP threads of the boosting in this process (``None``:
    :func:`default_threads`); a pool of workers passes 1.

    ``fit`` takes timestamps of any precision (ns, us, ms), naive (read as UTC) or
    zoned; forecasts are UTC microseconds.

    Learned attributes: ``step_``, ``season_``, ``lag_unit_``, ``train_seasons_``,
    ``model_``, ``scale_`` (per-series level), ``method_`` (``global`` or a fallback
    per series), ``flags_`` (``short``/``gappy``), ``calibration_residuals_`` and
    ``resid_q_`` (interval bounds per series).
    """

    def __init__(
        self,
        horizon: int = 168,
        n_season_lags: int = 3,
        train_seasons: int | None = None,
        max_iter: int = 100,
        learning_rate: float = 0.12,
        interval: float = 0.8,
        random_state: int = 0,
        loss: str = "absolute_error",
        max_leaf_nodes: int = 31,
        train_rows: int = TRAIN_ROWS,
        calibration_residuals: int = CALIBRATION_RESIDUALS,
        max_calibration_windows: int = MAX_CALIBRATION_WINDOWS,
        min_series_residuals: int = MIN_SERIES_RESIDUALS,
        n_threads: int | None = None,
    ):
        self.horizon = horizon
        self.n_season_lags = n_season_lags
        self.train_seasons = train_seasons
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.interval = interval
        self.random_state = random_state
        self.loss = loss
        self.max_leaf_nodes = max_leaf_nodes
        self.train_rows = train_rows
        self.calibration_residuals = calibration_residuals
        self.max_calibration_windows = max_calibration_windows
        self.min_series_residuals = min_series_residuals
        self.n_threads = n_threads

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

        def window_mean(w: int, back: int = 0) -> np.ndarray:
            ok = (pos - h - back) >= w - 1
            end = o - back
            a, b = np.clip(end - w + 1, 0, None), np.clip(end + 1, 0, None)
            n = cn[b] - cn[a]
            with np.errstate(invalid="ignore", divide="ignore"):
                m = (cs[b] - cs[a]) / n
            return np.where(ok & (n > 0), m, np.nan) / scale

        def value_at(back: int) -> np.ndarray:
            return np.where((pos - h - back) >= 0, y[np.clip(o - back, 0, None)], np.nan) / scale

        u = self.lag_unit_
        last, rday, rseason = value_at(0), window_mean(day), window_mean(self.season_)
        return grid.with_columns(
            pl.Series("h", h.astype(float)),
            pl.Series("last", last),
            pl.Series("recent_day", rday),
            pl.Series("recent_season", rseason),
            # how far the origin's last hour/day/season strayed from the same span a lag earlier
            pl.Series("d_last", last - value_at(u)),
            pl.Series("d_day", rday - window_mean(day, u)),
            pl.Series("d_season", rseason - window_mean(self.season_, u)),
        ).with_columns((pl.col("season_idx") * pl.col("recent_season")).alias("smooth"))

    def _features(self, grid: pl.DataFrame) -> pl.DataFrame:
        u = self.lag_unit_
        scale = pl.col("series_id").replace_strict(self.scale_, default=1.0)
        lags = [f"lag{k}" for k in range(1, self.n_season_lags + 1)]
        g = grid.with_columns(
            (pl.col("y").shift(k * u).over("series_id") / scale).alias(lag)
            for k, lag in enumerate(lags, start=1)
        )
        stacked = g.select(lags).to_numpy()
        median = np.median(stacked, axis=1)
        gaps = np.isnan(median)
        if gaps.any():  # nanmedian is slow: only for rows missing a lag
            with warnings.catch_warnings():  # all lags missing: the row is dropped later
                warnings.simplefilter("ignore", RuntimeWarning)
                median[gaps] = np.nanmedian(stacked[gaps], axis=1)
        g = g.with_columns(
            pl.Series("baseline", median, nan_to_null=True),
            pl.mean_horizontal(lags).alias("lag_mean"),
            (
                pl.col("y").rolling_mean(self.season_, min_samples=1).shift(u).over("series_id")
                / scale
            ).alias("lvl"),
            pl.col("holiday").shift(u).over("series_id").fill_null(False).alias("hol_lag"),
            (
                pl.mean_horizontal(
                    pl.col("y").shift(u + j * self.season_).over("series_id")
                    for j in range(PROFILE_SEASONS)
                )
                / pl.col("y")
                .rolling_mean(PROFILE_SEASONS * self.season_, min_samples=self.season_)
                .shift(u)
                .over("series_id")
            ).alias("season_idx"),
        ).with_columns((pl.col(lag) - pl.col("baseline")).alias(f"d{lag}") for lag in lags)
        # what this series' past holidays did to it, as known a lag unit before each row
        step = step_delta(self.step_)
        return (
            g.with_columns((pl.col("ts") - step * u).alias("_known"))
            .join_asof(
                self.holiday_lift_.rename({"ts": "_known"}),
                on="_known",
                by="series_id",
                strategy="backward",
                check_sortedness=False,
            )
            .drop("_known")
            .with_columns(pl.col("hol_lift").fill_null(float("nan")))
        )

    @property
    def feature_names_(self) -> list[str]:
        lags = [f"lag{k}" for k in range(1, self.n_season_lags + 1)]
        return [
            *FEATURES_CAL,
            *lags,
            *[f"d{lag}" for lag in lags],
            "baseline",
            "lag_mean",
            "lvl",
            "hol_lag",
            *(["season_idx"] if self.smooth_anchor_ else []),
            "hol_lift",
            *FEATURES_ORIGIN,
            *(["smooth"] if self.smooth_anchor_ else []),
        ]

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

        ``residuals`` (``series_id``, ``step``, ``resid`` in log space) from forecasts of
        unseen data calibrate the intervals; without them the last horizon (four weeks, for
        daily data) is held out and forecast from the data before it.
        """
        require_columns(y)
        with threadpool_limits(limits=self.n_threads or default_threads(), user_api="openmp"):
            return self._fit(y, meta, residuals)

    def _fit(
        self, y: pl.DataFrame, meta: pl.DataFrame | None, residuals: pl.DataFrame | None
    ) -> EngagementForecaster:
        y = normalize(y)
        ids = y["series_id"].unique().sort().to_list()
        self.meta_ = meta if meta is not None else default_meta(ids)
        self.step_ = panel_step(y)
        self.season_ = 168 if self.step_ == "1h" else 7
        # daily series (page views: yearly swings, level shifts) did worse measured from
        # the long seasonal index than from the season lags (docs/explanation/models-and-metrics.md)
        self.smooth_anchor_ = self.step_ == "1h"
        self.lag_unit_ = self.season_ * math.ceil(self.horizon / self.season_)
        self.train_seasons_ = self._train_seasons(len(ids))
        self.choice_, self.choice_pooled_ = {}, "global"
        residuals_given, self.model_ = residuals, None
        # known from each holiday's end on, so one table serves the held-out fit too
        self.holiday_lift_ = holiday_lift(y, self.meta_)
        if residuals is None:
            residuals = self._holdout_residuals(y)
        held_out_model = self.model_ if residuals_given is None else None
        self.choice_, self.choice_pooled_, self.choice_mae_ = choose_candidates(residuals)
        # split conformal: the model fitted before the held-out window is the one served
        # (its residuals there are what calibrate the band), so it is not refitted
        self._fit_point(y, train_model=held_out_model is None)
        if residuals.height == 0:
            # nothing held out (a history shorter than two horizons): the profile's in-sample
            # log errors give the band, flagged as such
            residuals = self._insample_residuals()
            for s in self.flags_:
                self.flags_[s].append("interval_in_sample")
        del self._insample  # the history's profile errors: not kept in saved models
        self.calibration_residuals_ = residuals
        # the chosen candidate won on these very residuals, so they flatter it: the band is
        # calibrated on its residuals and the global model's together (winner's curse)
        chosen = chosen_residuals(residuals, self.method_)
        if "cand_global" in residuals.columns:
            moved = [s for s, m in self.method_.items() if m != "global"]
            glob = chosen_residuals(
                residuals.filter(pl.col("series_id").is_in(moved)), dict.fromkeys(moved, "global")
            )
            chosen = pl.concat([chosen, glob.select(chosen.columns)])
        # held-out windows per series (each starts at step 1), before the pooling above
        # repeats a baseline-served series' residuals
        self._n_windows = (
            dict(residuals.filter(pl.col("step") == 1).group_by("series_id").len().iter_rows())
            if "step" in residuals.columns
            else {}
        )
        self.resid_q_ = self._quantiles(chosen)
        del self._n_windows
        return self

    def _train_seasons(self, n_series: int) -> int:
        """Seasons of history to train on: enough for about ``train_rows`` rows across the
        series (few series read further back), within the step's bounds."""
        if self.train_seasons:
            return self.train_seasons
        lo, hi = TRAIN_SEASON_BOUNDS[self.step_]
        return int(np.clip(math.ceil(self.train_rows / (max(n_series, 1) * self.season_)), lo, hi))

    def _fit_point(self, y: pl.DataFrame, train_model: bool = True) -> None:
        # only the tail the features can reach: training window, lags and level
        keep = (self.train_seasons_ + max(self.n_season_lags, PROFILE_SEASONS) + 2) * self.lag_unit_
        y = y.filter(
            pl.col("ts") > pl.col("ts").max().over("series_id") - step_delta(self.step_) * keep
        )
        grid = regular_grid(y, self.step_)
        # what a forecast reads back from the end: season lags, seasonal index, level
        reach = (
            step_delta(self.step_)
            * (max(self.n_season_lags, PROFILE_SEASONS) + 2)
            * (self.lag_unit_)
        )
        self.history_ = grid.filter(pl.col("ts") > pl.col("ts").max().over("series_id") - reach)
        self.end_ = dict(grid.group_by("series_id").agg(pl.col("ts").max()).iter_rows())
        need = MIN_GLOBAL_SEASONS * self.lag_unit_
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
        self.eligible_ = set()
        for s, n, gap in stats.select("series_id", "n", "gap").iter_rows():
            flags = []
            if n < need:
                flags.append("short")
            if gap > 0.2:
                flags.append("gappy")
            self.flags_[s] = flags
            if n >= need:
                self.eligible_.add(s)
                self.method_[s] = self.choice_.get(s, self.choice_pooled_)
            elif n > self.season_:
                self.method_[s] = "seasonal_naive"
            else:
                self.method_[s] = "profile"
        glob = sorted(self.eligible_)
        cal = self._with_calendar(grid)
        if train_model:
            self.model_ = None
        if glob and train_model:
            g = cal.filter(pl.col("series_id").is_in(glob))
            base = self._features(g)
            seasons = self.train_seasons_
            span = (
                pl.duration(hours=seasons * self.season_)
                if self.step_ == "1h"
                else pl.duration(days=seasons * self.season_)
            )
            usable = (
                base.select(
                    (pl.col("ts") > pl.col("ts").max().over("series_id") - span)
                    & pl.col("y").is_not_null()
                    & pl.col("baseline").is_not_null()
                )
                .to_series()
                .fill_null(False)
            )
            # each training row plays steps of the horizon after simulated origins: one
            # random step when the rows fill the budget, more (every step, when they fit)
            # for few or short hourly series, so the fit does not hang on one draw of steps
            n_rows = max(int(usable.sum()), 1)
            reps = int(np.clip(self.train_rows // n_rows, 1, self.horizon))
            if self.step_ == "1d":  # measured on page views: one random step did as well
                reps = 1
            rng = np.random.default_rng(self.random_state)
            parts = []
            for r in range(reps):
                h = (
                    np.full(g.height, r + 1)
                    if reps == self.horizon
                    else rng.integers(1, self.horizon + 1, g.height)
                )
                parts.append(self._origin_features(base, h).filter(usable))
            train = pl.concat(parts)
            if train.height > self.train_rows:  # many series: a sample learns the same shapes
                train = train.sample(self.train_rows, seed=self.random_state)
            scale = train["series_id"].replace_strict(self.scale_, default=1.0)
            target = (train["y"] / scale).to_numpy() - _anchor(train, self.smooth_anchor_)
            self.model_ = HistGradientBoostingRegressor(
                max_iter=self.max_iter,
                loss=self.loss,
                learning_rate=self.learning_rate,
                max_leaf_nodes=self.max_leaf_nodes,
                random_state=self.random_state,
                categorical_features=None,
            ).fit(_no_empty_columns(train.select(self.feature_names_).to_numpy()), target)
        # pooled hour-of-week profile (relative to each series' level) for fallbacks
        rel = cal.with_columns(
            (pl.col("y") / pl.col("series_id").replace_strict(self.scale_, default=1.0)).alias("r")
        )
        # hours of the week never seen (a history of days): the hour of day, then the level
        by_hod = rel.group_by("hour").agg(pl.col("r").mean().alias("r_hod"))
        self.profile_ = (
            pl.DataFrame({"how": pl.int_range(0, 168, eager=True)})
            .cast({"how": rel.schema["how"]})
            .with_columns((pl.col("how") % 24).cast(rel.schema["hour"]).alias("hour"))
            .join(rel.group_by("how").agg(pl.col("r").mean()), on="how", how="left")
            .join(by_hod, on="hour", how="left")
            .select("how", pl.coalesce("r", "r_hod", pl.lit(1.0)).alias("r"))
        )
        # in-sample errors against the hour-of-day mean (the hour-of-week one can be exact)
        self._insample = rel.select("series_id", "hour", "r").join(by_hod, on="hour", how="left")

    def _insample_residuals(self) -> pl.DataFrame:
        r = (
            self._insample.rename({"r_hod": "p"})
            .drop_nulls("r")
            .with_columns(pl.col("series_id").replace_strict(self.scale_, default=1.0).alias("s"))
        )
        return r.select(
            "series_id",
            pl.lit(None, dtype=pl.Int64).alias("step"),
            (
                (pl.col("r") * pl.col("s") + LOG_EPS).log()
                - (pl.col("p") * pl.col("s") + LOG_EPS).log()
            ).alias("resid"),
        )

    def _holdout_residuals(self, y: pl.DataFrame) -> pl.DataFrame:
        # enough held-out steps for a quantile: one week of hours, or four weeks of days;
        # few series: more windows, so the band sees more than one week's kind of error
        n_series = max(y["series_id"].n_unique(), 1)
        n_windows = max(
            math.ceil(CALIBRATION_STEPS[self.step_] / self.horizon),
            min(
                self.max_calibration_windows,
                math.ceil(self.calibration_residuals / (n_series * self.horizon)),
            ),
        )
        found = []
        for k in range(n_windows):
            train, test = split_at_cutoff(y, self.horizon, n_windows, k, self.step_)
            if train.height == 0:
                continue
            self._fit_point(train)
            found.append(log_residuals(self._predict_point(), test))
        return pl.concat(found) if found else pl.DataFrame(schema=RESID_SCHEMA)

    def _future(self) -> pl.DataFrame:
        step = pl.duration(hours=1) if self.step_ == "1h" else pl.duration(days=1)
        ends = pl.DataFrame(
            {"series_id": list(self.end_), "ts": list(self.end_.values())},
            schema={"series_id": pl.Utf8, "ts": self.history_.schema["ts"]},
        )
        return (
            ends.select(
                "series_id",
                pl.datetime_ranges(
                    pl.col("ts") + step, pl.col("ts") + step * self.horizon, self.step_
                ).alias("ts"),
            )
            .explode("ts", empty_as_null=True)
            .with_columns(pl.lit(None, dtype=pl.Float64).alias("y"))
        )

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
        n = out.height
        scale_v = out["scale"].to_numpy()
        glob_rel = np.full(n, np.nan)
        is_glob = out["series_id"].is_in(list(self.eligible_)).to_numpy()
        if self.model_ is not None and is_glob.any():
            X = feats.filter(pl.Series(is_glob)).select(self.feature_names_).to_numpy()
            glob_rel[is_glob] = self.model_.predict(X.astype(float))
            glob_rel[is_glob] += _anchor(feats.filter(pl.Series(is_glob)), self.smooth_anchor_)
        prof = out.join(self.profile_, on="how", how="left")["r"].to_numpy()
        naive = out["lag1"].to_numpy().astype(float)
        median = feats["baseline"].to_numpy().astype(float)
        with np.errstate(invalid="ignore"):
            cands = {
                "global": glob_rel,
                "seasonal_naive": naive,
                "seasonal_median": median,
                "global_naive_mean": (glob_rel + naive) / 2,
            }
        cands = {k: np.clip(v, 0, None) * scale_v for k, v in cands.items()}
        yhat = np.full(n, np.nan)
        for m in CANDIDATES:
            pick = (out["method"] == m).to_numpy()
            yhat[pick] = cands[m][pick]
        # a candidate missing at a step (a gap in its lag): global, then seasonal naive
        for m in ("global", "seasonal_naive"):
            fill = np.isnan(yhat) & is_glob
            yhat[fill] = cands[m][fill]
        # seasonal naive with a gap, and the "profile" fallback, use the pooled profile
        fill = np.isnan(yhat)
        yhat[fill] = prof[fill] * scale_v[fill]
        yhat = np.nan_to_num(yhat, nan=0.0)
        return out.select("series_id", "ts", "method").with_columns(
            pl.Series("yhat", yhat), *(pl.Series(f"cand_{k}", v) for k, v in cands.items())
        )

    def _quantiles(self, residuals: pl.DataFrame) -> dict[str, tuple[float, float]]:
        self.step_widen_: dict[int, float] = {}
        if residuals.height == 0:
            return {}
        r = residuals["resid"].to_numpy()
        self.resid_pooled_ = conformal_bounds(r, self.interval)
        if "step" in residuals.columns:
            spread = np.abs(r - np.median(r))
            overall = np.quantile(spread, self.interval)
            buckets = self._step_bucket(residuals["step"].to_numpy())
            for b in np.unique(buckets):
                part = spread[buckets == b]
                if len(part) >= self.min_series_residuals and overall > 0:
                    self.step_widen_[int(b)] = float(np.quantile(part, self.interval) / overall)
        parts = residuals.partition_by("series_id", as_dict=True)
        bounds = {
            s: conformal_bounds(g["resid"].to_numpy(), self.interval)
            if g.height >= self.min_series_residuals
            else self.resid_pooled_
            for (s,), g in parts.items()
        }
        # Few series: each band rests on its own few windows, whose residuals are not
        # independent (one window is one regime); the conformal quantile then runs
        # narrow on the next weeks. Rule (docs/models.md "Intervals"): with fewer than
        # MIN_GROUP_SERIES series, a series' half-widths are multiplied by sqrt(1 + 1/k),
        # k its held-out windows (1.41 for one, 1.15 for three), and it is flagged.
        self.interval_widen_: dict[str, float] = {}
        if len(parts) < MIN_GROUP_SERIES and "step" in residuals.columns:
            for (s,) in parts:
                k = getattr(self, "_n_windows", {}).get(s) or 1
                w = math.sqrt(1 + 1 / k)
                bounds[s] = widen_bounds(*bounds[s], w)
                self.interval_widen_[s] = w
                self.flags_.setdefault(s, []).append("interval_widened")
        return bounds

    def _step_bucket(self, step: np.ndarray) -> np.ndarray:
        return (np.asarray(step) - 1) // (24 if self.step_ == "1h" else 7)

    def _widen(self, step: np.ndarray) -> np.ndarray:
        known = getattr(self, "step_widen_", {})
        if not known:
            return np.ones(len(step))
        b = np.minimum(self._step_bucket(step), max(known))
        return np.array([known.get(int(x), 1.0) for x in range(max(known) + 1)])[b]

    def predict(self, horizon: int | None = None, candidates: bool = False) -> pl.DataFrame:
        """Forecast ``horizon`` steps after each series' end: ``series_id``, ``ts``, ``yhat``,
        ``yhat_lo``, ``yhat_hi``, ``method`` (the candidate chosen for the series).
        ``candidates=True`` adds every candidate's point forecast as ``cand_<name>``
        (what the backtest keeps to choose among them at the next fit)."""
        check_is_fitted(self, "model_")
        if horizon is not None and horizon != self.horizon:
            raise ValueError("refit with the new horizon: lags depend on it")
        # models saved by an older version have no n_threads
        threads = getattr(self, "n_threads", None) or default_threads()
        with threadpool_limits(limits=threads, user_api="openmp"):
            point = self._predict_point().sort("series_id", "ts")
        pooled = getattr(self, "resid_pooled_", (0.0, 0.0))
        sid = point["series_id"]
        lo = sid.replace_strict({s: q[0] for s, q in self.resid_q_.items()}, default=pooled[0])
        hi = sid.replace_strict({s: q[1] for s, q in self.resid_q_.items()}, default=pooled[1])
        step = point.select(pl.int_range(1, pl.len() + 1).over("series_id")).to_series()
        lo, hi = widen_bounds(lo.to_numpy(), hi.to_numpy(), self._widen(step.to_numpy()))
        yhat_lo, yhat_hi = conformal_band(point["yhat"].to_numpy(), lo, hi, log=True)
        return point.with_columns(
            pl.Series("yhat_lo", yhat_lo), pl.Series("yhat_hi", yhat_hi)
        ).select(
            "series_id",
            "ts",
            "yhat",
            "yhat_lo",
            "yhat_hi",
            "method",
            *([c for c in point.columns if c.startswith("cand_")] if candidates else []),
        )


def default_threads() -> int:
    """OpenMP threads for one process's boosting: the rule of :mod:`insights.threads` (one
    on two cores or fewer, else half the cores, at most 4), or ``OMP_NUM_THREADS``."""
    from insights.threads import default_threads as rule

    n = rule()
    return n if n is not None else max(1, int(os.environ["OMP_NUM_THREADS"]))


def holiday_lift(y: pl.DataFrame, meta: pl.DataFrame) -> pl.DataFrame:
    """Each series' running mean log lift on its country's holidays: ``series_id``, ``ts``
    (the last UTC timestamp of the holiday, from when the value is known), ``hol_lift``.

    A holiday's lift is the log ratio of the series' total on that local date to the mean
    of the same weekday's totals in the three weeks before (``log1p`` of both). Series
    whose country has no holiday calendar get no rows.
    """
    years = tuple(range(y["ts"].dt.year().min() or 2000, (y["ts"].dt.year().max() or 2000) + 1))
    joined = y.drop_nulls("y").join(meta.select("series_id", "tz", "country"), on="series_id")
    parts = []
    for (tz, country), part in joined.partition_by(["tz", "country"], as_dict=True).items():
        days_off = holiday_dates(country or "", years)
        if not days_off:
            continue
        # only holidays and the weekdays they are compared with (a day either side: the
        # local date of a UTC hour can be the next or the previous one)
        near = {d + timedelta(days=k) for d in days_off for k in range(-22, 2)}
        part = part.filter(pl.col("ts").dt.date().is_in(near))
        parts.append(
            part.group_by("series_id", pl.col("ts").dt.convert_time_zone(tz or "UTC").dt.date())
            .agg(pl.col("y").sum(), pl.col("ts").max().alias("end"))
            .with_columns(pl.col("ts").is_in(days_off).alias("holiday"))
        )
    if not parts:
        return pl.DataFrame(
            schema={"series_id": pl.Utf8, "ts": y.schema["ts"], "hol_lift": pl.Float64}
        )
    daily = pl.concat(parts).sort("series_id", "ts")
    before = pl.mean_horizontal(
        pl.col("y").shift(k).over("series_id", pl.col("ts").dt.weekday()) for k in (1, 2, 3)
    )
    lifts = daily.with_columns(((pl.col("y") + 1).log() - (before + 1).log()).alias("lift")).filter(
        pl.col("holiday"), pl.col("lift").is_not_null()
    )
    return lifts.sort("series_id", "end").select(
        "series_id",
        pl.col("end").alias("ts"),
        (pl.col("lift").cum_sum() / pl.int_range(1, pl.len() + 1))
        .over("series_id")
        .alias("hol_lift"),
    )


def _anchor(feats: pl.DataFrame, smooth_anchor: bool) -> np.ndarray:
    """What the model's target is measured from: the smooth seasonal-index forecast where
    the history reaches it, else the median of the season lags."""
    smooth = feats["smooth"].to_numpy().astype(float)
    base = feats["baseline"].to_numpy().astype(float)
    if not smooth_anchor:
        return base
    return np.where(np.isfinite(smooth), smooth, base)


def _no_empty_columns(X: np.ndarray) -> np.ndarray:
    """Zero out features missing everywhere (origin means on a short history):
    scikit-learn's binning fails on an all-NaN column."""
    X = X.astype(float)
    X[:, np.isnan(X).all(axis=0)] = 0.0
    return X
