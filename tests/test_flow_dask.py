"""`thresher run --runner dask` on a real 2-worker LocalCluster, over a glob of 3 files.

One run covers the scale-out: each file's ingest is its own task (they land on both
workers), the profile's slices are summarised on the workers and merged, the CV folds run
as parallel Dask tasks, and `train.options.distributed: dask` fits the final model with
lightgbm.dask; the model directory is the usual one (model.txt, model.onnx).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.flow_support import EXAMPLE, PENGUINS
from tests.test_flow_kill import _env
from tests.test_ingest_fanout import split_csv

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.flow, pytest.mark.slow]


def _glob_config(tmp_path: Path) -> Path:
    split_csv(PENGUINS, tmp_path / "data", 3)
    raw = yaml.safe_load(EXAMPLE.read_text())
    raw["source"] = str(tmp_path / "data" / "*.csv")
    raw["output_dir"] = str(tmp_path / "runs")
    raw["train"] = {"options": {"distributed": "dask", "folds": 3}}
    path = tmp_path / "penguins.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_train_flow_on_a_local_dask_cluster(tmp_path: Path) -> None:
    config = _glob_config(tmp_path)
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
    assert "3 CV folds as Dask tasks, final fit dask" in completed.stdout + completed.stderr
    (run_dir,) = (tmp_path / "runs" / "penguins").iterdir()
    record = json.loads((run_dir / "run.json").read_text())
    assert record["status"] == "completed"
    names = [s["name"] for s in record["stages"]]
    assert names[:4] == ["ingest part0.csv", "ingest part1.csv", "ingest part2.csv", "ingest"]
    assert names[-1] == "errors"
    workers = {
        match
        for stage in record["stages"][:3]
        for match in re.findall(r"on Dask worker (\S+)\)", stage["summary"]["headline"])
    }
    assert len(workers) == 2  # the three files were ingested on both workers
    assert record["ledger"]["read"] == 344
    assert record["ledger"]["train"] + record["ledger"]["test"] == 344
    eda = json.loads((run_dir / "profile" / "eda.json").read_text())
    assert eda["dataset"]["rows"] == 344 and eda["dataset"]["batches"] == 2  # one per worker
    train = json.loads((run_dir / "train" / "train_report.json").read_text())
    assert any("lightgbm.dask" in note for note in train["notes"])
    assert (run_dir / "train" / "model.txt").is_file()
    assert (run_dir / "train" / "model.onnx").is_file()
