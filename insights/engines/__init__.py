"""Where the per-brand work runs: ``local`` (the default: this process) or ``spark``.

:func:`insights.engines.groups.forecast_groups` maps the project's own estimator over
groups of series (one brand, or one series group of a large brand) on either engine,
Arrow in and Arrow out, with the same result to the last digit.
"""
