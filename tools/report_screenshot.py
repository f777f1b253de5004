"""The screenshot in README.md: the top of a demo report, rendered by headless Chromium.

Usage::

    make demo
    python tools/report_screenshot.py reports/05_report.html docs/assets/report-05.png

Chromium (Debian's ``chromium``, as the browser test uses) opens the exported page from
the file system with the network off, lets the inlined Vega bundle draw the charts, and
writes a PNG of the first ``--height`` pixels at ``--width``. Nothing is fetched.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html", type=Path, help="an exported report page")
    ap.add_argument("png", type=Path, help="where to write the screenshot")
    ap.add_argument("--width", type=int, default=1100)
    ap.add_argument("--height", type=int, default=1400)
    args = ap.parse_args(argv)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("chromium not found (apt-get install chromium)", file=sys.stderr)
        return 2
    if not args.html.is_file():
        print(f"{args.html}: no such report page (run make demo first)", file=sys.stderr)
        return 2
    args.png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                "--proxy-server=127.0.0.1:9",  # no network: the page must be self-contained
                "--virtual-time-budget=10000",  # let the charts draw
                f"--window-size={args.width},{args.height}",
                f"--screenshot={args.png.resolve()}",
                args.html.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    print(args.png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
