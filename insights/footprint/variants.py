"""Variants of a piece and the choice, per region and hour, of the one to serve.

A variant is a rendition of the piece (``video`` at a bitrate) or a still (``display``, a
fixed size per view), with the share of the full piece's engagement it keeps
(``engagement_kept``, 0..1). The first variant is the full piece and keeps 1.0. Where the
kept shares come from is carried in ``basis``: ``ab_test`` when the team measured them
(A/B history), ``user_default`` when the user set them, ``stated_default`` for
:data:`DEFAULT_VARIANTS` (placeholders, not measurements: set your own).

The choice uses the recommendation's score (:mod:`insights.recommend.score`): two terms
each spanning [0, 1] and the energy weight ``w`` as the share of attention given to energy.
For the variants v allowed in an hour h (those keeping at least ``floor``)::

    score(v, h) = (1 - w) * (e_v - e_min) / (e_max - e_min)
                -      w  * (I_h / I_ref) * (k_v - k_min) / (k_max - k_min)

with e the engagement kept, k the kWh per view of the variant (so k x I is its emissions),
I_h the grid's carbon intensity in that hour and I_ref the zone's mean over the previous
30 days (the reference of the grid level, :mod:`insights.api.grid`). At the reference
intensity both terms span [0, 1] as in the recommendation; a dirtier hour weighs the energy
term more, so lighter variants win there. ``w = 0`` always serves the full piece; a
variant below ``floor`` is never served. Ties go to the earlier variant.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from insights import InsightsError

KINDS = ("video", "display")
BASES = ("ab_test", "user_default", "stated_default")


@dataclass(frozen=True)
class Variant:
    """One rendition. ``bitrate_kbps`` (video, kilobits per second as delivered) or
    ``bytes_per_view`` (display); ``seconds_per_view`` for a display piece (how long a
    still is looked at; IAB Europe's display default view time is 3 s)."""

    name: str
    kind: str
    engagement_kept: float
    bitrate_kbps: float | None = None
    bytes_per_view: float | None = None
    seconds_per_view: float | None = None
    basis: str = "user_default"

    def usage(self, views: float, seconds: float) -> tuple[float, float]:
        """(bytes, seconds viewed) of ``views`` views: a video is delivered for the seconds
        watched of the full piece; a still once per view, looked at ``seconds_per_view``."""
        if self.kind == "video":
            return seconds * self.bitrate_kbps * 1000 / 8, seconds
        return views * self.bytes_per_view, views * self.seconds_per_view


# Illustrative renditions of one video piece. The bitrates are typical adaptive-streaming
# rungs and the kept engagement is a placeholder: both are the user's to set (a variants
# file), and every figure computed from them says ``stated_default``.
DEFAULT_VARIANTS = (
    Variant("1080p", "video", 1.0, bitrate_kbps=4500, basis="stated_default"),
    Variant("480p", "video", 0.93, bitrate_kbps=1100, basis="stated_default"),
    Variant(
        "imagen fija",
        "display",
        0.6,
        bytes_per_view=250_000,
        seconds_per_view=3,
        basis="stated_default",
    ),
)


def validate(variants: list[Variant] | tuple[Variant, ...], where: str = "variants") -> None:
    """Raise :class:`InsightsError` (one line, naming ``where``) for an unusable set."""
    if not variants:
        raise InsightsError(f"{where}: no variants")
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        raise InsightsError(f"{where}: variant names repeat ({', '.join(names)})")
    for i, v in enumerate(variants):
        e = v.engagement_kept
        if not (isinstance(e, int | float) and math.isfinite(e) and 0 <= e <= 1):
            raise InsightsError(f"{where}: {v.name}: engagement_kept must be between 0 and 1")
        if v.kind not in KINDS:
            raise InsightsError(f"{where}: {v.name}: kind must be one of {', '.join(KINDS)}")
        if v.basis not in BASES:
            raise InsightsError(f"{where}: {v.name}: basis must be one of {', '.join(BASES)}")
        need = ("bitrate_kbps",) if v.kind == "video" else ("bytes_per_view", "seconds_per_view")
        for attr in need:
            x = getattr(v, attr)
            if not (isinstance(x, int | float) and math.isfinite(x) and 0 <= x <= 1e12):
                raise InsightsError(f"{where}: {v.name}: {attr} must be a number >= 0")
        if i == 0 and e != 1:
            raise InsightsError(
                f"{where}: the first variant is the full piece and keeps engagement 1.0 "
                f"({v.name} says {e})"
            )


def load_variants(path: str | Path) -> tuple[Variant, ...]:
    """Variants from a JSON file: ``{"variants": [{"name", "kind", "engagement_kept",
    "bitrate_kbps" | "bytes_per_view" + "seconds_per_view", "basis"}, ...]}`` (this
    workbench's own format; the first is the full piece)."""
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
        rows = doc["variants"]
        out = tuple(
            Variant(
                name=str(r["name"]),
                kind=r["kind"],
                engagement_kept=r["engagement_kept"],
                bitrate_kbps=r.get("bitrate_kbps"),
                bytes_per_view=r.get("bytes_per_view"),
                seconds_per_view=r.get("seconds_per_view"),
                basis=r.get("basis", "user_default"),
            )
            for r in rows
        )
    except FileNotFoundError:
        raise InsightsError(f"{p}: no such variants file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InsightsError(f"{p}: not a readable JSON file ({exc})") from None
    except (KeyError, TypeError, AttributeError) as exc:
        raise InsightsError(
            f'{p}: expected {{"variants": [{{"name", "kind", "engagement_kept", ...}}]}} '
            f"(missing {exc})"
        ) from None
    validate(out, str(p))
    return out


def check_weight_floor(w: float, floor: float) -> None:
    if not (isinstance(w, int | float) and math.isfinite(w) and 0 <= w <= 1):
        raise InsightsError(f"energy weight {w}: must be between 0 and 1")
    if not (isinstance(floor, int | float) and math.isfinite(floor) and 0 <= floor <= 1):
        raise InsightsError(f"engagement floor {floor}: must be between 0 and 1")


def _span01(x: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """(x - min) / (max - min) over the allowed entries of each row; a zero range counts 1."""
    big = np.where(ok, x, np.inf)
    small = np.where(ok, x, -np.inf)
    lo = big.min(axis=-1, keepdims=True)
    span = small.max(axis=-1, keepdims=True) - lo
    span = np.where(span > 1e-15, span, 1.0)
    return np.where(ok, (x - lo) / span, 0.0)


def _terms(
    kept: np.ndarray, kwh_per_view: np.ndarray, ratio: np.ndarray, floor: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two normalised terms of the score and the allowed mask, (N, V) each."""
    kept = np.asarray(kept, dtype=float)
    ratio = np.nan_to_num(np.asarray(ratio, dtype=float), nan=1.0).clip(min=0.0)
    k = np.broadcast_to(np.asarray(kwh_per_view, dtype=float), (len(ratio), len(kept)))
    ok = np.broadcast_to(kept >= floor - 1e-12, k.shape).copy()
    ok[:, 0] = True  # the full piece keeps everything: always allowed
    e = _span01(np.broadcast_to(kept, k.shape), ok)
    c = ratio[:, None] * _span01(k, ok)
    return e, c, ok


def _pick(e: np.ndarray, c: np.ndarray, ok: np.ndarray, w: float) -> np.ndarray:
    s = np.where(ok, (1 - w) * e - w * c, -np.inf)
    # ties to the earlier variant: the first index within float noise of the best
    best = s.max(axis=1, keepdims=True)
    return np.argmax(s >= best - 1e-12, axis=1)


def choose(
    kept: np.ndarray, kwh_per_view: np.ndarray, ratio: np.ndarray, w: float, floor: float
) -> np.ndarray:
    """Index of the variant to serve for each hour.

    ``kept``: (V,) engagement kept, ``kept[0] == 1``; ``kwh_per_view``: (N, V) or (V,);
    ``ratio``: (N,) I_h / I_ref (NaN or missing intensity: 1, the reference); ``w`` the
    energy weight, ``floor`` the lowest engagement kept allowed. Returns (N,) ints.

    >>> choose(np.array([1.0, 0.9, 0.5]), np.array([10.0, 3.0, 0.5]), np.array([0.8, 1.3]), 0.5, 0.85)
    array([0, 1])
    """
    check_weight_floor(w, floor)
    return _pick(*_terms(kept, kwh_per_view, ratio, floor), w)


def choose_for_weights(
    kept: np.ndarray,
    kwh_per_view: np.ndarray,
    ratio: np.ndarray,
    weights: tuple[float, ...],
    floor: float,
) -> dict[float, np.ndarray]:
    """:func:`choose` for several weights, the terms computed once."""
    for w in weights:
        check_weight_floor(w, floor)
    terms = _terms(kept, kwh_per_view, ratio, floor)
    return {w: _pick(*terms, w) for w in weights}


def non_dominated(points: list[dict]) -> list[dict]:
    """The points no other point beats on both ``kg_avoided`` (more is better) and
    ``engagement_given_up_pct`` (less is better), sorted by engagement given up.

    >>> [p["name"] for p in non_dominated([
    ...     {"name": "a", "kg_avoided": 0, "engagement_given_up_pct": 0},
    ...     {"name": "b", "kg_avoided": 5, "engagement_given_up_pct": 2},
    ...     {"name": "c", "kg_avoided": 4, "engagement_given_up_pct": 3},
    ...     {"name": "d", "kg_avoided": 9, "engagement_given_up_pct": 40}])]
    ['a', 'b', 'd']
    """
    out = []
    for p in points:
        dominated = any(
            q["kg_avoided"] >= p["kg_avoided"] - 1e-12
            and q["engagement_given_up_pct"] <= p["engagement_given_up_pct"] + 1e-12
            and (
                q["kg_avoided"] > p["kg_avoided"] + 1e-12
                or q["engagement_given_up_pct"] < p["engagement_given_up_pct"] - 1e-12
            )
            for q in points
        )
        if not dominated:
            out.append(p)
    # equal points: keep one
    seen, uniq = set(), []
    for p in sorted(out, key=lambda p: (p["engagement_given_up_pct"], -p["kg_avoided"])):
        key = (round(p["kg_avoided"], 9), round(p["engagement_given_up_pct"], 9))
        if key not in seen:
            seen.add(key)
            uniq.append(p)
    return uniq
