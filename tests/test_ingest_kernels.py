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
