"""Headless Chromium for the tests: one binary and one set of launch options.

Debian's ``chromium`` (CI installs it), driven by Playwright; no sandbox (containers),
no GPU, no background traffic, so a page reaches nothing but what the test serves."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# skipped where Chromium is missing, except on CI, which must have it
needs_chromium = pytest.mark.skipif(
    not CHROMIUM and not os.environ.get("CI"), reason="chromium not installed"
)


def launch(playwright):
    """A headless Chromium browser (``playwright``: the ``sync_playwright()`` context)."""
    assert CHROMIUM, "CI must have Debian's chromium (.ci/run installs it)"
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
