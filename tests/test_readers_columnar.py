"""Readers for Parquet, NDJSON, JSON records and Excel: real files written to tmp_path."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from polars.testing import assert_frame_equal, assert_series_equal

from pipelines.errors import SourceError
from pipelines.ingest.models import QUARANTINE_SCHEMA, IngestOptions
from pipelines.ingest.readers_columnar import (
    read_json_records,
    read_ndjson,
    read_parquet,
    scan_parquet_lazy,
)
from pipelines.ingest.readers_excel import read_excel

OPTIONS = IngestOptions()


def _lines(values: list[int]) -> pl.Series:
    return pl.Series("line_number", values, dtype=pl.Int64)


# --- Parquet ---------------------------------------------------------------------------------


def test_parquet_keeps_types_names_and_row_numbers(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {"Sample ID": [1, 2, 3], "Mass (g)": [3.5, None, 4.25], "when": [dt.date(2020, 1, 2)] * 3}
    )
    path = tmp_path / "x.parquet"
    frame.write_parquet(path)
    raw = read_parquet(path, OPTIONS)
    assert_frame_equal(raw.data, frame)
    assert_series_equal(raw.line_numbers, _lines([1, 2, 3]))
    assert raw.format == "parquet"
    assert raw.source_file == str(path)
    assert raw.rows_read == 3
    assert scan_parquet_lazy(path).collect_schema().names() == ["Sample ID", "Mass (g)", "when"]


def test_parquet_without_columns_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    pl.DataFrame().write_parquet(path)
    with pytest.raises(SourceError, match=r"empty\.parquet: file is empty"):
        read_parquet(path, OPTIONS)


def test_parquet_garbage_is_source_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    path.write_text("not parquet at all")
    with pytest.raises(SourceError, match=r"bad\.parquet: not a readable Parquet file"):
        read_parquet(path, OPTIONS)


# --- NDJSON ----------------------------------------------------------------------------------


def test_ndjson_fast_path_with_blank_line(tmp_path: Path) -> None:
    path = tmp_path / "ok.ndjson"
    path.write_text('{"a": 1, "B c": "x"}\n\n{"a": 2, "B c": null}\n{"a": 3, "B c": "z"}\n')
    raw = read_ndjson(path, OPTIONS)
    assert raw.data.columns == ["a", "B c"]
    assert raw.data.get_column("a").to_list() == [1, 2, 3]
    assert_series_equal(raw.line_numbers, _lines([1, 3, 4]))
    assert raw.blank_lines == 1
    assert raw.quarantine.height == 0
    assert raw.format == "ndjson"


def test_ndjson_bad_lines_are_quarantined_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "messy.ndjson"
    lines = [
        '{"id": 1, "name": "ann"}',
        '{"id": 2, "name": "bob"',  # truncated object
        "",
        '{"id": 3, "name": "cy"}',
        "[1, 2, 3]",  # valid JSON, not an object
        '{"id": 4, "name": "dee"}',
    ]
    path.write_text("\n".join(lines) + "\n")
    raw = read_ndjson(path, OPTIONS)
    assert raw.data.get_column("id").to_list() == [1, 3, 4]
    assert raw.data.get_column("name").to_list() == ["ann", "cy", "dee"]
    assert_series_equal(raw.line_numbers, _lines([1, 4, 6]))
    assert raw.blank_lines == 1
    quarantine = raw.quarantine
    assert quarantine.schema == pl.Schema(QUARANTINE_SCHEMA)
    assert quarantine.get_column("_source_line").to_list() == [2, 5]
    assert quarantine.get_column("_reason").to_list() == ["invalid_json", "invalid_json"]
    assert quarantine.get_column("_raw").to_list() == [lines[1], lines[4]]
    assert quarantine.get_column("_source_file").to_list() == [str(path)] * 2
    assert "expected a JSON object, got array" in quarantine.get_column("_detail")[1]
    assert quarantine.get_column("_detail")[0]  # the json error text
    assert raw.rows_read == raw.data.height + raw.quarantine.height == 5


def test_ndjson_mixed_types_fall_back_to_text(tmp_path: Path) -> None:
    path = tmp_path / "mixed.ndjson"
    path.write_text('{"v": 1}\n{"v": "two"}\n{"v": {"k": 3}}\nnot json\n')
    raw = read_ndjson(path, OPTIONS)
    assert raw.data.schema == pl.Schema({"v": pl.String})
    assert raw.data.get_column("v").to_list() == ["1", "two", '{"k":3}']
    assert raw.quarantine.height == 1
    assert any("text" in note for note in raw.notes)


@pytest.mark.parametrize("text", ["", "\n\n  \n"], ids=["zero-bytes", "only-blank-lines"])
def test_ndjson_empty_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "empty.ndjson"
    path.write_text(text)
    with pytest.raises(SourceError, match=r"empty\.ndjson: file is empty"):
        read_ndjson(path, OPTIONS)


# --- JSON records ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        [{"a": 1, "b": "x"}, {"a": 2, "b": None}],
        {"data": [{"a": 1, "b": "x"}, {"a": 2, "b": None}]},
        {"meta": {"n": 2}, "rows": [{"a": 1, "b": "x"}, {"a": 2, "b": None}]},
    ],
    ids=["array", "data-key", "one-list-among-keys"],
)
def test_json_records_shapes(tmp_path: Path, document: object) -> None:
    path = tmp_path / "records.json"
    path.write_text(json.dumps(document))
    raw = read_json_records(path, OPTIONS)
    assert_frame_equal(raw.data, pl.DataFrame({"a": [1, 2], "b": ["x", None]}))
    assert_series_equal(raw.line_numbers, _lines([1, 2]))
    assert raw.format == "json"


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ('{"a": 1}', r"0 list-valued keys; expected an array of objects"),
        ("42", r"top level is number; expected an array of objects"),
        ('[{"a": 1}, 3]', r"record 2 is number, not an object"),
        ("[{", r"not valid JSON"),
    ],
    ids=["object-without-list", "scalar", "non-object-record", "broken"],
)
def test_json_records_wrong_shape(tmp_path: Path, text: str, pattern: str) -> None:
    path = tmp_path / "shape.json"
    path.write_text(text)
    with pytest.raises(SourceError, match=rf"shape\.json: .*{pattern}"):
        read_json_records(path, OPTIONS)


def test_json_records_empty_array(tmp_path: Path) -> None:
    path = tmp_path / "none.json"
    path.write_text("[]")
    with pytest.raises(SourceError, match=r"none\.json: file is empty"):
        read_json_records(path, OPTIONS)


# --- Excel -----------------------------------------------------------------------------------


def test_excel_written_by_polars_reads_as_text(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    frame = pl.DataFrame(
        {
            "Sample ID": [1, 2, 3],
            "Mass (g)": [3.5, 2.0, None],
            "Date Egg": [dt.date(2007, 11, 11), None, dt.date(2008, 1, 2)],
            "Sex": ["MALE", None, "FEMALE"],
        }
    )
    frame.write_excel(path, worksheet="birds")
    raw = read_excel(path, OPTIONS)
    expected = pl.DataFrame(
        {
            "Sample ID": ["1", "2", "3"],
            "Mass (g)": ["3.5", "2", None],
            "Date Egg": ["2007-11-11", None, "2008-01-02"],
            "Sex": ["MALE", None, "FEMALE"],
        }
    )
    assert_frame_equal(raw.data, expected)
    assert_series_equal(raw.line_numbers, _lines([2, 3, 4]))
    assert raw.format == "excel"


def test_excel_mixed_cells_blank_rows_offset_header_and_sheet_choice(tmp_path: Path) -> None:
    path = tmp_path / "messy.xlsx"
    workbook = xlsxwriter.Workbook(path)
    workbook.add_worksheet("first")
    sheet = workbook.add_worksheet("data")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(2, 1, ["when", "value", "stamp"])  # header on Excel row 3, from column B
    sheet.write_datetime(3, 1, dt.datetime(2020, 1, 2), date_format)
    sheet.write_row(3, 2, [1])
    sheet.write_datetime(3, 3, dt.datetime(2020, 1, 2, 5, 6, 7), date_format)
    sheet.write_row(4, 1, ["n/a", "x", None])  # text among dates and numbers: kept as text
    sheet.write_datetime(6, 1, dt.datetime(2021, 3, 4), date_format)  # row 6 left blank
    sheet.write_row(6, 2, [2.5])
    sheet.write_datetime(6, 3, dt.datetime(2021, 3, 4), date_format)
    workbook.close()
    raw = read_excel(path, IngestOptions(sheet="data"))
    expected = pl.DataFrame(
        {
            "when": ["2020-01-02", "n/a", "2021-03-04"],
            "value": ["1", "x", "2.5"],
            "stamp": ["2020-01-02 05:06:07", None, "2021-03-04 00:00:00"],
        }
    )
    assert_frame_equal(raw.data, expected)
    assert_series_equal(raw.line_numbers, _lines([4, 5, 7]))
    assert raw.blank_lines == 1


def test_excel_missing_sheet_lists_sheets(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    pl.DataFrame({"a": [1]}).write_excel(path, worksheet="alpha")
    with pytest.raises(SourceError, match=r"book\.xlsx: no sheet `nope`; sheets are `alpha`"):
        read_excel(path, IngestOptions(sheet="nope"))


def test_excel_empty_sheet(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    workbook = xlsxwriter.Workbook(path)
    workbook.add_worksheet("empty")
    workbook.close()
    with pytest.raises(SourceError, match=r"blank\.xlsx\[empty\]: file is empty"):
        read_excel(path, OPTIONS)


def test_excel_garbage_is_source_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_text("nope")
    with pytest.raises(SourceError, match=r"bad\.xlsx: not a readable Excel workbook"):
        read_excel(path, OPTIONS)
