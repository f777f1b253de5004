"""What the warehouse holds: per table, rows, time range, regions/zones, sources."""

from __future__ import annotations

import duckdb

from insights import brands, i18n, sql

TABLES = {
    "consumption": ("ts_utc", "region", "source"),
    "search_interest": ("ts", "geo", "export_id"),
    "energy": ("ts_utc", "zone", "coalesce(source, load_source)"),
    "forecasts": ("ts_utc", "coalesce(region, zone)", "run_id"),
    "recommendations": ("start_utc", "region", "run_id"),
}


def storage_info(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The DuckDB library version and the warehouse file's storage format.

    A warehouse written by DuckDB 1.x keeps its ``v1.0.0+`` storage format when DuckDB 2
    writes to it (readable by both); a new warehouse is ``v2.0.0+`` (DuckDB 1.x cannot open it).
    """
    row = sql.one(
        con,
        "SELECT tags['storage_version'] FROM duckdb_databases() "
        "WHERE database_name = current_database()",
    )
    return {"duckdb": duckdb.__version__, "storage_version": row[0] if row else None}


def verify(con: duckdb.DuckDBPyConnection) -> None:
    """Read every column of every table once, so a damaged block fails here (DuckDB
    checks each block's checksum on read) instead of in a later ingest or report."""
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    for t in tables:
        con.execute(f'SELECT bit_xor(hash(COLUMNS(*))) FROM "{t}"').fetchall()


def warehouse_status(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    verify(con)
    out: dict[str, dict] = {"warehouse": {**storage_info(con), "brands": brands.present(con)}}
    for table, (ts, key, src) in TABLES.items():
        rows, lo, hi = sql.one(
            con, f"SELECT count(*), min({ts})::VARCHAR, max({ts})::VARCHAR FROM {table}"
        )
        keys = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT {key} FROM {table} WHERE {key} IS NOT NULL ORDER BY 1"
            ).fetchall()
        ]
        sources = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT {src} FROM {table} WHERE {src} IS NOT NULL ORDER BY 1 LIMIT 50"
            ).fetchall()
        ]
        out[table] = {"rows": rows, "from": lo, "to": hi, "keys": keys, "sources": sources}
    log = con.execute(
        "SELECT status, count(*) FROM ingest_log GROUP BY status ORDER BY status"
    ).fetchall()
    out["ingest_log"] = {"files": dict(log)}
    unknown = con.execute(
        "SELECT DISTINCT region FROM consumption WHERE NOT region_known ORDER BY 1"
    ).fetchall()
    out["consumption"]["unknown_regions"] = [r[0] for r in unknown]
    return out


# the page's words (notebook 01); the CLI prints the terminal's plain text (``lang=None``)
WORDS = {
    "es": {
        "warehouse": "almacén",
        "storage": "formato de almacenamiento",
        "brands": "marcas",
        "ingest_log": "registro de ingesta",
        "files": "archivos",
        "none": "ninguno",
        "row": "fila",
        "rows": "filas",
        "key": "clave",
        "keys": "claves",
        "sources": "fuentes",
        "unknown": "regiones desconocidas (conservadas, marcadas)",
        "consumption": "consumo",
        "search_interest": "interés de búsqueda",
        "energy": "red eléctrica",
        "forecasts": "pronósticos",
        "recommendations": "recomendaciones",
    },
    "en": {
        "warehouse": "warehouse",
        "storage": "storage format",
        "brands": "brands",
        "ingest_log": "ingest log",
        "files": "files",
        "none": "none",
        "row": "row",
        "rows": "rows",
        "key": "key",
        "keys": "keys",
        "sources": "sources",
        "unknown": "unknown regions (kept, flagged)",
        "consumption": "consumption",
        "search_interest": "search interest",
        "energy": "grid",
        "forecasts": "forecasts",
        "recommendations": "recommendations",
    },
}


# the ingest log's statuses, after "files" ("archivos cargados: 3, rechazados: 1")
FILE_STATES = {
    "es": {"loaded": "cargados", "skipped": "omitidos (ya cargados)", "rejected": "rechazados"},
    "en": {"loaded": "loaded", "skipped": "skipped (already loaded)", "rejected": "rejected"},
}


def format_status(status: dict[str, dict], lang: str | None = None) -> str:
    """:func:`warehouse_status` as text. ``lang=None``: the CLI's plain text (table names,
    times as stored); ``"es"``/``"en"``: a page's, every word, number and time in that
    language and its locale (:mod:`insights.i18n`), for notebook 01."""
    if lang is not None:
        return _format_for_page(status, lang)
    lines = []
    for table, s in status.items():
        if table == "warehouse":
            lines.append(
                f"warehouse        DuckDB {s['duckdb']}, storage format {s['storage_version']}"
            )
            names = s.get("brands") or []
            if names and names != [brands.DEFAULT]:
                lines.append(f"brands           {', '.join(names)}")
            continue
        if table == "ingest_log":
            files = ", ".join(f"{k}: {v}" for k, v in s["files"].items()) or "none"
            lines.append(f"ingest_log       files {files}")
            continue
        keys = s["keys"]
        shown = ", ".join(keys[:6]) + (f" ... (+{len(keys) - 6})" if len(keys) > 6 else "")
        lines.append(
            f"{table:<16} {s['rows']:>10,} rows  {s['from'] or '-'} -> {s['to'] or '-'}"
            + (f"\n{'':<18}{len(keys)} keys: {shown}" if keys else "")
            + (f"\n{'':<18}sources: {', '.join(s['sources'][:5])}" if s["sources"] else "")
        )
        if s.get("unknown_regions"):
            lines.append(
                f"{'':<18}unknown regions (kept, flagged): {', '.join(s['unknown_regions'])}"
            )
    return "\n".join(lines)


def _format_for_page(status: dict[str, dict], lang: str) -> str:
    w = WORDS["es" if lang == "es" else "en"]
    states = FILE_STATES["es" if lang == "es" else "en"]
    labels = [*TABLES, "warehouse", "brands", "ingest_log"]
    width = max(len(w[k]) for k in labels) + 2  # one column of labels
    pad = " " * width
    lines = []
    for table, s in status.items():
        if table == "warehouse":
            lines.append(
                f"{w['warehouse']:<{width}}DuckDB {s['duckdb']}, {w['storage']} "
                f"{s['storage_version']}"
            )
            names = s.get("brands") or []
            if names and names != [brands.DEFAULT]:
                lines.append(f"{w['brands']:<{width}}{', '.join(names)}")
            continue
        if table == "ingest_log":
            files = ", ".join(
                f"{states.get(k, k)}: {i18n.number(v, lang)}" for k, v in s["files"].items()
            )
            lines.append(f"{w['ingest_log']:<{width}}{w['files']} {files or w['none']}")
            continue
        keys = s["keys"]
        shown = ", ".join(keys[:6]) + (
            f" ... (+{i18n.number(len(keys) - 6, lang)})" if len(keys) > 6 else ""
        )
        span = (
            f"  {i18n.instant(s['from'], lang)} → {i18n.instant(s['to'], lang)}"
            if s["from"]
            else ""
        )
        rows = w["row"] if s["rows"] == 1 else w["rows"]
        key_word = w["key"] if len(keys) == 1 else w["keys"]
        lines.append(
            f"{w.get(table, table):<{width}}{i18n.number(s['rows'], lang)} {rows}{span}"
            + (f"\n{pad}{i18n.number(len(keys), lang)} {key_word}: {shown}" if keys else "")
            + (f"\n{pad}{w['sources']}: {', '.join(s['sources'][:5])}" if s["sources"] else "")
        )
        if s.get("unknown_regions"):
            lines.append(f"{pad}{w['unknown']}: {', '.join(s['unknown_regions'])}")
    return "\n".join(lines)
