"""A small pure-Python CSV record parser for records the vectorised scanner cannot settle.

Used for stray quotes, unterminated quotes and records that span lines.

Semantics match polars and Python's csv module: a quote opens a quoted field only at the start
of a field; inside it, a doubled quote is a literal quote; text after a closing quote up to the
next delimiter is kept literally.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ParsedRecord", "parse_one_record"]

MAX_RECORD_LINES = 200
"""A quoted field spanning more physical lines than this is taken to be unterminated."""


@dataclass(frozen=True)
class ParsedRecord:
    """One record read from `text[start:end]`."""

    line: int
    fields: list[str]
    raw: str
    end: int
    lines_used: int
    unterminated: bool
    hit_end: bool
    junk_after_quote: bool = False


def parse_one_record(
    text: str,
    start: int,
    delimiter: str,
    quote: str | None,
    line: int,
    max_lines: int = MAX_RECORD_LINES,
    *,
    escape: str | None = None,
    skip_initial_space: bool = False,
) -> ParsedRecord:
    """Parse the record starting at `text[start]`; `end` is just past its newline.

    `unterminated` is set when a quoted field is still open at the end of `text` or after
    `max_lines` physical lines; `hit_end` when `text` ended before the record's newline.
    `escape` makes the next character literal (inside quotes or out); `skip_initial_space`
    drops spaces after a delimiter, so `1, "2,3"` is two fields (as Python's csv module reads).
    """
    fields: list[str] = []
    current: list[str] = []
    in_quotes = False
    at_field_start = True
    after_close = False
    junk = False
    lines_used = 1
    i, n = start, len(text)
    while i < n:
        char = text[i]
        if char == escape and i + 1 < n:
            if text[i + 1] == "\n":
                lines_used += 1
            current.append(text[i + 1])
            at_field_start = False
            i += 2
            continue
        if in_quotes:
            if char == quote:
                if i + 1 < n and text[i + 1] == quote:
                    current.append(quote)
                    i += 2
                    continue
                in_quotes = False
                after_close = True
            else:
                if char == "\n":
                    lines_used += 1
                    if lines_used > max_lines:
                        return _unterminated(text, start, line, lines_used, hit_end=False)
                current.append(char)
            i += 1
            continue
        if char == "\n":
            fields.append(_strip_cr("".join(current)))
            raw = _strip_cr(text[start:i])
            return ParsedRecord(line, fields, raw, i + 1, lines_used, False, False, junk)
        if char == delimiter:
            fields.append("".join(current))
            current = []
            at_field_start = True
            after_close = False
            i += 1
            continue
        if char == " " and at_field_start and skip_initial_space:
            i += 1
            continue
        if char == quote and at_field_start:
            in_quotes = True
            at_field_start = False
            i += 1
            continue
        if after_close and char != "\r":
            junk = True
        at_field_start = False
        current.append(char)
        i += 1
    if in_quotes:
        return _unterminated(text, start, line, lines_used, hit_end=True)
    fields.append(_strip_cr("".join(current)))
    return ParsedRecord(line, fields, _strip_cr(text[start:n]), n, lines_used, False, True, junk)


def _strip_cr(value: str) -> str:
    return value[:-1] if value.endswith("\r") else value


def _unterminated(
    text: str, start: int, line: int, lines_used: int, *, hit_end: bool
) -> ParsedRecord:
    """Describe an open quote: only the first physical line is blamed."""
    newline = text.find("\n", start)
    first_end = len(text) if newline < 0 else newline
    raw = _strip_cr(text[start:first_end])
    end = first_end + 1 if newline >= 0 else len(text)
    return ParsedRecord(line, [], raw, end, lines_used, True, hit_end)
