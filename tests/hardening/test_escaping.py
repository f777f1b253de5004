"""One escaping rule for every surface: what a name shows is the same text everywhere."""

from __future__ import annotations

import html
import re

import mistune
import pytest

from insights.textsafe import html_text, md_text, terminal, visible

NAMES = [
    "O'Higgins",
    "Región \u202eevil\u202c",  # a right-to-left override
    "canal\ufffe",  # noncharacters
    "tema\uffff",
    "línea\u2028dos",  # line and paragraph separators
    "párrafo\u2029dos",
    'Ñuñoa "centro" & <b>',
]


@pytest.mark.parametrize("name", NAMES)
def test_markdown_html_and_terminal_show_the_same_text(name):
    want = visible(name)
    assert not re.search("[\u202a-\u202e\ufffe\uffff\u2028\u2029]", want)
    assert terminal(name) == want  # the CLI and the CSV it prints
    rendered = mistune.html(md_text(name))  # the renderer nbconvert uses for Markdown cells
    assert html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip() == want
    assert "&#x27;" not in rendered and "&amp;#" not in rendered
    assert html.unescape(html_text(name)) == want


def test_ingest_stores_separators_and_noncharacters_escaped(tmp_path, db):
    from tests.conftest import query, run_cli

    f = tmp_path / "raros.csv"
    f.write_text(
        "timestamp,region,channel,topic,views,engagements\n"
        "2026-03-01T10:00:00Z,Jalisco,tik\ufffetok,mú\u2028sica,10,2\n"
        "2026-03-01T11:00:00Z,Región\uffff X,web,a\u2029b,5,1\n",
        encoding="utf-8",
    )
    r = run_cli("ingest", f, "--db", db)
    assert r.returncode == 0, r.stderr
    got = query(db, "SELECT region_raw, channel, topic FROM consumption ORDER BY ts_utc")
    assert [tuple(v.lower() for v in row) for row in got] == [
        ("jalisco", "tik\\ufffetok", "mú\\u2028sica"),
        ("región\\uffff x", "web", "a\\u2029b"),
    ]
