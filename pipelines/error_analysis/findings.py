"""Findings: one plain sentence per thing to know, with the next action, most urgent first."""

from __future__ import annotations

import numpy as np

from pipelines.error_analysis.evaluation import EvaluationSet
from pipelines.error_analysis.models import (
    Cohort,
    DataQualityGroup,
    FairnessReport,
    Finding,
    Importance,
    LabelSuspects,
    Metrics,
    Slice,
)

__all__ = ["collect_findings", "headline_sentence"]

_ORDER = {"high": 0, "warning": 1, "info": 2}


def headline_sentence(evaluation: EvaluationSet, metrics: Metrics) -> Finding:
    """How good the model is against the simplest baseline."""
    first = metrics.headline[0]
    known = first.low is not None and first.high is not None
    if metrics.overall_error == 0:
        return Finding(
            kind="headline",
            severity="warning",
            section="metrics",
            sentence=(
                f"The model makes no errors on these {metrics.rows:,} rows: check that the "
                "held-out set is large enough and that no column leaks the target."
            ),
        )
    if evaluation.is_classifier:
        interval = f" ({first.low:.1%}–{first.high:.1%})" if known else ""
        majority = float(np.bincount(evaluation.y_true.astype(np.int64)).max() / evaluation.size)
        accuracy = 1 - metrics.overall_error
        beats = accuracy > majority + 0.01
        sentence = (
            f"Accuracy {accuracy:.1%}{interval} on {metrics.rows:,} rows vs {majority:.1%} for "
            "always predicting the commonest class"
            + (
                ": the model has learned something; see where it fails below."
                if beats
                else ": no better than that baseline; check the target and the features."
            )
        )
    else:
        interval = f" ({first.low:.4g}–{first.high:.4g})" if known else ""
        y = evaluation.y_true.astype(np.float64)
        baseline = float(np.abs(y - np.median(y)).mean())
        beats = metrics.overall_error < 0.95 * baseline
        sentence = (
            f"MAE {metrics.overall_error:.4g}{interval if first.name == 'mae' else ''} on "
            f"{metrics.rows:,} rows vs {baseline:.4g} for always predicting the median"
            + (
                ": the model has learned something; see where it fails below."
                if beats
                else ": the model barely beats that baseline; check the target and the features."
            )
        )
    return Finding(
        kind="headline", severity="info" if beats else "high", section="metrics", sentence=sentence
    )


def _slice_sentence(s: Slice, overall: float, *, rate: bool, label: str) -> str:
    where = s.label if s.kind == "range" else f"{label} = {s.label}"
    shown = (
        f"{s.error:.0%} error vs {overall:.0%}" if rate else f"MAE {s.error:.4g} vs {overall:.4g}"
    )
    return (
        f"Slice {where} ({s.rows:,} rows): {shown} overall: "
        "collect more rows like these or add a feature that explains them."
    )


def collect_findings(
    evaluation: EvaluationSet,
    metrics: Metrics,
    cohorts: list[Cohort],
    worst: list[Slice],
    importance: Importance | None,
    labels: LabelSuspects,
    fairness: list[FairnessReport] | None,
    quality: list[DataQualityGroup],
) -> list[Finding]:
    """Every section's sentence that calls for action, plus the headline, sorted by severity."""
    findings = [headline_sentence(evaluation, metrics)]
    overall = metrics.overall_error
    if metrics.calibration is not None:
        sentence = metrics.calibration.sentence
        findings.append(
            Finding(
                kind="calibration",
                section="calibration",
                sentence=sentence,
                severity="warning" if "recalibrate" in sentence else "info",
            )
        )
    if metrics.residuals is not None:
        sentence = metrics.residuals.sentence
        findings.append(
            Finding(
                kind="residuals",
                section="residuals",
                sentence=sentence,
                severity="info" if sentence.startswith("Residuals are centred") else "warning",
            )
        )
    for cohort in [c for c in cohorts if c.low_interval > overall][:3]:
        findings.append(
            Finding(kind="cohort", section="cohorts", severity="warning", sentence=cohort.sentence)
        )
    reliable = [s for s in worst if not s.small and s.low_interval > overall][:3]
    for s in reliable:
        findings.append(
            Finding(
                kind="slice",
                section="slices",
                severity="warning",
                sentence=_slice_sentence(
                    s, overall, rate=evaluation.is_classifier, label=evaluation.label(s.feature)
                ),
            )
        )
    if importance is not None:
        findings.append(
            Finding(
                kind="importance",
                section="importance",
                sentence=importance.sentence,
                severity="warning" if "leaking" in importance.sentence else "info",
            )
        )
    for group in quality:
        if group.rows_flagged:
            worse = "reliably worse" in group.sentence
            findings.append(
                Finding(
                    kind=f"data_quality_{group.kind}",
                    section="data_quality",
                    severity="warning" if worse else "info",
                    sentence=group.sentence,
                )
            )
    if labels.available or evaluation.is_classifier:
        findings.append(
            Finding(
                kind="label_suspects",
                section="labels",
                sentence=labels.sentence,
                severity="warning" if labels.issues else "info",
            )
        )
    for report in fairness or []:
        findings.append(
            Finding(
                kind="fairness",
                section="fairness",
                sentence=report.sentence,
                severity="warning" if "a gap of" in report.sentence else "info",
            )
        )
    findings.sort(key=lambda f: _ORDER[f.severity])
    return findings
