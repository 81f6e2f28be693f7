"""Run-over-run diff: this run's reports against the previous completed run of the same config.

Snapshots come from the files every run folder holds (`ingest/ingest.json`, `profile/eda.json`,
`train/metrics.json`, `run.json`'s ledger); `pipelines.runs.diff_runs` compares them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flows.run_record import load_record, previous_run
from pipelines.runs import RunDiff, RunSnapshot, diff_runs

__all__ = ["run_diff", "snapshot"]


def _read(path: Path) -> dict[str, Any] | None:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return payload if isinstance(payload, dict) else None


def _alert_key(alert: dict[str, Any]) -> str:
    where = alert.get("column") or ",".join(str(c) for c in alert.get("columns") or [])
    return f"{alert.get('kind')}:{where}"


def snapshot(run_dir: Path, ledger: dict[str, int], *, with_drift: bool) -> RunSnapshot:
    """What `run_dir`'s reports say: columns, ledger, alerts, test metrics, (drift)."""
    ingest = _read(run_dir / "ingest" / "ingest.json") or {}
    columns = {str(c["name"]): str(c["dtype"]) for c in ingest.get("columns", [])}
    eda = _read(run_dir / "profile" / "eda.json") or {}
    alerts = {
        _alert_key(a): f"{a.get('severity')} {a.get('kind')}: {a.get('message')}"
        for a in eda.get("alerts", [])
    }
    metrics_file = _read(run_dir / "train" / "metrics.json") or {}
    test = metrics_file.get("test") or {}
    metrics = {str(k): float(v) for k, v in test.items() if isinstance(v, int | float)}
    drift = eda.get("drift") if with_drift else None
    return RunSnapshot(
        run_id=run_dir.name,
        columns=columns,
        ledger=ledger,
        alerts=alerts,
        metrics=metrics,
        drift_verdict=drift.get("verdict") if isinstance(drift, dict) else None,
        drifted=list(drift.get("drifted", [])) if isinstance(drift, dict) else [],
    )


def run_diff(run_dir: Path, ledger: dict[str, int], flow: str) -> RunDiff | None:
    """The diff against the previous completed run in the same folder, or None (first run).

    Drift is reported only for the monitor flow, whose profile's reference is that run.
    """
    previous = previous_run(run_dir)
    if previous is None:
        return None
    record = load_record(previous)
    before = snapshot(previous, record.ledger if record else {}, with_drift=False)
    return diff_runs(snapshot(run_dir, ledger, with_drift=flow == "monitor"), before)
