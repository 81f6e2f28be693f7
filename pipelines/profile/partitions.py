"""Profile partitions in parallel: the per-batch work of both passes, as picklable functions.

`profile(lazy_frame, map_partitions=...)` cuts the frame into the same `batch_rows` slices
the sequential streamed path reads, and hands `summarise_slice` / `detail_slice` with the
slices to `map_partitions` (any `map`: a Dask client's, a thread pool's, the builtin). The
results merge through the mergeable summaries in slice order, so the report equals the
sequential streamed report exactly, and the in-memory report within the sketches' stated
error. Nothing here knows about Dask: the caller injects the map.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

import polars as pl

from pipelines.profile.batch import BatchSummary
from pipelines.profile.detail import DetailPlan, DetailSummary, summarise_detail
from pipelines.profile.options import ProfileOptions
from pipelines.profile.pass_one import summarise_batch

__all__ = [
    "PartitionMap",
    "detail_slice",
    "mapped_details",
    "mapped_summaries",
    "slices",
    "summarise_slice",
]

_In = TypeVar("_In")
_Out = TypeVar("_Out")

PartitionMap = Callable[[Callable[[Any], Any], Sequence[Any]], Sequence[Any]]
"""`map_partitions(function, items) -> results` in the order of `items` (may run remotely)."""


def slices(frame: pl.LazyFrame, rows_per_slice: int) -> list[pl.LazyFrame]:
    """The frame cut into lazy slices of `rows_per_slice` rows (counts the rows: one scan).

    Parquet scans push a slice down to its row groups, so each slice reads only its rows.
    """
    rows = frame.select(pl.len()).collect().item()
    return [frame.slice(offset, rows_per_slice) for offset in range(0, rows, rows_per_slice)]


def summarise_slice(part: pl.LazyFrame, opts: ProfileOptions) -> BatchSummary:
    """Pass one of one slice (collects the slice); mergeable with the other slices'."""
    return summarise_batch(part.collect(), opts, sketch=True)


def detail_slice(item: tuple[int, pl.LazyFrame], plan: DetailPlan) -> DetailSummary:
    """Pass two of slice number `item[0]` (its index seeds that slice's sample)."""
    index, part = item
    return summarise_detail(part.collect(), plan, index)


def mapped_summaries(
    parts: list[pl.LazyFrame], opts: ProfileOptions, map_partitions: PartitionMap
) -> BatchSummary:
    """Pass one of every slice through `map_partitions`, merged in slice order."""
    summaries = list(map_partitions(partial(summarise_slice, opts=opts), parts))
    return _merged(summaries)


def mapped_details(
    parts: list[pl.LazyFrame], plan: DetailPlan, map_partitions: PartitionMap
) -> DetailSummary:
    """Pass two of every slice through `map_partitions`, merged in slice order."""
    details = list(map_partitions(partial(detail_slice, plan=plan), list(enumerate(parts))))
    return _merged(details)


def _merged(items: list[_Out]) -> _Out:
    merged = items[0]
    for item in items[1:]:
        merged = merged.merge(item)  # type: ignore[attr-defined]
    return merged
