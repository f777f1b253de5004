"""The advice replay, computed once per model run, parameter set and input data, then reused.

:func:`insights.recommend.advice_replay.replay_advice` fits engagement and energy
models for every replayed week: the slowest cell of the strategist report. Its result
does not depend on the report's language, so re-rendering the page in another language
(or re-running the notebook, or ``insights replay`` with the same options) reads it
back from the warehouse table ``advice_backtests`` instead (the table keeps its first name,
so that warehouses written before the rename read back the same).

The key (``params_hash``, SHA-256 hex) covers everything the result depends on:

* the model run (``run_id``): a new ``insights train`` computes it again;
* the parameters (weeks, energy weight, slots, gap, hours, habitual hour, signal);
* the input frames themselves (actual engagement of the chosen regions, grid history,
  regions, series metadata): row count, schema and a row-hash sum, so newly ingested
  data or another choice of regions computes it again even without a new run;
* the insights and Polars versions (code that computes it, and Polars' row hash, which
  is stable within one Polars version only).

Only the latest run's rows are kept (older runs' rows are deleted when a new one is
stored). The stored value is the per-slot frame (Parquet bytes in a ``BLOB``), so
``summarise`` and any other view of it give the same answer as a fresh computation.
On read-only storage, or when the warehouse cannot be written, it is computed and not
stored (a note on stderr).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Callable

import polars as pl

from insights import InsightsError, __version__, deferred, sql, warehouse
from insights.threads import boosting_threads
from insights.warehouse import runs

log = logging.getLogger(__name__)


def frame_fingerprint(df: pl.DataFrame) -> str:
    """Row count, column names and types, and the sum of Polars' row hashes (seed 0;
    order-independent). Two frames with the same fingerprint hold the same rows in all
    practical cases; stable within one Polars version."""
    h = int(df.hash_rows(seed=0).sum()) if df.height else 0
    return f"{df.height}:{list(zip(df.columns, map(str, df.dtypes), strict=True))}:{h}"


def advice_key(run_id: str, params: dict, inputs: dict[str, pl.DataFrame]) -> str:
    """SHA-256 hex of run, parameters, input fingerprints and code versions."""
    doc = {
        "run_id": run_id,
        "params": params,
        "inputs": {k: frame_fingerprint(v) for k, v in sorted(inputs.items())},
        "insights": __version__,
        "polars": pl.__version__,
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


def _to_bytes(df: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.write_parquet(buf)
    return buf.getvalue()


def stored(db: str | None, run_id: str, key: str) -> pl.DataFrame | None:
    """The stored per-slot frame for (run, key), or ``None``."""
    with warehouse.read(db) as con:
        row = sql.one(
            con,
            "SELECT slots FROM advice_backtests WHERE run_id = ? AND params_hash = ?",
            [run_id, key],
        )
    return None if row is None else pl.read_parquet(io.BytesIO(row[0]))


def store(db: str | None, run_id: str, key: str, params: dict, slots: pl.DataFrame) -> bool:
    """Keep the result for (run, key), dropping other runs' rows; ``False`` when the
    warehouse cannot be written (read-only storage, busy past the lock timeout). Inside a
    report's kernel the result is held and stored by the report once its pages are written
    (:mod:`insights.deferred`)."""
    if not warehouse.writable(db):
        return False
    meta = {"db": str(warehouse.db_path(db)), "run_id": run_id, "key": key, "params": params}
    if deferred.hold("advice_backtest", slots, meta):
        return True
    try:
        with warehouse.write(db) as con:
            con.execute("BEGIN TRANSACTION")
            con.execute("DELETE FROM advice_backtests WHERE run_id <> ?", [run_id])
            con.execute(
                "DELETE FROM advice_backtests WHERE run_id = ? AND params_hash = ?", [run_id, key]
            )
            con.execute(
                "INSERT INTO advice_backtests VALUES (?, ?, ?, now(), ?, ?)",
                [run_id, key, json.dumps(params, default=str), __version__, _to_bytes(slots)],
            )
            con.execute("COMMIT")
    except InsightsError as exc:
        log.warning("insights: advice replay not stored (%s)", exc)
        return False
    return True


def latest_run_id(db: str | None) -> str | None:
    """The newest model run's id, ``None`` before the first ``insights train``."""
    with warehouse.read(db) as con:
        return runs.latest_run_id(con)


def replay_once(
    db: str | None,
    run_id: str,
    inputs: dict[str, pl.DataFrame],
    params: dict,
    compute: Callable[[], pl.DataFrame],
    save: bool = True,
) -> tuple[pl.DataFrame, bool]:
    """(per-slot frame, whether it was computed now). Reads the stored result for
    (``run_id``, ``params``, ``inputs``) or calls ``compute()`` and, unless ``save`` is
    false (``report --read-only``), stores what it returns.
    ``inputs``: the frames ``compute`` reads; ``params``: JSON-able options it uses."""
    key = advice_key(run_id, params, inputs)
    got = stored(db, run_id, key)
    if got is not None:
        return got, False
    with boosting_threads():  # its engagement and energy fits: threads chosen per process
        slots = compute()
    if save:
        store(db, run_id, key, params, slots)
    return slots, True


def cached_replay_advice(
    db: str | None,
    run_id: str,
    actual: pl.DataFrame,
    energy: pl.DataFrame,
    regions: pl.DataFrame,
    meta: pl.DataFrame,
    progress: Callable[[int], None] | None = None,
    store: bool = True,
    **params,
) -> tuple[pl.DataFrame, bool]:
    """:func:`~insights.recommend.advice_replay.replay_advice` through :func:`replay_once`: same arguments (keyword
    options in ``params``), plus the warehouse and the model run it belongs to;
    ``store=False`` reads a stored result but never writes one."""
    from insights.recommend import advice_replay

    return replay_once(
        db,
        run_id,
        {"actual": actual, "energy": energy, "regions": regions, "meta": meta},
        params,
        lambda: advice_replay.replay_advice(
            actual, energy, regions, meta, progress=progress, **params
        ),
        save=store,
    )


# former names (the advice replay was called the advice backtest)
backtest_once = replay_once
cached_backtest_advice = cached_replay_advice
