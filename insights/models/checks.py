"""``check_forecaster``: the forecaster contract (:mod:`insights.models.forecaster`) as checks.

In the spirit of scikit-learn's ``check_estimator`` / ``parametrize_with_checks``
(https://scikit-learn.org/stable/modules/generated/sklearn.utils.estimator_checks.check_estimator.html):
each check takes an unfitted forecaster and a long frame, and raises ``AssertionError``
saying which rule broke. The tests run every check on both forecasters
(``tests/models/test_forecaster_contract.py``); a new forecaster passes them before it
serves anything.

Checks (in order): ``__init__`` stores only its parameters, unchanged, and ``get_params``
round-trips through ``clone``; ``predict`` before ``fit`` raises ``NotFittedError``;
``fit`` returns the estimator, leaves its input and its parameters unchanged and learns
only attributes ending in ``_``; ``predict`` gives ``horizon`` rows per series after its
last timestamp, the contract's columns, UTC microseconds, no null or NaN, and a band with
``yhat_lo <= yhat <= yhat_hi``; another horizon is refused; the same seed gives the same
forecast; timestamps in ns or ms (or naive, read as UTC) give the same forecast as in us.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import polars as pl
from sklearn.base import clone

from insights.models.forecaster import FORECAST_COLUMNS, NotFittedError

Check = Callable[[Any, pl.DataFrame, pl.DataFrame | None], None]


def check_forecaster(
    estimator: Any, y: pl.DataFrame | None = None, meta: pl.DataFrame | None = None
) -> list[str]:
    """Run every check of :func:`forecaster_checks` on ``estimator`` (unfitted) with the long
    frame ``y`` (``series_id``, ``ts`` in UTC microseconds, ``y``; long enough for the
    estimator's settings to fit and calibrate a band; default :func:`synthetic_panel`).
    Returns the names of the checks run; raises ``AssertionError`` naming the first that
    failed."""
    y = synthetic_panel() if y is None else y
    ran = []
    for name, check in forecaster_checks():
        try:
            check(estimator, y, meta)
        except AssertionError as exc:
            raise AssertionError(f"{type(estimator).__name__}: {name}: {exc}") from exc
        ran.append(name)
    return ran


def synthetic_panel(ids: str = "abc", days: int = 80, seed: int = 0) -> pl.DataFrame:
    """Hourly series named by the letters of ``ids``, ``days`` long from 2024-01-01 UTC: a
    day cycle, a week cycle and Gaussian noise (seeded) around a level that differs per
    series, clipped at 0. ``ts`` in UTC microseconds. 80 days hold the energy model's
    held-out block (its band) for ``history_days`` 28 to 30 and a 24 h horizon: fewer than 28
    days of origins never hold one out, and the default 180 days need longer series."""
    rng = np.random.default_rng(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    ts = pl.datetime_range(start, start + timedelta(hours=24 * days - 1), "1h", eager=True)
    t = np.arange(len(ts))
    frames = []
    for i, sid in enumerate(ids):
        y = (
            30
            + 10 * i
            + 12 * np.sin(2 * np.pi * t / 24)
            + 4 * np.sin(2 * np.pi * t / 168)
            + rng.normal(0, 2, len(t))
        )
        frames.append(pl.DataFrame({"series_id": sid, "ts": ts, "y": np.clip(y, 0, None)}))
    return pl.concat(frames)


def forecaster_checks() -> Iterator[tuple[str, Check]]:
    """``(name, check)`` pairs, each ``check(estimator, y, meta)``; for ``pytest``'s
    ``parametrize`` as with scikit-learn's ``parametrize_with_checks``."""
    yield "init_stores_only_params", check_init_stores_only_params
    yield "not_fitted", check_not_fitted
    yield "fit_contract", check_fit_contract
    yield "predict_frame", check_predict_frame
    yield "other_horizon_refused", check_other_horizon_refused
    yield "deterministic", check_deterministic
    yield "timestamp_precisions", check_timestamp_precisions


@dataclass
class _Fit:
    estimator: Any  # the unfitted estimator and the frame given (kept: identity is the key)
    y: pl.DataFrame
    before: pl.DataFrame  # a copy of ``y`` taken before the fit
    params: dict[str, Any]
    fitted: Any  # the clone that was fitted, and what its fit returned
    returned: Any
    forecast: pl.DataFrame


_LAST: list[_Fit] = []


def _fit(estimator: Any, y: pl.DataFrame, meta: pl.DataFrame | None) -> _Fit:
    """One fit of a clone per (estimator, frame) pair, shared by the checks that only read
    it (a fit can take seconds); only the latest pair is kept."""
    if _LAST and _LAST[0].estimator is estimator and _LAST[0].y is y:
        return _LAST[0]
    before, params = y.clone(), estimator.get_params()
    est = clone(estimator)
    returned = est.fit(y, meta)
    _LAST[:] = [_Fit(estimator, y, before, params, est, returned, est.predict())]
    return _LAST[0]


def check_init_stores_only_params(estimator: Any, y: pl.DataFrame, meta: Any) -> None:
    params = estimator.get_params()
    fresh = type(estimator)(**params)
    assert set(vars(fresh)) == set(params), (
        f"__init__ set attributes other than its parameters: {set(vars(fresh)) ^ set(params)}"
    )
    for k, v in params.items():
        assert getattr(fresh, k) is v, f"__init__ changed parameter {k!r}"
    assert clone(estimator).get_params() == params, "get_params does not round-trip clone()"
    for attr in ("horizon", "interval", "random_state"):
        assert attr in params, f"missing the shared setting {attr!r}"


def check_not_fitted(estimator: Any, y: pl.DataFrame, meta: Any) -> None:
    try:
        clone(estimator).predict()
    except NotFittedError:
        return
    raise AssertionError("predict before fit did not raise NotFittedError")


def check_fit_contract(estimator: Any, y: pl.DataFrame, meta: pl.DataFrame | None) -> None:
    f = _fit(estimator, y, meta)
    est, params = f.fitted, f.params
    assert f.returned is est, "fit did not return the estimator"
    assert y.equals(f.before) and y.schema == f.before.schema, "fit changed its input frame"
    assert est.get_params() == params, "fit changed the estimator's parameters"
    learned = set(vars(est)) - set(params)
    bad = sorted(a for a in learned if not a.endswith("_") and not a.startswith("_"))
    assert not bad, f"learned attributes must end in '_': {bad}"
    assert any(a.endswith("_") for a in learned), "fit learned nothing"


def check_predict_frame(estimator: Any, y: pl.DataFrame, meta: pl.DataFrame | None) -> None:
    f = _fit(estimator, y, meta)
    est, fc = f.fitted, f.forecast
    assert tuple(fc.columns[: len(FORECAST_COLUMNS)]) == FORECAST_COLUMNS, fc.columns
    assert fc.schema["ts"] == pl.Datetime("us", "UTC"), fc.schema["ts"]
    n_series = y["series_id"].n_unique()
    assert fc.height == est.horizon * n_series, (fc.height, est.horizon, n_series)
    cols = fc.select(FORECAST_COLUMNS[2:])
    assert cols.null_count().sum_horizontal().item() == 0, "nulls in the forecast"
    assert not cols.select(pl.all().is_nan().any()).row(0).count(True), "NaN in the forecast"
    last = y.group_by("series_id").agg(pl.col("ts").max().alias("last"))
    first = fc.group_by("series_id").agg(pl.col("ts").min().alias("first"), pl.len())
    j = first.join(last, on="series_id", how="left")
    assert (j["first"] > j["last"]).all(), "a forecast starts at or before its series' end"
    assert (j["len"] == est.horizon).all(), "a series did not get `horizon` steps"
    assert (fc["yhat_lo"] <= fc["yhat_hi"]).all(), "yhat_lo above yhat_hi"
    inside = (fc["yhat_lo"] <= fc["yhat"]) & (fc["yhat"] <= fc["yhat_hi"])
    assert inside.all(), f"the band misses the point forecast on {(~inside).sum()} rows"


def check_other_horizon_refused(estimator: Any, y: pl.DataFrame, meta: Any) -> None:
    est = _fit(estimator, y, meta).fitted
    try:
        est.predict(horizon=est.horizon + 1)
    except ValueError:
        return
    raise AssertionError("predict(horizon=...) other than the fitted one was not refused")


def check_deterministic(estimator: Any, y: pl.DataFrame, meta: pl.DataFrame | None) -> None:
    fc = _fit(estimator, y, meta).forecast
    again = clone(estimator).fit(y, meta).predict()
    assert again.equals(fc), "the same settings and seed gave another forecast"


def check_timestamp_precisions(estimator: Any, y: pl.DataFrame, meta: pl.DataFrame | None) -> None:
    fc = _fit(estimator, y, meta).forecast
    variants = {
        "ns": y.with_columns(pl.col("ts").dt.cast_time_unit("ns")),
        "ms": y.with_columns(pl.col("ts").dt.cast_time_unit("ms")),
        "naive": y.with_columns(pl.col("ts").dt.replace_time_zone(None)),
    }
    for name, variant in variants.items():
        got = clone(estimator).fit(variant, meta).predict()
        assert got.equals(fc), f"timestamps in {name} gave another forecast"
