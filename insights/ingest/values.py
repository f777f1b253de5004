"""Recognising timestamps and numbers written in the ways LatAm exports write them.

Pure functions over sample strings; they return the DuckDB SQL that parses a
whole column, so that the bulk of a file is parsed inside DuckDB at its speed.
"""

from __future__ import annotations

import re

from insights.sql import ident as quote_ident

ISO_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?$"
)
SLASH_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(\s+(\d{1,2}):(\d{2})(:(\d{2}))?)?$")
COMMA_DECIMAL_RE = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?$|^-?\d+,\d+$")
DOT_DECIMAL_RE = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?$|^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def timestamp_format(samples: list[str]) -> str | None:
    """``'iso'``, a strptime format for day- or month-first dates, or ``None``.

    Slash dates are day-first unless a value proves them month-first: LatAm
    locales write 03/04/2024 for the 3rd of April.
    """
    values = [s.strip() for s in samples if s and s.strip()]
    if not values:
        return None
    # A few bad values must not hide the format: they are rejected row by row later.
    if sum(bool(ISO_RE.match(v)) for v in values) >= 0.9 * len(values):
        # DuckDB wants seconds when there is an offset: 10:00Z -> 10:00:00Z
        no_seconds = any(
            re.search(r"[T ]\d{1,2}:\d{2}\s*(Z|[+-]\d{2}(:?\d{2})?)$", v) for v in values
        )
        return "iso_minutes" if no_seconds else "iso"
    matches = [m for m in map(SLASH_RE.match, values) if m]
    if len(matches) < 0.9 * len(values):
        return None
    month_first = any(int(m.group(2)) > 12 for m in matches) and not any(
        int(m.group(1)) > 12 for m in matches
    )
    sep = re.search(r"[/.-]", matches[0].group(0)).group(0)
    date = f"%m{sep}%d{sep}%Y" if month_first else f"%d{sep}%m{sep}%Y"
    has_time = matches[0].group(4) is not None
    has_seconds = matches[0].group(7) is not None
    return date + (" %H:%M:%S" if has_seconds else " %H:%M" if has_time else "")


def number_style(samples: list[str], prefer_comma: bool = False) -> str:
    """``'dot'`` (1,234.56) or ``'comma'`` (1.234,56) decimal style of a numeric column.

    Thousands dots alone (``1.234``) are ambiguous; they read as comma style in
    ``;``-separated files (``prefer_comma``), where the decimal comma is the norm.
    """
    values = [s.strip() for s in samples if s and s.strip()]
    if not values:
        return "dot"
    if any("," in v for v in values) and all(COMMA_DECIMAL_RE.match(v) for v in values):
        return "comma"
    thousands_dots = [re.match(r"^-?\d{1,3}(\.\d{3})+$", v) or v.isdigit() for v in values]
    if prefer_comma and all(thousands_dots) and not all(v.isdigit() for v in values):
        return "comma"
    return "dot"


def text_sql(col: str, samples: list[str]) -> str:
    """The column as text, trimmed only when the sample shows padding.

    Cleaning costs: on 10 million rows trims and replaces everywhere double the
    time DuckDB spends reading the file, so each is applied only where the
    sample shows it is needed.
    """
    padded = any(v != v.strip() for v in samples if v)
    return f"trim({quote_ident(col)})" if padded else quote_ident(col)


def number_sql(text: str, style: str, samples: list[str]) -> str:
    """SQL for a DOUBLE from a text expression in the given decimal style."""
    if style == "comma":
        text = f"replace(replace({text}, '.', ''), ',', '.')"
    elif any("," in v for v in samples if v):
        text = f"replace({text}, ',', '')"
    return f"try_cast({text} AS DOUBLE)"


def timestamp_sql(text: str, fmt: str) -> str:
    """SQL giving a TIMESTAMPTZ; values without an offset come out as wall time at UTC."""
    c = text
    if fmt == "iso":
        return f"try_cast({c} AS TIMESTAMPTZ)"
    if fmt == "iso_minutes":
        pattern = r"^(\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2})(\s*[Z+-].*)?$"
        return f"try_cast(regexp_replace({c}, '{pattern}', '\\1:00\\2') AS TIMESTAMPTZ)"
    return f"try_strptime({c}, '{fmt}')::TIMESTAMPTZ"


def has_offset_sql(text: str) -> str:
    """Whether a value carries a UTC offset: a ``+``, ``-`` or ``Z`` after the date part.

    Plain string search, not a regular expression: on 10 million rows it is the
    difference between 1.4x and 1.6x the cost of DuckDB reading the file.
    """
    tail = f"substr({text}, 11)"  # a date is at most 10 characters
    return f"(contains({tail}, '+') OR contains({tail}, '-') OR contains({tail}, 'Z'))"


# --- Numbers decided over the whole column -------------------------------------------------------
# Each class is counted over the whole column (trimmed text); the decision below reads the counts.
NUMBER_CLASSES = {
    "comma_group": r"^[-+]?\d{1,3}(,\d{3})+$",  # 1,000  1,234,567
    "dot_group": r"^[-+]?\d{1,3}(\.\d{3})+$",  # 1.000  1.234.567
    # a decimal point proven: 1.5, 12.25, 1234.567, 1,234.5
    "dot_decimal": r"^[-+]?(\d+|\d{1,3}(,\d{3})+)\.\d+$",
    # a decimal comma proven: 1,5, 12,25, 1234,567, 1.234,5
    "comma_decimal": r"^[-+]?(\d+|\d{1,3}(\.\d{3})+),\d+$",
}
# Largest count a single row may hold (views or engagements in one hour of one region and
# channel); larger values are export errors (1e300), rejected row by row.
MAX_COUNT = 1e12
NON_FINITE = ("nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity")


def decide_decimal(
    counts: dict[str, int], is_count: bool, delimiter: str, column: str, override: str | None
) -> str:
    """The decimal separator (``'.'`` or ``','``) of a numeric column, from class counts over
    the whole column (:data:`NUMBER_CLASSES`).

    A value such as ``1.5`` or ``1.234,5`` proves its reading. Without proof, grouped values
    (``1,000``, ``1.137``) in a count column are thousands (read as decimals they would make a
    count fractional); in other columns the file's delimiter decides (``;`` files use decimal
    commas). Evidence both ways raises :class:`FileRejected` naming ``--decimal``.
    """
    from insights.ingest.staged import FileRejected

    if override:
        return override
    c = {k: counts.get(k, 0) for k in NUMBER_CLASSES}
    if (
        c["dot_decimal"]
        and c["comma_decimal"]
        or (not c["dot_decimal"] and not c["comma_decimal"] and c["comma_group"] and c["dot_group"])
    ):
        raise FileRejected(
            f"column {column!r} mixes 1.000-style and 1,000-style numbers; pass --decimal , "
            "(1.234,5) or --decimal . (1,234.5)"
        )
    if c["dot_decimal"]:
        decimal = "."
    elif c["comma_decimal"]:
        decimal = ","
    elif c["dot_group"]:
        decimal = "," if is_count or delimiter == ";" else "."
    elif c["comma_group"]:
        decimal = "." if is_count or delimiter != ";" else ","
    else:
        decimal = "."
    # A count is never read fractional from a grouped value: 1,100 views next to a proof of
    # the decimal comma (1,5), or 1.500 next to 2.25, is evidence both ways.
    grouped = c["comma_group"] if decimal == "," else c["dot_group"]
    if is_count and grouped:
        example = "1,100" if decimal == "," else "1.100"
        raise FileRejected(
            f"column {column!r} holds counts written {example} (thousands) and values proving "
            f"{decimal!r} is the decimal separator (which would make them fractional); "
            "pass --decimal , (1.234,5) or --decimal . (1,234.5)"
        )
    return decimal


def number_classes_sql(text: str, prefix: str = "") -> str:
    """SQL aggregates counting each :data:`NUMBER_CLASSES` class of a text column, named
    ``prefix`` + the class name."""
    parts = []
    for name, rx in NUMBER_CLASSES.items():
        cond = f"regexp_full_match({text}, '{rx}')"
        if name.endswith("_decimal"):  # 1.234 is a dot group, not yet a proof of a decimal dot
            group = NUMBER_CLASSES["dot_group" if name == "dot_decimal" else "comma_group"]
            cond += f" AND NOT regexp_full_match({text}, '{group}')"
        parts.append(f"count(*) FILTER ({cond}) AS {prefix}{name}")
    return ", ".join(parts)


def strict_number_sql(text: str, decimal: str) -> str:
    """SQL for a DOUBLE from text written with ``decimal`` as decimal separator (and the other
    of ``.``/``,`` as thousands separator), NULL when it is not a number.

    Values without separators take DuckDB's cast (the fast path); it reads ``NaN`` and
    ``inf`` as such (rejected later as non-finite) and ``1_000`` as 1000 (refused here).
    Values with separators must match the style's pattern exactly."""
    if decimal == ",":
        valid = r"^\s*[-+]?(\d+|\d{1,3}(\.\d{3})+)(,\d+)?\s*$"
        clean = f"replace(replace({text}, '.', ''), ',', '.')"
        plain = f"NOT contains({text}, ',') AND NOT contains({text}, '.')"
    else:
        valid = r"^\s*[-+]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?([eE][-+]?\d+)?\s*$"
        clean = f"replace({text}, ',', '')"
        plain = f"NOT contains({text}, ',')"
    return (
        f"CASE WHEN contains({text}, '_') THEN NULL "
        f"WHEN {plain} THEN try_cast({text} AS DOUBLE) "
        f"WHEN regexp_full_match({text}, '{valid}') THEN try_cast({clean} AS DOUBLE) END"
    )


def sql_quote_field(text: str, width: int = 40) -> str:
    """SQL for the offending field as quoted in a reason (cut to ``width`` characters)."""
    return f"'''' || left({text}, {width}) || ''''"


def number_reason_sql(name: str, raw: str, value: str, is_count: bool) -> str:
    """SQL CASE branches (``WHEN ... THEN reason``) for one numeric column's bad values.
    Two cheap tests per row; the reason is worked out only for the rows that fail them."""
    q = sql_quote_field(f"trim({raw})")
    return (
        f"WHEN {value} IS NULL AND {raw} IS NOT NULL "
        f"THEN '{name} is not a number: ' || {q} "
        + (f"WHEN {value} IS NULL THEN '{name} missing' " if is_count else "")
        + f"WHEN NOT ({value} BETWEEN 0 AND {MAX_COUNT:.0f}) THEN CASE "
        f"WHEN lower(trim({raw})) IN {NON_FINITE!r} THEN '{name} is not a finite number: ' "
        f"WHEN {value} < 0 THEN 'negative {name}: ' "
        f"ELSE '{name} is implausibly large: ' END || {q}"
    )


def number_ok_sql(raw: str, value: str, is_count: bool) -> str:
    """A cheap SQL test that none of :func:`number_reason_sql`'s branches fires for the row
    (true only for a value in range, or an absent optional one)."""
    in_range = f"{value} BETWEEN 0 AND {MAX_COUNT:.0f}"
    return in_range if is_count else f"({in_range} OR ({value} IS NULL AND {raw} IS NULL))"


# --- Dates: day/month order decided over the whole column ----------------------------------------
YMD_SLASH_RE = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(\s+(\d{1,2}):(\d{2})(:(\d{2}))?)?$")
DATE_ORDERS = ("dmy", "mdy", "ymd")
DEFAULT_DATE_ORDER = "dmy"  # Latin American locales write 03/04/2024 for the 3rd of April


def slash_layout(samples: list[str]) -> tuple[str, bool, bool] | None:
    """(separator, has_time, has_seconds) of ``d/m/Y``-like values, or ``None``."""
    values = [s.strip() for s in samples if s and s.strip()]
    matches = [m for m in map(SLASH_RE.match, values) if m]
    if not values or len(matches) < 0.9 * len(values):
        return None
    m = matches[0]
    return re.search(r"[/.-]", m.group(0)).group(0), m.group(4) is not None, m.group(7) is not None


def slash_format(order: str, sep: str, has_time: bool, has_seconds: bool) -> str:
    date = {"dmy": f"%d{sep}%m{sep}%Y", "mdy": f"%m{sep}%d{sep}%Y", "ymd": f"%Y{sep}%m{sep}%d"}
    return date[order] + (" %H:%M:%S" if has_seconds else " %H:%M" if has_time else "")


def slash_fields_sql(text: str) -> str:
    """SQL aggregates: the largest first and second field of ``a/b/YYYY`` values."""
    rx = r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{4}"
    return (
        f"max(try_cast(regexp_extract({text}, '{rx}', 1) AS INTEGER)) AS first_max, "
        f"max(try_cast(regexp_extract({text}, '{rx}', 2) AS INTEGER)) AS second_max"
    )


def decide_date_order(first_max: int | None, second_max: int | None, column: str) -> str | None:
    """``'dmy'`` or ``'mdy'`` when a value proves it, ``None`` when none does."""
    from insights.ingest.staged import FileRejected

    first, second = (first_max or 0) > 12, (second_max or 0) > 12
    if first and second:
        raise FileRejected(
            f"timestamp column {column!r} mixes day-first and month-first dates; "
            "pass --date-order dmy|mdy"
        )
    return "dmy" if first else "mdy" if second else None
