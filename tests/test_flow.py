"""The main Prefect flow, run for real: under the test harness and through `thresher run`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from pipelines.config import load_config
from tests.support.browser import open_report

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "penguins.yaml"

pytestmark = pytest.mark.flow


def test_train_flow_writes_every_stage_into_one_run_folder(penguins_train_run: Path) -> None:
    run_dir = penguins_train_run
    assert run_dir.parent.name == "penguins"  # runs/<name>/<run-id>/
    recorded = json.loads((run_dir / "run.json").read_text())
    assert recorded["status"] == "completed" and recorded["flow"] == "train"
    assert recorded["ledger"] == {
        "read": 344,
        "ok": 344,
        "valid": 344,
        "train": 275,
        "test": 69,
        "scored": 69,
    }
    names = [s["name"] for s in recorded["stages"]]
    assert names == ["ingest", "validate", "profile", "train", "train-vs-test", "errors"]
    for stage in recorded["stages"]:
        summary = stage["summary"]
        assert summary["rows_in"] == summary["rows_out"] + summary["rows_set_aside"]
        assert stage["seconds"] >= 0 and stage["cache_key"].startswith(stage["name"])
    (fingerprint,) = recorded["fingerprints"].values()
    assert fingerprint.startswith("sha256:")
    assert {"polars", "prefect", "lightgbm"} <= set(recorded["versions"])
    assert recorded["config"]["name"] == "penguins"
    for name in ("data.parquet", "quarantine.parquet", "cell_issues.parquet", "ingest.json"):
        assert (run_dir / "ingest" / name).is_file(), name
    for name in ("model.txt", "model.onnx", "metrics.json", "model_card.md", "train.html"):
        assert (run_dir / "train" / name).is_file(), name
    assert (run_dir / "errors" / "errors.html").is_file()
    assert (run_dir / "compare" / "eda.html").is_file()
    ingested = pl.read_parquet(run_dir / "ingest" / "data.parquet")
    assert ingested.schema["date_egg"] == pl.Date
    assert "_source_line" not in ingested.columns
    index = (run_dir / "index.html").read_text()
    hrefs = re.findall(r'href="([^"]+)"', index)
    expected = {
        "profile/eda.html",
        "validate/validation.html",
        "ingest/ingest.json",
        "train/train.html",
        "train/model_card.md",
        "errors/errors.html",
        "compare/eda.html",
        "decisions.md",
        "validate/data_docs/index.html",
    }
    assert expected <= set(hrefs)
    assert all((run_dir / href).is_file() for href in hrefs)
    assert "Decision log" in index and "Row ledger" in index
    assert not list(run_dir.rglob("*.tmp"))  # every write was atomic and finished


def test_decision_log_names_what_was_assumed(penguins_train_run: Path) -> None:
    log = (penguins_train_run / "decisions.md").read_text()
    assert "stratified split" in log
    assert "`individual_id` dropped: ID-like" in log
    assert "delimiter ','" in log  # ingest's dialect
    recorded = json.loads((penguins_train_run / "run.json").read_text())
    kinds = {d["kind"] for d in recorded["decisions"]}
    assert "assumption" in kinds


def test_artifacts_have_stable_keys(penguins_train_run: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(
                    any_=["penguins-run-summary", "penguins-row-ledger", "penguins-run-links"]
                )
            )
        )
    by_key = {a.key: a for a in artifacts}
    assert set(by_key) >= {"penguins-run-summary", "penguins-row-ledger", "penguins-run-links"}
    ledger = by_key["penguins-row-ledger"].data
    rows = json.loads(ledger) if isinstance(ledger, str) else ledger
    assert {"step": "read", "rows": 344} in rows
    assert "| train |" in str(by_key["penguins-run-summary"].data)


def test_the_reports_hold_no_timings(penguins_train_run: Path) -> None:
    for name in ("ingest/ingest.json", "validate/validation.json", "profile/eda.json"):
        text = (penguins_train_run / name).read_text()
        assert '"seconds"' not in text, name
        assert json.loads(text)["schema_version"] == 1, name


@pytest.mark.browser
def test_run_page_renders_offline(penguins_train_run: Path) -> None:
    check = open_report(penguins_train_run / "index.html")
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
        line.strip().startswith("EDA report") and line.strip().endswith("eda.html")
        for line in lines
    )
    assert any(
        line.startswith("open ") and line.endswith("index.html in a browser to start")
        for line in lines
    )
    assert (run_dir / "profile" / "eda.html").is_file()
    assert (run_dir / "train" / "train.html").is_file()
    assert "train-vs-test" in completed.stdout  # the summary table


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


def test_flow_compares_against_a_reference(prefect_harness: Path, tmp_path: Path) -> None:
    from flows.pipeline import train_flow

    config = load_config(EXAMPLE)
    profile = config.profile.model_copy(update={"reference": config.source})
    train = config.train.model_copy(update={"enabled": False})
    config = config.model_copy(update={"output_dir": tmp_path, "profile": profile, "train": train})
    record = train_flow(config)
    assert [s.name for s in record.stages] == ["ingest", "validate", "profile"]
    eda = json.loads((Path(record.run_dir) / "profile" / "eda.json").read_text())
    assert eda["drift"] is not None
    assert eda["drift"]["drifted"] == []
    assert eda["drift"]["verdict"] == "no drift"
    assert eda["drift"]["reference_rows"] == 344


def test_flow_quarantine_points_at_source_lines(prefect_harness: Path, tmp_path: Path) -> None:
    from flows.pipeline import train_flow

    config = load_config(EXAMPLE)
    section = config.validate_.model_copy(update={"schema_ref": "schemas.penguins:PenguinsClean"})
    config = config.model_copy(
        update={
            "output_dir": tmp_path,
            "validate_": section,
            "profile": config.profile.model_copy(update={"enabled": False}),
            "train": config.train.model_copy(update={"enabled": False}),
        }
    )
    record = train_flow(config)
    quarantined = record.ledger["ok"] - record.ledger["valid"]
    assert quarantined
    quarantine = pl.read_parquet(Path(record.run_dir) / "validate" / "quarantine.parquet")
    assert quarantine.height == quarantined
    # rows are 0-based positions; with no blank or multi-line records the file line is row + 2
    assert (quarantine["_source_line"] == quarantine["_row"] + 2).all()
    valid_lines = pl.read_parquet(Path(record.run_dir) / "validate" / "valid_lines.parquet")
    every_line = set(range(2, record.ledger["ok"] + 2))
    assert valid_lines["_source_line"].to_list() == sorted(
        every_line - set(quarantine["_source_line"].to_list())
    )


def test_error_analysis_cites_the_source_line_of_each_worst_row(penguins_train_run: Path) -> None:
    report = json.loads((penguins_train_run / "errors" / "errors.json").read_text())
    worst = report["worst_examples"]
    assert worst
    # penguins: nothing quarantined, one header line, so DATA row r is file line r + 2
    assert all(w["source_line"] == w["row"] + 2 for w in worst)


def test_every_example_config_loads_and_points_at_bundled_data() -> None:
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        config = load_config(path)
        assert Path(config.source).is_file(), (path.name, config.source)
        assert config.task.target, path.name
