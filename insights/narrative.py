"""Plain-language text for reports, in Spanish or English.

The text is Markdown: names from the data (region, channel) are escaped with
:func:`insights.textsafe.md_text`, so they show as themselves and never as markup.
A region with no grid data says so, never "0 % renewable"; a run whose series were
too short to backtest says that instead of a coverage figure.

>>> headline({"region": "Jalisco", "channel": "tiktok", "start_local": "2026-12-05T21:00:00-06:00",
...           "expected_engagement": 1234.0, "engagement_low": 1100.0, "engagement_high": 1400.0,
...           "renewable_pct": 31.0, "carbon_intensity": 320.0, "engagement_vs_best_pct": -3.0,
...           "carbon_vs_best_pct": -12.0}, "en").startswith("Publish on tiktok in Jalisco")
True
"""

from __future__ import annotations

from datetime import datetime

from insights import i18n
from insights.textsafe import md_text

DAYS = {
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
TEXT: dict[str, dict[str, str]] = {
    "es": {
        "headline": "Publica en {channel} en {region} el {day} {date} a las {time} (hora local): "
        "se esperan unas {eng} interacciones (intervalo del 80%: {lo}–{hi}), "
        "con la red al {ren} renovable{band} y {ci} gCO₂eq/kWh.",
        "tradeoff": "Frente al mejor horario solo por alcance, cedes {eng_loss} de interacciones; "
        "{energy}.",
        "tradeoff_free": "Frente al mejor horario solo por alcance no cedes interacciones; "
        "{energy}.",
        "energy_both": "la proporción renovable cambia {ren} y la intensidad de carbono {ci}",
        "energy_ren": "la proporción renovable cambia {ren} y la intensidad de carbono no cambia",
        "energy_ci": "la proporción renovable no cambia y la intensidad de carbono cambia {ci}",
        "energy_none": "ni la proporción renovable ni la intensidad de carbono cambian",
        "disagree_renewable": "Las dos señales discrepan: el orden sigue la proporción "
        "renovable (más alta aquí), pero la red emite más por kWh; con `signal` = carbon se "
        "ordenaría por el carbono.",
        "disagree_carbon": "Las dos señales discrepan: el orden sigue la intensidad de carbono "
        "(más baja aquí), aunque la proporción renovable es menor; con `signal` = renewable se "
        "ordenaría por la proporción renovable.",
        "tradeoff_none": "Es también el mejor horario solo por alcance: no cedes interacciones.",
        "uncertainty": "Incertidumbre: en el backtest, el intervalo del 80% contuvo el valor real "
        "el {coverage} de las veces; el error típico (MASE) fue {mase} "
        "(1 = pronóstico ingenuo de la semana anterior).",
        "data_age": "Datos hasta {data_end} (UTC); los pronósticos cubren el tiempo desde entonces "
        "(corrida del modelo `{run_id}`).",
        "weight": "Peso energético {w}: 0 ordena solo por interacciones, 1 solo por energía renovable.",
        "headline_nogrid": "Publica en {channel} en {region} el {day} {date} a las {time} (hora local): "
        "se esperan unas {eng} interacciones (intervalo del 80%: {lo}–{hi}); "
        "sin datos de la red para esta región (ordenado solo por interacciones).",
        "uncertainty_none": "Incertidumbre: no medida; el historial es demasiado corto para un "
        "backtest de los pronósticos. Ingiere más semanas de datos y vuelve a entrenar.",
        "backtest_skipped": "**Sin backtest para {n} de {weeks} semanas**: el historial antes "
        "de esas semanas es demasiado corto para ajustar los modelos (el de la red necesita "
        "más de 35 días antes de cada semana). {shown}",
        "backtest_shown": "Abajo, las semanas que sí se pudieron reconstruir.",
        "backtest_none": "Nada que mostrar todavía: ingiere más semanas de datos.",
        "pairs_skipped": "**Sin recomendación para {n} combinación(es) de región y canal**, "
        "cada una con su motivo:",
        "no_grid": "**Sin pronóstico de la red** para estos horarios (el modelo de la red "
        "necesita más de 35 días de datos de la red, o no se cargó ninguno): se ordenan solo "
        "por interacciones, y renovable y carbono quedan en blanco.",
        "no_grid_chart": "**Frontera de Pareto:** no se dibuja; sin pronóstico de la red no "
        "hay nada que intercambiar.",
    },
    "en": {
        "headline": "Publish on {channel} in {region} on {day} {date} at {time} (local time): "
        "about {eng} engagements expected (80% interval {lo}–{hi}), "
        "with the grid {ren} renewable{band} and {ci} gCO₂eq/kWh.",
        "tradeoff": "Against the best engagement-only time you give up {eng_loss} of engagement; "
        "{energy}.",
        "tradeoff_free": "Against the best engagement-only time you give up no engagement; "
        "{energy}.",
        "energy_both": "the renewable share changes by {ren} and the carbon intensity by {ci}",
        "energy_ren": "the renewable share changes by {ren} and the carbon intensity does not",
        "energy_ci": "the renewable share does not change and the carbon intensity changes by {ci}",
        "energy_none": "neither the renewable share nor the carbon intensity changes",
        "disagree_renewable": "The two signals disagree: the ranking follows renewable share "
        "(higher here), yet the grid emits more per kWh; `signal` = carbon would rank by "
        "carbon instead.",
        "disagree_carbon": "The two signals disagree: the ranking follows carbon intensity "
        "(lower here), though the renewable share is lower; `signal` = renewable would rank by "
        "renewable share instead.",
        "tradeoff_none": "It is also the best engagement-only time: no engagement given up.",
        "uncertainty": "Uncertainty: in the backtest the 80% interval held the actual value "
        "{coverage} of the time; the typical error (MASE) was {mase} "
        "(1 = the naive same-hour-last-week forecast).",
        "data_age": "Data up to {data_end} (UTC); forecasts cover the time since "
        "(model run `{run_id}`).",
        "weight": "Energy weight {w}: 0 ranks by engagement alone, 1 by renewable energy alone.",
        "headline_nogrid": "Publish on {channel} in {region} on {day} {date} at {time} (local time): "
        "about {eng} engagements expected (80% interval {lo}–{hi}); "
        "no grid data for this region (ranked by engagement alone).",
        "uncertainty_none": "Uncertainty: not measured; the history is too short to backtest "
        "the forecasts. Ingest more weeks of data and train again.",
        "backtest_skipped": "**No backtest for {n} of {weeks} weeks**: the history before "
        "those weeks is too short to fit the models (the grid's needs more than 35 days "
        "before each week). {shown}",
        "backtest_shown": "Below, the weeks that could be replayed.",
        "backtest_none": "Nothing to show yet: ingest more weeks of data.",
        "pairs_skipped": "**No recommendation for {n} region and channel pair(s)**, each "
        "with its reason:",
        "no_grid": "**No grid forecast** for these slots (the grid model needs more than 35 "
        "days of grid data, or none was loaded): they are ranked by engagement alone, and "
        "renewable share and carbon are left blank.",
        "no_grid_chart": "**Pareto front:** not drawn; without a grid forecast there is "
        "nothing to trade off.",
    },
}


DATA_KEYS = {"region", "channel", "topic", "zone"}  # names from the data: escaped
# numbers given to :func:`say`, written by insights.i18n (Babel, CLDR) in the text's language
NUMBER_KEYS = {
    "eng": lambda v, lang: i18n.number(v, lang),
    "lo": lambda v, lang: i18n.number(v, lang),
    "hi": lambda v, lang: i18n.number(v, lang),
    "ren": lambda v, lang: i18n.pct(v, lang),
    "ci": lambda v, lang: i18n.number(v, lang),
    "coverage": lambda v, lang: i18n.pct(100 * v, lang),
    "mase": lambda v, lang: i18n.decimal(v, lang),
    "w": lambda v, lang: i18n.decimal(v, lang),
}


def say(key: str, lang: str, **kw: object) -> str:
    """``key``'s text in ``lang``; names from the data are Markdown-escaped, and a missing
    coverage or MASE (``None``: nothing could be backtested) gives ``uncertainty_none``."""
    if key == "uncertainty" and (kw.get("coverage") is None or kw.get("mase") is None):
        key, kw = "uncertainty_none", {}
    kw = {k: md_text(v) if k in DATA_KEYS else v for k, v in kw.items()}
    for k, fmt in NUMBER_KEYS.items():  # numbers in the language's CLDR style, never Python's
        if isinstance(kw.get(k), int | float):
            kw[k] = fmt(kw[k], lang)
    return TEXT[lang if lang in TEXT else "en"][key].format(**kw)


def headline(rec: dict, lang: str) -> str:
    start = datetime.fromisoformat(rec["start_local"])
    missing = rec.get("renewable_pct") is None or rec.get("carbon_intensity") is None
    return say(
        "headline_nogrid" if missing else "headline",
        lang,
        channel=rec["channel"],
        region=rec["region"],
        day=DAYS[lang if lang in DAYS else "en"][start.weekday()],
        date=i18n.day_month(start, lang),
        time=i18n.clock(start, lang),  # one clock style per language (CLDR, Babel)
        eng=rec["expected_engagement"],
        lo=rec["engagement_low"],
        hi=rec["engagement_high"],
        ren=rec["renewable_pct"] or 0,
        band=_band(rec, lang),
        ci=rec["carbon_intensity"] or 0,
    )


def _band(rec: dict, lang: str) -> str:
    """`` (12–20%)``: the 80% interval of the renewable-share forecast, when the run has one."""
    lo, hi = rec.get("renewable_pct_low"), rec.get("renewable_pct_high")
    if lo is None or hi is None:
        return ""
    return f" ({i18n.number(max(lo, 0), lang)}–{i18n.pct(min(hi, 100), lang)})"


def no_grid(recs, lang: str, chart: bool = False) -> str:
    """Why a page's slots show no grid values (none of ``recs`` has one), or ``""``:
    the table's sentence, or with ``chart`` the one that stands in for the Pareto front."""
    if recs.height == 0 or recs["renewable_pct"].is_not_null().any():
        return ""
    return say("no_grid_chart" if chart else "no_grid", lang)


def tradeoff(rec: dict, lang: str, signal: str = "renewable") -> str:
    """What the slot gives up and gains against the pair's best engagement-only slot: both
    energy signals' changes (the one ``signal`` ranked by and the other), and, when they
    point opposite ways (``energy_signals_disagree``), which one the ranking followed.

    >>> tradeoff({"engagement_vs_best_pct": -1.0, "renewable_vs_best_pp": 2.5,
    ...           "carbon_vs_best_pct": 3.3, "energy_signals_disagree": True}, "en")[-47:]
    '`signal` = carbon would rank by carbon instead.'
    """
    eng = rec["engagement_vs_best_pct"] or 0.0
    ren, ci = rec.get("renewable_vs_best_pp"), rec.get("carbon_vs_best_pct")
    # a change that shows as 0.0 is no change: said in words, never "-0.0%" or "0.0%"
    # (a missing grid value is not "no change": it shows as a dash)
    ren_still, ci_still = i18n.rounds_to_zero(ren, 1), i18n.rounds_to_zero(ci, 1)
    if i18n.rounds_to_zero(eng, 1) and (ren is None or ren_still) and (ci is None or ci_still):
        return say("tradeoff_none", lang)
    energy = say(
        "energy_none" if ren_still and ci_still else
        "energy_ci" if ren_still else "energy_ren" if ci_still else "energy_both",
        lang,
        ren=i18n.points(ren, lang),
        ci=i18n.pct(ci, lang, 1, signed=True),
    )  # fmt: skip
    if i18n.rounds_to_zero(eng, 1):
        text = say("tradeoff_free", lang, energy=energy)
    else:
        text = say("tradeoff", lang, eng_loss=i18n.pct(-eng, lang, 1), energy=energy)
    if rec.get("energy_signals_disagree"):
        text += " " + say(f"disagree_{'carbon' if signal == 'carbon' else 'renewable'}", lang)
    return text


EXPLAIN: dict[str, dict[str, str]] = {
    "ingest": {
        "es": "**Qué muestra:** lo que el almacén DuckDB contiene tras cargar las exportaciones "
        "(filas, periodo, regiones o zonas y fuentes por tabla) y el registro de cada archivo. "
        "Un archivo ya cargado se omite; uno rechazado no cambia nada y su motivo queda en `rejects`.",
        "en": "**What it shows:** what the DuckDB warehouse holds after loading the exports (rows, "
        "period, regions or zones and sources per table) and the log of each file. A file "
        "already loaded is skipped; a rejected one changes nothing and its reason is kept in `rejects`.",
    },
    "heatmap": {
        "es": "**Mapa de calor:** interacciones medias por hora y día de la semana, en la hora local de "
        "cada región (últimas 8 semanas). Los tonos claros son los momentos de mayor audiencia.",
        "en": "**Heatmap:** mean engagements by hour and weekday, in each region's local time (last "
        "8 weeks). Bright cells are when the audience is largest.",
    },
    "energy": {
        "es": "**La red por hora:** porcentaje renovable (izquierda; más alto es mejor) e intensidad "
        "de carbono (derecha; más baja es mejor) medios por hora local en cada zona de la red.",
        "en": "**The grid by hour:** mean renewable share (left; higher is better) and carbon "
        "intensity (right; lower is better) by local hour in each grid zone.",
    },
    "topics": {
        "es": "**Temas al alza:** cambio de la participación de cada tema en su región en las últimas "
        "4 semanas frente a las 12 anteriores; verde = al alza con significancia (Mann-Whitney p < 0.05).",
        "en": "**Rising topics:** change in each topic's share of its region over the last 4 weeks "
        "against the 12 before; green = rising, significant (Mann-Whitney p < 0.05).",
    },
    "train": {
        "es": "**Modelos:** un modelo global de gradient boosting para todas las series región × canal, "
        "evaluado por origen móvil. Un MAE relativo < 1 significa que erró menos que el pronóstico "
        "ingenuo (la misma hora de la semana anterior) en las mismas semanas no vistas; MASE < 1, "
        "que erró menos que el error típico de ese ingenuo en el historial. La cobertura es la "
        "fracción de valores reales dentro del intervalo del 80%.",
        "en": "**Models:** one global gradient-boosting model for every region × channel series, "
        "evaluated by rolling origin. `relative_mae` < 1 means it erred less than the naive "
        "forecast (the same hour last week) on the same unseen weeks; MASE < 1, that it erred less "
        "than that naive forecast's typical error over the history. Coverage is the share of "
        "actual values inside the 80% interval.",
    },
    "forecast": {
        "es": "**Pronóstico:** la línea azul es el pronóstico de la próxima semana con su intervalo "
        "del 80% (banda); la línea gris, lo observado.",
        "en": "**Forecast:** the blue line is next week's forecast with its 80% interval (band); "
        "the grey line is what was observed.",
    },
    "recommend": {
        "es": "**Recomendaciones:** para cada región y canal, los horarios que maximizan la suma de "
        "puntajes con el peso energético dado. Δ compara con el mejor horario solo por alcance; "
        "el orden sigue la proporción renovable, y Δ renovable (puntos porcentuales) la "
        "muestra junto a Δ carbono. Las dos pueden discrepar: una mezcla más renovable puede "
        "emitir más por kWh (si el sol desplaza a la hidroeléctrica y no al carbón).",
        "en": "**Recommendations:** for each region and channel, the start times that maximise the "
        "summed score at the given energy weight. Δ compares with the best engagement-only time; "
        "the ranking follows renewable share, shown as Δ renewable (percentage points) beside "
        "Δ carbon. The two can disagree: a more renewable mix can emit more per kWh (when sun "
        "displaces hydro rather than coal).",
    },
    "calendar": {
        "es": "**Calendario:** cada punto es un horario recomendado (hora local, escrita a su "
        "derecha), bajo el día en que cae; más verde = red más renovable, en la escala de los "
        "valores mostrados.",
        "en": "**Calendar:** each dot is a recommended start (local time, written to its right), "
        "under the day it falls on; greener = more renewable grid, on the scale of the values "
        "shown.",
    },
    "pareto": {
        "es": "**Frontera de Pareto:** eje horizontal, la proporción renovable de la red en los "
        "horarios elegidos; eje vertical, las interacciones esperadas. Al subir el peso "
        "energético, la proporción renovable sube y las interacciones bajan; cada punto es un "
        "peso.",
        "en": "**Pareto frontier:** across, the grid's renewable share in the chosen slots; up, "
        "the expected engagement. As the energy weight rises, the renewable share rises and "
        "engagement falls; each point is one weight.",
    },
    "pareto_carbon": {
        "es": "**Frontera de Pareto:** eje horizontal, la intensidad de carbono de la red en los "
        "horarios elegidos; eje vertical, las interacciones esperadas. Al subir el peso "
        "energético, la intensidad de carbono baja y las interacciones también; cada punto es "
        "un peso.",
        "en": "**Pareto frontier:** across, the grid's carbon intensity in the chosen slots; up, "
        "the expected engagement. As the energy weight rises, the carbon intensity falls and so "
        "does engagement; each point is one weight.",
    },
    "backtest": {
        "es": "**Backtest:** en semanas pasadas, con modelos entrenados solo con datos anteriores, "
        "interacciones y carbono reales por horario elegido: nuestra recomendación, el mejor "
        "horario solo por alcance y la hora habitual (20:00 local).",
        "en": "**Backtest:** over past weeks, with models trained only on earlier data, actual "
        "engagement and carbon per chosen slot: our advice, the engagement-only best time "
        "and the habitual time (8:00 PM local).",
    },
    "report_intro": {
        "es": "## Recomendación\nCuándo, dónde y en qué canal publicar para llegar a más personas "
        "mientras la red eléctrica funciona con más energía renovable.",
        "en": "## Recommendation\nWhen, where and on which channel to publish to reach the most "
        "people while the grid runs on the most renewable energy.",
    },
    "evidence": {
        "es": "## Evidencia",
        "en": "## Evidence",
    },
}


def explain(key: str, lang: str) -> str:
    return EXPLAIN[key].get(lang, EXPLAIN[key]["en"])


BACKTEST_SAYS = {
    "es": {
        "values": "Nuestra recomendación: {eng} interacciones y {ci} gCO₂eq/kWh por horario; "
        "la hora habitual: {h_eng} y {h_ci}.",
        "greener": " **La hora habitual tuvo una red más limpia que nuestra recomendación** "
        "({h_ci} frente a {ci} gCO₂eq/kWh): la ventaja de la recomendación en esas semanas "
        "estuvo en el alcance, no en el carbono.",
    },
    "en": {
        "values": "Our advice: {eng} engagements and {ci} gCO₂eq/kWh per slot; the habitual "
        "time: {h_eng} and {h_ci}.",
        "greener": " **The habitual time had a cleaner grid than our advice** ({h_ci} against "
        "{ci} gCO₂eq/kWh): over those weeks the advice gained reach, not carbon.",
    },
}


def backtest_sentence(summary: dict, lang: str) -> str:
    """The backtest's figures in words, saying so when the habitual hour was greener than
    the recommendation (``summary``: :func:`insights.recommend.advice_backtest.summarise`)."""
    by = {s["strategy"]: s for s in summary.get("strategies", [])}
    ours, hab = by.get("recommended"), by.get("habitual")
    if not ours or not hab:
        return ""
    tx = BACKTEST_SAYS[lang if lang in BACKTEST_SAYS else "en"]
    kw = {
        "eng": i18n.number(ours["engagement"], lang),
        "ci": i18n.number(ours["carbon_intensity"], lang),
        "h_eng": i18n.number(hab["engagement"], lang),
        "h_ci": i18n.number(hab["carbon_intensity"], lang),
    }
    out = tx["values"].format(**kw)
    if (
        hab["carbon_intensity"] is not None
        and ours["carbon_intensity"] is not None
        and hab["carbon_intensity"] < ours["carbon_intensity"]
    ):
        out += tx["greener"].format(**kw)
    return out
