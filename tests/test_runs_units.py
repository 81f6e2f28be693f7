"""Run bookkeeping without Prefect: cache keys, the diff, monitor alerts, records, the page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.fingerprints import cache_key, source_files, source_fingerprints
from flows.run_record import RunRecord, load_record, new_run_dir, previous_run
from pipelines.runs import Decision, RunSnapshot, diff_runs, monitor_alerts
from reports.run_index import (
    RunPage,
    render_decisions_markdown,
    render_diff_markdown,
    render_run_index,
)

HOSTILE = "<script>alert(1)</script>"


def _snapshot(run_id: str, **updates: object) -> RunSnapshot:
    base: dict[str, object] = {
        "run_id": run_id,
        "columns": {"a": "Int64", "b": "String", "c": "Float64"},
        "ledger": {"read": 100, "ok": 98, "valid": 95},
        "alerts": {"missing:a": "warning missing: `a` is 5% missing"},
        "metrics": {"roc_auc": 0.8},
    }
    return RunSnapshot.model_validate({**base, **updates})


def test_cache_key_follows_content_and_options_not_the_folder(tmp_path: Path) -> None:
    one, two = tmp_path / "run-1" / "data.parquet", tmp_path / "run-2" / "data.parquet"
    for path in (one, two):
        path.parent.mkdir()
        path.write_bytes(b"same bytes")
    key = cache_key("validate", {"data": one}, {"schema": "s:M"})
    assert key == cache_key("validate", {"data": two}, {"schema": "s:M"})
    assert key.startswith("validate-")
    assert key != cache_key("validate", {"data": one}, {"schema": "s:Other"})
    assert key != cache_key("profile", {"data": one}, {"schema": "s:M"})
    two.write_bytes(b"other bytes")
    assert key != cache_key("validate", {"data": two}, {"schema": "s:M"})


def test_a_glob_source_fingerprints_each_file(tmp_path: Path) -> None:
    for name in ("b.csv", "a.csv"):
        (tmp_path / name).write_text("x\n1\n")
    pattern = str(tmp_path / "*.csv")
    assert [p.name for p in source_files(pattern)] == ["a.csv", "b.csv"]
    assert len(set(source_fingerprints(pattern).values())) == 1  # same bytes, same hash
    assert source_fingerprints("postgresql://db/x") == {}


def test_diff_names_schema_rows_alerts_and_metrics() -> None:
    previous = _snapshot("r1")
    current = _snapshot(
        "r2",
        columns={"a": "Int64", "b": "Int64", "d": "Date"},
        ledger={"read": 80, "ok": 80, "valid": 70},
        alerts={"skew:c": "warning skew: `c` is skewed"},
        metrics={"roc_auc": 0.75},
    )
    diff = diff_runs(current, previous)
    assert diff.columns_added == ["d"] and diff.columns_removed == ["c"]
    assert [(c.column, c.before, c.after) for c in diff.dtype_changes] == [("b", "String", "Int64")]
    assert [(r.name, r.change) for r in diff.rows] == [("read", -20), ("ok", -18), ("valid", -25)]
    assert diff.metrics[0].change == pytest.approx(-0.05)
    assert diff.new_alerts == ["warning skew: `c` is skewed"]
    assert diff.resolved_alerts == ["warning missing: `a` is 5% missing"]
    assert diff.headline().startswith("schema changed (1 added, 1 removed, 1 retyped)")
    markdown = render_diff_markdown(diff)
    assert "| read | 100 | 80 | -20 |" in markdown
    assert "**Resolved alerts:**" in markdown


def test_same_runs_diff_to_nothing() -> None:
    diff = diff_runs(_snapshot("r2"), _snapshot("r1"))
    assert diff.headline() == "nothing changed since the previous run"
    assert (
        monitor_alerts(
            diff, {"read": 100, "valid": 99}, max_row_change=0.5, max_quarantine_share=0.05
        )
        == []
    )


def test_monitor_alerts_on_drift_schema_volume_and_quarantine() -> None:
    previous = _snapshot("r1")
    current = _snapshot(
        "r2",
        columns={"a": "Int64", "b": "String"},
        ledger={"read": 10, "ok": 10, "valid": 5},
        drift_verdict="drift",
        drifted=["a"],
    )
    alerts = monitor_alerts(
        diff_runs(current, previous),
        current.ledger,
        max_row_change=0.5,
        max_quarantine_share=0.05,
    )
    kinds = [a.kind for a in alerts]
    assert kinds == ["quality", "drift", "schema", "volume"]
    assert "5 of 10 rows (50.0%) quarantined" in alerts[0].message


def _record(run_dir: Path, status: str) -> RunRecord:
    return RunRecord(
        name="x",
        run_id=run_dir.name,
        run_dir=str(run_dir),
        flow="train",
        status=status,  # type: ignore[arg-type]
        started="2026-12-02T07:00:00+00:00",
        config={"name": "x"},
        code_version="abc",
    )


def test_previous_run_skips_failed_and_killed_runs(tmp_path: Path) -> None:
    done = new_run_dir(tmp_path, "x")
    _record(done, "completed").write(done)
    failed = new_run_dir(tmp_path, "x")
    _record(failed, "failed").write(failed)
    killed = new_run_dir(tmp_path, "x")
    (killed / "run.json").write_text('{"half": ')  # a run killed mid-write (never happens)
    running = new_run_dir(tmp_path, "x")
    _record(running, "running").write(running)
    current = new_run_dir(tmp_path, "x")
    assert len({done, failed, killed, running, current}) == 5
    assert previous_run(current) == done
    assert previous_run(current, needs="profile/eda.json") is None
    assert load_record(killed) is None
    record = load_record(done)
    assert record is not None and record == _record(done, "completed")
    assert json.loads((done / "run.json").read_text())["status"] == "completed"


def test_decision_log_and_run_page_escape_and_group() -> None:
    decisions = [
        Decision(stage="ingest", text=f"read as cp1252 {HOSTILE}"),
        Decision(stage="train", kind="failure", text="stage `train` failed: boom"),
        Decision(stage="config", kind="note", text="batch 7"),
    ]
    markdown = render_decisions_markdown("x", "r1", decisions)
    assert markdown.index("## Failures") < markdown.index("## Assumptions made for you")
    assert "- **config**: batch 7" in markdown
    diff = diff_runs(_snapshot("r2", columns={"a": "Int64"}), _snapshot("r1"))
    page = RunPage(
        name="x",
        run_dir="/tmp/r",
        source="a.csv",
        status="failed",
        error="stage `train` failed: boom",
        decisions=decisions,
        diff=diff,
        ledger={"read": 3},
    )
    html = render_run_index(page)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "This run failed." in html and "What changed since run" in html
    assert html.index("What changed") < html.index("Stages")
    assert "<code>b</code>" in html  # a removed column


def test_config_notes_become_lines() -> None:
    from pipelines.config import PipelineConfig

    config = PipelineConfig(name="x", source="a.csv", notes="first\n\n  second  ")
    assert config.note_lines() == ["first", "second"]
    assert PipelineConfig(name="x", source="a.csv", notes=["a", "b"]).note_lines() == ["a", "b"]
