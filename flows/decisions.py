"""The decision log: every assumption a stage made on the user's behalf, read off its report.

Each `<stage>_decisions(report)` picks the sentences a stage's report already holds (ingest's
encoding, dialect and per-column notes such as the date order; features' dropped columns;
the split; the threshold; sampling) into `Decision`s. The flow adds failures, new alerts and the
config's free-text `notes`; `reports.run_index.render_decisions_markdown` writes `decisions.md`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipelines.runs import Decision

if TYPE_CHECKING:
    from pipelines.error_analysis import ErrorAnalysisReport
    from pipelines.ingest import IngestReport
    from pipelines.profile import ProfileReport
    from pipelines.train.models import TrainReport
    from pipelines.validate import ValidationReport

__all__ = [
    "errors_decisions",
    "ingest_decisions",
    "profile_decisions",
    "quarantine_decision",
    "train_decisions",
    "validate_decisions",
]

_DROPPED = ("dropped_id", "dropped_leakage", "dropped_constant", "dropped_text")


def ingest_decisions(report: IngestReport) -> list[Decision]:
    """Ingest's notes (encoding, dialect, layout), per-column notes (date order...), quarantine."""
    out: list[Decision] = []
    if report.has_header is False:
        out.append(Decision(stage="ingest", text="no header row detected: columns named column_N"))
    out.extend(Decision(stage="ingest", text=note) for note in report.notes)
    for column in report.columns:
        out.extend(
            Decision(stage="ingest", text=f"`{column.name}`: {note}") for note in column.notes
        )
    if report.rows_quarantined:
        out.append(
            quarantine_decision(
                "ingest", report.rows_quarantined, report.quarantine_reasons, "could not be read"
            )
        )
    return out


def quarantine_decision(stage: str, rows: int, reasons: dict[str, int], what: str) -> Decision:
    """The surprise `N rows <what> (n reason, ...)` for rows a stage set aside."""
    counts = ", ".join(f"{n:,} {reason}" for reason, n in sorted(reasons.items()))
    return Decision(stage=stage, kind="surprise", text=f"{rows:,} rows {what} ({counts})")


def validate_decisions(report: ValidationReport) -> list[Decision]:
    """The outcome when rows were quarantined or the policy warned."""
    if report.outcome == "passed" and not report.rows_quarantined:
        return []
    reason = f": {report.outcome_reason}" if report.outcome_reason else ""
    return [
        Decision(
            stage="validate",
            kind="surprise",
            text=(
                f"{report.outcome} against `{report.schema_name}`, "
                f"{report.rows_quarantined:,} rows quarantined{reason}"
            ),
        )
    ]


def profile_decisions(report: ProfileReport) -> list[Decision]:
    """Sampling, the task kind decided, and the profile's own notes."""
    out: list[Decision] = []
    if report.associations.sampled:
        out.append(
            Decision(
                stage="profile",
                text=(
                    f"associations computed on a sample of {report.associations.sample_rows:,} rows"
                ),
            )
        )
    if report.target is not None and report.target.decided:
        out.append(Decision(stage="profile", text=report.target.decided))
    out.extend(Decision(stage="profile", text=note) for note in report.notes)
    return out


def train_decisions(report: TrainReport) -> list[Decision]:
    """Split kind, columns dropped (ID-like, leakage, ...), imbalance handling, threshold."""
    out = [Decision(stage="train", text=f"split: {report.split.decided}")]
    for decision in report.decisions:
        if decision.action in _DROPPED:
            out.append(Decision(stage="features", text=f"`{decision.column}` {decision.reason}"))
    if report.imbalance is not None and report.imbalance.method != "none":
        out.append(Decision(stage="train", text=report.imbalance.note))
    if report.threshold is not None:
        choice = report.threshold
        out.append(
            Decision(
                stage="train",
                text=(
                    f"decision threshold {choice.threshold:.3f} chosen by {choice.objective} on "
                    f"out-of-fold predictions (F1 {choice.f1:.3f}, "
                    f"{choice.f1_at_half:.3f} at 0.5)"
                ),
            )
        )
    out.extend(Decision(stage="train", kind="surprise", text=w) for w in report.warnings)
    return out


def errors_decisions(report: ErrorAnalysisReport) -> list[Decision]:
    """Which rows were scored (held-out vs all) and rows set aside."""
    out = [Decision(stage="errors", text=note) for note in report.notes[:3]]
    if report.rows_set_aside:
        out.append(
            Decision(
                stage="errors",
                kind="surprise",
                text=f"{report.rows_set_aside:,} evaluation rows had no target and were not scored",
            )
        )
    return out
