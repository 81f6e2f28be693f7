"""`analyse_evaluation`: every section of the error analysis over one `EvaluationSet`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from pipelines.error_analysis.cohorts import cohort_ids, error_cohorts
from pipelines.error_analysis.evaluation import EvaluationSet, row_error_and_loss
from pipelines.error_analysis.fairness import fairness
from pipelines.error_analysis.findings import collect_findings
from pipelines.error_analysis.importance import feature_importance
from pipelines.error_analysis.labels import label_suspects
from pipelines.error_analysis.metrics import (
    calibration,
    confusion,
    headline_metrics,
    threshold_sweep,
)
from pipelines.error_analysis.models import ErrorAnalysisReport, Metric, Metrics, SamplingNote
from pipelines.error_analysis.options import ErrorAnalysisOptions
from pipelines.error_analysis.quality import data_quality, imputed_flags
from pipelines.error_analysis.residuals import residuals
from pipelines.error_analysis.slices import feature_slices, worst_slices
from pipelines.error_analysis.worst import worst_examples

__all__ = ["ErrorAnalysisResult", "analyse_evaluation"]


@dataclass(frozen=True)
class ErrorAnalysisResult:
    """The report, the evaluation it was computed on, and per-row errors.

    ``row_errors`` has one row per evaluation row: ``_row``, ``_source_line``, ``error``,
    ``loss`` and ``cohort`` (the id of the cohort the row falls in, null if none).
    ``set_aside`` holds the evaluation rows that were not scored (keys and ``_reason``).
    """

    report: ErrorAnalysisReport
    evaluation: EvaluationSet
    row_errors: pl.DataFrame
    set_aside: pl.DataFrame = field(default_factory=pl.DataFrame)


def analyse_evaluation(
    evaluation: EvaluationSet,
    *,
    options: ErrorAnalysisOptions | None = None,
    sensitive_frame: pl.DataFrame | None = None,
    set_aside: pl.DataFrame | None = None,
    notes: tuple[str, ...] = (),
) -> ErrorAnalysisResult:
    """Analyse the errors of one evaluation set; collects nothing lazily (all in memory).

    `sensitive_frame` holds the `options.sensitive` columns for the same rows when they are
    not among `evaluation.features` (they often are dropped from the model). `set_aside` are
    evaluation rows that could not be scored (counted in the report, kept in the result).
    """
    options = options or ErrorAnalysisOptions()
    error, loss = row_error_and_loss(evaluation)
    if "imputed" not in evaluation.quality_flags.columns:
        flags = (
            evaluation.quality_flags.with_columns(imputed_flags(evaluation.features))
            if evaluation.quality_flags.width
            else pl.DataFrame([imputed_flags(evaluation.features)])
        )
        evaluation = _replace_flags(evaluation, flags)
    sampling: list[SamplingNote] = []
    all_notes = list(notes)
    importance, importance_sampling, importance_notes = feature_importance(evaluation, options)
    sampling += importance_sampling
    all_notes += importance_notes
    order = [f.feature for f in importance.features] if importance is not None else []
    headline, bootstrap_note = headline_metrics(evaluation, options)
    metrics = _metrics(evaluation, error, loss, options, order, headline)
    sampling.append(bootstrap_note)
    slices = feature_slices(evaluation, error, loss, options, order)
    worst = worst_slices(slices)
    cohorts, cohort_sampling = error_cohorts(evaluation, error, options)
    sampling += cohort_sampling
    labels, label_sampling = label_suspects(evaluation, options)
    sampling += label_sampling
    sensitive = sensitive_frame if sensitive_frame is not None else evaluation.features
    fair = fairness(evaluation, sensitive, options)
    quality = data_quality(evaluation, error, options)
    findings = collect_findings(
        evaluation, metrics, cohorts, worst, importance, labels, fair, quality
    )
    report = ErrorAnalysisReport(
        title=options.title,
        task=evaluation.task,
        rows=evaluation.size,
        rows_set_aside=0 if set_aside is None else set_aside.height,
        metrics=metrics,
        cohorts=cohorts,
        slices=slices,
        worst_slices=worst,
        worst_examples=worst_examples(
            evaluation, loss, options.worst_examples, order, options.batch_rows
        ),
        importance=importance,
        label_suspects=labels,
        fairness=fair,
        data_quality=quality,
        findings=findings,
        sampling=sampling,
        notes=all_notes,
    )
    return ErrorAnalysisResult(
        report,
        evaluation,
        _row_errors(evaluation, error, loss, report, options.batch_rows),
        pl.DataFrame() if set_aside is None else set_aside,
    )


def _replace_flags(evaluation: EvaluationSet, flags: pl.DataFrame) -> EvaluationSet:
    from dataclasses import replace

    return replace(evaluation, quality_flags=flags)


def _metrics(
    evaluation: EvaluationSet,
    error: np.ndarray,
    loss: np.ndarray,
    options: ErrorAnalysisOptions,
    order: list[str],
    headline: list[Metric],
) -> Metrics:
    classifier = evaluation.is_classifier
    binary = evaluation.task.kind == "binary"
    return Metrics(
        rows=evaluation.size,
        confidence=options.confidence,
        headline=headline,
        confusion=confusion(evaluation, options.batch_rows) if classifier else None,
        calibration=calibration(evaluation, options) if classifier else None,
        thresholds=threshold_sweep(evaluation, options) if binary else [],
        threshold=evaluation.threshold if binary else None,
        residuals=None if classifier else residuals(evaluation, order, options.batch_rows),
        error_measure="misclassified (0/1); loss is log loss"
        if classifier
        else "absolute error |y - prediction|; loss is squared error (shown as RMSE)",
        overall_error=round(float(error.mean()), 6),
        overall_loss=round(float(loss.mean() if classifier else np.sqrt(loss.mean())), 6),
    )


def _row_errors(
    evaluation: EvaluationSet,
    error: np.ndarray,
    loss: np.ndarray,
    report: ErrorAnalysisReport,
    batch_rows: int,
) -> pl.DataFrame:
    lines = evaluation.source_lines
    n = evaluation.size
    return pl.DataFrame(
        {
            "_row": pl.Series(evaluation.row_keys(), dtype=pl.Int64),
            "_source_line": pl.repeat(None, n, dtype=pl.Int64, eager=True)
            if lines is None
            else pl.Series(lines, dtype=pl.Int64),
            "error": error,
            "loss": loss,
            "cohort": cohort_ids(evaluation.features, report.cohorts, batch_rows),
        }
    )
