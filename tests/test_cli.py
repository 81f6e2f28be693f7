"""The CLI shell: usage errors, unknown commands and --help behave like a tool should."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("ingest",), "Missing argument"),
        (("frobnicate",), "No such command"),
        (("ingest", "x.csv", "--no-such-flag"), "No such option"),
    ],
    ids=["missing-argument", "unknown-command", "unknown-option"],
)
def test_usage_errors_are_one_line_exit_2(args: tuple[str, ...], needle: str) -> None:
    completed = run_cli(*args)
    assert completed.returncode == 2
    assert completed.stderr.startswith("thresher: error: ")
    assert needle in completed.stderr
    assert completed.stderr.count("\n") == 1
    assert "Traceback" not in completed.stderr


def test_help_lists_every_stage_command() -> None:
    completed = run_cli("--help")
    assert completed.returncode == 0
    for command in ("ingest", "validate", "infer-schema", "profile", "run", "serve"):
        assert command in completed.stdout


def test_debug_shows_the_traceback() -> None:
    completed = run_cli("--debug", "ingest", "/definitely/not/here.csv")
    assert completed.returncode != 0
    assert "Traceback" in completed.stderr
    assert "SourceError" in completed.stderr


def test_format_forces_a_reader_for_an_unknown_extension(tmp_path: Path) -> None:
    source = tmp_path / "export.log"
    source.write_text("id|name\n1|ann\n2|bob\n")
    refused = run_cli("ingest", str(source), "--out", str(tmp_path / "a"))
    assert refused.returncode == 2
    assert "--format" in refused.stderr
    forced = run_cli("ingest", str(source), "--format", "csv", "--out", str(tmp_path / "b"))
    assert forced.returncode == 0, forced.stderr
    data = pl.read_parquet(tmp_path / "b" / "data.parquet")
    assert data.columns == ["id", "name"]
    assert data["name"].to_list() == ["ann", "bob"]


def test_no_header_names_columns_by_position(tmp_path: Path) -> None:
    source = tmp_path / "raw.csv"
    source.write_text("1,ann\n2,bob\n3,cid\n")
    completed = run_cli("ingest", str(source), "--no-header", "--out", str(tmp_path / "o"))
    assert completed.returncode == 0, completed.stderr
    data = pl.read_parquet(tmp_path / "o" / "data.parquet")
    assert data.columns == ["column_1", "column_2"]
    assert data.height == 3
    report = json.loads((tmp_path / "o" / "ingest.json").read_text())
    assert report["rows_read"] == 3


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    completed = run_cli("ingest", "x.csv", "--format", "xml", "--out", str(tmp_path))
    assert completed.returncode == 2
    assert "xml" in completed.stderr
