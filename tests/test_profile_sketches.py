"""Mergeable summaries: exact merges for moments, stated error for sketches."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.profile.options import ProfileOptions
from pipelines.profile.pass_one import summarise_batch
from pipelines.profile.sketches import DistinctSketch, Moments, QuantileSketch, TopCounts

OPTS = ProfileOptions()


def _moments(values: list[float]) -> Moments:
    frame = pl.DataFrame({"x": values}, schema={"x": pl.Float64})
    return summarise_batch(frame, OPTS).columns["x"].moments


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=60),
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=60),
)
def test_moments_merge_equals_whole(a: list[float], b: list[float]) -> None:
    merged = _moments(a).merge(_moments(b))
    whole = _moments(a + b)
    assert merged.count == whole.count
    assert merged.minimum == whole.minimum and merged.maximum == whole.maximum
    assert merged.mean == pytest.approx(whole.mean, rel=1e-9, abs=1e-6)
    assert merged.m2 == pytest.approx(whole.m2, rel=1e-6, abs=1e-3)
    if whole.std and whole.std > 1e-3:
        assert merged.std == pytest.approx(whole.std, rel=1e-6)
    if whole.skew is not None and merged.skew is not None and whole.std and whole.std > 1:
        assert merged.skew == pytest.approx(whole.skew, rel=1e-4, abs=1e-4)


def test_moments_match_numpy_and_pandas_definitions() -> None:
    values = [1.0, 2.0, 2.0, 3.0, 10.0]
    m = _moments(values)
    arr = np.array(values)
    assert m.std == pytest.approx(arr.std(ddof=1))
    n = len(arr)
    g1 = ((arr - arr.mean()) ** 3).mean() / arr.std() ** 3
    assert m.skew == pytest.approx(g1 * math.sqrt(n * (n - 1)) / (n - 2))


def test_quantile_sketch_merge_within_stated_rank_error() -> None:
    rng = np.random.default_rng(0)
    data = rng.lognormal(size=20_000)
    parts = np.array_split(data, 7)
    sketches = []
    for part in parts:
        grid = np.sort(part)[np.arange(101) * (len(part) - 1) // 100]
        sketches.append(QuantileSketch(tuple(grid), len(part)))
    merged = sketches[0]
    for s in sketches[1:]:
        merged = merged.merge(s)
    assert merged.count == len(data)
    assert merged.values[0] == data.min() and merged.values[-1] == data.max()
    for q in (0.1, 0.25, 0.5, 0.75, 0.9):
        rank = (data <= merged.quantile(q)).mean()
        assert abs(rank - q) < 0.02, (q, rank)


def test_distinct_sketch_exact_when_small_and_close_when_large() -> None:
    small = pl.DataFrame({"x": ["a", "b", "a", None]})
    assert summarise_batch(small, OPTS).columns["x"].distinct.estimate == 2
    big = pl.DataFrame({"x": np.arange(60_000) % 50_000})
    halves = [summarise_batch(big.slice(0, 30_000), OPTS), summarise_batch(big.slice(30_000), OPTS)]
    sketch: DistinctSketch = halves[0].columns["x"].distinct.merge(halves[1].columns["x"].distinct)
    assert not sketch.is_exact
    assert abs(sketch.estimate - 50_000) / 50_000 < 0.05


def test_top_counts_merge_adds_and_bounds_error() -> None:
    a = TopCounts({"x": 5, "y": 3}, capacity=2)
    b = TopCounts({"x": 1, "z": 4}, capacity=2)
    merged = a.merge(b)
    assert merged.counts == {"x": 6, "z": 4}
    assert not merged.complete and merged.error == 3


@pytest.mark.parametrize("dtype", [pl.Int64, pl.String, pl.Float64], ids=str)
def test_distinct_hashes_agree_between_counted_and_sorted_paths(dtype: pl.DataType) -> None:
    few = pl.DataFrame({"x": np.arange(8_000)}).cast({"x": dtype})  # counted: 8,000 < cap
    many = pl.DataFrame({"x": np.arange(20_000)}).cast({"x": dtype})  # hashed in stage B
    merged = summarise_batch(few, OPTS).merge(summarise_batch(many, OPTS))
    assert abs(merged.columns["x"].distinct.estimate - 20_000) / 20_000 < 0.05


def test_grid_from_counts_matches_sorting() -> None:
    values = pl.DataFrame({"x": [5, 1, 1, 3, 3, 3, 9, None, 2, 2]})
    counted = summarise_batch(values, OPTS).columns["x"].quantiles
    ordered = np.sort(np.array([5, 1, 1, 3, 3, 3, 9, 2, 2], dtype=float))
    expected = ordered[np.arange(101) * (len(ordered) - 1) // 100]
    assert counted.values == tuple(expected)
