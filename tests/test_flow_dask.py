"""`thresher run --runner dask`: the train flow's tasks on a real 2-worker LocalCluster."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_flow_kill import _config, _env

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.flow, pytest.mark.slow]


def test_train_flow_on_a_local_dask_cluster(tmp_path: Path) -> None:
    config = _config(tmp_path)
    completed = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", str(config), "--runner", "dask"],
        cwd=ROOT,
        env=_env(tmp_path / "prefect-home"),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "LocalCluster" in completed.stderr
    assert completed.stderr.count("Register worker") == 2  # two worker processes
    (run_dir,) = (tmp_path / "runs" / "penguins").iterdir()
    record = json.loads((run_dir / "run.json").read_text())
    assert record["status"] == "completed"
    assert [s["name"] for s in record["stages"]][-1] == "errors"
    assert record["ledger"]["train"] + record["ledger"]["test"] == 344
    assert (run_dir / "train" / "model.onnx").is_file()
