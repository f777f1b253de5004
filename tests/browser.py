"""Headless Chromium for the tests: one binary and one set of launch options.

Debian's ``chromium`` (CI installs it), driven by Playwright; no sandbox (containers),
no GPU, no background traffic, so a page reaches nothing but what the test serves."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

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


def start_jupyterlab(root: Path, port: int, log, **env: str) -> subprocess.Popen:
    """A real JupyterLab server on ``127.0.0.1:port`` over ``root``, with no token, its
    settings kept under ``root`` and nothing asked of the network (no news, no update
    check, no extension index); ``env``: more variables for the server and its kernels.
    The kernels import this checkout's ``insights`` and run as a person's lab would (not
    headless: the Vega bundle and the widgets). ``log``: a binary file for its stderr."""
    full = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        "JUPYTER_CONFIG_DIR": str(root / ".cfg"),
        "JUPYTER_RUNTIME_DIR": str(root / ".run"),
        "JUPYTERLAB_SETTINGS_DIR": str(root / ".settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(root / ".ws"),
        **env,
    }
    full.pop("INSIGHTS_HEADLESS", None)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",  # no package index queried
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        env=full,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )


def stop_jupyterlab(proc: subprocess.Popen) -> None:
    """Stop the server and its kernels (its process group): TERM, then KILL after 20 s."""
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
