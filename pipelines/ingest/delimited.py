"""Delimited text (CSV/TSV/...) read chunk by chunk into all-String frames, nothing lost.

Each chunk is UTF-8 bytes cut at a line end; `records.scan_records` judges its records and
polars parses the good ones in one call. Columns stay String here: type repair is a later,
whole-column step (`repair.py`), so the same chunks serve in-memory and streaming reads.
"""

from __future__ import annotations

import codecs
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

import numpy as np
import polars as pl

from pipelines.errors import SourceError
from pipelines.ingest.encoding import EncodingGuess, detect_encoding, looks_binary
from pipelines.ingest.encoding import utf8_error_offsets as _utf8_error_offsets
from pipelines.ingest.fallback import parse_one_record
from pipelines.ingest.headers import normalized_names, unique_names
from pipelines.ingest.models import QUARANTINE_SCHEMA, IngestOptions
from pipelines.ingest.raw import empty_quarantine
from pipelines.ingest.records import BadRecord, ScanResult, scan_records
from pipelines.ingest.sniff import sniff_delimiter

__all__ = ["LINE_COLUMN", "TextChunk", "TextLayout", "read_text_table"]

LINE_COLUMN = "_source_line"
_SNIFF_BYTES = 256 * 1024
_MAX_CARRY_CHUNKS = 4
_MIN_HEAD_BYTES = 64 * 1024
MAX_HEADER_FIELDS = 16_384
"""Excel's column limit: a header with more fields is a mis-read (line endings, delimiter)."""
_MAX_HEADER_BYTES = 1 << 20
_CR_SAMPLE_BYTES = 1 << 20

Opener = Callable[[], IO[bytes]]


@dataclass(frozen=True)
class TextLayout:
    """What was learnt from the head of the file: encoding, delimiter and header."""

    source_file: str
    encoding: EncodingGuess
    delimiter: str
    original_names: tuple[str, ...]
    column_names: tuple[str, ...]
    header_line: int
    body_line: int
    leading_blank_lines: int

    @property
    def format(self) -> str:
        """`csv` for comma-separated text, `delimited` for any other separator."""
        return "csv" if self.delimiter == "," else "delimited"

    line_endings: str = "LF"
    warnings: tuple[str, ...] = ()

    @property
    def notes(self) -> tuple[str, ...]:
        """What the reader decided that a user may want to know."""
        notes = [f"encoding {self.encoding.codec}: {self.encoding.reason}"]
        if self.line_endings == "CR":
            notes.append("line endings: classic Mac (CR only); each CR read as a line end")
        return (*notes, *self.warnings)


@dataclass(frozen=True)
class TextChunk:
    """One chunk: String columns plus `_source_line`, its quarantined records, blank lines."""

    data: pl.DataFrame
    quarantine: pl.DataFrame
    blank_lines: int


def read_text_table(
    opener: Opener, source_file: str, options: IngestOptions, default_delimiter: str | None = None
) -> tuple[TextLayout, Iterator[TextChunk]]:
    """Open a delimited text source; return its layout and a generator of chunks.

    Reads the first chunk eagerly (to detect encoding, delimiter and header and to fail fast
    on bad input); later chunks are read lazily, so memory stays bounded by the chunk size.
    """
    stream = opener()
    head = _read_head(stream, max(options.chunk_bytes, _MIN_HEAD_BYTES), options.quote_char)
    if not head:
        stream.close()
        msg = f"{source_file}: file is empty (0 bytes); export the table again or pick another file"
        raise SourceError(msg)
    if looks_binary(head[:65536]):
        stream.close()
        msg = (
            f"{source_file}: looks like binary data, not delimited text; check the file type "
            "(Parquet, Excel and compressed files need their own extension)"
        )
        raise SourceError(msg)
    more = len(head) >= max(options.chunk_bytes, _MIN_HEAD_BYTES)
    try:
        guess = detect_encoding(head, options.encoding)
    except ValueError as exc:
        stream.close()
        msg_0 = f"{source_file}: {exc}"
        raise SourceError(msg_0) from exc
    decoder = _Transcoder(guess)
    first = decoder.feed(head[guess.bom_length :], final=not more)
    if cr_line_ends(first[:_CR_SAMPLE_BYTES]):
        decoder.cr_line_ends = True
        first = decoder.convert_line_ends(first, final=not more)
    sample = first[:_SNIFF_BYTES].decode("utf-8", errors="replace")
    delimiter = (
        options.delimiter or default_delimiter or sniff_delimiter(sample, options.quote_char)
    )
    try:
        header = _read_header(first, delimiter, options)
    except SourceError as exc:
        stream.close()
        msg_0 = f"{source_file}: {exc}"
        raise SourceError(msg_0) from exc
    if options.has_header:
        originals = tuple(header.fields)
        body_offset, body_line = header.end_offset, header.line + header.lines_used
    else:
        originals = tuple(f"column_{i}" for i in range(1, len(header.fields) + 1))
        body_offset, body_line = header.start_offset, header.line
    if options.normalize_headers:
        names = tuple(normalized_names(list(originals)))
    else:
        names = tuple(unique_names([name.strip() for name in originals]))
    layout = TextLayout(
        source_file,
        guess,
        delimiter,
        originals,
        names,
        header.line,
        body_line,
        header.blank,
        "CR" if decoder.cr_line_ends else "LF",
        _width_warnings(first[body_offset:], header, delimiter, options),
    )
    chunks = _iter_chunks(stream, decoder, first[body_offset:], more, layout, options)
    return layout, chunks


def _read_head(stream: IO[bytes], size: int, quote: str) -> bytes:
    """Read at least `size` bytes, and on until the first non-blank record is complete."""
    head = stream.read(size)
    mark = quote.encode() if quote else b""
    while True:
        content = len(head) - len(head.lstrip())
        newline = head.find(b"\n", content)
        if newline < 0 and head.find(b"\r", content) >= 0:  # CR-only line ends
            return head
        while newline >= 0 and mark and head.count(mark, 0, newline) % 2:
            newline = head.find(b"\n", newline + 1)
        if newline >= 0:
            return head
        block = stream.read(size)
        if not block:
            return head
        head += block


@dataclass(frozen=True)
class _Header:
    fields: list[str]
    start_offset: int
    end_offset: int
    line: int
    lines_used: int
    blank: int


def _read_header(first: bytes, delimiter: str, options: IngestOptions) -> _Header:
    """Parse the first non-blank record of the (UTF-8) head of the file."""
    text = _head_text(first)
    position, line, blank = 0, 1, 0
    while position < len(text):
        newline = text.find("\n", position)
        physical = text[position : len(text) if newline < 0 else newline]
        if physical.strip():
            break
        blank += 1
        line += 1
        position = len(text) if newline < 0 else newline + 1
    if position >= len(text):
        msg = "has no header row: it holds only blank lines; check that this is the right file"
        raise SourceError(msg)
    newline = text.find("\n", position)
    physical_end = len(text) if newline < 0 else newline
    if physical_end - position > _MAX_HEADER_BYTES:
        msg = (
            f"header row (line {line}) is {physical_end - position:,} characters with no line "
            "break; check the line endings and the delimiter, or export the table again"
        )
        raise SourceError(msg)
    if text.count(delimiter, position, physical_end) >= MAX_HEADER_FIELDS:
        msg = (
            f"header row (line {line}) has more than {MAX_HEADER_FIELDS:,} fields; check the "
            "delimiter and line endings (or transpose the table)"
        )
        raise SourceError(msg)
    record = parse_one_record(text, position, delimiter, options.quote_char or None, line)
    if record.unterminated:
        msg = f"header row (line {line}) has an unterminated quote; fix the header line"
        raise SourceError(msg)
    start = len(text[:position].encode("utf-8"))
    end = len(text[: record.end].encode("utf-8"))
    fields = list(record.fields)  # as written; normalisation trims
    return _Header(fields, start, end, line, record.lines_used, blank)


def _head_text(first: bytes, limit: int = 1 << 20) -> str:
    """Decode just enough of the head to hold the header (a quoted header may span lines)."""
    while limit < len(first):
        cut = first.rfind(b"\n", 0, limit) + 1
        if cut and first[:cut].count(b'"') % 2 == 0 and first[:cut].strip():
            return first[:cut].decode("utf-8", errors="replace")
        limit *= 4
    return first.decode("utf-8", errors="replace")


def cr_line_ends(sample: bytes) -> bool:
    """Whether lone CRs (classic Mac line ends) outnumber LFs in `sample`."""
    crlf = sample.count(b"\r\n")
    return sample.count(b"\r") - crlf > sample.count(b"\n")


class _Transcoder:
    """Turn source bytes into UTF-8 bytes chunk by chunk (a no-op for UTF-8 sources).

    With `cr_line_ends`, CR and CRLF become LF, so CR-only files read like any other (a CR
    at the end of a block is held back in case an LF starts the next one).
    """

    def __init__(self, guess: EncodingGuess) -> None:
        self.passthrough = guess.is_utf8
        codec = "utf-8" if guess.codec == "utf-8-sig" else guess.codec
        self.decoder = None if self.passthrough else codecs.getincrementaldecoder(codec)("replace")
        self.cr_line_ends = False
        self._held_cr = b""

    def feed(self, data: bytes, *, final: bool) -> bytes:
        out = data if self.decoder is None else self.decoder.decode(data, final=final).encode()
        return self.convert_line_ends(out, final=final) if self.cr_line_ends else out

    def convert_line_ends(self, data: bytes, *, final: bool) -> bytes:
        data, self._held_cr = self._held_cr + data, b""
        if not final and data.endswith(b"\r"):
            data, self._held_cr = data[:-1], b"\r"
        return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _width_warnings(
    body: bytes, header: _Header, delimiter: str, options: IngestOptions
) -> tuple[str, ...]:
    """Say so when the header has far more fields than the data rows (rows read as names?)."""
    lines = [line for line in body[:_SNIFF_BYTES].split(b"\n")[:200] if line.strip()]
    if len(header.fields) < 4 or len(lines) < 2:
        return ()
    quote = (options.quote_char or "").encode()
    counts = Counter(
        line.count(delimiter.encode()) + 1 for line in lines if not quote or quote not in line
    )
    if not counts:
        return ()
    typical = counts.most_common(1)[0][0]
    if len(header.fields) <= 2 * typical:
        return ()
    return (
        f"header row (line {header.line}) has {len(header.fields):,} fields but most data rows "
        f"have {typical}: check the header line, delimiter and line endings (rows with too "
        "few fields are quarantined)",
    )


def _iter_chunks(
    stream: IO[bytes],
    decoder: _Transcoder,
    body: bytes,
    more: bool,  # noqa: FBT001 - private helper, always passed positionally
    layout: TextLayout,
    options: IngestOptions,
) -> Iterator[TextChunk]:
    """Yield chunks until the stream ends, carrying an incomplete record into the next one."""
    try:
        line, pending = layout.body_line, body
        while True:
            if more and len(pending) < options.chunk_bytes:
                block = stream.read(options.chunk_bytes)
                more = bool(block)
                pending += decoder.feed(block, final=not more)
                continue
            final = not more
            if final:
                work, rest = pending, b""
            else:
                cut = pending.rfind(b"\n", 0, options.chunk_bytes) + 1 or pending.rfind(b"\n") + 1
                if cut == 0:  # one line longer than a chunk: read on
                    block = stream.read(options.chunk_bytes)
                    more = bool(block)
                    pending += decoder.feed(block, final=not more)
                    continue
                work, rest = pending[:cut], pending[cut:]
            if not work:
                return
            force = final or len(work) > _MAX_CARRY_CHUNKS * options.chunk_bytes
            chunk, consumed = _process(work, line, layout, options, final=force)
            line += work.count(b"\n", 0, consumed)
            pending = work[consumed:] + rest
            yield chunk
            if final:
                return
    finally:
        stream.close()


def _process(
    work: bytes, line: int, layout: TextLayout, options: IngestOptions, *, final: bool
) -> tuple[TextChunk, int]:
    """Scan one buffer and build its String frame and quarantine."""
    bad_offsets = None
    if layout.encoding.is_utf8 and not work.isascii():  # ASCII is valid UTF-8: skip the decode
        offsets = _utf8_error_offsets(work)
        bad_offsets = np.asarray(offsets, dtype=np.int64) if offsets else None
    scan = scan_records(
        work,
        delimiter=layout.delimiter,
        quote=options.quote_char or None,
        expected_fields=len(layout.column_names),
        first_line=line,
        final=final,
        bad_offsets=bad_offsets,
    )
    data = _frame(work, scan, layout, options)
    quarantine = _quarantine_frame(scan.bad, layout.source_file)
    return TextChunk(data, quarantine, scan.blank_lines), scan.consumed


def _frame(
    work: bytes, scan: ScanResult, layout: TextLayout, options: IngestOptions
) -> pl.DataFrame:
    names = list(layout.column_names)
    starts, stops, lines = scan.good_spans()
    parts = [_parse_spans(work, starts, stops, lines, names, layout.delimiter, options)]
    if scan.parsed:
        columns = list(zip(*(record.fields for record in scan.parsed), strict=True))
        parsed = pl.DataFrame(
            {name: list(values) for name, values in zip(names, columns, strict=True)},
            schema=dict.fromkeys(names, pl.String),
        ).with_columns(pl.Series(LINE_COLUMN, [r.line for r in scan.parsed], dtype=pl.Int64))
        parts.append(parsed)
        return pl.concat(parts, how="vertical").sort(LINE_COLUMN)
    return parts[0]


def _parse_spans(
    work: bytes,
    starts: np.ndarray,
    stops: np.ndarray,
    lines: np.ndarray,
    names: list[str],
    delimiter: str,
    options: IngestOptions,
) -> pl.DataFrame:
    """Parse the good records with one polars call; fall back to Python if polars disagrees."""
    schema = dict.fromkeys(names, pl.String)
    line_series = pl.Series(LINE_COLUMN, lines, dtype=pl.Int64)
    if starts.size == 0:
        return pl.DataFrame(schema=schema).with_columns(line_series)
    breaks = np.flatnonzero(starts[1:] != stops[:-1]) + 1
    run_starts = np.concatenate(([0], breaks))
    run_ends = np.concatenate((breaks, [starts.size]))
    pieces = [work[starts[a] : stops[b - 1]] for a, b in zip(run_starts, run_ends, strict=True)]
    payload = (
        pieces[0]
        if len(pieces) == 1
        else b"".join(piece if piece.endswith(b"\n") else piece + b"\n" for piece in pieces)
    )
    try:
        frame = pl.read_csv(
            payload,
            has_header=False,
            new_columns=names,
            schema=schema,
            separator=delimiter,
            quote_char=options.quote_char or None,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        frame = None
    if frame is None or frame.height != starts.size:
        frame = _parse_spans_python(work, starts, stops, names, delimiter, options)
    return frame.with_columns(line_series)


def _parse_spans_python(
    work: bytes,
    starts: np.ndarray,
    stops: np.ndarray,
    names: list[str],
    delimiter: str,
    options: IngestOptions,
) -> pl.DataFrame:
    """Slow, exact path for the rare chunk polars reads differently from our scanner."""
    rows: list[list[str | None]] = []
    for start, stop in zip(starts, stops, strict=True):
        text = work[start:stop].decode("utf-8", errors="replace")
        record = parse_one_record(text, 0, delimiter, options.quote_char or None, 0)
        rows.append([value if value != "" else None for value in record.fields])
    return pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row")


def _quarantine_frame(bad: list[BadRecord], source_file: str) -> pl.DataFrame:
    if not bad:
        return empty_quarantine()
    return pl.DataFrame(
        {
            "_source_file": [source_file] * len(bad),
            "_source_line": [record.line for record in bad],
            "_raw": [record.raw for record in bad],
            "_reason": [record.reason for record in bad],
            "_detail": [record.detail for record in bad],
        },
        schema=QUARANTINE_SCHEMA,
    )
