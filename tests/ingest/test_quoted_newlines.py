"""A line break inside a quoted field (RFC 4180, section 2, rule 6: "Fields containing line
breaks (CRLF), double quotes, and commas should be enclosed in double-quotes") is data: the
file is told apart and loaded through the real CLI, and the value reaches the warehouse as
written, accents and ñ included, in every dialect exports use."""

from __future__ import annotations

from pathlib import Path

from insights.ingest.textfile import inspect, join_quoted
from tests.conftest import ROOT, json_lines, query, run_cli

HEADER = "timestamp,region,channel,topic,views,engagements"
TOPIC = "Año nuevo{nl}mañana, señal «sí»"


def _canonical(region: str, nl: str, end: str, sep: str = ",") -> str:
    """Two rows of the canonical layout; the first one's topic spans lines."""
    topic = TOPIC.format(nl=nl)
    rows = [
        HEADER.replace(",", sep),
        sep.join(["2026-11-01T10:00:00Z", region, "tiktok", f'"{topic}"', "10", "5"]),
        sep.join(["2026-11-01T11:00:00Z", region, "tiktok", "música", "12", "6"]),
    ]
    return end.join(rows) + end


def _ga4(region: str) -> str:
    """GA4's exploration download (tests/fixtures/platforms/ga4-region-platform-date-hour.csv:
    the ``#`` block, then the table) with a page-title dimension whose quoted cell spans
    lines, one of them starting with ``#``."""
    fixture = ROOT / "tests" / "fixtures" / "platforms" / "ga4-region-platform-date-hour.csv"
    comments = fixture.read_text(encoding="utf-8").splitlines()[:9]
    table = [
        "Region,Platform,Page title,Date,Hour,Views,Engaged sessions",
        f'{region},web,"Ola de calor\n#calor en la Ciudad, ¿sí?",20240301,09,296,70',
        f"{region},web,Inicio,20240301,10,653,80",
    ]
    return "\n".join(comments + table) + "\n"


FILES: dict[str, tuple[bytes, str]] = {
    # name: (content, the region its rows carry)
    "lf.csv": (_canonical("Jalisco", "\n", "\n").encode(), "Jalisco"),
    "crlf-inside-lf-rows.csv": (_canonical("Sonora", "\r\n", "\n").encode(), "Sonora"),
    "crlf.csv": (_canonical("Yucatán", "\r\n", "\r\n").encode(), "Yucatán"),
    "lf-inside-crlf-rows.csv": (_canonical("Puebla", "\n", "\r\n").encode(), "Puebla"),
    "bom.csv": (b"\xef\xbb\xbf" + _canonical("Oaxaca", "\n", "\n").encode(), "Oaxaca"),
    "punto-y-coma.csv": (_canonical("Chiapas", "\n", "\n", sep=";").encode(), "Chiapas"),
    "excel-windows-1252.csv": (
        _canonical("Tabasco", "\r\n", "\r\n").encode("cp1252"),
        "Tabasco",
    ),
}


def test_quoted_line_breaks_load_intact_in_every_dialect(db, tmp_path):
    folder = tmp_path / "exportaciones"
    folder.mkdir()
    for name, (data, _) in FILES.items():
        (folder / name).write_bytes(data)
    (folder / "ga4.csv").write_text(_ga4("Nuevo Leon"), encoding="utf-8")

    r = run_cli("ingest", folder, "--db", db, "--tz", "America/Mexico_City", "--json")
    assert r.returncode == 0, r.stderr
    results = {Path(d["path"]).name: d for d in json_lines(r.stdout)}
    assert {n: d["status"] for n, d in results.items()} == dict.fromkeys(
        [*FILES, "ga4.csv"], "loaded"
    )
    assert all(d["rows_rejected"] == 0 for d in results.values()), results

    got = dict(
        query(db, "SELECT region, topic FROM consumption WHERE views = 10 AND topic <> 'música'")
    )
    for name, (_, region) in FILES.items():
        # the line break as the file wrote it: CR LF stays CR LF, LF stays LF
        nl = (
            "\r\n"
            if "crlf-inside" in name or name in ("crlf.csv", "excel-windows-1252.csv")
            else "\n"
        )
        assert got[region] == TOPIC.format(nl=nl), (name, got[region])
    assert query(db, "SELECT count(*), sum(views) FROM consumption WHERE topic = 'música'") == [
        (len(FILES), 12.0 * len(FILES))
    ]
    # GA4: the page title is summed away; its rows keep their hours and counts
    assert query(
        db,
        "SELECT ts_utc::VARCHAR, views, engagements FROM consumption "
        "WHERE region = 'Nuevo León' ORDER BY 1",
    ) == [("2024-03-01 15:00:00+00", 296.0, 70.0), ("2024-03-01 16:00:00+00", 653.0, 80.0)]


def test_records_follow_quotes_as_csv_readers_do(tmp_path):
    """A quote inside an unquoted field is text (``5" grande``), and a quote never closed
    leaves the lines as they are rather than swallowing the rest of the file."""
    lines = [HEADER, 'a,b,c,5" grande,1,2', 'a,b,c,"x', 'y",1,2', "a,b,c,d,1,2"]
    assert join_quoted(lines, ",") == (
        [HEADER, lines[1], 'a,b,c,"x\ny",1,2', lines[4]],
        [0, 1, 3, 4],
    )
    unclosed = [HEADER, 'a,b,c,"x', "a,b,c,d,1,2", "a,b,c,d,1,2"]
    assert join_quoted(unclosed, ",") == (unclosed, [0, 1, 2, 3])

    f = tmp_path / "x.csv"
    f.write_text(_canonical("Jalisco", "\n\n", "\n"), encoding="utf-8")  # a blank line inside
    info = inspect(f)
    assert info.header_line == 0 and info.quoted_newlines and not info.mixed_newlines
    assert len(info.lines) == 3 and info.lines[1].count("\n") == 2
    f.write_text(_canonical("Jalisco", "\n", "\r\n").replace("\r\n", "\n", 1), encoding="utf-8")
    assert inspect(f).mixed_newlines  # records that end two ways are still told
