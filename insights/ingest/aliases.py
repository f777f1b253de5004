"""Column names accepted for the canonical consumption columns (Spanish, Portuguese, English).

Matching ignores case, accents and punctuation (``Región`` == ``region``).
"""

from __future__ import annotations

from insights.ingest.pii import is_pii_column
from insights.regions import name_key

CONSUMPTION_ALIASES: dict[str, list[str]] = {
    "timestamp": [
        "timestamp",
        "ts",
        "ts_utc",
        "datetime",
        "date_time",
        "time",
        "fecha",
        "fecha_hora",
        "fecha y hora",
        "marca_temporal",
        "hora_local",
        "data_hora",
        "data",
        "data e hora",
        "horario",
        "instante",
        "date",
    ],
    "region": ["region", "región", "estado", "state", "uf", "entidad", "provincia", "geo"],
    "channel": ["channel", "canal", "plataforma", "platform", "network", "red social"],
    "topic": ["topic", "tema", "tópico", "topico", "assunto", "categoria", "categoría", "category"],
    "views": [
        "views",
        "vistas",
        "visualizaciones",
        "reproducciones",
        "visualizações",
        "visualizacoes",
        "impresiones",
        "impressões",
        "impressions",
        "alcance",
    ],
    "engagements": [
        "engagements",
        "engagement",
        "interacciones",
        "interações",
        "interacoes",
        "engajamento",
        "engajamentos",
    ],
    "watch_seconds": [
        "watch_seconds",
        "segundos_vistos",
        "segundos_reproducidos",
        "tiempo_visualizacion_s",
        "tempo_assistido_s",
        "segundos_assistidos",
        "watch_time_seconds",
    ],
}

# Personal identifiers: never stored. Consumption is rolled up to the hour, so
# these columns are dropped (not hashed); the ingest log names what was dropped.
# The names and words that mark them are in ``insights.ingest.pii``.

_ALIAS_KEYS = {name_key(a): canon for canon, names in CONSUMPTION_ALIASES.items() for a in names}


def map_columns(header: list[str]) -> tuple[dict[str, str], list[str]]:
    """``({canonical: column as in file}, [personal-identifier columns])``; first match wins."""
    mapping: dict[str, str] = {}
    pii: list[str] = []
    for col in header:
        key = name_key(col)
        canon = _ALIAS_KEYS.get(key)
        if canon and canon not in mapping:
            mapping[canon] = col
        elif is_pii_column(col):
            pii.append(col)
    return mapping, pii
