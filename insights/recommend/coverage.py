"""Which pairs an answer leaves out, and why; which pairs share the pooled profile.

Every ``(region, channel)`` with data that the selection covers but that gets no slot is
named with its reason, so that no pair disappears from a recommendation in silence (a pair
whose forecasts end before the horizon, or are not hourly, used to vanish and let a smaller
pair take its place in the strategist's summary). Pure functions over loaded forecasts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from insights.recommend.slots import SlotRules

# reason codes (stable, for programs) -> what a person reads is in ``reason``
NO_FORECASTS = "no_forecasts"
ENDS_BEFORE = "forecasts_end_before_horizon"
STARTS_AFTER = "forecasts_start_after_horizon"
NOT_HOURLY = "forecasts_not_hourly"
NO_ALLOWED_HOUR = "no_allowed_hour"
NOT_CHOSEN = "no_slot_chosen"


def _fmt(t: datetime) -> str:
    return f"{t:%Y-%m-%d %H:%M} UTC"


# The Spanish reason of each code, for the reports (the CLI and the API speak English).
REASON_ES = {
    NO_FORECASTS: "sin pronósticos en la corrida del modelo (historial demasiado corto para "
    "entrenar, o datos ingeridos después); ejecuta `insights train`",
    ENDS_BEFORE: "sus pronósticos terminan antes del horizonte; ingiere datos más recientes y "
    "vuelve a entrenar",
    STARTS_AFTER: "sus pronósticos empiezan después del horizonte",
    NOT_HOURLY: "sus pronósticos no son horarios: no hay ventanas de una hora que puntuar",
    NO_ALLOWED_HOUR: "las horas y días permitidos no dejan ninguna hora de inicio en su hora local",
    NOT_CHOSEN: "ningún horario puntuado en las horas permitidas",
}


def reason_in(item: dict, lang: str) -> str:
    """An item of :func:`not_recommended` in the report's language."""
    return REASON_ES.get(item["code"], item["reason"]) if lang == "es" else item["reason"]


def _step(step: timedelta) -> str:
    hours = step.total_seconds() / 3600
    if hours >= 24 and hours % 24 == 0:
        return f"{hours / 24:g} day" + ("s" if hours != 24 else "")
    return f"{hours:g} h"


def _selected(df: pl.DataFrame, rules: SlotRules) -> pl.DataFrame:
    if rules.regions:
        df = df.filter(pl.col("region").is_in(rules.regions))
    if rules.channels:
        df = df.filter(pl.col("channel").is_in(rules.channels))
    return df


def horizon(rules: SlotRules) -> tuple[datetime, datetime]:
    """``[start, end)`` of the horizon in UTC, the first whole hour at or after the start."""
    start = rules.start.replace(minute=0, second=0, microsecond=0)
    if start < rules.start:
        start += timedelta(hours=1)
    return start, start + timedelta(hours=rules.horizon_days * 24)


def not_recommended(
    fc: dict, rules: SlotRules, cands: pl.DataFrame, recs: pl.DataFrame
) -> list[dict]:
    """``[{region, channel, code, reason}]`` for every selected pair without a slot.

    ``fc``: :func:`insights.recommend.io.latest_forecasts` (``pairs`` lists every pair with
    data; absent, the forecast pairs stand in); ``cands``: the candidate slots
    (:func:`insights.recommend.slots.build_candidates`); ``recs``: the chosen slots.
    """
    eng = _selected(fc["engagement"], rules)
    universe = fc.get("pairs")
    universe = eng.select("region", "channel") if universe is None else _selected(universe, rules)
    universe = pl.concat([universe, eng.select("region", "channel")]).unique()
    chosen = set(zip(recs["region"], recs["channel"], strict=True)) if recs.height else set()
    stats = {
        (r["region"], r["channel"]): r
        for r in eng.group_by("region", "channel")
        .agg(
            pl.col("ts").min().alias("first"),
            pl.col("ts").max().alias("last"),
            pl.col("ts").sort().diff().min().alias("step"),
        )
        .iter_rows(named=True)
    }
    cand = {}
    if cands.height:
        for r in (
            cands.group_by("region", "channel")
            .agg(pl.len().alias("n"), pl.col("allowed").any().alias("any_allowed"))
            .iter_rows(named=True)
        ):
            cand[(r["region"], r["channel"])] = r
    h0, h1 = horizon(rules)
    out = []
    for region, channel in sorted(universe.iter_rows()):
        key = (region, channel)
        if key in chosen:
            continue
        st, c = stats.get(key), cand.get(key)
        if st is None:
            code, reason = (
                NO_FORECASTS,
                f"no forecasts in model run {fc['run_id']} (too little history to train, or "
                "ingested after that run); run `insights train`",
            )
        elif c is not None and not c["any_allowed"]:
            code, reason = (
                NO_ALLOWED_HOUR,
                "the allowed hours and days leave no start hour in its local time; widen "
                "--hours/--days",
            )
        elif st["last"] < h0:
            code, reason = (
                ENDS_BEFORE,
                f"its forecasts end {_fmt(st['last'])}, before the horizon starts "
                f"{_fmt(h0)}; ingest newer data and run `insights train`, or pass an "
                "earlier --from",
            )
        elif st["first"] >= h1:
            code, reason = (
                STARTS_AFTER,
                f"its forecasts start {_fmt(st['first'])}, after the horizon ends {_fmt(h1)}; "
                "pass a later --from or a longer --horizon-days",
            )
        elif st["step"] is not None and st["step"] != timedelta(hours=1):
            code, reason = (
                NOT_HOURLY,
                f"its forecasts are not hourly (one row every {_step(st['step'])}), so no "
                f"{rules.window_hours} h slot can be scored; its series was trained at that "
                "step",
            )
        elif c is None:
            code, reason = (
                NOT_HOURLY,
                f"its forecast hours in the horizon hold no {rules.window_hours} consecutive hours",
            )
        else:
            code, reason = NOT_CHOSEN, "no slot scored (no forecast value in the allowed hours)"
        out.append({"region": region, "channel": channel, "code": code, "reason": reason})
    return out


def pooled_profile_pairs(fc: dict, recs: pl.DataFrame) -> list[dict]:
    """Recommended pairs whose forecast is the pooled hour-of-week profile (method
    ``profile``: too little history of their own), ``[{region, channel}]``: their slots
    follow the same profile, scaled to each pair's level, not their own history."""
    eng = fc["engagement"]
    if recs.height == 0 or "method" not in eng.columns:
        return []
    prof = (
        eng.filter(pl.col("method") == "profile")
        .select("region", "channel")
        .unique()
        .join(recs.select("region", "channel").unique(), on=["region", "channel"])
        .sort("region", "channel")
    )
    return prof.to_dicts()


def no_slot_message(skipped: list[dict]) -> str:
    """One line for an answer with no slot at all, built from the pairs' own reasons."""
    if not skipped:
        return "no forecast hours in the horizon for the selection"
    shown = "; ".join(f"{s['region']}/{s['channel']}: {s['reason']}" for s in skipped[:3])
    more = f" (and {len(skipped) - 3} more pairs)" if len(skipped) > 3 else ""
    return f"no slot for the selection: {shown}{more}"


def skipped_markdown(skipped: list[dict], lang: str) -> str:
    """The report's paragraph naming each pair without a slot and why ("" when none)."""
    from insights.narrative import md_text, say

    if not skipped:
        return ""
    lines = [say("pairs_skipped", lang, n=len(skipped))]
    lines += [
        f"- {md_text(s['region'])} · {md_text(s['channel'])}: {reason_in(s, lang)}" for s in skipped
    ]
    return "\n".join(lines)
