"""The main Prefect flow, run for real: under the test harness and through `thresher run`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from pipelines.config import load_config
from tests.support.browser import open_report

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "penguins.yaml"

pytestmark = pytest.mark.flow


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One throwaway Prefect API for the whole session (it takes 10-15 s to start)."""
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))
    from flows.runtime import prepare_prefect_environment

    prepare_prefect_environment()
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(scope="module")
def penguins_run(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run of the demo flow, shared by the tests that only read its run folder."""
    from flows.pipeline import thresher_pipeline

    out = tmp_path_factory.mktemp("runs")
    config = load_config(EXAMPLE).model_copy(update={"output_dir": out})
    summary = thresher_pipeline(config)
    run_dir = Path(summary.run_dir)
    assert run_dir.parent == out
    return run_dir


def test_flow_writes_every_stage_into_one_run_folder(penguins_run: Path) -> None:
    run_dir = penguins_run
    recorded = json.loads((run_dir / "run.json").read_text())
    assert recorded["rows_read"] == 344
    assert recorded["rows_ingested"] + recorded["rows_quarantined_ingest"] == 344
    assert recorded["rows_valid"] + recorded["rows_quarantined_validate"] == 344
    assert [s["name"] for s in recorded["stages"]] == ["ingest", "validate", "profile"]
    for stage in recorded["stages"]:
        assert stage["rows_in"] == stage["rows_out"] + stage["rows_set_aside"]
    assert set(recorded["durations"]) == {"ingest", "validate", "profile"}
    for name in ("data.parquet", "quarantine.parquet", "cell_issues.parquet", "ingest.json"):
        assert (run_dir / "ingest" / name).is_file(), name
    assert (run_dir / "validate" / "validation.html").is_file()
    assert (run_dir / "profile" / "eda.html").is_file()
    ingested = pl.read_parquet(run_dir / "ingest" / "data.parquet")
    assert ingested.schema["date_egg"] == pl.Date
    assert "_source_line" not in ingested.columns
    hrefs = re.findall(r'href="([^"]+)"', (run_dir / "index.html").read_text())
    assert {"profile/eda.html", "validate/validation.html", "ingest/ingest.json"} <= set(hrefs)
    assert "validate/data_docs/index.html" in hrefs
    assert all((run_dir / href).is_file() for href in hrefs)
    assert recorded["outputs"]["eda"].endswith("eda.html")
    assert json.loads((run_dir / "config.json").read_text())["name"] == "penguins"
    assert not [p for p in run_dir.rglob("*.tmp")]  # every write was atomic and finished


def test_the_reports_hold_no_timings(penguins_run: Path) -> None:
    for name in ("ingest/ingest.json", "validate/validation.json", "profile/eda.json"):
        text = (penguins_run / name).read_text()
        assert '"seconds"' not in text, name
        assert json.loads(text)["schema_version"] == 1, name


@pytest.mark.browser
def test_run_page_renders_offline(penguins_run: Path) -> None:
    check = open_report(penguins_run / "index.html")
    assert check.console_errors == [] and check.page_errors == []
    assert check.external_requests == []


def test_thresher_run_cli_prints_where_the_reports_are(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    }
    env.pop("PREFECT_API_URL", None)
    completed = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", str(EXAMPLE), "--output-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    lines = completed.stdout.splitlines()
    run_line = next(line for line in lines if line.startswith("run folder: "))
    run_dir = Path(run_line.removeprefix("run folder: "))
    assert run_dir.is_dir()
    assert any(
        line.strip().startswith("eda") and line.strip().endswith("eda.html") for line in lines
    )
    assert (run_dir / "profile" / "eda.html").is_file()


def test_thresher_run_with_a_broken_config_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsource: missing.csv\nunknown_key: 1\n")
    completed = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1
    assert completed.stderr.startswith("thresher: error: config file")
    assert "unknown_key" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_deployment_carries_the_schedule_and_config() -> None:
    from flows.deployments import build_deployment

    config = load_config(EXAMPLE)
    deployment = build_deployment(config, cron="0 6 * * *")
    assert deployment.name == "penguins"
    assert deployment.parameters["config"]["source"].endswith("penguins_raw.csv")
    crons = [getattr(s.schedule, "cron", None) for s in deployment.schedules]
    assert crons == ["0 6 * * *"]


def test_serve_without_a_server_says_what_to_do() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    completed = subprocess.run(
        [sys.executable, "-m", "flows.cli", "serve", str(EXAMPLE), "--cron", "0 6 * * *"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 2
    assert "prefect server start" in completed.stderr


def test_flow_compares_against_a_reference(prefect_harness: None, tmp_path: Path) -> None:
    from flows.pipeline import thresher_pipeline

    config = load_config(EXAMPLE)
    profile = config.profile.model_copy(update={"reference": config.source})
    config = config.model_copy(update={"output_dir": tmp_path, "profile": profile})
    summary = thresher_pipeline(config)
    eda = json.loads((Path(summary.run_dir) / "profile" / "eda.json").read_text())
    assert eda["drift"] is not None
    assert eda["drift"]["drifted"] == []
    assert eda["drift"]["verdict"] == "no drift"
    assert eda["drift"]["reference_rows"] == 344


def test_flow_quarantine_points_at_source_lines(prefect_harness: None, tmp_path: Path) -> None:
    from flows.pipeline import thresher_pipeline

    config = load_config(EXAMPLE)
    section = config.validate_.model_copy(update={"schema_ref": "schemas.penguins:PenguinsClean"})
    config = config.model_copy(
        update={
            "output_dir": tmp_path,
            "validate_": section,
            "profile": config.profile.model_copy(update={"enabled": False}),
        }
    )
    summary = thresher_pipeline(config)
    assert summary.rows_quarantined_validate
    quarantine = pl.read_parquet(Path(summary.run_dir) / "validate" / "quarantine.parquet")
    assert quarantine.height == summary.rows_quarantined_validate
    # rows are 0-based positions; with no blank or multi-line records the file line is row + 2
    assert (quarantine["_source_line"] == quarantine["_row"] + 2).all()


def test_every_example_config_loads_and_points_at_bundled_data() -> None:
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        config = load_config(path)
        assert Path(config.source).is_file(), (path.name, config.source)
        assert config.task.target, path.name
