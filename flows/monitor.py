"""The monitor flow: ingest -> validate -> profile against the previous run -> alerts (-> score).

The reference is the profile (`profile/eda.json`) of the latest completed run of the same
config, so the profile's drift summary answers "what moved since last time". Alerts (drift,
schema changes, volume, quarantine share, new high-severity profile alerts) are written to
`monitor/alerts.json` and `alerts.md` and published as the `<name>-monitor-alerts` artifact.
With `score.enabled` and a `score.model_dir` the valid rows are then scored.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.artifacts import artifact_key
from flows.files import write_json, write_text
from flows.pipeline import REFERENCE_FILE, profile_options
from flows.run_context import FlowRun
from flows.run_diff import run_diff
from flows.run_record import RunRecord, StageDone, previous_run
from flows.run_steps import ingest_json, ingest_step, validate_step
from flows.tasks import predict_task, profile_task, publish_markdown
from pipelines.config import PipelineConfig
from pipelines.runs import Decision, MonitorAlert, monitor_alerts
from pipelines.stage import StageSummary

__all__ = ["MONITOR_FOLDER", "alerts_task", "monitor_flow"]

MONITOR_FOLDER = "monitor"


@task(name="alerts", cache_policy=NO_CACHE, log_prints=True)
def alerts_task(run_dir: Path, ledger: dict[str, int], config: PipelineConfig) -> StageDone:
    """Compare this run with the previous one and write `monitor/alerts.json` and `.md`."""
    diff = run_diff(run_dir, ledger, "monitor")
    options = config.monitor
    alerts = monitor_alerts(
        diff,
        ledger,
        max_row_change=options.max_row_change,
        max_quarantine_share=options.max_quarantine_share,
    )
    out_dir = run_dir / MONITOR_FOLDER
    write_json(
        {
            "previous_run": diff.previous_run if diff else None,
            "alerts": [a.model_dump(mode="json") for a in alerts],
        },
        out_dir / "alerts.json",
    )
    markdown = _alerts_markdown(config.name, diff.previous_run if diff else None, alerts)
    write_text(markdown, out_dir / "alerts.md")
    publish_markdown(markdown, artifact_key(config.name, "monitor-alerts"))
    rows = ledger.get("valid", ledger.get("ok", 0))
    if diff is None:
        headline = "first run of this config: nothing to compare with yet"
    else:
        high = sum(a.severity == "high" for a in alerts)
        headline = f"{len(alerts)} alerts ({high} high) against run {diff.previous_run}"
    print(f"monitor: {headline}")
    return StageDone(
        stage="alerts",
        folder=str(out_dir),
        summary=StageSummary(
            name="alerts",
            rows_in=rows,
            rows_out=rows,
            rows_set_aside=0,
            headline=headline + ".",
            links={"Monitor alerts": f"{MONITOR_FOLDER}/alerts.md"},
        ),
        facts={"alerts": len(alerts)},
        decisions=[
            Decision(stage="alerts", kind="surprise", text=f"{a.kind}: {a.message}") for a in alerts
        ],
    )


def _alerts_markdown(name: str, previous: str | None, alerts: list[MonitorAlert]) -> str:
    lines = [f"### Monitor `{name}`", ""]
    if previous is None:
        lines.append("First run of this config: no previous run to compare with.")
    else:
        lines.append(f"Compared with run `{previous}`.")
    lines.append("")
    if alerts:
        lines += ["| severity | kind | alert |", "| --- | --- | --- |"]
        lines += [f"| {a.severity} | {a.kind} | {a.message.replace('|', '/')} |" for a in alerts]
    else:
        lines.append("No alerts.")
    return "\n".join(lines) + "\n"


@flow(name="thresher-monitor", flow_run_name="monitor-{config.name}", log_prints=True)
def monitor_flow(config: PipelineConfig) -> RunRecord:
    """Check new data against the previous run of `config`; score it when configured."""
    run = FlowRun(config, "monitor")
    data = validate_step(run, ingest_step(run))
    previous = previous_run(run.run_dir, needs=REFERENCE_FILE)
    run.stage(
        "profile",
        profile_task,
        data,
        run.run_dir,
        task=config.task if config.task.target else None,
        reference=previous / REFERENCE_FILE if previous is not None else None,
        options=profile_options(config),
        ingest_json=ingest_json(run),
    )
    run.stage("alerts", alerts_task, run.run_dir, run.ledger(), config)
    if config.score.enabled and config.score.model_dir is not None:
        run.stage("score", predict_task, config.score.model_dir, data, run.run_dir)
    return run.finish()
