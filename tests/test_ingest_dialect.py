"""Dialect detection on literal samples, and dialects read end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.ingest import IngestOptions, ingest
from pipelines.ingest.sniff import Dialect, detect_dialect


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|", ":", "+", "?", "~", "^", " "])
def test_each_delimiter_is_detected(delimiter: str) -> None:
    rows = ["id", "name", "score"], ["1", "ann", "10"], ["2", "bob", "20"], ["3", "cid", "30"]
    sample = "".join(delimiter.join(row) + "\n" for row in rows)
    guess = detect_dialect(sample)
    assert guess.dialect.delimiter == delimiter
    assert guess.confidence > 0.5


def test_times_in_a_comma_file_do_not_make_colon_the_delimiter() -> None:
    sample = "id,ts,name\n1,2020-01-01 12:30:00,x\n2,2020-01-02 13:30:00,y\n"
    guess = detect_dialect(sample)
    assert guess.dialect == Dialect(",")
    assert guess.runner_up is not None
    assert guess.runner_up.delimiter == ":"


def test_a_given_delimiter_still_detects_the_quote() -> None:
    guess = detect_dialect("a;b\n1;'x;y'\n2;'z'\n", delimiter=";")
    assert guess.dialect == Dialect(";", "'")
    assert guess.detected


def test_one_column_has_no_confidence() -> None:
    guess = detect_dialect("name\nann\nbob\n")
    assert guess.dialect.delimiter == ","
    assert guess.confidence == 0.0


def test_a_quote_inside_a_field_is_quarantined_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "mid_quote.csv"
    path.write_text('a,b,c\n1,x"2,3",y\n4,5,6\n')
    result = ingest(path)
    assert result.data.rows() == [(4, 5, 6)]
    assert result.quarantine["_reason"].to_list() == ["too_many_fields"]


def test_escaped_newline_across_a_chunk_edge_stays_one_record(tmp_path: Path) -> None:
    path = tmp_path / "escaped.csv"
    rows = [f"{i},line\\\nnext {i},x\\,y" for i in range(300)]
    path.write_text("a,b,c\n" + "\n".join(rows) + "\n")
    whole = ingest(path, options=IngestOptions(escape_char="\\"))
    assert whole.report.rows_ok == 300
    assert whole.data["b"][0] == "line\nnext 0"
    assert whole.data["c"][0] == "x,y"
    for chunk_bytes in (7, 100, 999):
        chunked = ingest(path, options=IngestOptions(escape_char="\\", chunk_bytes=chunk_bytes))
        assert chunked.data.equals(whole.data)
        assert chunked.quarantine.height == 0


def test_skipped_spaces_keep_ragged_rows_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "spaced.csv"
    path.write_text('id,name,tag\n1, "a, b",x\n2, "c",y,extra\n3, "d",z\n')
    result = ingest(path)
    assert result.report.dialect is not None
    assert result.report.dialect.skip_initial_space
    assert result.data["name"].to_list() == ["a, b", "d"]
    assert result.quarantine["_source_line"].to_list() == [3]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "layout.csv"
    path.write_text(text)
    return path


def test_a_short_header_over_typed_rows_is_not_taken_for_a_title(tmp_path: Path) -> None:
    result = ingest(_write(tmp_path, "id\n1,a\n2,b\n3,c\n"))
    assert result.report.skipped_lines == []
    assert result.data.columns == ["id"]
    assert result.quarantine.height == 3


def test_layout_detection_can_be_turned_off(tmp_path: Path) -> None:
    path = _write(tmp_path, "Report title\nid,name\n1,a\n2,b\n")
    assert ingest(path).data.columns == ["id", "name"]
    plain = ingest(path, options=IngestOptions(detect_layout=False))
    assert plain.data.columns == ["report_title"]
    assert plain.report.skipped_lines == []


def test_a_text_header_over_text_rows_stays_a_header(tmp_path: Path) -> None:
    result = ingest(_write(tmp_path, "name,city\nann,paris\nbob,rome\n"))
    assert result.report.has_header is True
    assert result.data.columns == ["name", "city"]


def test_a_short_last_data_row_stays_in_the_quarantine(tmp_path: Path) -> None:
    result = ingest(_write(tmp_path, "a,b,c,d\n1,2,3,4\n5,6,7,8\n9,x\n"))
    assert result.report.skipped_lines == []
    assert result.quarantine["_reason"].to_list() == ["too_few_fields"]


def test_streaming_skips_the_same_titles_and_notes(tmp_path: Path) -> None:
    import polars as pl

    from pipelines.ingest import ingest_to_parquet

    source = Path(__file__).parent / "data" / "messy" / "title_lines.csv"
    whole = ingest(source)
    out = tmp_path / "out.parquet"
    streamed = ingest_to_parquet(source, out, options=IngestOptions(chunk_bytes=16))
    assert pl.read_parquet(out).equals(whole.data)
    assert streamed.report.skipped_lines == whole.report.skipped_lines
    assert streamed.report.dialect == whole.report.dialect


def test_a_year_below_100_is_a_cell_issue_not_a_date(tmp_path: Path) -> None:
    rows = [f"{i},2020-01-{i % 28 + 1:02d}" for i in range(1, 100)] + ["100,0002-12-28"]
    path = _write(tmp_path, "id,day\n" + "\n".join(rows) + "\n")
    result = ingest(path)
    assert str(result.data["day"].dtype) == "Date"
    assert result.data["day"].dt.year().min() == 2020
    assert result.cell_issues.select("_source_line", "value", "reason").rows() == [
        (101, "0002-12-28", "not_a_date")
    ]
