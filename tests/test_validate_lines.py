"""A validation quarantine points at the source file's lines, not just row positions."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
PENGUINS = ROOT / "tests" / "data" / "real" / "penguins_raw.csv"


def test_quarantine_carries_the_source_line(tmp_path: Path) -> None:
    rows = list(csv.reader(io.StringIO(PENGUINS.read_text())))
    header = rows[0]
    rows[4][header.index("Body Mass (g)")] = "99999"  # file line 5
    rows.insert(10, [])  # a blank line shifts every later line by one
    rows[40][header.index("Sex")] = "UNKNOWN"  # file line 41
    planted = tmp_path / "planted.csv"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    planted.write_text(buffer.getvalue())

    out = tmp_path / "out"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "validate",
            str(planted),
            "--schema",
            "schemas.penguins:PenguinsClean",
            "--out",
            str(out),
            "--no-gx",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    quarantine = pl.read_parquet(out / "quarantine.parquet")
    by_line = dict(zip(quarantine["_source_line"], quarantine["_reason"], strict=True))
    assert "body_mass_g" in by_line[5]
    assert "sex" in by_line[41]
    assert quarantine["_source_line"].null_count() == 0
    html = (out / "validation.html").read_text()
    assert '<th class="num">line</th>' in html
    report = json.loads((out / "validation.json").read_text())
    assert {s["source_line"] for s in report["sample_rows"]} >= {5, 41}
