"""Record ends and field counts of delimited UTF-8 bytes, in one blockwise pass on all cores.

Only three byte values matter: LF, the delimiter and the quote. Each block of the buffer
yields their positions; quote parity (how many quotes precede a byte) says which LFs end
records and which delimiters separate fields, found by binary search between the lists.
Blocks are independent once the parity at their start is known, so they run in threads
(numpy releases the GIL) and their counts merge by addition.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import accumulate

import numpy as np

__all__ = ["Events", "scan_events"]

_NEWLINE = 10
BLOCK_BYTES = 1 << 21
"""Bytes per block: temporaries per thread stay near 10x this, not 10x the chunk."""
_WORKERS = min(4, os.cpu_count() or 1)
_POOL: list[ThreadPoolExecutor] = []


def _pool() -> ThreadPoolExecutor:
    """One long-lived pool: threads (and their malloc arenas) are reused across chunks."""
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="ingest-scan"))
    return _POOL[0]


@dataclass(frozen=True)
class Events:
    """Record ends (LF at even quote parity), their LF index and field count; totals."""

    ends: np.ndarray
    end_index: np.ndarray
    fields: np.ndarray
    trailing_fields: int
    newlines: int
    quotes: int


def scan_events(view: np.ndarray, delimiter: int, quote: int | None) -> Events:
    """One pass over LF, delimiter and quote bytes, in blocks scanned on all cores.

    A byte is inside quotes when an odd number of quotes precede it: an LF at even parity
    ends a record, a delimiter at even parity separates fields. Quotes pair in order
    (`""` escapes keep parity), as in `fallback.parse_one_record` for well-formed records.
    Each block needs only the parity at its start (a cheap count first); its LF numbers and
    field counts are local and merge by adding the blocks before it, so blocks run in
    parallel threads (numpy releases the GIL) with bounded temporaries each.
    """
    starts = list(range(0, view.size, BLOCK_BYTES))
    parity = [0] * len(starts)
    if quote is not None:
        counts = [int(np.count_nonzero(view[s : s + BLOCK_BYTES] == quote)) for s in starts]
        parity = [total & 1 for total in accumulate(counts, initial=0)][: len(starts)]

    def run(job: tuple[int, int]) -> _BlockEvents:
        return _block_events(view, job[0], job[1], delimiter, quote)

    jobs = list(zip(starts, parity, strict=True))
    if len(jobs) > 2 and _WORKERS > 1:
        blocks = list(_pool().map(run, jobs))
    else:
        blocks = [run(job) for job in jobs]
    ends, end_index, cumulative = [], [], []
    newlines = quotes = outside = 0
    for block in blocks:
        ends.append(block.ends)
        end_index.append(block.end_index + newlines)
        cumulative.append(block.outside_at_ends + outside)
        newlines += block.newlines
        quotes += block.quotes
        outside += block.outside
    empty = np.zeros(0, dtype=np.int64)
    at_ends = np.concatenate(cumulative) if cumulative else empty
    fields = np.diff(at_ends, prepend=0) + 1
    last = int(at_ends[-1]) if at_ends.size else 0
    return Events(
        np.concatenate(ends) if ends else empty,
        np.concatenate(end_index) if end_index else empty,
        fields,
        outside - last + 1,
        newlines,
        quotes,
    )


@dataclass(frozen=True)
class _BlockEvents:
    ends: np.ndarray
    end_index: np.ndarray
    outside_at_ends: np.ndarray
    newlines: int
    quotes: int
    outside: int


def _block_events(
    view: np.ndarray, start: int, parity: int, delimiter: int, quote: int | None
) -> _BlockEvents:
    """Record ends in `view[start:start + BLOCK_BYTES]`, whose first byte has quote `parity`.

    Three position lists (LF, delimiter, quote) and binary searches between them: quotes
    toggle parity, so the delimiters at odd parity are those inside the spans between a
    quote that opens (parity 0 -> 1) and the next; no per-delimiter arithmetic.
    """
    block = view[start : start + BLOCK_BYTES]
    newlines = np.flatnonzero(block == _NEWLINE)
    delimiters = np.flatnonzero(block == delimiter)
    quotes = np.flatnonzero(block == quote) if quote is not None else newlines[:0]
    if quotes.size == 0 and parity == 0:
        ends, end_index = newlines, np.arange(newlines.size)
        outside_at_ends = np.searchsorted(delimiters, ends)
        inside_total = 0
    else:
        even = ((np.searchsorted(quotes, newlines) + parity) & 1) == 0
        end_index = np.flatnonzero(even)
        ends = newlines[end_index]
        # odd-parity spans: opens[i] .. closes[i]; a block starting inside quotes opens at 0
        opens = quotes[0::2] if parity == 0 else np.concatenate(([0], quotes[1::2]))
        closes = quotes[1::2] if parity == 0 else quotes[0::2]
        inside = np.searchsorted(delimiters, closes) - np.searchsorted(
            delimiters, opens[: closes.size]
        )
        inside_before = np.concatenate(([0], np.cumsum(inside)))
        closed_before = np.searchsorted(closes, ends)
        outside_at_ends = np.searchsorted(delimiters, ends) - inside_before[closed_before]
        inside_total = int(inside_before[-1])
        if opens.size > closes.size:  # still inside quotes at the block's end
            inside_total += delimiters.size - int(np.searchsorted(delimiters, opens[-1]))
    return _BlockEvents(
        ends + start,
        end_index,
        outside_at_ends,
        int(newlines.size),
        int(quotes.size),
        delimiters.size - inside_total,
    )
