"""The ``train`` stage: warehouse -> series -> backtests -> fitted models -> stored forecasts.

IO at the edges only (:mod:`insights.training.io`): read series under a shared lock,
compute without holding it (:mod:`insights.training.fit`), then write the run, its
metrics and its forecasts in one transaction.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from insights import InsightsError, brands, warehouse
from insights.models.persist import models_dir_for
from insights.progress import set_total
from insights.training.fit import (
    ENERGY_TARGETS,
    FORECAST_COLUMNS,
    backtest_scores,
    bridge_hours,
    fit_energy,
    fit_engagement,
    run_params,
    split_by_step,
    stage_count,
)
from insights.training.io import (
    load_energy,
    load_engagement_series,
    save_engagement_model,
    store_run,
)
from insights.training.result import TrainResult

log = logging.getLogger(__name__)


def train(
    db: str | None = None,
    horizon: int = 168,
    n_cutoffs: int = 3,
    by_topic: bool = False,
    models_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
    client: str = brands.DEFAULT,
) -> TrainResult:
    """Backtest, fit and store brand ``client``'s engagement and energy models; the run's
    summary (:class:`~insights.training.result.TrainResult`, readable as a mapping).

    Models are saved beside the warehouse (``<warehouse>.models/``, see
    :mod:`insights.models.persist`), older runs' files pruned; a brand other than
    ``'default'`` keeps them in a folder of its own inside it, so that pruning one brand's
    old runs never deletes another's. Series too short to backtest are listed in
    ``not_backtested`` (with the reason) and still forecast, by the fallback in
    ``fallbacks``; with none backtestable the metrics are ``None``.

    No model file is left behind when the run is not stored (a full disk, read-only
    storage, an error): its files are removed, and a storage failure is one line
    (:class:`insights.InsightsError`) instead of a traceback.

    ``progress``: called with each stage's name (the CLI prints them); without it, a
    notebook kernel shows tqdm's notebook bar. Stages are logged (``insights.training``)
    either way."""
    client = brands.check(client)
    models_dir = models_dir or models_dir_for(warehouse.db_path(db))
    if client != brands.DEFAULT:
        models_dir = models_dir / client
    before = set(models_dir.glob("*.pkl")) if models_dir.is_dir() else set()
    try:
        return _train(db, horizon, n_cutoffs, by_topic, models_dir, progress, client)
    except BaseException as exc:
        if models_dir.is_dir():
            for f in set(models_dir.glob("*.pkl")) - before:
                f.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, InsightsError):
            raise warehouse.storage_error(Path(exc.filename or models_dir), exc) from None
        raise


def _train(
    db: str | None,
    horizon: int,
    n_cutoffs: int,
    by_topic: bool,
    models_dir: Path,
    progress: Callable[[str], None] | None,
    client: str,
) -> TrainResult:
    t0 = time.perf_counter()
    bar = None
    if progress is None:  # called from a notebook: tqdm's notebook bar, one step a stage
        from insights.progress import notebook_bar

        bar = notebook_bar(None, "train")

    def say(msg: str) -> None:
        log.info("train %s: %s", client, msg)
        if progress is not None:
            progress(msg)
        elif bar is not None:
            bar(msg)

    now = datetime.now(UTC)
    run_id = now.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    y, meta = load_engagement_series(db, by_topic, client=client)
    # Data that ends before now: the final models forecast through the gap as well, so
    # recommendations are for the coming days (backtests keep the requested horizon).
    bridge = bridge_hours(y["ts"].max(), now)
    labels = y.select("series_id", "region", "channel").unique("series_id")
    grid = load_energy(db, client)
    steps = len(split_by_step(y.select("series_id", "ts", "y")))
    targets = sum(grid[t].drop_nulls().len() > 0 for t in ENERGY_TARGETS)
    set_total(progress if progress is not None else bar, stage_count(steps, n_cutoffs, targets))
    fits = fit_engagement(y, meta, labels, horizon, n_cutoffs, bridge, say)
    for f in fits:
        save_engagement_model(f.model, models_dir, run_id, f.step)
    energy = fit_energy(grid, horizon, bridge, now, say)
    summaries = {f.step: f.summary for f in fits}
    main = summaries.get("1h") or next(iter(summaries.values()))
    result = TrainResult(
        run_id=run_id,
        client=client,
        n_series=int(y["series_id"].n_unique()),
        mase=main.get("mase"),
        mase_seasonal_naive=main.get("mase_seasonal_naive"),
        relative_mae=main.get("relative_mae"),
        smape=main.get("smape"),
        coverage_80=main.get("coverage_80"),
        by_frequency=summaries,
        fallbacks={s: m for f in fits for s, m in f.fallbacks.items()},
        fallback_reasons={s: r for f in fits for s, r in f.fallback_reasons.items()},
        chosen={f.step: f.chosen for f in fits},
        not_backtested={s: r for f in fits for s, r in f.not_backtested.items()},
        energy=energy.metrics,
    )
    forecasts = pl.concat(
        [f.forecast for f in fits] + [e.select(FORECAST_COLUMNS) for e in energy.forecasts]
    )
    result.seconds = round(time.perf_counter() - t0, 1)
    say("storing the run and its forecasts")
    store_run(
        db,
        client,
        run_id,
        run_params(horizon, n_cutoffs, by_topic),
        result.to_dict(),
        forecasts,
        (y["ts"].min(), y["ts"].max()),
        backtest_scores(fits, energy),
    )
    if bar is not None:
        bar.close()
    return result
