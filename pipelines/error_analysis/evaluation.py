"""`EvaluationSet`: everything the analysis needs about the rows a model is judged on.

It is built from a model directory (see `model_directory.py`) or directly (tests, notebooks):
the true and predicted classes or values, the class probabilities, the raw input features (for
readable slices and cohorts), optionally the model matrix with its LightGBM booster (for gain,
permutation and SHAP), out-of-fold probabilities (for label suspects), row keys and source
lines, and per-row data-quality flags.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np
import polars as pl

from pipelines.columns import ColumnNames
from pipelines.error_analysis.errors import EvaluationDataError
from pipelines.task import ResolvedTask

if TYPE_CHECKING:
    import lightgbm as lgb

__all__ = ["QUALITY_DESCRIPTIONS", "EvaluationSet", "RowMatrix"]

_EPS = 1e-15

QUALITY_DESCRIPTIONS: dict[str, str] = {
    "ingest_nulled": "rows where ingest nulled a cell that did not fit its column's type",
    "imputed": "rows with a missing feature value (the model imputes it)",
    "validation_warned": "rows validation warned about",
    "drift": "rows outside the training data (a number beyond its range or an unseen category)",
}
"""Known data-quality flags and what they mean; other flag names are shown as they are."""


class RowMatrix(Protocol):
    """A model matrix that gives the rows asked for: a numpy array, or `ModelMatrix`.

    `ModelMatrix` (model_input.py) builds rows on demand, so the whole matrix is never held.
    """

    def __len__(self) -> int:
        """Number of rows."""
        ...

    def __getitem__(self, rows: np.ndarray) -> np.ndarray:
        """The float64 rows at positions `rows`."""
        ...


@dataclass(frozen=True)
class EvaluationSet:
    """The rows a model is judged on, and what the model said about them.

    Parameters
    ----------
    task
        The resolved task; `task.classes` orders the probability columns.
    y_true, predicted
        Class index into `task.classes` (classifiers) or the value (regression), one per row.
    probabilities
        `n x k` class probabilities in `task.classes` order (classifiers only).
    features
        The raw input features of the same rows (no target), for slices, cohorts and examples.
    transformed, transformed_names, booster
        The model matrix the booster sees, its column names, and the LightGBM booster: needed
        for gain, permutation and SHAP importance (skipped, with a note, when absent). The
        matrix is only indexed by sampled rows, so it may build them on demand (`RowMatrix`).
    feature_sources
        Model-matrix column -> the raw feature column it came from (one-hot, date parts...).
        Columns not listed are their own source.
    booster_class
        Binary only: the class index whose log-odds the booster's raw score is (usually 1).
    oof_y_true, oof_probabilities, oof_rows, oof_source_lines
        Out-of-fold labels and probabilities on the training rows (for label suspects).
    rows, source_lines
        Row keys (position in the training input or in the evaluation data) and file lines.
    quality_flags
        One Boolean column per data-quality flag (see `QUALITY_DESCRIPTIONS`), one row per row.
    threshold
        Binary only: probability of the positive class at which it is predicted.
    names
        Column names as in the source file, for display.
    """

    task: ResolvedTask
    y_true: np.ndarray
    predicted: np.ndarray
    features: pl.DataFrame
    probabilities: np.ndarray | None = None
    transformed: np.ndarray | RowMatrix | None = None
    transformed_names: tuple[str, ...] = ()
    booster: lgb.Booster | None = None
    feature_sources: Mapping[str, str] = field(default_factory=dict)
    booster_class: int = 1
    oof_y_true: np.ndarray | None = None
    oof_probabilities: np.ndarray | None = None
    oof_rows: np.ndarray | None = None
    oof_source_lines: np.ndarray | None = None
    rows: np.ndarray | None = None
    source_lines: np.ndarray | None = None
    quality_flags: pl.DataFrame = field(default_factory=pl.DataFrame)
    threshold: float | None = None
    names: ColumnNames | None = None

    def __post_init__(self) -> None:
        """Check that every per-row array has one entry per row."""
        n = len(self.y_true)
        if n == 0:
            msg = "no evaluation rows with a target: pass labelled rows to analyse errors"
            raise EvaluationDataError(msg)
        checks: dict[str, int | None] = {
            "predicted": len(self.predicted),
            "features": self.features.height,
            "probabilities": None if self.probabilities is None else len(self.probabilities),
            "transformed": None if self.transformed is None else len(self.transformed),
            "rows": None if self.rows is None else len(self.rows),
            "source_lines": None if self.source_lines is None else len(self.source_lines),
            "quality_flags": self.quality_flags.height if self.quality_flags.width else None,
        }
        wrong = [f"{name} has {m}" for name, m in checks.items() if m is not None and m != n]
        if wrong:
            msg = f"evaluation arrays must have one entry per row ({n} rows): " + ", ".join(wrong)
            raise EvaluationDataError(msg)
        k = len(self.task.classes)
        shape = None if self.probabilities is None else self.probabilities.shape
        if self.task.kind != "regression" and shape != (n, k):
            msg = f"a classifier needs probabilities of shape ({n}, {k}), got {shape}"
            raise EvaluationDataError(msg)
        oof, oof_y = self.oof_probabilities, self.oof_y_true
        if oof is not None and oof_y is not None and oof.shape != (len(oof_y), k):
            msg = f"out-of-fold probabilities have shape {oof.shape}, expected ({len(oof_y)}, {k})"
            raise EvaluationDataError(msg)

    @property
    def size(self) -> int:
        """Number of evaluation rows."""
        return len(self.y_true)

    @property
    def is_classifier(self) -> bool:
        """True for binary and multiclass tasks."""
        return self.task.kind != "regression"

    def row_keys(self) -> np.ndarray:
        """Row keys, or positions 0..n-1 when none were given."""
        return np.arange(self.size) if self.rows is None else np.asarray(self.rows)

    def label(self, column: str) -> str:
        """Display name of a raw column (with its source-file name when it differs)."""
        return column if self.names is None else self.names.label(column)

    def class_label(self, index: int) -> str:
        """Text of class `index`."""
        return self.task.classes[int(index)]

    def source_of(self, transformed: str) -> str:
        """The raw column a model-matrix column came from."""
        return self.feature_sources.get(transformed, transformed)


def row_error_and_loss(evaluation: EvaluationSet) -> tuple[np.ndarray, np.ndarray]:
    """Per-row error and loss.

    Classifiers: error is 1.0 when misclassified, loss is the log loss of the true class.
    Regression: error is |y - prediction|, loss is the squared residual.
    """
    if evaluation.is_classifier:
        y = evaluation.y_true.astype(np.int64)
        assert evaluation.probabilities is not None
        p_true = evaluation.probabilities[np.arange(len(y)), y]
        loss = -np.log(np.clip(p_true, _EPS, 1.0))
        error = (evaluation.predicted.astype(np.int64) != y).astype(np.float64)
        return error, loss
    residual = evaluation.y_true.astype(np.float64) - evaluation.predicted.astype(np.float64)
    return np.abs(residual), residual**2
