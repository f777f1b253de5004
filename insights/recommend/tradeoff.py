"""The trade-off the energy weight makes: the Pareto front and the sentence that reports it.

Pure functions. A choice (the slots picked at one energy weight) is on the front
when no other weight's choice has at least as much expected engagement and at
least as good an energy signal, and is better on one of them. The energy signal
is the one the optimiser ranked by (``renewable``: mean renewable share, higher
is better; ``carbon``: mean carbon intensity, lower is better), so the chart and
the sentence judge the choices by the quantity that chose them.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

SIGNAL_COLUMN = {"renewable": "renewable_pct", "carbon": "carbon_intensity"}


def on_front(frontier: pl.DataFrame, signal: str = "renewable") -> pl.Series:
    """Boolean per row of ``frontier`` (``expected_engagement`` and the signal's column):
    True when no other row dominates it; of identical rows only the first (lowest weight)
    is kept."""
    col = SIGNAL_COLUMN[signal]
    e = frontier["expected_engagement"].to_numpy().astype(float)
    g = frontier[col].to_numpy().astype(float) * (1 if signal == "renewable" else -1)
    keep = []
    for i in range(len(e)):
        if not (math.isfinite(e[i]) and math.isfinite(g[i])):
            keep.append(False)
            continue
        ge = (e >= e[i] - 1e-9) & (g >= g[i] - 1e-9)
        better = (e > e[i] + 1e-9) | (g > g[i] + 1e-9)
        same = ~better & ge
        dominated = bool((ge & better).any()) or bool(same[:i].any())
        keep.append(not dominated)
    return pl.Series("on_front", keep)


def weight_effect(
    engagement_only: np.ndarray,
    chosen: np.ndarray,
    frontier: pl.DataFrame,
    weight: float,
    signal: str = "renewable",
) -> dict:
    """What the weight changed, as numbers.

    ``engagement_only`` and ``chosen``: boolean pair x hour masks of the slots picked at
    weight 0 and at ``weight``; ``frontier``: ``pareto_frontier``'s rows (with ``on_front``).
    Returns ``n_slots``, ``n_moved`` (recommended slots that the engagement-only choice did
    not pick), and for the next choice along the front at a higher weight (``None`` if
    there is none): ``next_weight``, ``next_cost_pct`` (engagement given up, % of the
    current choice's), ``next_carbon_pct`` (change of mean carbon intensity, %) and
    ``next_renewable_pp`` (change of mean renewable share, percentage points).
    """
    out = {
        "weight": float(weight),
        "signal": signal,
        "n_slots": int(chosen.sum()),
        "n_moved": int((chosen & ~engagement_only).sum()),
        "next_weight": None,
        "next_cost_pct": None,
        "next_carbon_pct": None,
        "next_renewable_pp": None,
    }
    fr = frontier.sort("energy_weight")
    if "on_front" not in fr.columns:
        fr = fr.with_columns(on_front(fr, signal))
    here = fr.filter(pl.col("energy_weight") <= weight + 1e-9).tail(1)
    if here.height == 0:
        return out
    cur = here.row(0, named=True)
    col = SIGNAL_COLUMN[signal]
    sign = 1 if signal == "renewable" else -1
    nxt = fr.filter(
        pl.col("on_front"),
        pl.col("energy_weight") > weight + 1e-9,
        (pl.col(col) - cur[col]) * sign > 1e-9,
    ).head(1)
    if nxt.height == 0 or not cur["expected_engagement"]:
        return out
    n = nxt.row(0, named=True)
    out.update(
        next_weight=float(n["energy_weight"]),
        next_cost_pct=100 * (1 - n["expected_engagement"] / cur["expected_engagement"]),
        next_carbon_pct=100 * (n["carbon_intensity"] / cur["carbon_intensity"] - 1)
        if cur["carbon_intensity"]
        else None,
        next_renewable_pp=n["renewable_pct"] - cur["renewable_pct"],
    )
    return out


def tradeoff_sentence(effect: dict, lang: str = "en") -> str:
    """One sentence for the strategist report from ``weight_effect``'s numbers.

    >>> e = {"weight": 0.25, "signal": "carbon", "n_slots": 12, "n_moved": 5,
    ...      "next_weight": 0.35, "next_cost_pct": 41.0, "next_carbon_pct": -18.2,
    ...      "next_renewable_pp": 6.0}
    >>> tradeoff_sentence(e)
    'The energy weight 0.25 moved 5 of the 12 recommended slots away from the engagement-only choice; the next step along the front (weight 0.35) would cost 41% of the expected engagement for 18% less carbon.'
    >>> tradeoff_sentence(e, "es")
    'El peso energético 0.25 movió 5 de los 12 horarios recomendados respecto de la elección solo por alcance; el siguiente paso en la frontera (peso 0.35) costaría el 41% de las interacciones esperadas a cambio de 18% menos carbono.'
    """
    from insights import i18n  # the language's number and percent style (CLDR): 41%, 0.25

    es = lang == "es"
    w = i18n.decimal(effect["weight"], lang)
    head = (
        f"El peso energético {w} movió {effect['n_moved']} de los {effect['n_slots']} horarios "
        "recomendados respecto de la elección solo por alcance"
        if es
        else f"The energy weight {w} moved {effect['n_moved']} of the {effect['n_slots']} "
        "recommended slots away from the engagement-only choice"
    )
    if effect.get("next_weight") is None:
        tail = (
            "; ningún paso más en la frontera mejora la energía."
            if es
            else "; no further step along the front improves the energy signal."
        )
        return head + tail

    def pc(v: float) -> str:
        return i18n.pct(v, lang)

    # a change that shows as 0 is said in words, never "0%" or "-0.0" (i18n.rounds_to_zero)
    unchanged = "casi el mismo nivel de energía" if es else "almost the same energy signal"
    if (
        effect["signal"] == "carbon"
        or effect.get("next_carbon_pct") is not None
        and (effect["next_carbon_pct"] < 0)
    ):
        d = effect["next_carbon_pct"]
        gain = (
            unchanged
            if d is None or i18n.rounds_to_zero(d)
            else (f"{pc(abs(d))} menos carbono" if es else f"{pc(abs(d))} less carbon")
            if d < 0
            else (f"{pc(d)} más carbono" if es else f"{pc(d)} more carbon")
        )
    else:
        pp = effect["next_renewable_pp"]
        pts = i18n.number(pp, lang, 1)
        gain = (
            unchanged
            if pp is None or i18n.rounds_to_zero(pp, 1)
            else f"{pts} puntos más de energía renovable"
            if es
            else f"{pts} points more renewable share"
        )
    nw = i18n.decimal(effect["next_weight"], lang)
    free = i18n.rounds_to_zero(effect["next_cost_pct"])
    cost = pc(effect["next_cost_pct"])
    if es:
        price = (
            "no costaría interacciones esperadas y daría"
            if free
            else f"costaría el {cost} de las interacciones esperadas a cambio de"
        )
        return f"{head}; el siguiente paso en la frontera (peso {nw}) {price} {gain}."
    price = (
        "would cost no expected engagement and give"
        if free
        else f"would cost {cost} of the expected engagement for"
    )
    return f"{head}; the next step along the front (weight {nw}) {price} {gain}."
