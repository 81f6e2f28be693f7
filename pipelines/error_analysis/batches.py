"""Row batches: the parts that need every row walk over them, so memory follows the batch size.

A part that reads every evaluation row (prediction, cohort and fairness counts, slice counts)
takes `batch_rows` rows at a time and adds up mergeable counts (rows, sums, sums of squares),
so its working memory depends on `batch_rows`, not on the number of rows. At or below
`batch_rows` rows there is one batch, and the arithmetic is the whole-frame arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["DEFAULT_BATCH_ROWS", "row_batches"]

DEFAULT_BATCH_ROWS = 100_000
"""Rows per batch unless `ErrorAnalysisOptions.batch_rows` says otherwise."""


def row_batches(rows: int, batch_rows: int) -> Iterator[tuple[int, int]]:
    """`(offset, length)` of consecutive batches covering `rows` rows (one batch when few).

    >>> list(row_batches(5, 2))
    [(0, 2), (2, 2), (4, 1)]
    """
    if batch_rows < 1:
        msg = f"`batch_rows` must be at least 1, got {batch_rows}"
        raise ValueError(msg)
    for offset in range(0, rows, batch_rows):
        yield offset, min(batch_rows, rows - offset)
