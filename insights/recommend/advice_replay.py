"""The advice replay: had we followed the advice over past weeks, what would we have got?

"Backtest" in this project names the forecasts' backtests only (``insights.models``); this
replays the whole advice (forecasts, slots, choice) on past weeks. Formerly
``insights.recommend.advice_backtest`` (``backtest_advice``, ``backtest_for_report``), names
still importable from there.

For each of the last ``weeks`` weeks: models are fitted on data before the
week only (engagement and energy), slots are chosen from those forecasts, and
the *actual* engagement and grid figures of the chosen hours are scored. Three
strategies are compared on the same weeks: ``recommended`` (the energy weight
given), ``engagement_only`` (weight 0) and ``habitual`` (a fixed local hour,
20:00 by default, on evenly spaced days, as many slots as the others).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import polars as pl

from insights.models.energy import RESID_SCHEMA as ENERGY_RESID_SCHEMA
from insights.models.energy import EnergyForecaster
from insights.models.series_grid import series_id_expr
from insights.models.trend import EngagementForecaster
from insights.recommend.engine import recommend
from insights.recommend.slots import SlotRules, build_candidates

STRATEGIES = ["recommended", "engagement_only", "habitual"]


def _habitual(c: pl.DataFrame, hour: int, slots: int) -> pl.DataFrame:
    local_day = pl.col("start_local").str.slice(0, 10)
    at_hour = c.filter(pl.col("start_local").str.slice(11, 2).cast(pl.Int32) == hour)
    days = at_hour.select(local_day.alias("d")).unique().sort("d")["d"].to_list()
    step = max(1, len(days) // slots)
    keep = days[::step][:slots]
    return at_hour.filter(local_day.is_in(keep))


SKIPPED = "skipped"  # rows of a stored result naming a week that could not be replayed


def replay_advice(
    actual: pl.DataFrame,
    energy: pl.DataFrame,
    regions: pl.DataFrame,
    meta: pl.DataFrame,
    weeks: int = 4,
    energy_weight: float = 0.25,
    slots: int = 3,
    gap: int = 12,
    hours: tuple[int, int] = (8, 23),
    habitual_hour: int = 20,
    signal: str = "renewable",
    progress: Callable[[int], None] | None = None,
    skipped: list[dict] | None = None,
) -> pl.DataFrame:
    """One row per strategy x week x (region, channel) with actual outcomes of the chosen slots.

    ``actual``: ``region, channel, ts, y``; ``energy``: ``zone, ts, renewable_pct,
    carbon_intensity``; ``meta``: ``series_id, tz, country`` for the engagement model.

    With ``skipped`` (a list), a week whose models cannot be fitted on the history before it
    (too little: the energy model needs 36+ days) is left out and appended to it as
    ``{week, week_start, reason}``, so a short warehouse still shows the weeks it can; the
    result may then be empty. Without it, that week raises ``ValueError``.
    """
    bar = None
    if progress is None:  # called from a notebook: tqdm's notebook bar, one step a week
        from insights.progress import notebook_bar

        bar = notebook_bar(weeks, "advice replay")
        progress = bar
    actual = actual.with_columns(series_id_expr("region", "channel").alias("series_id"))
    end = min(actual["ts"].max(), energy["ts"].max())
    out = []
    for k in range(weeks):
        origin = end - timedelta(days=7 * (weeks - k))
        try:
            fc, energy_fc = _fit_week(actual, energy, meta, origin)
        except ValueError as exc:
            if skipped is None:
                raise
            skipped.append({"week": k, "week_start": origin, "reason": str(exc)})
            continue
        rules = SlotRules(
            start=origin + timedelta(hours=1), horizon_days=7, hours=hours, signal=signal
        )
        cands = build_candidates(fc, energy_fc, regions, rules)
        truth_e = actual.select("region", "channel", "ts", pl.col("y").alias("actual_engagement"))
        truth_g = energy.select(
            "zone",
            "ts",
            pl.col("renewable_pct").alias("actual_renewable"),
            pl.col("carbon_intensity").alias("actual_ci"),
        )
        picks = {
            "recommended": recommend(cands, energy_weight, slots, gap, 1),
            "engagement_only": recommend(cands, 0.0, slots, gap, 1),
            "habitual": _habitual(cands, habitual_hour, slots),
        }
        for name, p in picks.items():
            if "ts" not in p.columns:
                p = p.with_columns(
                    pl.col("start_utc")
                    .str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_zone="UTC")
                    .alias("ts")
                )
            if "grid_zone" not in p.columns:
                p = p.rename({"zone": "grid_zone"})
            scored = (
                p.select("region", "channel", "grid_zone", "ts")
                .join(truth_e, on=["region", "channel", "ts"], how="left")
                .join(truth_g, left_on=["grid_zone", "ts"], right_on=["zone", "ts"], how="left")
            )
            out.append(
                scored.with_columns(
                    pl.lit(name).alias("strategy"),
                    pl.lit(k).alias("week"),
                    pl.lit(origin).alias("week_start"),
                )
            )
        if progress:
            progress(k + 1)
    if bar is not None:
        bar.close()
    if not out:
        return pl.DataFrame(schema=EMPTY_SCHEMA)
    return pl.concat(out, how="diagonal_relaxed")


EMPTY_SCHEMA = {
    "region": pl.Utf8,
    "channel": pl.Utf8,
    "grid_zone": pl.Utf8,
    "ts": pl.Datetime("us", "UTC"),
    "actual_engagement": pl.Float64,
    "actual_renewable": pl.Float64,
    "actual_ci": pl.Float64,
    "strategy": pl.Utf8,
    "week": pl.Int32,
    "week_start": pl.Datetime("us", "UTC"),
}


def _fit_week(actual, energy, meta, origin) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Engagement and grid forecasts from the history up to ``origin`` (``ValueError`` when
    there is too little of it)."""
    past = actual.filter(pl.col("ts") <= origin)
    if past.height == 0:
        raise ValueError("no engagement history before the week")
    eng_model = EngagementForecaster(horizon=168).fit(
        past.select("series_id", "ts", "y"),
        meta,
        residuals=pl.DataFrame(schema={"series_id": pl.Utf8, "resid": pl.Float64}),
    )
    fc = eng_model.predict().join(
        actual.select("series_id", "region", "channel").unique(), on="series_id"
    )
    efc = []
    for col in ("renewable_pct", "carbon_intensity"):
        e = (
            energy.filter(pl.col("ts") <= origin)
            .select(pl.col("zone").alias("series_id"), "ts", pl.col(col).alias("y"))
            .drop_nulls()
        )
        efc.append(
            EnergyForecaster(horizon=168, history_days=120)
            .fit(e, residuals=pl.DataFrame(schema=ENERGY_RESID_SCHEMA))  # no interval
            .predict()
            .select(pl.col("series_id").alias("zone"), "ts", pl.col("yhat").alias(col))
        )
    return fc, efc[0].join(efc[1], on=["zone", "ts"])


def replay_for_report(
    inp: dict,
    regions: list[str],
    weeks: int,
    *,
    db: str | None = None,
    run_id: str | None = None,
    store: bool = True,
    **kw,
) -> tuple[dict | None, list[dict]]:
    """The report's advice replay over ``regions``: ``(summary or None, skipped weeks)``; never
    raises for short history (each week that cannot be replayed is in the list with why).
    ``inp``: :func:`insights.recommend.io.load_backtest_inputs`.

    With ``db`` and ``run_id`` the result is computed once per model run, parameters and
    input data and read back afterwards (:mod:`insights.recommend.advice_store`; a re-render
    in another language recomputes nothing); ``store=False`` (``report --read-only``) reads a
    stored result but never writes one. Skipped weeks are stored with it, as rows of
    strategy ``skipped`` carrying their reason."""
    actual = inp["actual"].filter(pl.col("region").is_in(regions))
    meta = inp["meta"].filter(pl.col("series_id").str.split(" | ").list.first().is_in(regions))

    def compute() -> pl.DataFrame:
        skipped: list[dict] = []
        slots = replay_advice(
            actual, inp["energy"], inp["regions"], meta, weeks=weeks, skipped=skipped, **kw
        )
        if skipped:
            rows = pl.DataFrame([{**s, "strategy": SKIPPED} for s in skipped])
            slots = pl.concat([slots, rows], how="diagonal_relaxed")
        return slots

    if db is not None and run_id is not None:
        from insights.recommend.advice_store import replay_once

        inputs = {"actual": actual, "energy": inp["energy"], "regions": inp["regions"]}
        slots, _ = replay_once(
            db, run_id, {**inputs, "meta": meta}, {"weeks": weeks, **kw}, compute, save=store
        )
    else:
        slots = compute()
    is_skip = pl.col("strategy") == SKIPPED
    skipped = [
        {"week": r["week"], "week_start": r["week_start"], "reason": r["reason"]}
        for r in slots.filter(is_skip).iter_rows(named=True)
    ]
    slots = slots.filter(~is_skip)
    return (summarise(slots) if slots.height else None), skipped


def summarise(slots: pl.DataFrame) -> dict:
    """Mean actual engagement per slot, carbon intensity and renewable share per strategy,
    overall and per (region, channel)."""
    agg = [
        pl.col("actual_engagement").mean().alias("engagement"),
        pl.col("actual_ci").mean().alias("carbon_intensity"),
        pl.col("actual_renewable").mean().alias("renewable_pct"),
        pl.len().alias("n_slots"),
    ]
    overall = slots.group_by("strategy").agg(agg)
    per = slots.group_by("strategy", "region", "channel").agg(agg).sort("region", "channel")
    records = []
    for s in STRATEGIES:
        o = overall.filter(pl.col("strategy") == s)
        if o.height == 0:
            continue
        records.append(
            {
                "strategy": s,
                **o.drop("strategy").to_dicts()[0],
                "per_region_channel": per.filter(pl.col("strategy") == s)
                .drop("strategy")
                .to_dicts(),
            }
        )
    return {"strategies": records}
