"""The head of a text file: reading enough of it, transcoding to UTF-8, and its header row."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import IO

from pipelines.errors import SourceError
from pipelines.ingest.encoding import EncodingGuess
from pipelines.ingest.fallback import parse_one_record
from pipelines.ingest.sniff import Dialect

__all__ = [
    "MAX_HEADER_FIELDS",
    "Header",
    "Transcoder",
    "cr_line_ends",
    "head_text",
    "read_head",
    "read_header",
]

MAX_HEADER_FIELDS = 16_384
"""Excel's column limit: a header with more fields is a mis-read (line endings, delimiter)."""
_MAX_HEADER_CHARS = 1 << 20


def read_head(stream: IO[bytes], size: int, quote: str) -> bytes:
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


def cr_line_ends(sample: bytes) -> bool:
    """Whether lone CRs (classic Mac line ends) outnumber LFs in `sample`."""
    crlf = sample.count(b"\r\n")
    return sample.count(b"\r") - crlf > sample.count(b"\n")


class Transcoder:
    """Turn source bytes into UTF-8 bytes chunk by chunk (a no-op for UTF-8 sources).

    With `cr_line_ends`, CR and CRLF become LF, so CR-only files read like any other (a CR
    at the end of a block is held back in case an LF starts the next one).
    """

    def __init__(self, guess: EncodingGuess) -> None:
        codec = "utf-8" if guess.codec == "utf-8-sig" else guess.codec
        self.decoder = None if guess.is_utf8 else codecs.getincrementaldecoder(codec)("replace")
        self.cr_line_ends = False
        self._held_cr = b""

    def feed(self, data: bytes, *, final: bool) -> bytes:
        """UTF-8 bytes for the next block of source bytes."""
        out = data if self.decoder is None else self.decoder.decode(data, final=final).encode()
        return self.convert_line_ends(out, final=final) if self.cr_line_ends else out

    def convert_line_ends(self, data: bytes, *, final: bool) -> bytes:
        """CR and CRLF to LF (holding back a CR that ends a non-final block)."""
        data, self._held_cr = self._held_cr + data, b""
        if not final and data.endswith(b"\r"):
            data, self._held_cr = data[:-1], b"\r"
        return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


@dataclass(frozen=True)
class Header:
    """The header record: its fields as written, byte offsets in the head, where it is."""

    fields: list[str]
    start_offset: int
    end_offset: int
    line: int
    lines_used: int
    blank: int


def head_text(first: bytes, limit: int = 1 << 20) -> str:
    """Decode just enough of the head to hold the header (a quoted header may span lines)."""
    while limit < len(first):
        cut = first.rfind(b"\n", 0, limit) + 1
        if cut and first[:cut].count(b'"') % 2 == 0 and first[:cut].strip():
            return first[:cut].decode("utf-8", errors="replace")
        limit *= 4
    return first.decode("utf-8", errors="replace")


def read_header(text: str, dialect: Dialect, header_line: int = 1) -> Header:
    """Parse the first non-blank record at or after physical line `header_line` of `text`.

    Lines before `header_line` (titles above the table, already reported) are skipped; blank
    lines are counted in `blank`.
    """
    position, line, blank = 0, 1, 0
    while position < len(text):
        newline = text.find("\n", position)
        physical = text[position : len(text) if newline < 0 else newline]
        if line >= header_line and physical.strip():
            break
        blank += 0 if physical.strip() else 1
        line += 1
        position = len(text) if newline < 0 else newline + 1
    if position >= len(text):
        msg = "has no header row: it holds only blank lines; check that this is the right file"
        raise SourceError(msg)
    newline = text.find("\n", position)
    physical_end = len(text) if newline < 0 else newline
    if physical_end - position > _MAX_HEADER_CHARS:
        msg = (
            f"header row (line {line}) is {physical_end - position:,} characters with no line "
            "break; check the line endings and the delimiter, or export the table again"
        )
        raise SourceError(msg)
    if text.count(dialect.delimiter, position, physical_end) >= MAX_HEADER_FIELDS:
        msg = (
            f"header row (line {line}) has more than {MAX_HEADER_FIELDS:,} fields; check the "
            "delimiter and line endings (or transpose the table)"
        )
        raise SourceError(msg)
    record = parse_one_record(
        text,
        position,
        dialect.delimiter,
        dialect.quote,
        line,
        escape=dialect.escape,
        skip_initial_space=dialect.skip_initial_space,
    )
    if record.unterminated:
        msg = f"header row (line {line}) has an unterminated quote; fix the header line"
        raise SourceError(msg)
    start = len(text[:position].encode("utf-8"))
    end = len(text[: record.end].encode("utf-8"))
    fields = list(record.fields)  # as written; normalisation trims
    return Header(fields, start, end, line, record.lines_used, blank)
