"""The fast paths of ingest give exactly what the plain whole-column expressions give."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from pipelines.ingest.candidates import parse_candidates, parsed_name
from pipelines.ingest.parsers import candidate_expr


def test_parsing_distinct_values_matches_parsing_every_row() -> None:
    rows = 30_000
    values = ["$1,234.50", "(12)", "7%", None, "bad", "1,2", "2,000"]
    dates = ["2020-01-31", "12/28/02", None, "2019/02/03", "0002-01-01", "x"]
    frame = pl.DataFrame(
        {
            "amount": [values[i % len(values)] for i in range(rows)],
            "day": [dates[i % len(dates)] for i in range(rows)],
            "unique": [f"{i}.5" for i in range(rows)],
        }
    )
    proposals = {
        "amount": ["number_us", "number_eu"],
        "day": ["date_iso", "date_mdy"],
        "unique": ["float", "number_us"],
    }
    fast = parse_candidates(frame, proposals, pivot=50)
    plain = frame.with_columns(
        candidate_expr(c, pl.col(k), pivot=50).alias(parsed_name(k, c))
        for k, cs in proposals.items()
        for c in cs
    )
    assert_frame_equal(fast.select(plain.columns), plain)
    assert fast.height == rows


def test_blocks_scanned_in_parallel_merge_to_the_single_block_answer(monkeypatch) -> None:
    import random

    import numpy as np

    from pipelines.ingest import events

    rng = random.Random(7)
    pieces = ["a", ",", '"', "\n", "x,y", '""', "\r\n", "é"]
    for _ in range(40):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 400)))
        view = np.frombuffer(text.encode(), dtype=np.uint8)
        whole = events.scan_events(view, ord(","), ord('"'))
        monkeypatch.setattr(events, "BLOCK_BYTES", rng.randint(1, 9))
        split = events.scan_events(view, ord(","), ord('"'))
        monkeypatch.setattr(events, "BLOCK_BYTES", 1 << 23)
        for name in ("ends", "end_index", "fields"):
            assert np.array_equal(getattr(whole, name), getattr(split, name)), (text, name)
        assert (whole.trailing_fields, whole.newlines, whole.quotes) == (
            split.trailing_fields,
            split.newlines,
            split.quotes,
        )


def test_ingest_is_the_same_with_tiny_blocks(monkeypatch) -> None:
    from pathlib import Path

    from pipelines.ingest import events, ingest

    messy = Path(__file__).parent / "data" / "messy"
    for name in ("quoted_fields.csv", "ragged.csv", "unterminated_quote.csv", "crlf.csv"):
        whole = ingest(messy / name)
        monkeypatch.setattr(events, "BLOCK_BYTES", 5)
        split = ingest(messy / name)
        monkeypatch.setattr(events, "BLOCK_BYTES", 1 << 23)
        assert_frame_equal(split.data, whole.data)
        assert_frame_equal(split.quarantine, whole.quarantine)
