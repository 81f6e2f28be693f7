"""Split delimited UTF-8 bytes into records and judge each one, vectorised with numpy.

Record boundaries come from quote parity: a newline ends a record when an even number of quote
bytes precede it (doubled `""` escapes keep parity). Field counts come from the delimiters at
even parity. Records whose field count is off and that contain a quote are re-read by the
pure-Python parser in `fallback.py`, which knows a quote opens a field only at its start; when
that changes where records end ("parity break"), the rest is re-scanned from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pipelines.ingest.events import scan_events
from pipelines.ingest.fallback import ParsedRecord, parse_one_record

__all__ = ["BadRecord", "ScanResult", "scan_records"]

_NEWLINE, _CR = 10, 13
_MAX_RESCANS = 64
"""After this many parity breaks in one buffer, the rest is read in pure Python (linear)."""

_GOOD, _BLANK, _NUL, _UNDECODABLE, _CHECK = 0, 1, 2, 3, 4
_ESCAPE = "surrogateescape"


@dataclass(frozen=True)
class BadRecord:
    """A record that cannot become a row: the line it starts on, its text and why."""

    line: int
    raw: str
    reason: str
    detail: str


@dataclass
class ScanResult:
    """Good records as byte spans (for polars), rows the fallback parsed, and bad records.

    A span is `buf[start:stop]` including its line ending; `consumed` is how many bytes of the
    buffer were settled (the rest is an incomplete record to carry into the next chunk).
    """

    starts: list[np.ndarray] = field(default_factory=list)
    stops: list[np.ndarray] = field(default_factory=list)
    lines: list[np.ndarray] = field(default_factory=list)
    parsed: list[ParsedRecord] = field(default_factory=list)
    bad: list[BadRecord] = field(default_factory=list)
    blank_lines: int = 0
    consumed: int = 0

    def good_spans(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Concatenated (start, stop, line) arrays of the records polars should parse."""
        if not self.starts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        return np.concatenate(self.starts), np.concatenate(self.stops), np.concatenate(self.lines)


@dataclass(frozen=True)
class _Dialect:
    delimiter: int
    quote: int | None
    expected: int
    final: bool
    escape: str | None = None
    skip_initial_space: bool = False

    def parse(self, text: str, start: int, line: int) -> ParsedRecord:
        """The careful parse of the record at `text[start]` in this dialect."""
        return parse_one_record(
            text,
            start,
            chr(self.delimiter),
            chr(self.quote) if self.quote is not None else None,
            line,
            escape=self.escape,
            skip_initial_space=self.skip_initial_space,
        )


def scan_records(
    buf: bytes,
    *,
    delimiter: str,
    quote: str | None,
    expected_fields: int,
    first_line: int,
    final: bool,
    bad_offsets: np.ndarray | None = None,
    escape: str | None = None,
    skip_initial_space: bool = False,
) -> ScanResult:
    """Judge every record of `buf`, whose first byte is on file line `first_line`.

    When not `final`, stops after the last record that is surely complete. `bad_offsets`
    holds byte offsets of undecodable sequences; their records are quarantined. Dialects with
    an escape character or skipped initial spaces are read by the careful parser throughout
    (quote parity cannot find their record bounds).
    """
    dialect = _Dialect(
        ord(delimiter),
        ord(quote) if quote else None,
        expected_fields,
        final,
        escape,
        skip_initial_space,
    )
    result = ScanResult()
    if escape is not None or skip_initial_space:
        _scan_python(buf, 0, first_line, dialect, result)
        return result
    arr = np.frombuffer(buf, dtype=np.uint8)
    bad_at = np.zeros(0, dtype=np.int64) if bad_offsets is None else np.asarray(bad_offsets)
    offset, line = 0, first_line
    for _ in range(_MAX_RESCANS):  # each pass ends at the end or at a parity break
        restart = _scan_vectorised(buf, arr, offset, line, dialect, bad_at, result)
        if restart is None:
            return result
        offset, line = restart
        if offset >= len(buf):
            result.consumed = len(buf)
            return result
    _scan_python(buf, offset, line, dialect, result)
    return result


@dataclass(frozen=True)
class _Records:
    """Where each record of a view is: byte bounds, its first line, and what it spans."""

    starts: np.ndarray
    ends: np.ndarray
    stops: np.ndarray
    content_ends: np.ndarray
    lines: np.ndarray
    fields: np.ndarray
    multi_line: np.ndarray
    processed: int
    open_quote_at_end: bool


def _find_records(
    view: np.ndarray, buf: bytes, offset: int, line: int, dialect: _Dialect
) -> _Records | None:
    """Record bounds from quote parity, and field counts; None when no record is complete."""
    quote = dialect.quote
    if quote is not None and buf.find(bytes([quote]), offset) < 0:
        quote = None  # no quote in the rest of the chunk (memchr): LFs alone end records
    events = scan_events(view, dialect.delimiter, quote)
    ends, end_index, fields = events.ends, events.end_index, events.fields
    if dialect.final and view.size and (ends.size == 0 or ends[-1] != view.size - 1):
        ends = np.append(ends, view.size)
        end_index = np.append(end_index, events.newlines)
        fields = np.append(fields, events.trailing_fields)
    if ends.size == 0:
        return None
    starts = np.concatenate(([0], ends[:-1] + 1))
    stops = np.minimum(ends + 1, view.size)
    content_ends = ends.copy()
    with_cr = np.flatnonzero(content_ends > starts)
    with_cr = with_cr[view[content_ends[with_cr] - 1] == _CR]
    content_ends[with_cr] -= 1
    first_newline = np.concatenate(([0], end_index[:-1] + 1))  # index of record's 1st line
    return _Records(
        starts,
        ends,
        stops,
        content_ends,
        line + first_newline,
        fields,
        end_index > first_newline,
        int(stops[-1]),
        dialect.final and events.quotes % 2 == 1,
    )


def _flag_records(
    view: np.ndarray,
    buf: bytes,
    offset: int,
    records: _Records,
    dialect: _Dialect,
    bad_at: np.ndarray,
) -> np.ndarray:
    """Judge each record: good, blank, NUL, undecodable, or to be checked carefully."""
    starts, content_ends, fields = records.starts, records.content_ends, records.fields
    processed, ends = records.processed, records.ends
    flags = np.zeros(starts.size, dtype=np.int8)
    flags[content_ends == starts] = _BLANK
    if dialect.expected > 1:
        for index in np.flatnonzero((fields == 1) & (flags == _GOOD)):
            if not bytes(view[starts[index] : content_ends[index]]).strip():
                flags[index] = _BLANK
    if buf.find(b"\x00", offset, offset + processed) >= 0:
        nuls = np.flatnonzero(view[:processed] == 0)
        flags[np.unique(np.searchsorted(ends, nuls))] = _NUL
    local_bad = bad_at[(bad_at >= offset) & (bad_at < offset + processed)] - offset
    if local_bad.size:
        flags[np.unique(np.searchsorted(ends, local_bad))] = _UNDECODABLE
    flags[records.multi_line & (flags != _BLANK)] = _CHECK  # NUL/bad bytes judged after parsing
    flags[(flags == _GOOD) & (fields != dialect.expected)] = _CHECK
    if records.open_quote_at_end and flags[-1] != _BLANK:
        flags[-1] = _CHECK
    return flags


def _scan_vectorised(
    buf: bytes,
    arr: np.ndarray,
    offset: int,
    line: int,
    dialect: _Dialect,
    bad_at: np.ndarray,
    result: ScanResult,
) -> tuple[int, int] | None:
    """Scan `arr[offset:]`; return (offset, line) to restart at after a parity break."""
    view = arr[offset:]
    records = _find_records(view, buf, offset, line, dialect)
    if records is None:
        result.consumed = offset
        return None
    flags = _flag_records(view, buf, offset, records, dialect, bad_at)
    stop_at, restart = flags.size, None
    for index in np.flatnonzero(flags == _CHECK):
        restart = _settle(
            view,
            int(records.starts[index]),
            int(records.stops[index]),
            int(records.content_ends[index]),
            int(records.lines[index]),
            int(records.fields[index]),
            dialect,
            result,
        )
        if restart is not None:
            stop_at = int(index)
            restart = (offset + restart[0], restart[1])
            break
    keep = slice(0, stop_at)
    _collect(
        view,
        records.starts[keep],
        records.stops[keep],
        records.content_ends[keep],
        records.lines[keep],
        flags[keep],
        offset,
        result,
    )
    if restart is None:
        result.consumed = offset + records.processed
    return restart


def _settle(
    view: np.ndarray,
    start: int,
    stop: int,
    content_end: int,
    line: int,
    fields: int,
    dialect: _Dialect,
    result: ScanResult,
) -> tuple[int, int] | None:
    """Settle a record whose field count is off or that spans lines.

    Returns (view offset, line) to re-scan from when the careful parse ends the record
    somewhere other than the vectorised pass did.
    """
    raw = bytes(view[start:content_end])
    if dialect.quote is None or dialect.quote not in raw:
        result.bad.append(_count_mismatch(line, raw.decode("utf-8"), fields, dialect.expected))
        return None
    text_bytes = bytes(view[start:stop])
    text = text_bytes.decode("utf-8", errors=_ESCAPE)
    record = dialect.parse(text, 0, line)
    used = len(text[: record.end].encode("utf-8", errors=_ESCAPE))
    suspect_span = record.lines_used > 1 and record.junk_after_quote
    if record.unterminated or suspect_span:
        result.bad.append(_unterminated(line, text.split("\n", 1)[0].rstrip("\r")))
        used = len(text.split("\n", 1)[0].encode("utf-8", errors=_ESCAPE)) + 1
        return None if used >= len(text_bytes) else (start + used, line + 1)
    if _is_damaged(record.raw):
        result.bad.append(_damaged_text(line, record.raw))
    elif len(record.fields) == dialect.expected:
        result.parsed.append(record)
    else:
        result.bad.append(_count_mismatch(line, record.raw, len(record.fields), dialect.expected))
    return None if used >= len(text_bytes) else (start + used, line + record.lines_used)


def _has_escapes(text: str) -> bool:
    """Whether surrogate-escaped (undecodable) bytes are in `text`."""
    return any("\udc80" <= char <= "\udcff" for char in text)


def _unterminated(line: int, first_line: str) -> BadRecord:
    """An open quote: only its own line is blamed; reading resumes on the next line."""
    return BadRecord(
        line,
        first_line,
        "unterminated_quote",
        "a quoted field opens on this line and never closes; reading resumes on the next line",
    )


def _is_damaged(text: str) -> bool:
    """Whether surrogate-escaped text holds a NUL or undecodable bytes."""
    return "\x00" in text or _has_escapes(text)


def _damaged_text(line: int, text: str) -> BadRecord:
    """`_damaged` for a record decoded with surrogateescape."""
    return _damaged(line, text.encode("utf-8", errors=_ESCAPE), nul="\x00" in text)


def _count_mismatch(line: int, raw: str, found: int, expected: int) -> BadRecord:
    reason = "too_many_fields" if found > expected else "too_few_fields"
    return BadRecord(line, raw, reason, f"expected {expected} fields, found {found}")


def _collect(
    view: np.ndarray,
    starts: np.ndarray,
    stops: np.ndarray,
    content_ends: np.ndarray,
    lines: np.ndarray,
    flags: np.ndarray,
    offset: int,
    result: ScanResult,
) -> None:
    """Keep good spans; count blanks; quarantine NUL and undecodable records."""
    good = flags == _GOOD
    result.starts.append(starts[good] + offset)
    result.stops.append(stops[good] + offset)
    result.lines.append(lines[good])
    result.blank_lines += int(np.count_nonzero(flags == _BLANK))
    for index in np.flatnonzero((flags == _NUL) | (flags == _UNDECODABLE)):
        raw = bytes(view[starts[index] : content_ends[index]])
        result.bad.append(_damaged(int(lines[index]), raw, nul=bool(flags[index] == _NUL)))


def _damaged(line: int, raw: bytes, *, nul: bool) -> BadRecord:
    text = raw.decode("utf-8", errors="backslashreplace").replace("\x00", "\\x00")
    if nul:
        return BadRecord(line, text, "nul_byte", "the record contains a NUL byte")
    return BadRecord(line, text, "undecodable_bytes", "the record has bytes that are not UTF-8")


def _scan_python(
    buf: bytes,
    offset: int,
    line: int,
    dialect: _Dialect,
    result: ScanResult,
) -> None:
    """Read `buf[offset:]` record by record in Python, after too many parity breaks.

    Decodes with surrogateescape so undecodable bytes are detectable and byte offsets exact.
    """
    text = buf[offset:].decode("utf-8", errors=_ESCAPE)
    position = 0
    while position < len(text):
        newline = text.find("\n", position)
        physical = text[position : len(text) if newline < 0 else newline].rstrip("\r")
        if not physical or (dialect.expected > 1 and not physical.strip()):
            result.blank_lines += 1
            position, line = len(text) if newline < 0 else newline + 1, line + 1
            continue
        record = dialect.parse(text, position, line)
        if record.hit_end and not dialect.final:  # may go on in the next chunk
            break
        if _is_damaged(record.raw):
            result.bad.append(_damaged_text(line, record.raw))
        elif record.unterminated:
            result.bad.append(_unterminated(line, record.raw))
        elif len(record.fields) == dialect.expected:
            result.parsed.append(record)
        else:
            result.bad.append(
                _count_mismatch(line, record.raw, len(record.fields), dialect.expected)
            )
        position, line = record.end, line + (1 if record.unterminated else record.lines_used)
    result.consumed = offset + len(text[:position].encode("utf-8", errors=_ESCAPE))
