"""The CLI shell: usage errors, unknown commands and --help behave like a tool should."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
