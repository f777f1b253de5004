"""Fail when the built documentation site would fetch anything from the network.

Usage: ``python tools/check_site_offline.py site``. Looks in every HTML page for scripts,
stylesheets, images, fonts and iframes loaded from ``http(s)://`` or ``//`` addresses, and
in every CSS file for ``url(...)`` and ``@import`` of such addresses. Plain links
(``<a href="https://...">``) are allowed: following one is the reader's choice. Exit code
1 and one line per finding; 0 when the site is self-contained.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REMOTE = r"(?:https?:)?//"
HTML_LOADS = re.compile(
    r"<(script|img|iframe|source|video|audio)\b[^>]*\bsrc=[\"']"
    + REMOTE
    + r"|<link\b[^>]*\bhref=[\"']"
    + REMOTE,
    re.I,
)
CSS_LOADS = re.compile(r"url\(\s*[\"']?" + REMOTE + r"|@import\s+[\"']" + REMOTE, re.I)


def findings(site: Path) -> list[str]:
    out = []
    for page in sorted(site.rglob("*.html")):
        text = page.read_text("utf-8", errors="replace")
        for m in HTML_LOADS.finditer(text):
            tag = text[m.start() : text.find(">", m.start()) + 1]
            # <link rel="canonical"> and similar carry no asset
            if tag.lower().startswith("<link") and not re.search(
                r"rel=[\"'](stylesheet|preload|icon|modulepreload|manifest)", tag, re.I
            ):
                continue
            out.append(f"{page.relative_to(site)}: loads {tag[:120]}")
    for css in sorted(site.rglob("*.css")):
        text = css.read_text("utf-8", errors="replace")
        for m in CSS_LOADS.finditer(text):
            out.append(f"{css.relative_to(site)}: {text[m.start() : m.start() + 100]}")
    return out


def main(argv: list[str]) -> int:
    site = Path(argv[1] if len(argv) > 1 else "site")
    if not (site / "index.html").is_file():
        print(f"{site}: no built site (run mkdocs build first)", file=sys.stderr)
        return 2
    found = findings(site)
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
