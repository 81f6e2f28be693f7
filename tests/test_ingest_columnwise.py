"""Repairing a column through its distinct values gives exactly what repairing every row gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.ingest import IngestOptions, columnwise, distinct, ingest, ingest_to_parquet
from pipelines.ingest.distinct import repeats

ROWS = 30_000
POOLS = {
    "code": ["007", "012", "100", "205", " 033 "],
    "amount": ["$1,234.50", "(12)", "5%", "£3.50", "1,000", "NA", "", "  7 "],
    "flag": ["yes", "no", "YES", "n/a", "No"],
    "seen": ["2020-01-31", "2021-12-01", "2019-07-04", "null", "1999-02-28"],
    "name": ["  ann ", "bob", "N/A", "carol  ", "-", "dave"],
    "score": ["1.5", "2", "NaN", "3.25", "-4"],
}
RARE = {"amount": "lots", "flag": "maybe", "seen": "2020-13-45", "score": "x1"}


def _write(path: Path) -> None:
    rng = np.random.default_rng(7)
    columns = {
        name: [pool[i] for i in rng.integers(0, len(pool), ROWS)] for name, pool in POOLS.items()
    }
    for name, value in RARE.items():  # a few cells that fail the column's type, spread out
        for row in rng.integers(0, ROWS, 40):
            columns[name][int(row)] = value
    lines = [",".join(POOLS)]
    lines += [",".join(f'"{columns[n][row]}"' for n in POOLS) for row in range(ROWS)]
    lines.insert(500, "1,2")  # a ragged line is quarantined either way
    path.write_text("\n".join(lines) + "\n")


def test_distinct_path_equals_row_by_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "repeats.csv"
    _write(path)
    options = IngestOptions(add_line_numbers=True)
    taken: list[str] = []

    def spy(frame: pl.DataFrame, column: str) -> bool:
        found = repeats(frame, column)
        if found:
            taken.append(column)
        return found

    monkeypatch.setattr(columnwise, "repeats", spy)
    by_distinct = ingest(path, options=options)
    assert sorted(taken) == sorted(POOLS)
    streamed = ingest_to_parquet(path, tmp_path / "d.parquet", options=options)
    assert len(taken) == 3 * len(POOLS)  # and both streaming passes took it too
    monkeypatch.setattr(distinct, "_MIN_ROWS", 10**12)
    by_row = ingest(path, options=options)
    streamed_by_row = ingest_to_parquet(path, tmp_path / "r.parquet", options=options)
    assert len(taken) == 3 * len(POOLS)
    assert_frame_equal(by_distinct.data, by_row.data)
    assert_frame_equal(by_distinct.quarantine, by_row.quarantine)
    assert_frame_equal(by_distinct.cell_issues, by_row.cell_issues)
    assert by_distinct.report.model_dump() == by_row.report.model_dump()
    assert by_distinct.cell_issues.height == 160  # the rare values, each listed by its line
    for one in (streamed, streamed_by_row):
        assert_frame_equal(one.cell_issues, by_row.cell_issues)
        assert one.report.columns == by_row.report.columns
    assert_frame_equal(
        pl.read_parquet(tmp_path / "d.parquet"), pl.read_parquet(tmp_path / "r.parquet")
    )
    assert_frame_equal(pl.read_parquet(tmp_path / "d.parquet"), by_row.data)
