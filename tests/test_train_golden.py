"""Golden JSON for the `TrainReport`: same data + options -> the same bytes, release after release.

Regenerate deliberately with `THRESHER_UPDATE_GOLDEN=1 pytest tests/test_train_golden.py` and
review the diff (a changed feature decision or metric shows up line by line).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pipelines.task import TaskSpec
from pipelines.train import train
from tests.train_support import FAST, table

GOLDEN = Path(__file__).resolve().parent / "golden" / "train_report_binary.json"


def test_train_report_matches_golden_json() -> None:
    report = train(table(120), task=TaskSpec(target="label"), options=FAST).report
    text = json.dumps(report.to_json_dict(), indent=1, sort_keys=True) + "\n"
    if os.environ.get("THRESHER_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
