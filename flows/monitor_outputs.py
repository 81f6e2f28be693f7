"""The monitor flow's alerts stage: this run against the previous one, as files.

`monitor/alerts.json` (the alerts as data) and `monitor/alerts.md` (the table the artifact and
the run page show). The Prefect task that calls this is `flows.tasks.alerts_task`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flows.files import write_json, write_text
from flows.run_diff import run_diff
from pipelines.config import PipelineConfig
from pipelines.runs import Decision, MonitorAlert, monitor_alerts
from pipelines.stage import StageSummary

__all__ = ["MONITOR_FOLDER", "AlertsOutputs", "run_alerts"]

MONITOR_FOLDER = "monitor"


@dataclass(frozen=True)
class AlertsOutputs:
    """What the alerts stage found and wrote."""

    out_dir: Path
    previous_run: str | None
    alerts: list[MonitorAlert]
    markdown: str
    rows: int

    @property
    def headline(self) -> str:
        """One line: how many alerts against which run."""
        if self.previous_run is None:
            return "first run of this config: nothing to compare with yet"
        high = sum(a.severity == "high" for a in self.alerts)
        return f"{len(self.alerts)} alerts ({high} high) against run {self.previous_run}"

    def stage_summary(self) -> StageSummary:
        """The run page's line for this stage."""
        return StageSummary(
            name="alerts",
            rows_in=self.rows,
            rows_out=self.rows,
            rows_set_aside=0,
            headline=self.headline + ".",
            links={"Monitor alerts": f"{MONITOR_FOLDER}/alerts.md"},
        )

    def decisions(self) -> list[Decision]:
        """Every alert is a surprise for the decision log."""
        return [
            Decision(stage="alerts", kind="surprise", text=f"{a.kind}: {a.message}")
            for a in self.alerts
        ]


def run_alerts(run_dir: Path, ledger: dict[str, int], config: PipelineConfig) -> AlertsOutputs:
    """Compare this run with the previous one and write `monitor/alerts.json` and `.md`."""
    diff = run_diff(run_dir, ledger, "monitor")
    options = config.monitor
    alerts = monitor_alerts(
        diff,
        ledger,
        max_row_change=options.max_row_change,
        max_quarantine_share=options.max_quarantine_share,
    )
    previous = diff.previous_run if diff else None
    out_dir = run_dir / MONITOR_FOLDER
    write_json(
        {"previous_run": previous, "alerts": [a.model_dump(mode="json") for a in alerts]},
        out_dir / "alerts.json",
    )
    markdown = _alerts_markdown(config.name, previous, alerts)
    write_text(markdown, out_dir / "alerts.md")
    rows = ledger.get("valid", ledger.get("ok", 0))
    return AlertsOutputs(out_dir, previous, alerts, markdown, rows)


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
