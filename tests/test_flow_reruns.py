"""Flows run twice: cache reuse, run-over-run diffs, failures, retries, concurrency, score."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import polars as pl
import pytest

from tests.flow_support import copy_penguins, penguins_config, rewrite_csv

pytestmark = pytest.mark.flow


def test_rerun_reuses_every_stage_and_says_nothing_changed(
    prefect_harness: Path, tmp_path: Path
) -> None:
    from flows.pipeline import train_flow

    config = penguins_config(copy_penguins(tmp_path / "data"), tmp_path / "runs")
    first = train_flow(config)
    second = train_flow(config)
    # the first run may reuse stages of other runs on the same bytes; the second reuses all
    assert all(s.cache_hit for s in second.stages), [(s.name, s.cache_hit) for s in second.stages]
    run_dir = Path(second.run_dir)
    assert run_dir != Path(first.run_dir)
    # the cached stages' files were copied into the new run folder
    for name in (
        "ingest/data.parquet",
        "train/model.txt",
        "errors/errors.html",
        "compare/eda.html",
    ):
        assert (run_dir / name).is_file(), name
    assert second.diff is not None and second.diff.previous_run == first.run_id
    assert second.diff.headline() == "nothing changed since the previous run"
    index = (run_dir / "index.html").read_text()
    assert "What changed since run" in index and "from cache" in index
    assert first.ledger == second.ledger


def test_changed_data_shows_a_diff_and_a_decision_log(
    prefect_harness: Path, tmp_path: Path
) -> None:
    from flows.pipeline import train_flow

    source = copy_penguins(tmp_path / "data")
    config = penguins_config(source, tmp_path / "runs", train=False, validate=False)
    config = config.model_copy(
        update={"notes": "Batch 7 from the field station; sexes re-checked."}
    )
    first = train_flow(config)
    rewrite_csv(source, drop_column="Comments", keep_rows=300)
    second = train_flow(config)
    diff = second.diff
    assert diff is not None and diff.previous_run == first.run_id
    assert diff.columns_removed == ["comments"]
    read = next(r for r in diff.rows if r.name == "read")
    assert (read.before, read.after, read.change) == (344, 300, -44)
    assert "schema changed" in diff.headline()
    stages = {s.name: s.cache_hit for s in second.stages}
    assert stages == {"ingest": False, "profile": False}
    log = (Path(second.run_dir) / "decisions.md").read_text()
    assert "Batch 7 from the field station" in log
    assert "schema changed (0 added, 1 removed, 0 retyped)" in log
    index = (Path(second.run_dir) / "index.html").read_text()
    assert "<code>comments</code>" in index


def test_a_failing_stage_names_itself_and_the_rerun_reuses_earlier_stages(
    prefect_harness: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.train_outputs
    from flows.pipeline import train_flow
    from flows.run_context import StageFailed

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire\nsecond line")

    config = penguins_config(copy_penguins(tmp_path / "data"), tmp_path / "runs")
    monkeypatch.setattr(flows.train_outputs, "run_train", broken)
    with pytest.raises(StageFailed, match=r"^stage `train` failed: RuntimeError: disk on fire$"):
        train_flow(config)
    (failed_dir,) = (tmp_path / "runs" / "penguins").iterdir()
    failed = json.loads((failed_dir / "run.json").read_text())
    assert failed["status"] == "failed"
    assert failed["error"] == "stage `train` failed: RuntimeError: disk on fire"
    assert [s["status"] for s in failed["stages"]][-1] == "failed"
    assert "This run failed." in (failed_dir / "index.html").read_text()
    assert "disk on fire" in (failed_dir / "decisions.md").read_text()

    monkeypatch.undo()
    record = train_flow(config)
    hits = {s.name: s.cache_hit for s in record.stages}
    assert hits["ingest"] and hits["validate"] and hits["profile"]
    assert not hits["train"] and not hits["errors"]
    assert record.status == "completed"
    assert record.diff is None  # a failed run is never the run compared with


def test_a_transient_read_error_is_retried(
    prefect_harness: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.run_steps
    import flows.tasks
    from flows.pipeline import train_flow

    real = flows.tasks.run_ingest
    calls: list[str] = []

    def flaky(source: str, *args: object, **kwargs: object) -> object:
        calls.append(source)
        if len(calls) == 1:
            raise ConnectionResetError("connection reset by peer")
        return real(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(flows.tasks, "run_ingest", flaky)
    # the penguins file stands in for a database source: only those are retried
    monkeypatch.setattr(flows.run_steps, "is_remote_source", lambda source: True)
    monkeypatch.setattr(flows.run_steps, "_RETRY_DELAYS", [0.1, 0.1, 0.1])
    config = penguins_config(copy_penguins(tmp_path / "data"), tmp_path / "runs", train=False)
    record = train_flow(config)
    assert len(calls) == 2
    assert record.status == "completed" and record.ledger["read"] == 344


def test_a_file_source_is_not_retried(
    prefect_harness: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.tasks
    from flows.pipeline import train_flow
    from flows.run_context import StageFailed

    calls: list[str] = []

    def failing(source: str, *args: object, **kwargs: object) -> object:
        calls.append(source)
        raise ConnectionResetError("connection reset by peer")

    monkeypatch.setattr(flows.tasks, "run_ingest", failing)
    config = penguins_config(copy_penguins(tmp_path / "data"), tmp_path / "runs", train=False)
    with pytest.raises(StageFailed, match="stage `ingest` failed: ConnectionResetError"):
        train_flow(config)
    assert len(calls) == 1


def test_two_runs_at_once_keep_their_own_folders(prefect_harness: Path, tmp_path: Path) -> None:
    from flows.pipeline import train_flow

    config = penguins_config(copy_penguins(tmp_path / "data"), tmp_path / "runs", train=False)
    records: list[object] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            records.append(train_flow(config))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert errors == []
    folders = {Path(r.run_dir) for r in records}  # type: ignore[attr-defined]
    assert len(folders) == 2
    for folder in folders:
        recorded = json.loads((folder / "run.json").read_text())
        assert recorded["status"] == "completed"
        assert recorded["run_id"] == folder.name
        assert pl.read_parquet(folder / "ingest" / "data.parquet").height == 344
        assert (folder / "profile" / "eda.html").read_text().rstrip().endswith("</html>")
        assert not list(folder.rglob("*.tmp")) and not list(folder.glob(".*copying"))


def test_score_flow_predicts_with_the_trained_model(
    prefect_harness: Path, penguins_train_run: Path, tmp_path: Path
) -> None:
    from flows.score import score_flow

    config = penguins_config(copy_penguins(tmp_path / "data"), tmp_path / "runs")
    record = score_flow(config, model_dir=penguins_train_run / "train")
    (stage,) = [s for s in record.stages if s.name == "score"]
    assert stage.summary is not None
    assert stage.summary.rows_in == 344
    assert stage.summary.rows_out + stage.summary.rows_set_aside == 344
    predictions = pl.read_parquet(Path(record.run_dir) / "score" / "predictions.parquet")
    assert predictions.height == record.ledger["predicted"] == stage.summary.rows_out
    assert "prediction" in predictions.columns
    assert "score/predictions.parquet" in (Path(record.run_dir) / "index.html").read_text()


def test_score_flow_names_missing_columns(
    prefect_harness: Path, penguins_train_run: Path, tmp_path: Path
) -> None:
    from flows.run_context import StageFailed
    from flows.score import score_flow

    source = copy_penguins(tmp_path / "data")
    rewrite_csv(source, drop_column="Body Mass (g)")
    config = penguins_config(source, tmp_path / "runs")
    with pytest.raises(StageFailed, match=r"stage `score` failed: .*body_mass_g|Body Mass"):
        score_flow(config, model_dir=penguins_train_run / "train")


def test_monitor_flow_alerts_on_drift_and_schema_change(
    prefect_harness: Path, tmp_path: Path
) -> None:
    from flows.monitor import monitor_flow

    source = copy_penguins(tmp_path / "data")
    config = penguins_config(source, tmp_path / "runs", name="penguins-monitor", validate=False)
    first = monitor_flow(config)
    first_alerts = json.loads((Path(first.run_dir) / "monitor" / "alerts.json").read_text())
    assert first_alerts == {"alerts": [], "previous_run": None}

    def heavier(row: dict[str, str]) -> dict[str, str]:
        mass = row["Body Mass (g)"]
        flipper = row["Flipper Length (mm)"]
        if mass.isdigit():
            row["Body Mass (g)"] = str(int(mass) * 2)
        if flipper.isdigit():
            row["Flipper Length (mm)"] = str(int(flipper) + 40)
        return row

    rewrite_csv(source, drop_column="Comments", change=heavier)
    second = monitor_flow(config)
    alerts = json.loads((Path(second.run_dir) / "monitor" / "alerts.json").read_text())
    assert alerts["previous_run"] == first.run_id
    kinds = {a["kind"] for a in alerts["alerts"]}
    assert {"drift", "schema"} <= kinds
    eda = json.loads((Path(second.run_dir) / "profile" / "eda.json").read_text())
    assert "body_mass_g" in eda["drift"]["drifted"]
    assert second.diff is not None and "body_mass_g" in second.diff.drifted
    index = (Path(second.run_dir) / "index.html").read_text()
    assert "Drift against that run" in index
