"""Properties of the variant choice: the floor is never broken, weight 0 serves the full
piece, and a dirtier hour never gets a heavier variant."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insights import InsightsError
from insights.footprint.variants import (
    DEFAULT_VARIANTS,
    Variant,
    choose,
    load_variants,
    non_dominated,
    validate,
)

unit = st.floats(0, 1, allow_nan=False)
kwh = st.floats(0, 1e3, allow_nan=False)


@st.composite
def cases(draw):
    n_var = draw(st.integers(1, 5))
    kept = [1.0] + [draw(unit) for _ in range(n_var - 1)]
    n = draw(st.integers(1, 30))
    k = np.array([[draw(kwh) for _ in range(n_var)] for _ in range(n)])
    ratio = np.array(
        [draw(st.one_of(st.floats(0, 5, allow_nan=False), st.just(np.nan))) for _ in range(n)]
    )
    return np.array(kept), k, ratio


@settings(max_examples=100, deadline=None, derandomize=True)
@given(cases(), unit, unit)
def test_floor_is_never_broken(case, w, floor):
    kept, k, ratio = case
    idx = choose(kept, k, ratio, w, floor)
    assert idx.shape == (len(ratio),)
    assert (kept[idx] >= floor - 1e-12).all()


@settings(max_examples=100, deadline=None, derandomize=True)
@given(cases(), unit)
def test_weight_zero_serves_the_full_piece(case, floor):
    kept, k, ratio = case
    assert (choose(kept, k, ratio, 0.0, floor) == 0).all()


@settings(max_examples=100, deadline=None, derandomize=True)
@given(cases(), unit, unit, st.floats(0, 5), st.floats(0, 5))
def test_dirtier_hour_never_gets_a_heavier_variant(case, w, floor, r1, r2):
    kept, k, _ = case
    k0 = k[:1]
    lo, hi = sorted((r1, r2))
    a = choose(kept, k0, np.array([lo]), w, floor)[0]
    b = choose(kept, k0, np.array([hi]), w, floor)[0]
    assert k0[0, b] <= k0[0, a] + 1e-9


def test_bad_weight_or_floor_is_refused():
    for w, f in ((1.5, 0.5), (np.nan, 0.5), (0.5, -0.1)):
        with pytest.raises(InsightsError, match="between 0 and 1"):
            choose(np.array([1.0]), np.array([1.0]), np.array([1.0]), w, f)


@given(st.lists(st.tuples(st.floats(-10, 10), st.floats(0, 100)), min_size=1, max_size=12))
@settings(max_examples=100, deadline=None, derandomize=True)
def test_non_dominated_is_the_front(pairs):
    pts = [{"kg_avoided": a, "engagement_given_up_pct": g} for a, g in pairs]
    front = non_dominated(pts)
    for p in front:
        assert not any(
            q["kg_avoided"] >= p["kg_avoided"]
            and q["engagement_given_up_pct"] <= p["engagement_given_up_pct"]
            and (q["kg_avoided"], q["engagement_given_up_pct"])
            != (p["kg_avoided"], p["engagement_given_up_pct"])
            and (
                q["kg_avoided"] > p["kg_avoided"] + 1e-12
                or q["engagement_given_up_pct"] < p["engagement_given_up_pct"] - 1e-12
            )
            for q in pts
        )


def test_defaults_are_valid_and_stated():
    validate(DEFAULT_VARIANTS)
    assert DEFAULT_VARIANTS[0].engagement_kept == 1.0
    assert {v.basis for v in DEFAULT_VARIANTS} == {"stated_default"}


def test_variants_file(tmp_path):
    f = tmp_path / "variantes.json"
    f.write_text(
        '{"variants": [{"name": "completa 1080p", "kind": "video", "engagement_kept": 1,'
        ' "bitrate_kbps": 5000, "basis": "ab_test"},'
        ' {"name": "vertical ñandú", "kind": "display", "engagement_kept": 0.7,'
        ' "bytes_per_view": 180000, "seconds_per_view": 3, "basis": "ab_test"}]}',
        encoding="utf-8",
    )
    vs = load_variants(f)
    assert [v.name for v in vs] == ["completa 1080p", "vertical ñandú"]
    assert vs[1].usage(10, 999) == (1_800_000, 30)
    for body, needle in (
        ("{", "not a readable JSON file"),
        ('{"variantes": []}', "missing 'variants'"),
        ('{"variants": []}', "no variants"),
        (
            '{"variants": [{"name": "a", "kind": "audio", "engagement_kept": 1}]}',
            "kind must be one of",
        ),
        (
            '{"variants": [{"name": "a", "kind": "video", "engagement_kept": 1}]}',
            "bitrate_kbps must be a number",
        ),
        (
            '{"variants": [{"name": "a", "kind": "video", "engagement_kept": 1,'
            ' "bitrate_kbps": 1}, {"name": "a", "kind": "video", "engagement_kept": 0.5,'
            ' "bitrate_kbps": 1}]}',
            "names repeat",
        ),
    ):
        f.write_text(body, encoding="utf-8")
        with pytest.raises(InsightsError, match=needle) as e:
            load_variants(f)
        assert "variantes.json" in str(e.value)


def test_variant_usage():
    v = Variant("x", "video", 1.0, bitrate_kbps=800)
    assert v.usage(5, 100) == (100 * 800 * 1000 / 8, 100)
