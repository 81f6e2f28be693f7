"""Label suspects: confident learning (cleanlab) over the out-of-fold probabilities."""

from __future__ import annotations

import numpy as np

from pipelines.error_analysis.evaluation import EvaluationSet
from pipelines.error_analysis.models import LabelSuspect, LabelSuspects, SamplingNote
from pipelines.error_analysis.options import ErrorAnalysisOptions

__all__ = ["label_suspects"]

_METHOD = "cleanlab.filter.find_label_issues, ranked by self-confidence"


def label_suspects(
    evaluation: EvaluationSet, options: ErrorAnalysisOptions
) -> tuple[LabelSuspects, list[SamplingNote]]:
    """Rows whose given label the out-of-fold model confidently contradicts, most suspect first."""
    if not evaluation.is_classifier:
        return _unavailable("label suspects need class probabilities: not for regression."), []
    y, proba = evaluation.oof_y_true, evaluation.oof_probabilities
    if y is None or proba is None:
        return _unavailable(
            "No out-of-fold predictions were given, so labels were not checked: train with "
            "cross-validation (oof_predictions.parquet) to find label suspects."
        ), []
    from cleanlab.filter import find_label_issues

    n = len(y)
    notes = []
    chosen = np.arange(n)
    if n > options.max_oof_rows:
        rng = np.random.default_rng(options.seed)
        chosen = np.sort(rng.choice(n, options.max_oof_rows, replace=False))
        notes.append(
            SamplingNote(
                part="label suspects (cleanlab)",
                rows_used=len(chosen),
                rows_available=n,
                method="uniform sample of the out-of-fold rows",
            )
        )
    labels = y[chosen].astype(np.int64)
    probabilities = np.clip(proba[chosen].astype(np.float64), 1e-12, 1.0)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    present = np.unique(labels)
    k = probabilities.shape[1]
    if len(present) < 2:
        return _unavailable("Out-of-fold labels hold a single class: nothing to compare."), notes
    if len(present) < k:  # cleanlab needs every column to be a seen class
        keep = present
        remap = {c: i for i, c in enumerate(keep)}
        labels = np.array([remap[c] for c in labels])
        probabilities = probabilities[:, keep]
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        classes = keep
    else:
        classes = np.arange(k)
    ranked = find_label_issues(
        labels=labels,
        pred_probs=probabilities,
        return_indices_ranked_by="self_confidence",
        n_jobs=1,
    )
    rows = evaluation.oof_rows
    lines = evaluation.oof_source_lines
    suspects = []
    for rank, index in enumerate(ranked[: options.label_suspects], start=1):
        given = int(labels[index])
        suggested = int(np.argmax(probabilities[index]))
        original = int(chosen[index])
        line = None if lines is None else lines[original]
        suspects.append(
            LabelSuspect(
                rank=rank,
                row=int(rows[original]) if rows is not None else original,
                source_line=None if line is None or line != line else int(line),
                given=evaluation.class_label(int(classes[given])),
                suggested=evaluation.class_label(int(classes[suggested])),
                probability_given=round(float(probabilities[index, given]), 6),
                probability_suggested=round(float(probabilities[index, suggested]), 6),
            )
        )
    issues = len(ranked)
    share = issues / len(labels)
    shown = min(issues, options.label_suspects)
    if issues == 0:
        sentence = "cleanlab found no likely label errors in the out-of-fold predictions."
    elif share > 0.1:
        sentence = (
            f"cleanlab flags {issues:,} training rows ({share:.1%}) whose label the out-of-fold "
            "model contradicts; a share this large usually means a noisy, hard-to-predict "
            f"outcome rather than typing errors: check only the top {shown} rows at their source "
            "lines and fix those that are wrong."
        )
    else:
        sentence = (
            f"cleanlab flags {issues:,} training rows ({share:.1%}) whose label the out-of-fold "
            f"model confidently contradicts: check the labels of the top {shown} rows at their "
            "source lines, fix or drop wrong ones, and retrain."
        )
    return (
        LabelSuspects(
            available=True,
            method=_METHOD,
            rows_checked=len(labels),
            issues=issues,
            suspects=suspects,
            sentence=sentence,
        ),
        notes,
    )


def _unavailable(sentence: str) -> LabelSuspects:
    return LabelSuspects(
        available=False, method=_METHOD, rows_checked=0, issues=0, suspects=[], sentence=sentence
    )
