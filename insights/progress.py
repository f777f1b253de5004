"""Progress bars for long calls: tqdm's notebook bar in a notebook someone is watching, its
text bar in a terminal.

Library functions take a ``progress`` callback (the CLI passes its own: a
:class:`TerminalBar` on a terminal for ``train`` and ``backtest``, time-stamped lines in a
log); when a notebook calls them without one, :func:`notebook_bar` gives them a
``tqdm.auto`` bar, which is the widget bar in JupyterLab. Nothing is shown in a plain Python
process, in tests, or in headless kernels (report runs set ``INSIGHTS_HEADLESS``):
there a bar would only be a stale widget saved in the executed notebook.
"""

from __future__ import annotations

import os
from typing import Any

from insights.viz.offline import HEADLESS_ENV


def in_watched_kernel() -> bool:
    """True inside a Jupyter kernel (IPKernelApp) not marked headless."""
    if os.environ.get(HEADLESS_ENV):
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    ip = get_ipython()
    return ip is not None and "IPKernelApp" in ip.config


class StageBar:
    """A tqdm bar driven by a ``progress`` callback: ``int`` is the count done so far,
    ``str`` is the name of the stage now starting (one step each). :meth:`set_total` gives
    the number of steps once the caller knows it (a long call asks for it when present)."""

    def __init__(self, total: int | None, desc: str, bar: Any):
        self.bar = bar
        self._stage = False  # a named stage is running (counted when the next one starts)

    def __call__(self, done: int | str) -> None:
        if isinstance(done, str):
            if self._stage:
                self.bar.update(1)
            self._stage = True
            self.bar.set_postfix_str(done[:60])
        else:
            self.bar.update(done - self.bar.n)

    def set_total(self, total: int) -> None:
        self.bar.total = total
        self.bar.refresh()

    def close(self) -> None:
        if self._stage:  # the last stage is done too
            self.bar.update(1)
            self._stage = False
        self.bar.close()


class NotebookBar(StageBar):
    """tqdm's notebook bar (``tqdm.auto``: the widget bar in JupyterLab)."""

    def __init__(self, total: int | None, desc: str):
        from tqdm.auto import tqdm

        super().__init__(total, desc, tqdm(total=total, desc=desc, leave=False))


class TerminalBar(StageBar):
    """tqdm's text bar on stderr, for a command run on a terminal; the bar stays when done
    (the command's summary follows it)."""

    def __init__(self, total: int | None, desc: str):
        import sys

        from tqdm import tqdm

        super().__init__(total, desc, tqdm(total=total, desc=desc, file=sys.stderr))


def set_total(progress: object, total: int) -> None:
    """Tell a bar (any ``progress`` callback with ``set_total``) how many steps to expect;
    nothing for a plain callback (the CLI's log lines)."""
    f = getattr(progress, "set_total", None)
    if callable(f):
        f(total)


def notebook_bar(total: int | None, desc: str) -> NotebookBar | None:
    """A bar when called from a watched notebook kernel, else None."""
    return NotebookBar(total, desc) if in_watched_kernel() else None
