"""The blockwise event scan agrees with a byte-by-byte reading of quote parity, any block size."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.ingest import events
from pipelines.ingest.events import scan_events

_COMMA, _QUOTE, _NEWLINE = 44, 34, 10


def _reference(data: bytes, quote: int | None) -> tuple[list[int], list[int], list[int], int]:
    """Record-ending LFs, their LF index, fields per record and trailing fields, byte by byte."""
    ends, end_index, fields = [], [], []
    inside, count, newline = False, 1, 0
    for position, byte in enumerate(data):
        if quote is not None and byte == quote:
            inside = not inside
        elif byte == _COMMA and not inside:
            count += 1
        elif byte == _NEWLINE:
            if not inside:
                ends.append(position)
                end_index.append(newline)
                fields.append(count)
                count = 1
            newline += 1
    return ends, end_index, fields, count


@pytest.mark.parametrize("block_bytes", [1, 3, 16, 1 << 21], ids=["1", "3", "16", "2MiB"])
@given(data=st.binary(max_size=120).map(lambda raw: bytes(b'a,"\n\r'[b % 5] for b in raw)))
def test_events_match_a_byte_by_byte_reading(block_bytes: int, data: bytes) -> None:
    for quote in (_QUOTE, None):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(events, "BLOCK_BYTES", block_bytes)
            found = scan_events(np.frombuffer(data, dtype=np.uint8), _COMMA, quote)
        ends, end_index, fields, trailing = _reference(data, quote)
        assert found.ends.tolist() == ends
        assert found.end_index.tolist() == end_index
        assert found.fields.tolist() == fields
        assert found.trailing_fields == trailing
        assert found.newlines == data.count(b"\n")
        assert found.quotes == (data.count(b'"') if quote is not None else 0)
