"""The strategist report's section on the platform evidence, in Spanish or English (Markdown).

Three parts, from the warehouse's platform tables (:mod:`insights.recommend.evidence_tables`):

1. **What each recommendation shown rests on**: the region's own hourly series, the posts'
   pooled hour-of-week effects, follower activity (the sentences of
   :mod:`insights.recommend.evidence`, which also says how much of each), and, per channel
   with posts or activity, why they do or do not stand in for a region's series.
2. **The best hours from the team's own posts**
   (:func:`insights.models.post_effects.fit_post_effects`): per account and channel, the
   ``TOP_HOURS`` local hours of the day with the largest pooled effect, each as percent
   against the channel's engagement rate with its 90 % interval and the posts published at
   that hour; whether any hour's interval lies above the channel's mean; the posts left out
   and why (the 7-day settling rule). Followers' most active hours where an activity export
   exists.
3. **The post backtest** (:func:`insights.models.post_backtest.post_backtest`): rank
   correlation and the lift of the top third over the bottom third for the model, the
   spreadsheet's hourly mean and the habitual hour, each with its 90 % interval.

A warehouse without posts gets one paragraph saying so and what to load. Names from the data
(regions, channels, accounts, evidence sentences) go through the one escaping rule,
:func:`insights.textsafe.md_text`.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import polars as pl

from insights import i18n
from insights.models.post_backtest import MIN_TEST, MIN_TRAIN, post_backtest
from insights.models.post_effects import (
    DEFAULT_TZ,
    SETTLE_DAYS,
    fit_post_effects,
    prepare_posts,
)
from insights.recommend.evidence import activity_profile, forecast_note, with_evidence
from insights.textsafe import md_text

TOP_HOURS = 3
N_BOOT = 1000

TEXT: dict[str, dict[str, str]] = {
    "es": {
        "title": "### Qué evidencia hay detrás",
        "rests_on": "**En qué se apoya cada recomendación:**",
        "stand_in_own": "{channel} ({what}): no sustituye a ninguna serie horaria aquí, porque "
        "cada región recomendada ya tiene la suya; sus horas se muestran abajo para contrastar.",
        "stand_in_nogeo": "{channel} ({what}): ninguna descarga sitúa a la audiencia de este "
        "canal por región (solo por país o sin geografía), así que no da horarios a ninguna "
        "región; sus horas se muestran abajo.",
        "what_posts": "{n} publicaciones",
        "what_activity": "actividad de seguidores por hora",
        "posts_title": "### Las mejores horas según las publicaciones del equipo",
        "posts_intro": "{used} publicaciones con totales asentados (de {total}), "
        "{first}–{last}; tasa de interacción = interacciones por {basis}, en la hora local de "
        "la audiencia ({tz}). Efectos agrupados (modelo jerárquico normal, Gelman et al., "
        "*Bayesian Data Analysis*, 5.4): una hora con pocas publicaciones se acerca a la media "
        "del canal en vez de ganar por suerte.",
        "left_out": "Quedan fuera: {what}.",
        "too_young": "{n} con menos de {days} días al exportarse (sus totales aún crecen)",
        "no_basis": "{n} sin {basis}",
        "no_engagements": "{n} sin interacciones en la exportación",
        "cols": "| Canal | Hora (local) | Tasa de interacción frente a la media del canal "
        "| Intervalo del 90% | Publicaciones a esa hora |",
        "stands_out": "{channel}: las {hours} superan la media del canal (intervalo del 90% "
        "por encima).",
        "stands_out_one": "{channel}: las {hours} superan la media del canal (intervalo del "
        "90% por encima).",
        "none_stands_out": "{channel}: ninguna hora se distingue de la media del canal con un "
        "90% de confianza; las diferencias pueden ser suerte.",
        "activity": "Seguidores de {channel} más activos ({source}, {tz}): {hours}.",
        "activity_tz_unknown": "hora de la exportación, que no dice su zona",
        "bt_title": "### ¿Habría ayudado seguir estas horas? Backtest en publicaciones reservadas",
        "bt_intro": "Aprendido de las {n_train} publicaciones anteriores al {split}; probado en "
        "las {n_test} siguientes. Para cada método, la correlación de rangos (Spearman) entre "
        "su puntaje de la hora y el resultado de la publicación, y cuánto rindió el tercio de "
        "publicaciones que ponía arriba frente al que ponía abajo (intervalos del 90%, "
        "bootstrap de {n_boot} remuestreos).",
        "bt_cols": "| Método | Correlación de rangos | Intervalo del 90% "
        "| Tercio superior frente al inferior | Intervalo del 90% |",
        "model": "Modelo (efectos agrupados)",
        "raw_mean": "Media por hora de la hoja de cálculo",
        "habitual": "Hora habitual del equipo",
        "bt_helps": "Las publicaciones en las horas que el modelo pone arriba rindieron {lift} "
        "más que las de abajo (intervalo del 90%: {lo} a {hi}).",
        "bt_weak": "Con {n_test} publicaciones reservadas la ventaja del modelo no es segura "
        "(su intervalo incluye 0): el backtest de un solo equipo es una prueba débil.",
        "bt_vs_habit": "Frente a la hora habitual, la ventaja del modelo es segura "
        "(diferencia del 90%: {lo} a {hi}).",
        "bt_vs_habit_unsure": "Frente a la hora habitual, la diferencia no es segura "
        "(90%: {lo} a {hi}).",
        "bt_none": "Sin backtest de publicaciones: hay {n} publicaciones asentadas y hacen "
        "falta al menos {need} ({train} para aprender y {test} para reservar).",
        "no_posts": "**Publicaciones del equipo:** el almacén no tiene publicaciones (ninguna "
        "exportación de contenido cargada), así que no hay horas aprendidas de publicaciones "
        "propias ni backtest sobre ellas; estas recomendaciones se apoyan solo en las series "
        "horarias. Carga la exportación de contenido de Meta Business Suite, TikTok Studio, X "
        "o LinkedIn con `insights ingest` para verlas.",
        "no_settled": "**Publicaciones del equipo:** {total} publicaciones, ninguna utilizable "
        "({what}).",
        "and": " y ",
        "to": "a",
    },
    "en": {
        "title": "### What evidence is behind it",
        "rests_on": "**What each recommendation rests on:**",
        "stand_in_own": "{channel} ({what}): stands in for no hourly series here, since each "
        "region recommended has its own; its hours are shown below for comparison.",
        "stand_in_nogeo": "{channel} ({what}): no download places this channel's audience by "
        "region (by country only, or no geography), so it sets no region's slots; its hours "
        "are shown below.",
        "what_posts": "{n} posts",
        "what_activity": "follower activity by hour",
        "posts_title": "### The best hours from the team's own posts",
        "posts_intro": "{used} posts with settled totals (of {total}), {first}–{last}; "
        "engagement rate = engagements per {basis}, in the audience's local time ({tz}). "
        "Pooled effects (hierarchical normal model, Gelman et al., *Bayesian Data Analysis*, "
        "5.4): an hour with few posts is pulled toward the channel's mean instead of winning "
        "on luck.",
        "left_out": "Left out: {what}.",
        "too_young": "{n} under {days} days old when exported (their totals still grow)",
        "no_basis": "{n} without {basis}",
        "no_engagements": "{n} without engagements in the export",
        "cols": "| Channel | Hour (local) | Engagement rate against the channel's mean "
        "| 90% interval | Posts at that hour |",
        "stands_out": "{channel}: {hours} are above the channel's mean (90% intervals above it).",
        "stands_out_one": "{channel}: {hours} is above the channel's mean (90% interval above it).",
        "none_stands_out": "{channel}: no hour stands out from the channel's mean with 90% "
        "confidence; the differences may be luck.",
        "activity": "{channel} followers most active ({source}, {tz}): {hours}.",
        "activity_tz_unknown": "the export's clock, which does not state its zone",
        "bt_title": "### Would following these hours have helped? A backtest on held-out posts",
        "bt_intro": "Learned from the {n_train} posts before {split}; tested on the {n_test} "
        "after. For each method, the rank correlation (Spearman) between its score of the "
        "hour and the post's result, and how the third of posts it ranked top did against "
        "the third it ranked bottom (90% intervals, bootstrap of {n_boot} resamples).",
        "bt_cols": "| Method | Rank correlation | 90% interval "
        "| Top third against bottom third | 90% interval |",
        "model": "Model (pooled effects)",
        "raw_mean": "Spreadsheet mean by hour",
        "habitual": "The team's habitual hour",
        "bt_helps": "Posts at the hours the model ranks top did {lift} better than those at "
        "the bottom (90% interval: {lo} to {hi}).",
        "bt_weak": "With {n_test} held-out posts the model's gain is not sure (its interval "
        "includes 0): one team's backtest is a weak test.",
        "bt_vs_habit": "Against the habitual hour, the model's gain is sure (90% difference: "
        "{lo} to {hi}).",
        "bt_vs_habit_unsure": "Against the habitual hour, the difference is not sure (90%: "
        "{lo} to {hi}).",
        "bt_none": "No post backtest: {n} settled posts, and it needs at least {need} ({train} "
        "to learn from and {test} to hold out).",
        "no_posts": "**The team's posts:** the warehouse holds no posts (no content export "
        "loaded), so there are no best hours from the team's own posts and no backtest on "
        "them; these recommendations rest on the hourly series alone. Load a Meta Business "
        "Suite, TikTok Studio, X or LinkedIn content export with `insights ingest` to see "
        "them.",
        "no_settled": "**The team's posts:** {total} posts, none usable ({what}).",
        "and": " and ",
        "to": "to",
    },
}
BASIS = {
    "es": {"reach": "alcance", "impressions": "impresión", "views": "vista"},
    "en": {"reach": "reach", "impressions": "impression", "views": "view"},
}
SOURCE = {"tiktok": "TikTok Studio", "instagram": "Meta Business Suite"}


def _t(lang: str) -> dict[str, str]:
    return TEXT[lang if lang in TEXT else "en"]


def _hour(h: int, lang: str) -> str:
    return i18n.clock(datetime(2024, 1, 1, int(h), tzinfo=UTC), lang)


def _pct(x: float, lang: str) -> str:
    """A multiplier of the rate as signed percent against the mean: 1.32 -> ``+32%``."""
    return i18n.pct(100 * (x - 1), lang, signed=True)


def _joined(items: list[str], lang: str) -> str:
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + _t(lang)["and"] + items[-1]


def report_forecasts(db: str | None, now: datetime | None = None) -> tuple[dict, datetime]:
    """``(fc, start)``: the newest run's forecasts (:func:`insights.recommend.io.
    latest_forecasts`) with the pairs that have platform evidence but no forecast added over
    the forecasts' horizon (:func:`insights.recommend.evidence.with_evidence`: ``fc`` then
    carries ``evidence_notes``), and the first instant the report recommends (now, or the
    forecasts' first hour when later)."""
    from insights.recommend.io import latest_forecasts

    fc = latest_forecasts(db)
    now = now or datetime.now(UTC)
    ts = fc["engagement"]["ts"]
    if ts.len() == 0 or ts.min() is None:
        return with_evidence(fc, now, 7.0), now
    start = max(now, ts.min())
    horizon = (ts.max() - start).total_seconds() / 86400
    return (with_evidence(fc, start, horizon) if horizon > 0 else fc), start


def _rests_on(fc: dict, shown: pl.DataFrame, lang: str) -> list[str]:
    notes = fc.get("evidence_notes")
    key = "evidence_es" if lang == "es" else "evidence_en"
    out = [_t(lang)["rests_on"]]
    for i, r in enumerate(shown.select("region", "channel").iter_rows(named=True), 1):
        row = (
            notes.filter(pl.col("region") == r["region"], pl.col("channel") == r["channel"])
            if notes is not None
            else None
        )
        if row is not None and row.height:
            text = row[key][0]
        else:
            es, en = forecast_note(r["region"], r["channel"], fc.get("run_id"))
            text = es if lang == "es" else en
        out.append(
            f"{i}. **{md_text(r['region'])} · {md_text(i18n.brand(r['channel']))}**: "
            f"{md_text(text)}"
        )
    return out


def _stand_ins(fc: dict, shown: pl.DataFrame, lang: str, n_posts: dict) -> list[str]:
    """Per channel with posts or activity: why it sets no region's slots, when it sets none."""
    ev = fc.get("evidence") or {}
    notes = fc.get("evidence_notes")
    activity = ev.get("audience_activity")
    chans = set(n_posts)
    if activity is not None:
        chans |= set(activity["channel"].drop_nulls().to_list())
    used = set()
    if notes is not None:
        used = set(notes.filter(pl.col("evidence") != "forecast")["channel"].to_list())
    have = set(fc["engagement"].select("channel").unique()["channel"].to_list())
    t, out = _t(lang), []
    for ch in sorted(chans - used):
        what = (
            t["what_posts"].format(n=i18n.number(n_posts[ch], lang))
            if ch in n_posts
            else t["what_activity"]
        )
        key = "stand_in_own" if ch in have else "stand_in_nogeo"
        out.append("- " + t[key].format(channel=md_text(i18n.brand(ch)), what=what))
    return out


def _left_out(excluded: dict, basis: str, lang: str) -> str:
    t = _t(lang)
    parts = [
        t[k].format(n=i18n.number(excluded[k], lang), days=SETTLE_DAYS, basis=basis)
        for k in ("too_young", "no_basis", "no_engagements")
        if excluded.get(k)
    ]
    return _joined(parts, lang)


def _posts_part(posts: pl.DataFrame, lang: str) -> tuple[list[str], dict]:
    """The best hours from the posts, and ``{channel: settled posts}``."""
    t = _t(lang)
    prep = prepare_posts(posts)
    used = prep.filter(pl.col("status") == "used")
    excluded = dict(prep.filter(pl.col("status") != "used").group_by("status").len().iter_rows())
    bases = sorted(set(used["basis"].drop_nulls().to_list()) or {"reach"})
    basis = "/".join(BASIS[lang if lang in BASIS else "en"][b] for b in bases)
    if used.height == 0:
        why = _left_out(excluded, basis, lang)
        return [t["no_settled"].format(total=i18n.number(posts.height, lang), what=why)], {}
    model = fit_post_effects(prep, prepared=True)
    first, last = used["published_utc"].min(), used["published_utc"].max()
    tzs = sorted(set(used["tz"].to_list()))
    out = [
        t["posts_title"],
        t["posts_intro"].format(
            used=i18n.number(used.height, lang),
            total=i18n.number(posts.height, lang),
            first=i18n.local_date(first, lang),
            last=i18n.local_date(last, lang),
            basis=basis,
            tz=", ".join(tzs),
        ),
    ]
    if excluded:
        out[-1] += " " + t["left_out"].format(what=_left_out(excluded, basis, lang))
    table = [t["cols"], "|---|---|---|---|---|"]
    verdicts = []
    hours = model.hour_table("hour")
    several = hours["account"].n_unique() > 1
    for (account, channel), g in hours.partition_by(
        "account", "channel", as_dict=True, maintain_order=True
    ).items():
        name = i18n.brand(channel) + (f" ({account})" if several else "")
        for r in g.head(TOP_HOURS).iter_rows(named=True):
            table.append(
                f"| {md_text(name)} | {_hour(r['hour'], lang)} | {_pct(r['lift'], lang)} "
                f"| {_pct(r['lift_low'], lang)} {t['to']} {_pct(r['lift_high'], lang)} "
                f"| {i18n.number(r['n_posts'], lang)} |"
            )
        above = g.filter(pl.col("lift_low") > 1).sort("hour")["hour"].to_list()
        verdicts.append(
            t["stands_out" if len(above) > 1 else "stands_out_one"].format(
                channel=md_text(name), hours=_joined([_hour(h, lang) for h in above], lang)
            )
            if above
            else t["none_stands_out"].format(channel=md_text(name))
        )
    n_posts = dict(used.group_by("channel").len().iter_rows())
    return [*out, "\n".join(table), " ".join(verdicts)], n_posts


def _activity_part(activity: pl.DataFrame | None, lang: str, at: datetime) -> list[str]:
    if activity is None or activity.height == 0:
        return []
    t = _t(lang)
    prof = activity_profile(activity, DEFAULT_TZ, at)
    out = []
    for (channel,), g in prof.partition_by("channel", as_dict=True, maintain_order=True).items():
        top = (
            g.group_by("hour")
            .agg(pl.col("log_act").mean())
            .sort("log_act", "hour", descending=[True, False])
            .head(TOP_HOURS)["hour"]
            .to_list()
        )
        rows = activity.filter(pl.col("channel") == channel)
        known = rows["tz"].drop_nulls()
        tz = DEFAULT_TZ if known.len() else t["activity_tz_unknown"]
        platform = rows["platform"][0]
        out.append(
            t["activity"].format(
                channel=md_text(i18n.brand(channel)),
                source=md_text(SOURCE.get(platform, i18n.brand(platform))),
                tz=tz,
                hours=_joined([_hour(h, lang) for h in top], lang),
            )
        )
    return [" ".join(out)] if out else []


def _backtest_part(posts: pl.DataFrame, lang: str, n_boot: int) -> list[str]:
    t = _t(lang)
    try:
        table, meta = post_backtest(posts, n_boot=n_boot)
    except ValueError:
        n = prepare_posts(posts).filter(pl.col("status") == "used").height
        need = math.ceil(max(MIN_TRAIN * 1.5, MIN_TEST * 3))
        return [
            t["bt_none"].format(n=i18n.number(n, lang), need=need, train=MIN_TRAIN, test=MIN_TEST)
        ]
    rows = [t["bt_cols"], "|---|---|---|---|---|"]
    by = {}
    for r in table.iter_rows(named=True):
        by[r["method"]] = r
        rows.append(
            f"| {t[r['method']]} | {i18n.decimal(r['spearman'], lang)} "
            f"| {i18n.decimal(r['spearman_low'], lang)} {t['to']} "
            f"{i18n.decimal(r['spearman_high'], lang)} "
            f"| {i18n.pct(r['lift_pct'], lang, signed=True)} "
            f"| {i18n.pct(r['lift_pct_low'], lang, signed=True)} {t['to']} "
            f"{i18n.pct(r['lift_pct_high'], lang, signed=True)} |"
        )
    m, h = by["model"], by["habitual"]
    say = [
        t["bt_helps"].format(
            lift=i18n.pct(m["lift_pct"], lang),
            lo=i18n.pct(m["lift_pct_low"], lang, signed=True),
            hi=i18n.pct(m["lift_pct_high"], lang, signed=True),
        )
        if m["lift_pct_low"] > 0
        else t["bt_weak"].format(n_test=i18n.number(meta["n_test"], lang))
    ]
    lo, hi = h["lift_vs_model_pct_low"], h["lift_vs_model_pct_high"]
    key = "bt_vs_habit" if lo is not None and lo > 0 else "bt_vs_habit_unsure"
    say.append(
        t[key].format(lo=i18n.pct(lo, lang, signed=True), hi=i18n.pct(hi, lang, signed=True))
    )
    intro = t["bt_intro"].format(
        n_train=i18n.number(meta["n_train"], lang),
        n_test=i18n.number(meta["n_test"], lang),
        split=i18n.local_date(meta["split_utc"], lang),
        n_boot=i18n.number(meta["n_boot"], lang),
    )
    return [t["bt_title"], intro, "\n".join(rows), " ".join(say)]


def evidence_section(
    fc: dict,
    shown: pl.DataFrame,
    lang: str,
    *,
    n_boot: int = N_BOOT,
    now: datetime | None = None,
) -> str:
    """The section's Markdown. ``fc``: :func:`report_forecasts`'s dict (its ``evidence``:
    the platform tables, ``evidence_notes``: what each pair rests on); ``shown``: the
    recommendations spelled out (``region, channel`` columns), in order."""
    t = _t(lang)
    ev = fc.get("evidence") or {}
    posts = ev.get("posts")
    parts = [t["title"]]
    rests = _rests_on(fc, shown, lang)
    if posts is None or posts.height == 0:
        parts += ["\n".join(rests + _stand_ins(fc, shown, lang, {})), t["no_posts"]]
        parts += _activity_part(ev.get("audience_activity"), lang, now or datetime.now(UTC))
        return "\n\n".join(parts)
    body, n_posts = _posts_part(posts, lang)
    parts.append("\n".join(rests + _stand_ins(fc, shown, lang, n_posts)))
    parts += body
    parts += _activity_part(ev.get("audience_activity"), lang, now or datetime.now(UTC))
    if n_posts:
        parts += _backtest_part(posts, lang, n_boot)
    return "\n\n".join(parts)
