"""Pathological text is read or refused with one line, in bounded time and memory."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipelines.errors import SourceError
from pipelines.ingest import IngestOptions, ingest
from pipelines.ingest.headers import unique_names


def _timed_ingest(path: Path, **options: object):
    started = time.perf_counter()
    result = ingest(path, options=IngestOptions(**options))
    return result, time.perf_counter() - started


def test_large_cr_only_file_reads_like_crlf(tmp_path: Path) -> None:
    rows = "\r".join(f"{i},name{i},{i * 1.5}" for i in range(80_000))
    path = tmp_path / "mac.csv"
    path.write_text("id,name,score\r" + rows + "\r")
    assert path.stat().st_size > 1_500_000
    for chunk_bytes in (128 * 1024 * 1024, 100_000):
        result, seconds = _timed_ingest(path, chunk_bytes=chunk_bytes)
        assert result.report.rows_ok == 80_000
        assert result.data.columns == ["id", "name", "score"]
        assert seconds < 20


def test_cr_held_back_at_a_chunk_edge_is_not_a_blank_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"a,b\r" + b"\r".join(b"%d,x" % i for i in range(5000)) + b"\r\n")
    whole = ingest(path)
    for chunk_bytes in (7, 64, 999):
        chunked = ingest(path, options=IngestOptions(chunk_bytes=chunk_bytes))
        assert chunked.report.rows_ok == whole.report.rows_ok == 5000
        assert chunked.report.blank_lines_skipped == whole.report.blank_lines_skipped


def test_header_of_100k_fields_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n" + "1," * 99_999 + "1\n")
    started = time.perf_counter()
    with pytest.raises(SourceError, match="more than 16,384 fields") as caught:
        ingest(path)
    assert time.perf_counter() - started < 10
    assert "\n" not in str(caught.value)


def test_two_megabytes_without_a_line_end_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nolf.csv"
    path.write_bytes(b"abc,def " * 250_000)
    with pytest.raises(SourceError, match="no line break"):
        ingest(path)


def test_a_50_megabyte_line_is_read_in_seconds(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_bytes(b"a,b,c\n" + b"x" * 50_000_000 + b",1,2\n3,4,5\n")
    result, seconds = _timed_ingest(path)
    assert result.report.rows_ok == 2
    assert len(result.data["a"][0]) == 50_000_000
    assert seconds < 30


def test_many_repeated_header_names_are_numbered_in_linear_time() -> None:
    started = time.perf_counter()
    names = unique_names(["x"] * 20_000 + ["x_2"])
    assert time.perf_counter() - started < 2
    assert names[:3] == ["x", "x_2", "x_3"]
    assert len(set(names)) == len(names)
