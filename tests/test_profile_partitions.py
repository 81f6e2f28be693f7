"""Profile per partition, merged through the mergeable summaries (`map_partitions=`).

On the real lending-club table (10,000 rows x 56 columns, cut into 4 slices): the mapped
profile equals the sequential streamed profile exactly, and the single-process in-memory
profile exactly for counts, nulls, min, max, means and sums, and within the sketches' stated
error for quantiles (rank error ~1% per merge level) and distinct counts (KMV, exact below k).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from pipelines.ingest import ingest
from pipelines.profile import ProfileOptions, ProfileReport, profile

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
LOANS = SHARED / "lending_club_loans.csv"
SLICE_ROWS = 2_500
OPTIONS = ProfileOptions(batch_rows=SLICE_ROWS)

pytestmark = pytest.mark.skipif(not LOANS.is_file(), reason="needs ../shared/data")


class RecordingMap:
    """The builtin `map`, counting the items it was given (a stand-in for a cluster's map)."""

    def __init__(self) -> None:
        self.items: list[int] = []

    def __call__(self, function: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        self.items.append(len(items))
        return [function(item) for item in items]


@pytest.fixture(scope="module")
def loans_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("loans") / "loans.parquet"
    ingest(str(LOANS)).data.write_parquet(path)
    return path


def mapped_report(path: Path, map_partitions: Any, task: Any = None) -> ProfileReport:
    """The profile of `path` in 4 slices through `map_partitions`."""
    return profile(
        pl.scan_parquet(path), options=OPTIONS, map_partitions=map_partitions, task=task
    ).report


def test_mapped_profile_equals_the_sequential_stream_exactly(loans_parquet: Path) -> None:
    recording = RecordingMap()
    mapped = mapped_report(loans_parquet, recording)
    sequential = profile(pl.scan_parquet(loans_parquet), options=OPTIONS).report
    assert recording.items == [4, 4]  # pass one and pass two, 4 slices each
    assert mapped.dataset.batches == 4
    assert mapped.to_json_dict() == sequential.to_json_dict()


def _rank(values: np.ndarray, x: float) -> float:
    return float(np.searchsorted(values, x, side="right")) / len(values)


@pytest.mark.parametrize("tracked", [10_000, 100], ids=["counted", "sketched"])
def test_mapped_profile_matches_the_in_memory_profile_within_the_stated_error(
    loans_parquet: Path, tracked: int
) -> None:
    """Counts exact; quantiles exact while every value is counted, else within the rank error.

    With `tracked=100` columns with more distinct values go through the quantile sketch; the
    rank error is checked on columns without heavy ties (no value above 1% of the rows),
    where the sketch's piecewise-linear CDF holds: on a heavy tie it interpolates between two
    values, which is the documented limit of that sketch.
    """
    options = OPTIONS.model_copy(update={"tracked_values": tracked})
    frame = pl.read_parquet(loans_parquet)
    merged = profile(
        pl.scan_parquet(loans_parquet), options=options, map_partitions=RecordingMap()
    ).report
    whole = profile(frame, options=options).report
    assert merged.dataset.rows == whole.dataset.rows == 10_000
    assert merged.dataset.duplicate_rows == whole.dataset.duplicate_rows
    assert merged.missingness.null_cells == whole.missingness.null_cells
    rank_error = 3 / (options.quantile_points - 1)  # four slices: three merge levels
    sketched = 0
    for ours, exact in zip(merged.columns, whole.columns, strict=True):
        assert (ours.name, ours.count, ours.nulls) == (exact.name, exact.count, exact.nulls)
        if exact.distinct < options.distinct_sketch_size:
            assert ours.distinct == exact.distinct, ours.name
        else:
            relative = abs(ours.distinct - exact.distinct) / exact.distinct
            assert relative <= 3 / math.sqrt(options.distinct_sketch_size - 2), ours.name
        if exact.numeric is None:
            continue
        assert ours.numeric is not None
        for field in ("minimum", "maximum", "zeros", "negatives"):
            assert getattr(ours.numeric, field) == getattr(exact.numeric, field), ours.name
        for field in ("mean", "total", "std"):
            a, b = getattr(ours.numeric, field), getattr(exact.numeric, field)
            assert a == pytest.approx(b, rel=1e-6, abs=1e-9), (ours.name, field)
        if exact.distinct <= tracked:  # every value counted: the merge is exact
            assert ours.numeric.quantiles == exact.numeric.quantiles, ours.name
            continue
        values = np.sort(frame.get_column(ours.name).drop_nulls().cast(pl.Float64).to_numpy())
        if np.unique(values, return_counts=True)[1].max() > 0.01 * len(values):
            continue
        sketched += 1
        for label, q in (("p5", 0.05), ("p25", 0.25), ("p50", 0.5), ("p75", 0.75), ("p95", 0.95)):
            estimate = ours.numeric.quantiles[label]
            assert estimate is not None
            below = _rank(values, np.nextafter(estimate, -np.inf))
            at_or_below = _rank(values, estimate)
            assert below - rank_error <= q <= at_or_below + rank_error, (ours.name, label)
    assert sketched >= (5 if tracked == 100 else 0)


def test_a_data_frame_ignores_the_map_and_stays_exact(loans_parquet: Path) -> None:
    recording = RecordingMap()
    frame = pl.read_parquet(loans_parquet)
    report = profile(frame, options=OPTIONS, map_partitions=recording).report
    assert recording.items == [] and report.dataset.batches == 1
