"""From candidate slots to recommendations with their trade-off, and the Pareto frontier."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl

from insights.recommend.score import choose
from insights.recommend.slots import to_matrices
from insights.recommend.tradeoff import on_front, tradeoff_sentence, weight_effect

OUTPUT_COLUMNS = [
    "rank",
    "region",
    "channel",
    "grid_zone",
    "start_local",
    "start_utc",
    "window_hours",
    "expected_engagement",
    "engagement_low",
    "engagement_high",
    "renewable_pct",
    "renewable_pct_low",
    "renewable_pct_high",
    "carbon_intensity",
    "carbon_intensity_low",
    "carbon_intensity_high",
    "energy_availability",
    "score",
    "engagement_vs_best_pct",
    "renewable_vs_best_pp",
    "carbon_vs_best_pct",
    "energy_signals_disagree",
]
# Changes smaller than these (points of renewable share, percent of carbon intensity) are
# no direction at all: below the 0.1 the outputs are rounded to, they cannot disagree.
AGREE_TOL_PP = 0.05
AGREE_TOL_PCT = 0.05


def recommend(c: pl.DataFrame, w: float, slots: int, gap: int, window_hours: int) -> pl.DataFrame:
    """The chosen slots per (region, channel), ranked by score, with the trade-off against the
    best engagement-only slot of the same pair.

    Both energy signals' changes are given, whichever one the score ranked by, so the
    signal a reader sees beside a rank is the one that explains it:
    ``renewable_vs_best_pp`` (renewable share, percentage points) and
    ``carbon_vs_best_pct`` (carbon intensity, percent). ``energy_signals_disagree`` is
    true when one says the slot is greener and the other says it is dirtier (a grid can
    be more renewable and still emit more per kWh, e.g. when solar displaces hydro but
    coal stays on); null when the grid has no value for the slot."""
    if c.height == 0:
        return pl.DataFrame(schema={k: pl.Utf8 for k in OUTPUT_COLUMNS})
    pairs, E, A, ok, grid = to_matrices(c)
    chosen, S = choose(E, A, ok, w, slots, gap)
    p_idx, t_idx = np.nonzero(chosen)
    picked = pl.DataFrame(
        {
            "region": pairs["region"].to_numpy()[p_idx],
            "channel": pairs["channel"].to_numpy()[p_idx],
            "ts": [grid[i] for i in t_idx],
            "score": S[p_idx, t_idx],
        },
        schema_overrides={"ts": c.schema["ts"]},
    )
    masked = np.where(ok, E, -np.inf)
    best_t = masked.argmax(axis=1)
    best = (
        pl.DataFrame(
            {
                "region": pairs["region"],
                "channel": pairs["channel"],
                "ts": [grid[i] for i in best_t],
            },
            schema_overrides={"ts": c.schema["ts"]},
        )
        .join(c, on=["region", "channel", "ts"])
        .select(
            "region",
            "channel",
            pl.col("yhat").alias("best_eng"),
            pl.col("carbon_intensity").alias("best_ci"),
            pl.col("renewable_pct").alias("best_re"),
        )
    )
    out = picked.join(c, on=["region", "channel", "ts"]).join(best, on=["region", "channel"])
    out = out.with_columns(  # energy forecasts stored without intervals (older runs): null
        pl.lit(None, dtype=pl.Float64).alias(k)
        for k in OUTPUT_COLUMNS
        if k.endswith(("_low", "_high")) and k not in out.columns
    )
    return (
        out.with_columns(
            pl.col("score")
            .rank("ordinal", descending=True)
            .over("region", "channel")
            .cast(pl.Int32)
            .alias("rank"),
            pl.col("zone").alias("grid_zone"),
            pl.col("ts").dt.strftime("%Y-%m-%dT%H:%M:%SZ").alias("start_utc"),
            pl.lit(window_hours).alias("window_hours"),
            pl.col("yhat").alias("expected_engagement"),
            pl.col("yhat_lo").alias("engagement_low"),
            pl.col("yhat_hi").alias("engagement_high"),
            (100 * (pl.col("yhat") - pl.col("best_eng")) / pl.col("best_eng")).alias(
                "engagement_vs_best_pct"
            ),
            (pl.col("renewable_pct") - pl.col("best_re")).alias("renewable_vs_best_pp"),
            (100 * (pl.col("carbon_intensity") - pl.col("best_ci")) / pl.col("best_ci")).alias(
                "carbon_vs_best_pct"
            ),
        )
        .with_columns(disagree(pl.col("renewable_vs_best_pp"), pl.col("carbon_vs_best_pct")))
        .sort("region", "channel", "rank")
        .select(OUTPUT_COLUMNS)
    )


def disagree(d_renewable_pp: pl.Expr, d_carbon_pct: pl.Expr) -> pl.Expr:
    """``energy_signals_disagree``: more renewable and more carbon, or less of both
    (beyond :data:`AGREE_TOL_PP` / :data:`AGREE_TOL_PCT`); null without grid values."""
    greener_re = d_renewable_pp > AGREE_TOL_PP
    dirtier_re = d_renewable_pp < -AGREE_TOL_PP
    greener_ci = d_carbon_pct < -AGREE_TOL_PCT
    dirtier_ci = d_carbon_pct > AGREE_TOL_PCT
    return ((greener_re & dirtier_ci) | (dirtier_re & greener_ci)).alias("energy_signals_disagree")


def pareto_frontier(
    c: pl.DataFrame,
    slots: int,
    gap: int,
    weights: int | list[float] = 21,
    signal: str = "renewable",
) -> pl.DataFrame:
    """Total expected engagement and mean carbon intensity / renewable share of the chosen
    slots per weight (``weights`` evenly spaced in [0, 1], or these weights), with
    ``signal`` (the one the optimiser ranked by) and ``on_front``: no other weight's choice
    has as much engagement and a better signal (``tradeoff.on_front``)."""
    pairs, E, A, ok, grid = to_matrices(c)
    ci_rows = c.select("region", "channel", "ts", "carbon_intensity", "renewable_pct")
    ci = np.full_like(E, np.nan)
    re = np.full_like(E, np.nan)
    pidx = {p: i for i, p in enumerate(pairs.iter_rows())}
    tidx = {t: i for i, t in enumerate(grid)}
    r = np.array([pidx[p] for p in zip(ci_rows["region"], ci_rows["channel"], strict=True)])
    t = np.array([tidx[x] for x in ci_rows["ts"]])
    ci[r, t] = ci_rows["carbon_intensity"].fill_null(np.nan).to_numpy()
    re[r, t] = ci_rows["renewable_pct"].fill_null(np.nan).to_numpy()
    ws = np.linspace(0, 1, weights) if isinstance(weights, int) else sorted(weights)
    # slots without grid values (a short or grid-less warehouse): NaN means, never a
    # RuntimeWarning printed into a report page (the pages say why in words)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _frontier(E, A, ok, ci, re, ws, slots, gap, signal)


def _frontier(E, A, ok, ci, re, ws, slots: int, gap: int, signal: str) -> pl.DataFrame:
    rows = []
    for w in ws:
        m, _ = choose(E, A, ok, float(w), slots, gap)
        rows.append(
            {
                "energy_weight": round(float(w), 4),
                "expected_engagement": float(E[m].sum()),
                "carbon_intensity": float(np.nanmean(ci[m])) if m.any() else float("nan"),
                "renewable_pct": float(np.nanmean(re[m])) if m.any() else float("nan"),
                "energy_availability": float(np.nanmean(A[m])) if m.any() else float("nan"),
            }
        )
    fr = pl.DataFrame(rows).with_columns(pl.lit(signal).alias("signal"))
    return fr.with_columns(on_front(fr, signal))


def weight_sentence(
    c: pl.DataFrame,
    w: float,
    slots: int,
    gap: int,
    signal: str = "renewable",
    lang: str = "en",
    weights: int = 21,
) -> tuple[str, dict]:
    """(sentence, numbers) for the strategist report: in how many recommended slots energy
    weight ``w`` moved the choice away from the engagement-only one, and what the next step
    along the front would cost and save (``tradeoff.weight_effect``, ``tradeoff_sentence``)."""
    if c.height == 0:  # nothing to weigh (a short warehouse): no sentence, not a crash
        return "", {}
    _, E, A, ok, _ = to_matrices(c)
    m0, _ = choose(E, A, ok, 0.0, slots, gap)
    mw, _ = choose(E, A, ok, w, slots, gap)
    grid = sorted({*np.linspace(0, 1, weights).round(4).tolist(), round(float(w), 4)})
    fr = pareto_frontier(c, slots, gap, grid, signal)  # no grid data: NaN means, in words
    effect = weight_effect(m0, mw, fr, w, signal)
    return tradeoff_sentence(effect, lang), effect
