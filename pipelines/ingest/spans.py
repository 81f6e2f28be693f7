"""Good records of a chunk into an all-String frame: one polars call, Python when it disagrees.

`parse_spans` hands polars the runs of records the scanner judged good (the chunk itself when
every record is good); when polars reads a different number of rows, the slow exact path
parses record by record and quarantines any whose careful parse has the wrong field count.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.ingest.chunks import aligned_like
from pipelines.ingest.fallback import parse_one_record
from pipelines.ingest.records import BadRecord
from pipelines.ingest.sniff import Dialect

__all__ = ["LINE_COLUMN", "parse_spans"]

LINE_COLUMN = "_source_line"
_LF = 10


def parse_spans(
    work: bytes,
    starts: np.ndarray,
    stops: np.ndarray,
    lines: np.ndarray,
    names: list[str],
    dialect: Dialect,
) -> tuple[pl.DataFrame, list[BadRecord]]:
    """Parse the good records with one polars call; fall back to Python if polars disagrees."""
    schema = dict.fromkeys(names, pl.String)
    if starts.size == 0:
        return pl.DataFrame(schema=schema).with_columns(
            pl.Series(LINE_COLUMN, lines, dtype=pl.Int64)
        ), []
    breaks = np.flatnonzero(starts[1:] != stops[:-1]) + 1
    run_starts = np.concatenate(([0], breaks))
    run_ends = np.concatenate((breaks, [starts.size]))
    first = int(starts[0])
    header = _header_line(work[first : first + 4], len(names), dialect.delimiter)
    if header is None:
        return _parse_spans_python(work, starts, stops, lines, names, dialect)
    if len(run_starts) == 1 and first == 0 and stops[-1] == len(work) and not header:
        payload = work  # every record is good: hand polars the chunk itself, no copy
    else:  # one copy: the runs of good records, joined from views of the chunk
        view = memoryview(work)
        parts: list[bytes | memoryview] = [header]
        for a, b in zip(run_starts, run_ends, strict=True):
            start, stop = int(starts[a]), int(stops[b - 1])
            parts.append(view[start:stop])
            if work[stop - 1] != _LF:
                parts.append(b"\n")
        payload = b"".join(parts)
        del parts, view
    try:
        frame = pl.read_csv(
            payload,
            has_header=bool(header),
            new_columns=names,
            schema=schema,
            separator=dialect.delimiter,
            quote_char=dialect.quote,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        frame = None
    if frame is None or frame.height != starts.size:
        return _parse_spans_python(work, starts, stops, lines, names, dialect)
    line_numbers = pl.Series(LINE_COLUMN, lines, dtype=pl.Int64)
    if frame.width:  # same chunks as the text columns, so later steps never copy the frame
        line_numbers = aligned_like(line_numbers, frame.to_series(0))
    return pl.DataFrame([*frame.get_columns(), line_numbers]), []


_COMPRESSED_MAGIC = (b"\x1f\x8b", b"\x28\xb5\x2f\xfd", b"x\x01", b"x\x5e", b"x\x9c", b"x\xda")
"""Leading bytes polars takes for gzip, zstd or zlib and tries to decompress (`x^0` is text)."""


def _header_line(first: bytes, width: int, delimiter: str) -> bytes | None:
    """b"" normally; a throwaway header when the payload starts like compressed data; or None.

    `first` is the payload's first bytes. polars sniffs the first bytes of what it is given;
    records such as `x^0` (zlib's magic) make it fail with "corrupt deflate stream". A header
    line in front hides them; None asks for the careful parser when no safe header can be
    spelt (an alphanumeric delimiter).
    """
    if not first.startswith(_COMPRESSED_MAGIC):
        return b""
    if delimiter.isalnum():
        return None
    return (delimiter.join(f"h{index}" for index in range(width)) + "\n").encode()


def _parse_spans_python(
    work: bytes,
    starts: np.ndarray,
    stops: np.ndarray,
    lines: np.ndarray,
    names: list[str],
    dialect: Dialect,
) -> tuple[pl.DataFrame, list[BadRecord]]:
    """Slow, exact path for the rare chunk polars reads differently from our scanner.

    A record whose careful parse has the wrong field count (a quote inside a field the quote
    parity took for a pair) is quarantined here rather than breaking the frame.
    """
    rows: list[list[str | None]] = []
    kept: list[int] = []
    bad: list[BadRecord] = []
    for start, stop, line in zip(starts, stops, lines, strict=True):
        text = work[start:stop].decode("utf-8", errors="replace")
        record = parse_one_record(
            text,
            0,
            dialect.delimiter,
            dialect.quote,
            int(line),
            escape=dialect.escape,
            skip_initial_space=dialect.skip_initial_space,
        )
        if len(record.fields) != len(names):
            reason = "too_many_fields" if len(record.fields) > len(names) else "too_few_fields"
            detail = f"expected {len(names)} fields, found {len(record.fields)}"
            bad.append(BadRecord(int(line), record.raw, reason, detail))
            continue
        rows.append([value if value != "" else None for value in record.fields])
        kept.append(int(line))
    frame = pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row")
    return frame.with_columns(pl.Series(LINE_COLUMN, kept, dtype=pl.Int64)), bad
