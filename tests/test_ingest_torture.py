"""Spec-level tests of `ingest` over the messy-file torture corpus in tests/data/messy/.

One parametrised case per corpus file (ids = file names); each checks row accounting, the
quarantine (reason and source line of every bad record), repaired dtypes and values, repair
counts and cell issues. Error cases check the exception type and that the message names the
file; CLI cases check exit codes, the one-line error and the four output files.
"""

from __future__ import annotations

import collections
import datetime as dt
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
MESSY = REPO_ROOT / "tests" / "data" / "messy"


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _corpus_module():
    spec = importlib.util.spec_from_file_location("make_corpus", MESSY / "make_corpus.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_ingest(source: str | Path, **options: object):
    """Ingest with the given options and check the invariants every result must satisfy."""
    from pipelines.ingest import IngestOptions, ingest

    result = ingest(source, options=IngestOptions(**options))
    check_invariants(result)
    return result


def check_invariants(result) -> None:
    from pipelines.ingest.models import CELL_ISSUES_SCHEMA, QUARANTINE_SCHEMA

    report = result.report
    assert report.rows_read == report.rows_ok + report.rows_quarantined
    assert report.rows_ok == result.data.height
    assert report.rows_quarantined == result.quarantine.height
    assert sum(report.quarantine_reasons.values()) == report.rows_quarantined
    assert report.cell_issues == result.cell_issues.height
    assert list(result.quarantine.columns) == list(QUARANTINE_SCHEMA)
    assert list(result.cell_issues.columns) == list(CELL_ISSUES_SCHEMA)
    if result.quarantine.height:
        counted = collections.Counter(result.quarantine["_reason"].to_list())
        assert dict(counted) == report.quarantine_reasons
    data_columns = [c for c in result.data.columns if not c.startswith("_")]
    assert [c.name for c in report.columns if not c.name.startswith("_")] == data_columns
    for column in report.columns:
        assert column.null_count == result.data[column.name].null_count(), column.name
    # the report is a JSON-able result model: it must survive a round trip
    assert type(report).model_validate_json(report.model_dump_json()) == report


def quarantined(result) -> list[tuple[int, str]]:
    """(source line, reason) of every quarantined record, sorted by line."""
    frame = result.quarantine.sort("_source_line")
    return list(zip(frame["_source_line"].to_list(), frame["_reason"].to_list(), strict=True))


def raw_of(result, line: int) -> str:
    frame = result.quarantine.filter(pl.col("_source_line") == line)
    assert frame.height == 1
    return frame["_raw"].item()


def issues(result) -> list[tuple[int, str, str, str]]:
    """(line, column, raw value, reason) of every cell issue, sorted."""
    frame = result.cell_issues
    return sorted(
        zip(
            frame["_source_line"].to_list(),
            frame["column"].to_list(),
            frame["value"].to_list(),
            frame["reason"].to_list(),
            strict=True,
        )
    )


def column_report(result, name: str):
    matches = [c for c in result.report.columns if c.name == name]
    assert len(matches) == 1, f"no single ColumnReport for {name!r}"
    return matches[0]


def repairs(result, name: str) -> dict[str, int]:
    return dict(column_report(result, name).repairs)


def values(result, name: str) -> list[object]:
    return result.data[name].to_list()


def normalised_encoding(result) -> str:
    encoding = result.report.encoding or ""
    return encoding.lower().replace("-", "").replace("_", "")


def assert_clean(result, rows: int) -> None:
    assert result.report.rows_read == rows
    assert result.report.rows_ok == rows
    assert result.quarantine.height == 0


CASES: dict[str, Callable[[], None]] = {}


def case(name: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def register(check: Callable[[], None]) -> Callable[[], None]:
        CASES[name] = check
        return check

    return register


# --------------------------------------------------------------------------------------------
# encodings
# --------------------------------------------------------------------------------------------


def _check_simple_unicode(result) -> None:
    assert_clean(result, 3)
    assert result.data.columns == ["id", "name", "city"]
    assert result.data["id"].dtype == pl.Int64
    assert values(result, "id") == [1, 2, 3]
    assert values(result, "name") == ["Zoë", "José", "Ann"]
    assert values(result, "city") == ["Zürich", "São Paulo", "Oslo"]


@case("bom_utf8.csv")
def _bom_utf8() -> None:
    result = run_ingest(MESSY / "bom_utf8.csv")
    _check_simple_unicode(result)  # the BOM must not stick to the first column name
    assert normalised_encoding(result).startswith("utf8")
    assert not any("\ufeff" in name for name in result.report.header_mapping)
    assert column_report(result, "id").original_name == "id"


@case("utf16_le_bom.csv")
def _utf16_le() -> None:
    result = run_ingest(MESSY / "utf16_le_bom.csv")
    _check_simple_unicode(result)
    assert normalised_encoding(result).startswith("utf16")


@case("utf16_be_bom.csv")
def _utf16_be() -> None:
    result = run_ingest(MESSY / "utf16_be_bom.csv")
    _check_simple_unicode(result)
    assert normalised_encoding(result).startswith("utf16")


@case("cp1252.csv")
def _cp1252() -> None:
    result = run_ingest(MESSY / "cp1252.csv")
    assert_clean(result, 4)
    assert normalised_encoding(result) in {"cp1252", "windows1252"}
    assert values(result, "name") == ["Café", "Renée", "Noël", "Ann"]
    assert values(result, "note") == [
        "\u201cquoted\u201d text",
        "it\u2019s \u20ac cheap",
        "\u2018single\u2019 \u2013 dash",
        "plain",
    ]


@case("latin1.csv")
def _latin1() -> None:
    result = run_ingest(MESSY / "latin1.csv")
    assert_clean(result, 3)
    assert normalised_encoding(result) in {"cp1252", "windows1252", "latin1", "iso88591"}
    assert values(result, "name") == ["Müller", "Núñez", "Ørsted"]
    assert values(result, "town") == ["Köln", "Cádiz", "Århus"]


@case("mostly_utf8_bad_byte.csv")
def _mostly_utf8() -> None:
    result = run_ingest(MESSY / "mostly_utf8_bad_byte.csv")
    assert normalised_encoding(result).startswith("utf8")
    assert result.report.rows_read == 20
    assert result.report.rows_ok == 19
    assert quarantined(result) == [(12, "undecodable_bytes")]
    assert result.report.quarantine_reasons == {"undecodable_bytes": 1}
    assert "bad" in raw_of(result, 12)
    assert 11 not in values(result, "id")
    assert values(result, "name")[10] == "Zoë-12-日本"  # good rows decoded as UTF-8
    assert result.data["score"].dtype == pl.Int64


# --------------------------------------------------------------------------------------------
# delimiters and line endings
# --------------------------------------------------------------------------------------------


@case("semicolon_decimal_comma.csv")
def _semicolon() -> None:
    result = run_ingest(MESSY / "semicolon_decimal_comma.csv")
    assert_clean(result, 5)
    assert result.report.delimiter == ";"
    assert result.data.columns == ["id", "product", "price", "weight"]
    assert values(result, "product")[4] == "Obst, gemischt"
    assert result.data["price"].dtype == pl.Float64
    assert values(result, "price") == [1234.5, 12.75, 0.5, 2000.0, 3.2]
    assert result.data["weight"].dtype == pl.Float64
    assert values(result, "weight") == [0.25, 1.5, 1.0, 0.75, 2.25]
    assert repairs(result, "price").get("decimal_comma") == 5
    assert repairs(result, "weight").get("decimal_comma") == 5


@case("tabs.tsv")
def _tabs() -> None:
    result = run_ingest(MESSY / "tabs.tsv")
    assert_clean(result, 4)
    assert result.report.delimiter == "\t"
    assert values(result, "name") == ["Smith, John", "Doe, Jane", "Lee", "Kim"]
    assert values(result, "city") == ["Paris, FR", "Rome", "Berlin, DE", "Seoul"]
    assert result.data["score"].dtype == pl.Int64
    assert values(result, "score") == [10, 20, 30, 40]


@case("pipes.csv")
def _pipes() -> None:
    result = run_ingest(MESSY / "pipes.csv")
    assert_clean(result, 4)
    assert result.report.delimiter == "|"
    assert result.data.columns == ["id", "name", "city", "score"]
    assert result.data["score"].dtype == pl.Float64
    assert values(result, "score") == [1.5, 2.5, 3.5, 4.5]


@case("crlf.csv")
def _crlf() -> None:
    result = run_ingest(MESSY / "crlf.csv")
    assert_clean(result, 5)
    assert result.data.columns == ["id", "name", "score"]
    assert values(result, "name") == ["ann", "bob", "cid", "dee", "eve"]
    assert result.data["score"].dtype == pl.Int64  # no stray "\r" left on the last column
    assert values(result, "score") == [10, 20, 30, 40, 50]


# --------------------------------------------------------------------------------------------
# structural defects
# --------------------------------------------------------------------------------------------


@case("ragged.csv")
def _ragged() -> None:
    result = run_ingest(MESSY / "ragged.csv")
    assert result.report.rows_read == 11
    assert result.report.rows_ok == 8
    assert quarantined(result) == [
        (4, "too_many_fields"),
        (7, "too_few_fields"),
        (10, "too_many_fields"),
    ]
    assert result.report.quarantine_reasons == {"too_many_fields": 2, "too_few_fields": 1}
    assert "3,carol,7,extra" in raw_of(result, 4)
    assert "6,frank" in raw_of(result, 7)
    assert {Path(p).name for p in result.quarantine["_source_file"].to_list()} == {"ragged.csv"}
    assert values(result, "id") == [1, 2, 4, 5, 7, 8, 10, 11]
    assert result.data["score"].dtype == pl.Int64


@case("unterminated_quote.csv")
def _unterminated() -> None:
    # Only the line that opens the never-closed quote is lost; reading resumes on line 8.
    result = run_ingest(MESSY / "unterminated_quote.csv")
    assert result.report.rows_read == 12
    assert result.report.rows_ok == 11
    assert quarantined(result) == [(7, "unterminated_quote")]
    assert '"frank' in raw_of(result, 7)
    assert values(result, "id") == [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12]
    assert values(result, "name")[-1] == "lu"
    assert result.data["score"].dtype == pl.Int64


@case("unterminated_quote_at_eof.csv")
def _unterminated_at_eof() -> None:
    result = run_ingest(MESSY / "unterminated_quote_at_eof.csv")
    assert result.report.rows_read == 3
    assert result.report.rows_ok == 2
    assert quarantined(result) == [(4, "unterminated_quote")]
    assert '3,cid,"30' in raw_of(result, 4)
    assert values(result, "id") == [1, 2]


@case("quoted_fields.csv")
def _quoted() -> None:
    result = run_ingest(MESSY / "quoted_fields.csv", add_line_numbers=True)
    assert_clean(result, 5)
    assert values(result, "_source_line") == [2, 3, 6, 7, 9]
    assert values(result, "name") == ["Smith, John", "Doe, Jane", "plain", "multi\nline", "last"]
    assert values(result, "note") == [
        'He said "hi"',
        "line one\nline two\nline three",
        "a, b, and c",
        '"',
        "end",
    ]


@case("nul_byte.csv")
def _nul() -> None:
    result = run_ingest(MESSY / "nul_byte.csv")
    assert result.report.rows_read == 10
    assert result.report.rows_ok == 9
    assert quarantined(result) == [(5, "nul_byte")]
    assert values(result, "id") == [1, 2, 3, 5, 6, 7, 8, 9, 10]


@case("blank_lines.csv")
def _blank_lines() -> None:
    result = run_ingest(MESSY / "blank_lines.csv", add_line_numbers=True)
    assert_clean(result, 6)
    assert result.report.blank_lines_skipped == 6  # lines 3, 6, 7, 10 and trailing 12, 13
    assert values(result, "_source_line") == [2, 4, 5, 8, 9, 11]
    assert values(result, "name") == ["ann", "bob", "cid", "dan", "eve", "fay"]


@case("header_only.csv")
def _header_only() -> None:
    result = run_ingest(MESSY / "header_only.csv")
    assert result.data.height == 0
    assert result.data.columns == ["id", "name", "score"]
    assert result.report.rows_read == 0
    assert result.quarantine.height == 0


# --------------------------------------------------------------------------------------------
# headers and values
# --------------------------------------------------------------------------------------------


@case("whitespace_padding.csv")
def _whitespace() -> None:
    result = run_ingest(MESSY / "whitespace_padding.csv")
    assert_clean(result, 4)
    assert result.data.columns == ["id", "name", "score"]
    assert values(result, "name") == ["alice", "bob", "carol", "dave"]
    assert result.data["score"].dtype == pl.Int64
    assert values(result, "score") == [42, 7, 13, 99]
    assert repairs(result, "name").get("whitespace_trimmed") == 3
    assert repairs(result, "score").get("whitespace_trimmed") == 2
    # the mapping is keyed by the header as written, padding included
    assert result.report.header_mapping == {"  id ": "id", " name ": "name", "  score  ": "score"}


@case("messy_headers.csv")
def _messy_headers() -> None:
    result = run_ingest(MESSY / "messy_headers.csv")
    assert_clean(result, 2)
    assert result.data.columns == [
        "name",
        "column_2",
        "name_2",
        "col_1st_flr_sf",
        "culmen_length_mm",
        "study_name",
        "delta_15_n_o_oo",
        "column_8",
        "name_3",
        "sale_price",
    ]
    mapping = result.report.header_mapping
    assert mapping["1stFlrSF"] == "col_1st_flr_sf"
    assert mapping["Culmen Length (mm)"] == "culmen_length_mm"
    assert mapping["studyName"] == "study_name"
    assert mapping["Delta 15 N (o/oo)"] == "delta_15_n_o_oo"
    assert mapping["SalePrice"] == "sale_price"
    originals = [c.original_name for c in result.report.columns]
    assert [originals[i] for i in (0, 2, 3, 8)] == ["Name", "Name", "1stFlrSF", "Name"]
    assert values(result, "name") == ["a", "e"]
    assert values(result, "name_2") == ["c", "g"]
    assert values(result, "name_3") == ["d", "h"]
    assert values(result, "column_8") == ["x", "y"]
    assert result.data["culmen_length_mm"].dtype == pl.Float64
    assert result.data["sale_price"].dtype == pl.Int64


@case("null_tokens.csv")
def _null_tokens() -> None:
    result = run_ingest(MESSY / "null_tokens.csv")
    assert_clean(result, 13)
    assert result.data["value"].dtype == pl.Int64
    assert values(result, "value") == [10, *([None] * 9), 20, None, 30]
    assert column_report(result, "value").null_count == 10
    # 9 written tokens; whether the empty field also counts as a token is left open
    assert repairs(result, "value").get("null_token") in {9, 10}
    assert result.data["label"].dtype == pl.String
    assert values(result, "label") == [
        "alpha", None, "beta", None, "gamma", None, "delta", None,
        "epsilon", "zeta", "eta", "theta", None,
    ]  # fmt: skip
    assert result.cell_issues.height == 0


@case("custom_null_tokens.csv")
def _custom_null_tokens() -> None:
    from pipelines.ingest.models import DEFAULT_NULL_TOKENS

    default = run_ingest(MESSY / "custom_null_tokens.csv")
    assert default.data["reading"].dtype == pl.String  # 2 of 6 are text: stays text
    assert values(default, "reading") == ["5", "unknown", "7", "unknown", "9", "11"]
    assert default.cell_issues.height == 0
    custom = run_ingest(
        MESSY / "custom_null_tokens.csv", null_tokens=(*DEFAULT_NULL_TOKENS, "unknown")
    )
    assert custom.data["reading"].dtype == pl.Int64
    assert values(custom, "reading") == [5, None, 7, None, 9, 11]
    assert repairs(custom, "reading").get("null_token") == 2


@case("numbers_formats.csv")
def _numbers() -> None:
    result = run_ingest(MESSY / "numbers_formats.csv")
    assert_clean(result, 6)
    data = result.data
    assert data["amount_usd"].dtype == pl.Float64
    assert values(result, "amount_usd") == [5.0, 1234.5, 0.99, 10.0, 2000.0, 3.3]
    assert repairs(result, "amount_usd").get("currency_symbol") == 6
    assert data["price_eur"].dtype == pl.Float64
    assert values(result, "price_eur") == [12.0, 0.99, 7.5, 100.0, 1.1, 3.0]
    assert repairs(result, "price_eur").get("currency_symbol") == 6
    assert data["price_gbp"].dtype == pl.Float64
    assert values(result, "price_gbp") == [3.5, 10.0, 0.05, 1.0, 2.2, 4.4]
    assert repairs(result, "price_gbp").get("currency_symbol") == 6
    assert data["population"].dtype == pl.Int64
    assert values(result, "population") == [1234, 12345678, 999, 2000, 10000, 42]
    assert repairs(result, "population").get("thousands_separator") == 4
    assert data["rate"].dtype == pl.Float64
    rates = values(result, "rate")
    expected_rates = [0.12, 0.125, 0.0, 1.0, 0.0325, 0.5]
    assert all(
        math.isclose(a, b, abs_tol=1e-12) for a, b in zip(rates, expected_rates, strict=True)
    )
    assert repairs(result, "rate").get("percent") == 6
    assert data["balance"].dtype == pl.Int64
    assert values(result, "balance") == [100, -123, 50, -7, 0, 8]
    assert repairs(result, "balance").get("parentheses_negative") == 2
    assert data["mixed"].dtype == pl.Float64  # integers and one decimal: Float64
    assert values(result, "mixed") == [1.0, 2.5, 3.0, 4.0, 5.0, 6.0]
    assert data["id"].dtype == pl.Int64


@case("type_tolerance.csv")
def _type_tolerance() -> None:
    result = run_ingest(MESSY / "type_tolerance.csv")
    assert_clean(result, 100)
    data = result.data
    assert data["measurement"].dtype == pl.Float64
    assert values(result, "measurement")[56] is None  # line 58
    assert values(result, "measurement")[:3] == [1.5, 3.0, 4.5]
    assert column_report(result, "measurement").cells_nulled == 1
    assert data["two_bad"].dtype == pl.Int64  # exactly 2% bad: still converted
    assert column_report(result, "two_bad").cells_nulled == 2
    assert data["three_bad"].dtype == pl.String  # 3% bad: stays text, nothing nulled
    assert values(result, "three_bad")[9] == "bad"
    assert data["three_bad"].null_count() == 0
    assert data["code"].dtype == pl.String  # the text is only in the last 30 rows
    assert values(result, "code")[0] == "1001"
    assert values(result, "code")[70] == "T71"
    assert issues(result) == [
        (21, "two_bad", "x", "not_a_number"),
        (58, "measurement", "oops", "not_a_number"),
        (81, "two_bad", "x", "not_a_number"),
    ]
    assert result.report.cell_issues == 3
    assert {Path(p).name for p in result.cell_issues["_source_file"].to_list()} == {
        "type_tolerance.csv"
    }


@case("booleans.csv")
def _booleans() -> None:
    result = run_ingest(MESSY / "booleans.csv")
    assert_clean(result, 5)
    for name in ("yes_no", "y_n", "true_false", "t_f"):
        assert result.data[name].dtype == pl.Boolean, name
        assert values(result, name) == [True, False, True, False, True], name
        assert repairs(result, name).get("boolean") == 5, name
    assert result.data["one_zero"].dtype == pl.Int64  # 0/1 are numbers, not a spelling
    assert values(result, "one_zero") == [1, 0, 1, 0, 1]


@case("dates.csv")
def _dates() -> None:
    result = run_ingest(MESSY / "dates.csv")
    assert_clean(result, 5)
    data = result.data
    day = dt.date
    assert data["iso"].dtype == pl.Date
    assert values(result, "iso") == [
        day(2018, 1, 31),
        day(2019, 12, 25),
        day(2020, 2, 29),
        day(2021, 7, 4),
        day(2017, 11, 30),
    ]
    assert data["us"].dtype == pl.Date
    assert values(result, "us") == [
        day(2018, 1, 31),
        day(2019, 12, 25),
        day(2020, 2, 3),
        day(2021, 7, 4),
        day(2017, 11, 30),
    ]
    assert data["eu"].dtype == pl.Date
    assert values(result, "eu") == [
        day(2018, 1, 31),
        day(2019, 12, 25),
        day(2020, 3, 2),
        day(2021, 7, 4),
        day(2017, 11, 30),
    ]
    assert data["month"].dtype == pl.Date
    assert values(result, "month") == [
        day(2018, 1, 1),
        day(2019, 2, 1),
        day(2020, 12, 1),
        day(2021, 7, 1),
        day(2017, 11, 1),
    ]
    for name in ("us", "eu", "month"):
        assert repairs(result, name).get("date") == 5, name
    assert data["ambiguous"].dtype == pl.String
    assert values(result, "ambiguous") == [
        "01/02/2018",
        "03/04/2019",
        "12/11/2020",
        "05/06/2021",
        "07/08/2017",
    ]
    notes = [*column_report(result, "ambiguous").notes]
    notes += [n for n in result.report.notes if "ambiguous" in n]
    assert notes, "an ambiguous day/month column must carry a note"
    assert result.cell_issues.height == 0


@case("datetimes.csv")
def _datetimes() -> None:
    result = run_ingest(MESSY / "datetimes.csv")
    assert_clean(result, 4)
    stamp = dt.datetime
    for name in ("ts_space", "ts_t"):
        dtype = result.data[name].dtype
        assert isinstance(dtype, pl.Datetime), name
        assert dtype.time_zone is None
    assert values(result, "ts_space") == [
        stamp(2013, 8, 13, 6, 3, 42),
        stamp(2014, 1, 1),
        None,
        stamp(2016, 2, 29, 12, 30),
    ]
    assert values(result, "ts_t") == [
        stamp(2013, 8, 13, 6, 3, 42),
        stamp(2014, 1, 1),
        stamp(2015, 6, 30, 23, 59, 59),
        None,
    ]


@case("cell_issue_types.csv")
def _cell_issue_types() -> None:
    result = run_ingest(MESSY / "cell_issue_types.csv")
    assert_clean(result, 60)
    assert result.data["day"].dtype == pl.Date
    assert isinstance(result.data["stamp"].dtype, pl.Datetime)
    assert result.data["flag"].dtype == pl.Boolean
    assert result.data["amount"].dtype == pl.Int64
    assert issues(result) == [
        (21, "amount", "n/k", "not_a_number"),
        (31, "day", "TBD", "not_a_date"),
        (41, "stamp", "later", "not_a_datetime"),
        (51, "flag", "maybe", "not_a_boolean"),
    ]
    for name in ("day", "stamp", "flag", "amount"):
        assert column_report(result, name).cells_nulled == 1, name
        assert result.data[name].null_count() == 1, name
    assert values(result, "flag")[:2] == [True, False]


# --------------------------------------------------------------------------------------------
# containers: gzip, zip, glob, NDJSON
# --------------------------------------------------------------------------------------------


@case("compressed.csv.gz")
def _gzip() -> None:
    result = run_ingest(MESSY / "compressed.csv.gz")
    assert_clean(result, 5)
    assert result.data.columns == ["id", "name", "score"]
    assert values(result, "score") == [1.5, 2.5, 3.5, 4.5, 5.5]


@case("archive.zip")
def _zip() -> None:
    result = run_ingest(MESSY / "archive.zip")
    assert_clean(result, 4)
    assert result.data.columns == ["id", "name"]
    assert values(result, "name") == ["ann", "bob", "cid", "dee"]
    assert result.data["id"].dtype == pl.Int64


@case("glob/*.csv")
def _glob() -> None:
    result = run_ingest(str(MESSY / "glob" / "*.csv"))
    assert result.report.rows_read == 8
    assert result.report.rows_ok == 7
    assert quarantined(result) == [(3, "too_many_fields")]
    assert Path(result.quarantine["_source_file"].item()).name == "part_2.csv"
    assert "_source_file" in result.data.columns
    per_file = collections.Counter(Path(p).name for p in values(result, "_source_file"))
    assert per_file == {"part_1.csv": 3, "part_2.csv": 4}
    assert sorted(values(result, "id")) == [1, 2, 3, 4, 6, 7, 8]
    assert result.data["score"].dtype == pl.Int64


@case("ndjson_bad_line.ndjson")
def _ndjson() -> None:
    result = run_ingest(MESSY / "ndjson_bad_line.ndjson")
    assert result.report.rows_read == 6
    assert result.report.rows_ok == 5
    assert quarantined(result) == [(4, "invalid_json")]
    assert '"dan"' in raw_of(result, 4)
    assert values(result, "id") == [1, 2, 3, 5, 6]
    assert result.data["score"].dtype == pl.Float64


@pytest.mark.parametrize("name", sorted(CASES), ids=sorted(CASES))
def test_corpus_file(name: str) -> None:
    CASES[name]()


# --------------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------------

# file -> (exception class name, extra word the message must contain or None)
ERROR_CASES: dict[str, tuple[str, str | None]] = {
    "empty.csv": ("SourceError", None),
    "only_blank_lines.csv": ("SourceError", None),
    "garbage.csv": ("SourceError", "binary"),
    "image_png.csv": ("SourceError", "binary"),
    "document.docx": ("UnsupportedSourceError", None),
    "report.pdf": ("UnsupportedSourceError", None),
    "does_not_exist.csv": ("SourceError", None),
    "glob": ("SourceError", None),  # a directory
}


@pytest.mark.parametrize("name", sorted(ERROR_CASES), ids=sorted(ERROR_CASES))
def test_bad_source_raises(name: str) -> None:
    from pipelines import errors
    from pipelines.ingest import ingest

    kind, word = ERROR_CASES[name]
    expected = getattr(errors, kind)
    assert issubclass(expected, errors.ThresherError)
    with pytest.raises(expected, match=re.escape(name)) as caught:
        ingest(MESSY / name)
    if word is not None:
        assert word in str(caught.value).lower()


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root (or Windows) can read a file without read permission",
)
def test_permission_denied_raises(tmp_path: Path) -> None:
    from pipelines.errors import SourceError
    from pipelines.ingest import ingest

    locked = tmp_path / "locked.csv"
    locked.write_text("id,name\n1,ann\n")
    locked.chmod(0)
    try:
        with pytest.raises(SourceError, match=re.escape("locked.csv")):
            ingest(locked)
    finally:
        locked.chmod(0o644)


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", "ingest", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_success_writes_outputs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = _cli(str(MESSY / "ragged.csv"), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.strip(), "a summary table is printed"
    for name in ("data.parquet", "quarantine.parquet", "cell_issues.parquet", "ingest.json"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "ingest.json").read_text())
    assert {"rows_read", "rows_ok", "rows_quarantined", "columns"} <= set(summary)
    assert (summary["rows_read"], summary["rows_ok"], summary["rows_quarantined"]) == (11, 8, 3)
    assert pl.read_parquet(out / "data.parquet").height == 8
    quarantine = pl.read_parquet(out / "quarantine.parquet")
    assert sorted(quarantine["_source_line"].to_list()) == [4, 7, 10]
    assert pl.read_parquet(out / "cell_issues.parquet").columns == [
        "_source_file",
        "_source_line",
        "column",
        "value",
        "reason",
    ]


CLI_ERROR_CASES = ["does_not_exist.csv", "empty.csv", "garbage.csv", "document.docx", "glob"]


@pytest.mark.parametrize("name", CLI_ERROR_CASES, ids=CLI_ERROR_CASES)
def test_cli_bad_source_one_line_exit_2(name: str, tmp_path: Path) -> None:
    source = str(MESSY / name)
    done = _cli(source, "--out", str(tmp_path / "out"))
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("thresher: error: ")
    assert source in lines[0]


# --------------------------------------------------------------------------------------------
# the corpus itself
# --------------------------------------------------------------------------------------------


def test_corpus_is_reproducible(tmp_path: Path) -> None:
    module = _corpus_module()
    module.main(["make_corpus.py", str(tmp_path)])
    for relative in module.corpus():
        assert (tmp_path / relative).read_bytes() == (MESSY / relative).read_bytes(), relative


def test_corpus_is_covered_and_documented() -> None:
    corpus = set(_corpus_module().corpus())
    covered = set(CASES) | set(ERROR_CASES) | {"glob/part_1.csv", "glob/part_2.csv"}
    assert corpus - covered == set(), "every corpus file needs a test case"
    assert len(corpus) >= 30
    manifest = (MESSY / "MANIFEST.md").read_text()
    missing = sorted(name for name in corpus if f"`{name}`" not in manifest)
    assert missing == [], "every corpus file needs a MANIFEST.md entry"
