"""Chunked reading must not change any result: tiny chunks put record boundaries everywhere."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.errors import ThresherError
from pipelines.ingest import IngestOptions, ingest, ingest_to_parquet

MESSY = Path(__file__).parent / "data" / "messy"
REAL = Path(__file__).parent / "data" / "real"
TEXT_FILES = sorted(
    p for p in MESSY.iterdir() if p.suffix in {".csv", ".tsv"} and p.stat().st_size > 0
)


def _ingest_or_error(path: Path, options: IngestOptions) -> object:
    try:
        return ingest(path, options=options)
    except ThresherError as exc:
        return str(exc)


@pytest.mark.parametrize("path", TEXT_FILES, ids=[p.name for p in TEXT_FILES])
@pytest.mark.parametrize("chunk_bytes", [7, 64, 1000])
def test_tiny_chunks_give_the_same_result(path: Path, chunk_bytes: int) -> None:
    whole = _ingest_or_error(path, IngestOptions())
    chunked = _ingest_or_error(path, IngestOptions(chunk_bytes=chunk_bytes))
    if isinstance(whole, str):
        assert chunked == whole
        return
    assert not isinstance(chunked, str), chunked
    assert_frame_equal(chunked.data, whole.data)
    assert_frame_equal(chunked.quarantine, whole.quarantine)
    assert_frame_equal(chunked.cell_issues, whole.cell_issues)
    assert chunked.report.rows_read == whole.report.rows_read
    assert chunked.report.blank_lines_skipped == whole.report.blank_lines_skipped


@pytest.mark.parametrize("name", ["compas_two_years.csv", "penguins_raw.csv"])
def test_streaming_matches_in_memory(tmp_path: Path, name: str) -> None:
    source = REAL / name
    whole = ingest(source)
    out = tmp_path / "data.parquet"
    streamed = ingest_to_parquet(source, out, options=IngestOptions(chunk_bytes=50_000))
    assert_frame_equal(pl.read_parquet(out), whole.data)
    assert streamed.report.rows_ok == whole.report.rows_ok
    assert [c.model_dump() for c in streamed.report.columns] == [
        c.model_dump() for c in whole.report.columns
    ]


def test_streaming_keeps_quarantine_and_cell_issues(tmp_path: Path) -> None:
    source = MESSY / "ragged.csv"
    whole = ingest(source)
    streamed = ingest_to_parquet(
        source, tmp_path / "d.parquet", options=IngestOptions(chunk_bytes=32)
    )
    assert_frame_equal(streamed.quarantine, whole.quarantine)
    assert_frame_equal(pl.read_parquet(tmp_path / "d.parquet"), whole.data)


def test_parquet_streams_in_batches_with_the_same_repairs(tmp_path: Path) -> None:
    messy = pl.DataFrame(
        {
            "Order ID": list(range(5000)),
            "Amount": [f"${i:,}.50" if i % 7 else " NA " for i in range(5000)],
            "Signed Up": ["2020-01-02", "2021-03-04"] * 2500,
        }
    )
    source = tmp_path / "messy.parquet"
    messy.write_parquet(source, row_group_size=700)
    whole = ingest(source)
    out = tmp_path / "out.parquet"
    streamed = ingest_to_parquet(source, out, options=IngestOptions(chunk_bytes=4096))
    written = pl.read_parquet(out)
    assert_frame_equal(written, whole.data)
    assert written.columns == ["order_id", "amount", "signed_up"]
    assert written.schema["amount"] == pl.Float64
    assert written.schema["signed_up"] == pl.Date
    assert streamed.report.format == "parquet"
    assert [c.model_dump() for c in streamed.report.columns] == [
        c.model_dump() for c in whole.report.columns
    ]


def test_header_only_file_streams_to_an_empty_table(tmp_path: Path) -> None:
    out = tmp_path / "empty.parquet"
    streamed = ingest_to_parquet(MESSY / "header_only.csv", out)
    assert streamed.report.rows_read == 0
    written = pl.read_parquet(out)
    assert written.height == 0
    assert written.columns == ingest(MESSY / "header_only.csv").data.columns


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [("c0^c1\nx^0\nx^1\n", "^"), ("c0,c1\nx^,1\nx^y,2\n", ",")],
    ids=["caret-delimited", "comma-delimited"],
)
@pytest.mark.parametrize("chunk_bytes", [9, 1000])
def test_records_that_start_like_compressed_data_are_text(
    tmp_path: Path, text: str, delimiter: str, chunk_bytes: int
) -> None:
    path = tmp_path / "magic.csv"
    path.write_text(text)
    result = ingest(path, options=IngestOptions(delimiter=delimiter, chunk_bytes=chunk_bytes))
    expected = [line.split(delimiter)[0] for line in text.splitlines()[1:]]
    assert result.data.get_column("c0").to_list() == expected
    assert result.report.rows_quarantined == 0


def test_a_quoted_field_longer_than_a_chunk_is_read_whole(tmp_path: Path) -> None:
    rows = ["a,b,c"] + [f"{i},x,y" for i in range(12_000)]  # past the 64 KiB first read
    rows[11_001] = '11000,"' + "line\n" * 40 + 'end",z'
    path = tmp_path / "long_field.csv"
    path.write_text("\n".join(rows) + "\n")
    whole = ingest(path)
    chunked = ingest(path, options=IngestOptions(chunk_bytes=100))  # a 245-byte field
    assert whole.report.rows_quarantined == 0
    assert_frame_equal(chunked.data, whole.data)
    assert chunked.report.model_dump() == whole.report.model_dump()
    assert chunked.data.filter(pl.col("a") == 11_000).get_column("b").item().count("\n") == 40
