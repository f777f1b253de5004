"""`insights studio-energy`: the studio's kWh and kgCO2e per day, week and job, time-matched."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from insights.commands.common import add_db, add_flexible_jobs, add_lang, emit_json
from insights.studio import DEFAULT_ZONE

# The text output in the language of --lang; every number, day and time goes through
# insights.i18n (Babel, CLDR: es_MX or en_US), as on the report pages. --json is unchanged.
TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "head": "Studio energy {start} to {end} ({tz}), grid zone {zone}",
        "national": "national grid signal {zone} used: no carbon data for {own}",
        "total": "{kwh} kWh -> {kg} kgCO2e time-matched ({g} g/kWh), against {kg_a} kgCO2e "
        "at the yearly average {g_a} g/kWh ({basis}): {diff} kg ({pct}) from when the work ran",
        "basis_given": "given with --annual-factor",
        "basis_mean": "mean of {n} hourly values ({d} days)",
        "no_ci": "{n} h without intensity priced at the yearly factor",
        "days": "Per day (local)",
        "weeks": "Per week (starting Monday)",
        "jobs": "Per job",
        "cols": {
            "day": "day",
            "week": "week",
            "job": "job",
            "kwh": "kWh",
            "kg": "kgCO2e",
            "kg_annual": "kg yearly avg",
            "kg_diff": "kg diff",
            "best_delay_h": "best delay h",
            "saving_kg": "saving kg",
        },
        "shift": "Shifting {label}, up to {slack} h later: {n} job(s), {kg} -> {kg_s} kgCO2e, "
        "saving {save} kg ({pct})",
        "flexible": "flexible jobs",
        "all": "all jobs (what-if)",
        "mark": "  [mark jobs with --flexible]",
    },
    "es": {
        "head": "Energía del estudio del {start} al {end} ({tz}), zona de la red {zone}",
        "national": "se usó la señal nacional de la red {zone}: sin datos de carbono para {own}",
        "total": "{kwh} kWh -> {kg} kgCO2e hora por hora ({g} g/kWh), frente a {kg_a} kgCO2e "
        "con el promedio anual de {g_a} g/kWh ({basis}): {diff} kg ({pct}) por el horario en "
        "que se trabajó",
        "basis_given": "dado con --annual-factor",
        "basis_mean": "media de {n} valores horarios ({d} días)",
        "no_ci": "{n} h sin intensidad, valoradas con el factor anual",
        "days": "Por día (hora local)",
        "weeks": "Por semana (desde el lunes)",
        "jobs": "Por trabajo",
        "cols": {
            "day": "día",
            "week": "semana",
            "job": "trabajo",
            "kwh": "kWh",
            "kg": "kgCO2e",
            "kg_annual": "kg prom. anual",
            "kg_diff": "kg dif.",
            "best_delay_h": "mejor retraso h",
            "saving_kg": "ahorro kg",
        },
        "shift": "Moviendo {label}, hasta {slack} h después: {n} trabajo(s), {kg} -> {kg_s} "
        "kgCO2e, ahorro de {save} kg ({pct})",
        "flexible": "los trabajos flexibles",
        "all": "todos los trabajos (hipótesis)",
        "mark": "  [marca trabajos con --flexible]",
    },
}


def _cell(col: str, v, lang: str) -> str:
    from insights import i18n

    if col in ("day", "week"):
        return i18n.day(str(v), lang)
    if col == "job":
        return str(v)[:36]
    if col == "best_delay_h":
        return i18n.number(v, lang)
    if col == "kg_diff":
        return _signed(v, lang)
    return i18n.number(v, lang, 3)


def _signed(v, lang: str, digits: int = 3) -> str:
    from insights import i18n

    if v is None:
        return "—"
    text = i18n.number(abs(v), lang, digits)
    return text if round(v, digits) == 0 else ("+" if v > 0 else "-") + text


def table(rows: list[dict], cols: list[str], label: str, lang: str) -> str:
    """A fixed-width table: the first column left-aligned, numbers right-aligned."""
    names = TEXT[lang]["cols"]
    w = [max([len(names[c]), *(len(_cell(c, r[c], lang)) for r in rows)]) for c in cols]
    w[0] = max(w[0], 12)

    def line(cells: list[str]) -> str:
        return "  " + "  ".join(
            f"{t:<{w[i]}}" if i == 0 else f"{t:>{max(w[i], 12)}}" for i, t in enumerate(cells)
        )

    out = [f"\n{label}", line([names[c] for c in cols])]
    out += [line([_cell(c, r[c], lang) for c in cols]) for r in rows]
    return "\n".join(out)


def render(out: dict, tz: str, region: str | None, lang: str) -> str:
    """The text of ``insights studio-energy`` for ``out`` (:func:`insights.pipeline.studio_energy`)."""
    from insights import i18n

    tx, t, s = TEXT[lang], out["total"], out["shift"]
    start, end = (datetime.fromisoformat(x) for x in out["period_local"])
    lines = [
        tx["head"].format(
            start=i18n.local_time(start, lang), end=i18n.local_time(end, lang), tz=tz,
            zone=out["zone"],
        )
    ]  # fmt: skip
    if out.get("national_signal"):
        own = out["own_zone"] + (f" ({region})" if region else "")
        lines.append("  " + tx["national"].format(zone=out["zone"], own=own))
    n = out.get("annual_factor_hours")
    basis = (
        tx["basis_given"]
        if n is None
        else tx["basis_mean"].format(n=i18n.number(n, lang), d=i18n.number(n / 24, lang))
    )
    lines.append(
        "  "
        + tx["total"].format(
            kwh=i18n.number(t["kwh"], lang, 3),
            kg=i18n.number(t["kgco2e"], lang, 3),
            g=i18n.number(t["matched_g_per_kwh"], lang, 1),
            kg_a=i18n.number(t["kgco2e_annual_factor"], lang, 3),
            g_a=i18n.number(out["annual_factor_g_per_kwh"], lang, 1),
            basis=basis,
            diff=_signed(t["kg_diff"], lang),
            pct=i18n.pct(t["diff_pct"], lang, 1, signed=True),
        )
    )
    if t["hours_without_intensity"]:
        lines.append("  " + tx["no_ci"].format(n=i18n.number(t["hours_without_intensity"], lang)))
    cols = ["kwh", "kg", "kg_annual", "kg_diff"]
    lines.append(table(out["days"], ["day", *cols], tx["days"], lang))
    lines.append(table(out["weeks"], ["week", *cols], tx["weeks"], lang))
    job_cols = ["job", "kwh", "kg", "kg_annual", "best_delay_h", "saving_kg"]
    lines.append(table(out["jobs"], job_cols, tx["jobs"], lang))
    for key in ("flexible", "all"):
        v = s[key]
        lines.append(
            "\n"
            + tx["shift"].format(
                label=tx[key],
                slack=s["slack_hours"],
                n=v["jobs"],
                kg=i18n.number(v["kgco2e"], lang, 3),
                kg_s=i18n.number(v["kgco2e_shifted"], lang, 3),
                save=i18n.number(v["saving_kg"], lang, 3),
                pct=i18n.pct(v["saving_pct"], lang, 1),
            )
            + ("" if key == "all" or s["flexible_patterns"] else tx["mark"])
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from insights import pipeline
    from insights.studio import emissions

    _, tz = emissions.resolve_zone(args.zone, args.region)  # the local time of the output
    request = pipeline.StudioEnergyRequest(
        zone=args.zone,
        region=args.region,
        flexible=tuple(args.flexible),
        slack_hours=args.slack_hours,
        annual_factor=args.annual_factor,
    )
    out = pipeline.studio_energy(request, args.db)
    if args.json:
        emit_json(out)
        return 0
    print(render(out, tz, args.region, args.lang))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "studio-energy", help="the studio's GPU kWh and kgCO2e per day, week and job"
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument("--zone", help=f"grid zone (default {DEFAULT_ZONE}, Mexico City)")
    g.add_argument("--region", help="the studio's region (its grid zone is used)")
    add_flexible_jobs(
        p,
        "jobs whose start could move (glob on the job label; repeatable)",
        "how much later a job may start (12)",
    )
    p.add_argument(
        "--annual-factor",
        type=float,
        default=None,
        metavar="G",
        help="yearly average gCO2e/kWh (default: the zone's mean over the year in the warehouse)",
    )
    p.add_argument("--json", action="store_true", help="one JSON document instead of text")
    add_lang(p)
    add_db(p)
    p.set_defaults(func=run)
