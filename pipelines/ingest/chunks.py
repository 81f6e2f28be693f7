"""Keep every column of a frame cut into the same polars chunks, so no step copies it whole.

polars parses text in parallel pieces, so a column read from a file is a list of chunks. A
column built another way (a join, a numpy array) is one chunk. A frame whose columns are cut
differently is copied into one chunk by the next `select`, `drop` or `filter` (seen: +280 MB
for 128 MiB of text). Slicing is zero-copy, so cutting the odd column to match is free.
"""

from __future__ import annotations

import polars as pl

__all__ = ["aligned_like"]


def aligned_like(series: pl.Series, like: pl.Series) -> pl.Series:
    """`series` (of `like`'s length) cut into the same chunks as `like`, without copying."""
    lengths = [len(piece) for piece in like.get_chunks()]
    if len(lengths) <= 1 or series.len() != like.len():
        return series
    if [len(piece) for piece in series.get_chunks()] == lengths:
        return series
    pieces, start = [], 0
    for length in lengths:
        pieces.append(series.slice(start, length))
        start += length
    return pl.concat(pieces, rechunk=False)
