"""A `thresher run` killed with SIGKILL midway: nothing half-written, and the next run resumes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
import yaml

from tests.flow_support import EXAMPLE, copy_penguins

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.flow, pytest.mark.slow]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(home)
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "180"
    return env


def _config(tmp_path: Path) -> Path:
    raw = yaml.safe_load(EXAMPLE.read_text())
    raw["source"] = str(copy_penguins(tmp_path / "data"))
    raw["output_dir"] = str(tmp_path / "runs")
    path = tmp_path / "penguins.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def _assert_nothing_half_written(run_dir: Path) -> None:
    for path in run_dir.rglob("*"):
        if not path.is_file() or path.name.startswith("."):
            continue  # `.name.xxxx.tmp` files are the unfinished writes: never a real name
        if path.suffix == ".json":
            json.loads(path.read_text())
        elif path.suffix == ".html":
            assert path.read_text().rstrip().endswith("</html>"), path
        elif path.suffix == ".parquet":
            pl.read_parquet(path)


def test_sigkill_midway_leaves_no_half_report_and_the_rerun_resumes(tmp_path: Path) -> None:
    config = _config(tmp_path)
    env = _env(tmp_path / "prefect-home")
    command = [sys.executable, "-m", "flows.cli", "run", str(config)]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    runs = tmp_path / "runs" / "penguins"
    deadline = time.monotonic() + 300
    killed_in: Path | None = None
    try:
        while time.monotonic() < deadline and process.poll() is None:
            started = [p for p in runs.glob("*/train") if p.is_dir()] if runs.is_dir() else []
            if started:  # profile is done, training has begun: kill now
                killed_in = started[0].parent
                os.killpg(process.pid, signal.SIGKILL)
                break
            time.sleep(0.05)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    assert killed_in is not None, "the run finished or never reached training"
    record = json.loads((killed_in / "run.json").read_text())
    assert record["status"] == "running"  # never looks completed
    assert not (killed_in / "index.html").exists()
    _assert_nothing_half_written(killed_in)

    completed = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    (resumed,) = [p for p in runs.iterdir() if p != killed_in]
    record = json.loads((resumed / "run.json").read_text())
    hits = {s["name"]: s["cache_hit"] for s in record["stages"]}
    assert hits["ingest"] and hits["validate"] and hits["profile"]
    assert not hits["train"]
    # the task cache sits beside the runs (the CLI's default), not in PREFECT_HOME
    assert any((tmp_path / "runs" / ".cache").iterdir())
    assert not (tmp_path / "prefect-home" / "storage").exists()
    assert record["status"] == "completed" and record["previous_run"] is None
    _assert_nothing_half_written(resumed)
