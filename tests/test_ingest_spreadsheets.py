"""Spreadsheet cells a text load would null: times, durations and error values."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from pipelines.errors import SourceError
from pipelines.ingest import ingest
from pipelines.ingest.excel_cells import cell_text

REPO_ROOT = Path(__file__).resolve().parent.parent


def _workbook(path: Path) -> Path:
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("data")
    clock = workbook.add_format({"num_format": "hh:mm:ss"})
    hours = workbook.add_format({"num_format": "[h]:mm:ss"})
    sheet.write_row(0, 0, ["id", "clock", "took", "ratio"])
    for i in range(1, 61):
        sheet.write(i, 0, i)
        sheet.write_datetime(i, 1, dt.time(8, i % 60, 15), clock)
        sheet.write_number(i, 2, 1.5 + i / 24, hours)
        if i == 30:
            sheet.write_formula(i, 3, "=1/0", None, "#DIV/0!")
        else:
            sheet.write_number(i, 3, i / 10)
    workbook.close()
    return path


def test_times_durations_and_errors_are_kept_or_listed(tmp_path: Path) -> None:
    result = ingest(_workbook(tmp_path / "cells.xlsx"))
    assert result.report.rows_ok == 60
    assert result.data["clock"][:2].to_list() == ["08:01:15", "08:02:15"]
    assert result.data["took"][0] == "37:00:00"  # 1.5 days + 1 hour
    assert result.data["clock"].null_count() == 0
    assert result.data["took"].null_count() == 0
    assert result.data["ratio"].dtype == pl.Float64
    issues = result.cell_issues.select("_source_line", "column", "value", "reason").rows()
    assert issues == [(31, "ratio", "#DIV/0!", "not_a_number")]
    assert any("`ratio`: 1 cell(s) kept as their text" in note for note in result.report.notes)


@pytest.mark.parametrize(
    ("detail", "text"),
    [
        ("Expected string but got 'Error(Div0)'", "#DIV/0!"),
        ("Expected string but got 'Error(NA)'", "#N/A"),
        ("Expected string but got 'DurationIso(\"PT09H30M15S\")'", "09:30:15"),
        ("Expected string but got 'DurationIso(\"P1DT2H\")'", "26:00:00"),
        ("something else", "something else"),
    ],
)
def test_cell_text(detail: str, text: str) -> None:
    assert cell_text(detail) == text


def test_an_unreadable_workbook_is_one_line(tmp_path: Path) -> None:
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(SourceError, match="password-protected") as caught:
        ingest(locked)
    assert "\n" not in str(caught.value)
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "ingest", str(locked), "--out", str(tmp_path / "o")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
