"""One escaping rule for every surface: what a name shows is the same text everywhere."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import duckdb
import mistune
import polars as pl
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


OLD_WAREHOUSE = Path(__file__).parents[1] / "fixtures" / "warehouse" / "duckdb1-warehouse.duckdb"


def _page_text(markdown_or_html: str) -> str:
    """What a reader sees: Markdown rendered as nbconvert renders it, tags dropped,
    entities resolved once (as a browser does)."""
    rendered = mistune.html(markdown_or_html)
    assert "<b>" not in rendered and "<script" not in rendered, rendered  # never markup
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()


def test_pages_04_and_05_show_names_an_older_version_stored_raw(tmp_path, monkeypatch):
    """A warehouse of insights 0.1 (DuckDB 1.x, before ingest stored noncharacters and line
    separators escaped) holding such names raw, with markup, quotes and accents: what pages
    04 and 05 write from them (headline, skipped pairs, table, the footprint's campaign
    title) reads as the one escaping rule shows it, escaped once (no &amp;amp;, no &#x27;)."""
    from insights.footprint.report import show_footprint, top_campaign
    from insights.narrative import headline
    from insights.recommend.coverage import skipped_markdown
    from insights.widgets import html_table

    db = tmp_path / "old.duckdb"
    shutil.copy(OLD_WAREHOUSE, db)
    region = "Ñuñoa d'Aliança & <b>São</b>\u2028x\ufffe"
    channel = 'tik"tok"\uffff & ç'
    topic = "<script>alert(1)</script> música & «ã»\u2029"
    with duckdb.connect(str(db)) as con:  # as the older version stored them: raw
        con.execute(
            "INSERT INTO consumption SELECT * REPLACE (? AS region, ? AS channel, ? AS topic, "
            "views * 1000 AS views) FROM consumption LIMIT 1",
            [region, channel, topic],
        )
    assert top_campaign(str(db)) == topic  # read back as stored, nothing altered
    shown: list = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.extend(objs))
    assert show_footprint(str(db), "en") is None  # no grid data in 0.1: said, not raised
    assert visible(topic) in _page_text(shown[0].data)

    rec = {
        "region": region, "channel": channel, "start_local": "2024-03-18T20:00:00-06:00",
        "expected_engagement": 12.0, "engagement_low": 8.0, "engagement_high": 15.0,
        "renewable_pct": None, "carbon_intensity": None,
    }  # fmt: skip
    skipped = [{"region": region, "channel": channel, "code": "x", "reason": "no forecast"}]
    table = html_table(pl.DataFrame({"region": [region], "channel": [channel]}))
    for lang in ("es", "en"):
        for md in (headline(rec, lang), skipped_markdown(skipped, lang), table):
            text = _page_text(md)
            assert visible(region) in text and visible(channel) in text, text
            assert "&amp;" not in text and "&#x27;" not in text and "&quot;" not in text, text
