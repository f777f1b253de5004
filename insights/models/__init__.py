"""Trend and energy models: scikit-learn style estimators over one long format.

Every series is ``(series_id, ts, y)`` (Nixtla's long format); per-series
metadata (time zone, country) rides along in a small ``meta`` frame.
"""
