"""Errors of the recommend and render-window answers, shared by the CLI and the HTTP API.

Both are defined with every other user-facing error in :mod:`insights.errors`.
"""

from __future__ import annotations

from insights.errors import NotAnswerable, ParamError

__all__ = ["NotAnswerable", "ParamError"]
