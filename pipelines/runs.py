"""What one run says about itself and how it differs from the previous run of the same config.

`Decision` is one line of a run's decision log. `RunSnapshot` is what a run's reports say in a
few numbers (columns and their types, the row ledger, alerts, test metrics, drift);
`diff_runs(current, previous)` is the run-over-run diff a scheduled user reads first.
Plain models and one pure function: the flow builds snapshots from the run folder's files.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ColumnChange",
    "Decision",
    "MetricChange",
    "MonitorAlert",
    "RunDiff",
    "RunSnapshot",
    "diff_runs",
    "monitor_alerts",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Decision(_Frozen):
    """One line of the decision log: an assumption made for the user, a surprise, a note."""

    stage: str
    kind: Literal["assumption", "surprise", "failure", "note"] = "assumption"
    text: str


class RunSnapshot(_Frozen):
    """A run in a few numbers, read off its reports."""

    run_id: str
    columns: dict[str, str] = Field(default_factory=dict, description="Column -> dtype (ingest).")
    ledger: dict[str, int] = Field(default_factory=dict)
    alerts: dict[str, str] = Field(
        default_factory=dict, description="`kind:column` -> message, from the profile."
    )
    metrics: dict[str, float] = Field(default_factory=dict, description="Test metrics (train).")
    drift_verdict: str | None = None
    drifted: list[str] = Field(default_factory=list)


class ColumnChange(_Frozen):
    """A column whose type changed."""

    column: str
    before: str
    after: str


class MetricChange(_Frozen):
    """A count or metric that moved between runs."""

    name: str
    before: float | None
    after: float | None
    change: float | None


class RunDiff(_Frozen):
    """What changed since the previous run of the same config."""

    previous_run: str
    columns_added: list[str] = Field(default_factory=list)
    columns_removed: list[str] = Field(default_factory=list)
    dtype_changes: list[ColumnChange] = Field(default_factory=list)
    rows: list[MetricChange] = Field(default_factory=list)
    metrics: list[MetricChange] = Field(default_factory=list)
    new_alerts: list[str] = Field(default_factory=list)
    resolved_alerts: list[str] = Field(default_factory=list)
    drift_verdict: str | None = Field(
        None, description="The profile's verdict against the previous run (monitor flow)."
    )
    drifted: list[str] = Field(default_factory=list)

    @property
    def schema_changed(self) -> bool:
        """Whether columns were added, removed or retyped."""
        return bool(self.columns_added or self.columns_removed or self.dtype_changes)

    def headline(self) -> str:
        """One sentence: the most important changes, or that nothing changed."""
        parts: list[str] = []
        if self.schema_changed:
            parts.append(
                f"schema changed ({len(self.columns_added)} added, "
                f"{len(self.columns_removed)} removed, {len(self.dtype_changes)} retyped)"
            )
        read = next((r for r in self.rows if r.name == "read"), None)
        if read is not None and read.change:
            parts.append(f"rows read {read.change:+,.0f}")
        if self.new_alerts:
            parts.append(f"{len(self.new_alerts)} new alerts")
        if self.resolved_alerts:
            parts.append(f"{len(self.resolved_alerts)} resolved")
        if self.drift_verdict and self.drift_verdict != "no drift":
            parts.append(f"{self.drift_verdict} in {len(self.drifted)} columns")
        moved = [m for m in self.metrics if m.change]
        if moved:
            parts.append(", ".join(f"{m.name} {m.change:+.4f}" for m in moved[:3]))
        return "; ".join(parts) if parts else "nothing changed since the previous run"


def _changes(before: dict[str, float], after: dict[str, float]) -> list[MetricChange]:
    out = []
    for name in [*after, *(k for k in before if k not in after)]:
        old, new = before.get(name), after.get(name)
        change = None if old is None or new is None else round(new - old, 10)
        out.append(MetricChange(name=name, before=old, after=new, change=change))
    return out


def diff_runs(current: RunSnapshot, previous: RunSnapshot) -> RunDiff:
    """Schema changes, row-count and metric changes, new/resolved alerts, current drift."""
    before, after = previous.columns, current.columns
    return RunDiff(
        previous_run=previous.run_id,
        columns_added=[c for c in after if c not in before],
        columns_removed=[c for c in before if c not in after],
        dtype_changes=[
            ColumnChange(column=c, before=before[c], after=after[c])
            for c in after
            if c in before and before[c] != after[c]
        ],
        rows=_changes(
            {k: float(v) for k, v in previous.ledger.items()},
            {k: float(v) for k, v in current.ledger.items()},
        ),
        metrics=_changes(previous.metrics, current.metrics),
        new_alerts=sorted(current.alerts[k] for k in current.alerts if k not in previous.alerts),
        resolved_alerts=sorted(
            previous.alerts[k] for k in previous.alerts if k not in current.alerts
        ),
        drift_verdict=current.drift_verdict,
        drifted=list(current.drifted),
    )


class MonitorAlert(_Frozen):
    """One alert of the monitor flow: drift, a schema change or a data-quality change."""

    kind: Literal["drift", "schema", "quality", "volume"]
    severity: Literal["high", "warning"]
    message: str


def monitor_alerts(
    diff: RunDiff | None,
    ledger: dict[str, int],
    *,
    max_row_change: float,
    max_quarantine_share: float,
) -> list[MonitorAlert]:
    """Alerts against the previous run: drift, schema changes, volume and quarantine share."""
    alerts: list[MonitorAlert] = []
    read = ledger.get("read", 0)
    quarantined = read - ledger.get("valid", ledger.get("ok", read))
    if read and quarantined / read > max_quarantine_share:
        alerts.append(
            MonitorAlert(
                kind="quality",
                severity="high",
                message=(
                    f"{quarantined:,} of {read:,} rows ({quarantined / read:.1%}) quarantined, "
                    f"above the {max_quarantine_share:.0%} limit (`monitor.max_quarantine_share`)"
                ),
            )
        )
    if diff is None:
        return alerts
    if diff.drift_verdict in ("some drift", "drift"):
        columns = ", ".join(f"`{c}`" for c in diff.drifted[:8])
        alerts.append(
            MonitorAlert(
                kind="drift",
                severity="high" if diff.drift_verdict == "drift" else "warning",
                message=f"{diff.drift_verdict} since run {diff.previous_run}: {columns}",
            )
        )
    if diff.columns_added or diff.columns_removed:
        alerts.append(
            MonitorAlert(
                kind="schema",
                severity="high",
                message=(
                    "columns added: "
                    + (", ".join(f"`{c}`" for c in diff.columns_added) or "none")
                    + "; removed: "
                    + (", ".join(f"`{c}`" for c in diff.columns_removed) or "none")
                ),
            )
        )
    alerts.extend(
        MonitorAlert(
            kind="schema",
            severity="high",
            message=f"`{c.column}` changed type: {c.before} -> {c.after}",
        )
        for c in diff.dtype_changes
    )
    change = next((r for r in diff.rows if r.name == "read"), None)
    if change is not None and change.before and change.change is not None:
        share = abs(change.change) / change.before
        if share > max_row_change:
            alerts.append(
                MonitorAlert(
                    kind="volume",
                    severity="warning",
                    message=(
                        f"rows read {change.before:,.0f} -> {change.after:,.0f} ({share:.0%} "
                        f"change, above `monitor.max_row_change` {max_row_change:.0%})"
                    ),
                )
            )
    alerts.extend(
        MonitorAlert(kind="quality", severity="warning", message=f"new profile alert: {text}")
        for text in diff.new_alerts
        if text.startswith("high ")
    )
    return alerts
