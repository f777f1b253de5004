"""Data is data: escaping names for terminals, spreadsheets, HTML and Markdown.

Region, channel, topic and file names come from exports anyone can write. Each
output escapes them for where they land:

- terminals: control characters (C0 except newline and tab, DEL, C1, and the
  bidirectional overrides) become visible ``\\u001b``-style escapes, so a name
  cannot set the window title, clear the screen or reorder a line
  (the same form JSON uses, so JSON output stays valid);
- spreadsheets: a text cell that starts with ``=``, ``+``, ``-``, ``@``, tab or
  carriage return is prefixed with ``'`` (OWASP, "CSV Injection"); numbers stay numbers;
- HTML: ``html.escape`` (``<``, ``>``, ``&``, quotes);
- Markdown: HTML-escaped, then Markdown's punctuation backslash-escaped, so a
  name renders as the same text and never as markup, a link or a comment.

>>> terminal("Jalisco\\x1b]0;pwned\\x07")
'Jalisco\\\\u001b]0;pwned\\\\u0007'
>>> csv_cell("=HYPERLINK(1)"), csv_cell("-3"), csv_cell("Yucatán")
("'=HYPERLINK(1)", "'-3", 'Yucatán')
>>> md_text("<!--<script>")
'&lt;\\\\!\\\\-\\\\-&lt;script&gt;'
"""

from __future__ import annotations

import html
import re
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # polars loads only when a frame is made safe (the CLI starts without it)
    import polars as pl

# Shown as \uXXXX on every surface (terminal, CSV on stdout, HTML, Markdown): C0 and C1
# controls, the bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E/F,
# U+202A-E, U+2066-9), the line and paragraph separators U+2028/U+2029 (line breaks to
# JavaScript and JSON-in-HTML) and the noncharacters U+FDD0-FDEF, U+FFFE, U+FFFF (Unicode
# 15, section 23.7: "not for open interchange"; they broke the notebook kernel).
_SPECIAL = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufdd0-\ufdef\ufffe\uffff"
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_SPECIAL}]")
_CONTROL_CR = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_SPECIAL}]")
_BREAKS = re.compile("[\n\t]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def _u(m: re.Match) -> str:
    return f"\\u{ord(m.group()):04x}"


def terminal(text: str, keep_cr: bool = False) -> str:
    """``text`` with control characters shown as ``\\uXXXX``; newlines and tabs kept."""
    return (_CONTROL_CR if keep_cr else _CONTROL).sub(_u, text)


class SafeStream:
    """A text stream that writes :func:`terminal`-escaped text to the wrapped one."""

    def __init__(self, stream: TextIO, keep_cr: bool = False) -> None:
        self._stream, self._keep_cr = stream, keep_cr

    def write(self, text: str) -> int:
        safe = terminal(text, self._keep_cr)
        try:
            self._stream.write(safe)
        except UnicodeEncodeError:  # a C/ASCII locale: show what it cannot encode as escapes
            enc = getattr(self._stream, "encoding", None) or "ascii"
            self._stream.write(safe.encode(enc, "backslashreplace").decode(enc))
        return len(text)

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def install_safe_streams() -> None:
    """Escape control characters in everything this process prints (the CLI calls it)."""
    if not isinstance(sys.stdout, SafeStream):
        sys.stdout = SafeStream(sys.stdout)  # type: ignore[assignment]
    if not isinstance(sys.stderr, SafeStream):
        # tqdm redraws its bar with carriage returns on a terminal
        sys.stderr = SafeStream(sys.stderr, keep_cr=sys.stderr.isatty())  # type: ignore[assignment]


def csv_cell(value: str) -> str:
    """A text cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_safe(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` with every text column passed through :func:`csv_cell`; numbers untouched."""
    import polars as pl

    starts = "^[=+\\-@\t\r]"
    return df.with_columns(
        pl.when(pl.col(c).str.contains(starts))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c, t in df.schema.items()
        if t == pl.String
    )


def visible(text: str) -> str:
    """The one rule every surface applies first: controls, bidi controls, line separators
    and noncharacters as ``\\uXXXX`` (the same text the terminal and the CSV show)."""
    return _CONTROL.sub(_u, text)


def one_line(text: str) -> str:
    """``text`` for a place inside one line of output (a file name before ``: loaded``):
    :func:`visible`, and newlines and tabs as ``\\u000a`` too, so a name cannot start a
    line of its own that reads like the program's."""
    return _BREAKS.sub(_u, visible(text))


def html_text(value: object) -> str:
    """``value`` as HTML text (``None`` as an em dash): :func:`visible`, then escaped once."""
    return "—" if value is None else html.escape(visible(str(value)), quote=True)


def md_text(value: object) -> str:
    """``value`` as Markdown text that renders literally, also where raw HTML is allowed:
    :func:`visible`, then ``<``, ``>``, ``&`` escaped once (quotes are plain text in Markdown;
    escaping them too showed ``&#x27;`` for an apostrophe where the text is escaped again),
    then Markdown's punctuation."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(visible(str(value)), quote=False))
