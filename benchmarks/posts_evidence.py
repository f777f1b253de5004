"""The figures of docs/posts-evidence.md: hour recovery, null behaviour and the post backtest
on synthetic post histories (seeded; about two minutes on one core).

    python benchmarks/posts_evidence.py [--seeds 20]
"""

from __future__ import annotations

import argparse
import math

import polars as pl

from insights.models.post_backtest import post_backtest
from insights.models.post_effects import fit_post_effects, prepare_posts
from insights.models.synthetic_posts import synthetic_posts

EVENING = {h: 0.3 * math.cos(2 * math.pi * (h - 20) / 24) for h in range(24)}


def recovery(seeds: int) -> None:
    print(
        "| posts | planted effect | pooled model ranks it first | raw hourly mean ranks it first |"
    )
    print("|---|---|---|---|")
    for n in (150, 300):
        for eff in (0.3, 0.4, 0.5, 0.6):
            m = r = 0
            for seed in range(seeds):
                prep = prepare_posts(synthetic_posts(n, seed, hour_effect=eff))
                m += fit_post_effects(prep, prepared=True).hour_table()["hour"][0] == 20
                raw = (
                    prep.filter(pl.col("status") == "used")
                    .group_by("hour")
                    .agg(pl.col("rate").mean())
                    .sort("rate", descending=True)
                )
                r += raw["hour"][0] == 20
            print(f"| {n} | x{math.exp(eff):.2f} (log {eff}) | {m}/{seeds} | {r}/{seeds} |")


def null(seeds: int) -> None:
    print(
        "\n| posts | seeds where no hour's 90 % interval excludes the mean | hours flagged, total |"
    )
    print("|---|---|---|")
    for n in (150, 300):
        clean = flagged = 0
        for seed in range(seeds):
            h = fit_post_effects(synthetic_posts(n, seed, best_hour=None)).hour_table()
            k = int(((h["low"] > 0) | (h["high"] < 0)).sum())
            clean += k == 0
            flagged += k
        print(f"| {n} | {clean}/{seeds} | {flagged} of {15 * seeds} |")


def coverage(seeds: int) -> None:
    """How often the 90 % hour intervals hold the true hour effect (its deviation from the
    post-weighted mean of the true effects, which is what the channel's mean absorbs)."""
    print("\n| posts | planted effect | 90 % hour intervals holding the true effect |")
    print("|---|---|---|")
    for n in (150, 300):
        for eff in (0.0, 0.5):
            held = total = 0
            for seed in range(seeds):
                posts = synthetic_posts(n, seed, hour_effect=eff)
                m = fit_post_effects(posts)
                h = m.hour_table()
                true = {x: (eff if x == 20 else 0.0) for x in h["hour"].to_list()}
                centre = sum(true[x] * k for x, k in zip(h["hour"], h["n_posts"], strict=True)) / n
                for r in h.iter_rows(named=True):
                    t = true[r["hour"]] - centre
                    held += r["low"] <= t <= r["high"]
                    total += 1
            print(f"| {n} | x{math.exp(eff):.2f} | {held / total:.0%} of {total} |")


def backtests(seeds: int) -> None:
    scenarios = {
        "one best hour (x1.65 at 20:00), 150 posts": dict(n=150, hour_effect=0.5),
        "one best hour (x1.49), 300 posts, 40 % at a habitual 19:00": dict(
            n=300, hour_effect=0.4, habit=(19, 0.4)
        ),
        "evening profile (x1.8 swing), posts at any hour, 150 posts": dict(
            n=150, best_hour=None, hour_profile=EVENING, hours=tuple(range(24))
        ),
        "no hour effect, 300 posts, 40 % at 19:00": dict(n=300, best_hour=None, habit=(19, 0.4)),
    }
    print(
        "\n| history | method | mean Spearman | mean lift top/bottom third | "
        "seeds with lift interval > 0 | model's lift surely higher / surely lower |"
    )
    print("|---|---|---|---|---|---|")
    for name, kw in scenarios.items():
        rows = pl.concat(
            [post_backtest(synthetic_posts(seed=s, **kw), seed=s)[0] for s in range(seeds)]
        )
        for m in ("model", "raw_mean", "habitual"):
            x = rows.filter(pl.col("method") == m)
            up = (x["lift_vs_model_pct_low"] > 0).sum()
            down = (x["lift_vs_model_pct_high"] < 0).sum()
            beat = "" if m == "model" else f"{up}/{seeds} / {down}/{seeds}"
            print(
                f"| {name} | {m} | {x['spearman'].mean():.3f} | {x['lift_pct'].mean():+.1f} % | "
                f"{(x['lift_pct_low'] > 0).sum()}/{seeds} | {beat} |"
            )


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--only", choices=["coverage", "backtest"], default=None)
    a = ap.parse_args()
    if a.only:
        {"coverage": coverage, "backtest": backtests}[a.only](a.seeds)
        raise SystemExit(0)
    recovery(a.seeds)
    null(a.seeds)
    coverage(a.seeds)
    backtests(a.seeds)
