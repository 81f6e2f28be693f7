"""The monitor flow: ingest -> validate -> profile against the previous run -> alerts (-> score).

The reference is the profile (`profile/eda.json`) of the latest completed run of the same
config, so the profile's drift summary answers "what moved since last time". Alerts (drift,
schema changes, volume, quarantine share, new high-severity profile alerts) are written to
`monitor/alerts.json` and `alerts.md` and published as the `<name>-monitor-alerts` artifact.
With `score.enabled` and a `score.model_dir` the valid rows are then scored.
"""

from __future__ import annotations

from prefect import flow

from flows.pipeline import REFERENCE_FILE, profile_options
from flows.run_context import FlowRun
from flows.run_record import RunRecord, previous_run
from flows.run_steps import ingest_json, ingest_step, validate_step
from flows.tasks import alerts_task, predict_task, profile_task
from pipelines.config import PipelineConfig

__all__ = ["monitor_flow"]


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
