"""Former name of :mod:`insights.recommend.advice_replay` (the advice replay), kept so that
code importing the old names keeps working: ``backtest_advice`` is
:func:`~insights.recommend.advice_replay.replay_advice` and ``backtest_for_report``
:func:`~insights.recommend.advice_replay.replay_for_report`. New code imports
``advice_replay``: "backtest" now names the forecasts' backtests only."""

from __future__ import annotations

from insights.recommend.advice_replay import (
    EMPTY_SCHEMA,
    SKIPPED,
    STRATEGIES,
    replay_advice,
    replay_for_report,
    summarise,
)

backtest_advice = replay_advice
backtest_for_report = replay_for_report

__all__ = [
    "EMPTY_SCHEMA",
    "SKIPPED",
    "STRATEGIES",
    "backtest_advice",
    "backtest_for_report",
    "replay_advice",
    "replay_for_report",
    "summarise",
]
