"""Progress bars for long calls made from a notebook someone is watching (tqdm's notebook bar).

Library functions take a ``progress`` callback (the CLI passes its own); when a
notebook calls them without one, :func:`notebook_bar` gives them a ``tqdm.auto``
bar, which is the widget bar in JupyterLab. Nothing is shown in a plain Python
process, in tests, or in headless kernels (report runs set ``INSIGHTS_HEADLESS``):
there a bar would only be a stale widget saved in the executed notebook.
"""

from __future__ import annotations

import os

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


class NotebookBar:
    """A ``tqdm.auto`` bar driven by a ``progress`` callback: ``int`` is the count done so far,
    ``str`` is the name of the stage now starting (one step each)."""

    def __init__(self, total: int | None, desc: str):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, desc=desc, leave=False)

    def __call__(self, done: int | str) -> None:
        if isinstance(done, str):
            self.bar.set_postfix_str(done[:60])
            self.bar.update(1)
        else:
            self.bar.update(done - self.bar.n)

    def close(self) -> None:
        self.bar.close()


def notebook_bar(total: int | None, desc: str) -> NotebookBar | None:
    """A bar when called from a watched notebook kernel, else None."""
    return NotebookBar(total, desc) if in_watched_kernel() else None
