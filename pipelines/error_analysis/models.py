"""The error-analysis report: frozen, JSON-native pydantic models (no timings).

Numbers are plain floats/ints, so the same data gives byte-identical JSON. Every finding
carries one plain sentence that says what it means and what to do next.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipelines.task import ResolvedTask

__all__ = [
    "Calibration",
    "CalibrationBin",
    "ClassMetrics",
    "Cohort",
    "CohortCondition",
    "ConfusionMatrix",
    "DataQualityGroup",
    "DependencePoint",
    "ErrorAnalysisReport",
    "FairnessGroup",
    "FairnessReport",
    "FeatureImportance",
    "FeatureSlices",
    "Finding",
    "Importance",
    "LabelSuspect",
    "LabelSuspects",
    "Metric",
    "Metrics",
    "ResidualBin",
    "Residuals",
    "SamplingNote",
    "ShapFeature",
    "Slice",
    "ThresholdPoint",
    "WorstExample",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


Severity = Literal["high", "warning", "info"]


class Finding(_Frozen):
    """One thing a reviewer should know, and the next action, in one sentence."""

    kind: str
    severity: Severity
    section: Literal[
        "metrics",
        "cohorts",
        "slices",
        "importance",
        "data_quality",
        "labels",
        "fairness",
        "calibration",
        "residuals",
    ]
    sentence: str


class SamplingNote(_Frozen):
    """What part of the analysis used a sample, and how big."""

    part: str
    rows_used: int
    rows_available: int
    method: str


class Metric(_Frozen):
    """A metric on the evaluation rows with a bootstrap interval."""

    name: str
    value: float
    low: float | None = None
    high: float | None = None
    higher_is_better: bool = True


class ClassMetrics(_Frozen):
    """Precision, recall and F1 of one class, with its support."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


class ConfusionMatrix(_Frozen):
    """Counts: `counts[i][j]` rows of true class `labels[i]` predicted as `labels[j]`."""

    labels: list[str]
    counts: list[list[int]]
    per_class: list[ClassMetrics]


class CalibrationBin(_Frozen):
    """One bin of predicted probability: mean prediction, observed rate, rows."""

    low: float
    high: float
    mean_predicted: float
    observed: float
    rows: int


class Calibration(_Frozen):
    """Reliability curve and expected calibration error (ECE)."""

    kind: Literal["positive_class", "top_label"]
    bins: list[CalibrationBin]
    ece: float
    sentence: str


class ThresholdPoint(_Frozen):
    """Binary metrics when the positive class is predicted at `proba >= threshold`."""

    threshold: float
    precision: float
    recall: float
    f1: float
    false_positive_rate: float
    selection_rate: float
    accuracy: float


class ResidualBin(_Frozen):
    """Residuals (y - prediction) of rows in one bin of a variable."""

    label: str
    rows: int
    mean_residual: float
    mean_absolute: float
    std: float


class Residuals(_Frozen):
    """Regression residuals against the prediction and the top features."""

    by_prediction: list[ResidualBin]
    by_feature: dict[str, list[ResidualBin]]
    heteroscedasticity_p_value: float | None
    spread_ratio: float | None = Field(
        None, description="Residual std in the top prediction bin / the bottom bin."
    )
    sentence: str


class Metrics(_Frozen):
    """Headline metrics, confusion matrix, calibration, threshold sweep and residuals."""

    rows: int
    confidence: float = Field(0.95, description="Level of every interval.")
    headline: list[Metric]
    confusion: ConfusionMatrix | None = None
    calibration: Calibration | None = None
    thresholds: list[ThresholdPoint] = Field(default_factory=list)
    threshold: float | None = None
    residuals: Residuals | None = None
    error_measure: str = Field(..., description="What a row's error is: misclassified or |y-ŷ|.")
    overall_error: float
    overall_loss: float


class Slice(_Frozen):
    """Rows whose feature falls in one bin or category."""

    feature: str
    label: str
    kind: Literal["range", "category", "other", "missing"]
    low: float | None = None
    high: float | None = None
    rows: int
    error: float
    low_interval: float
    high_interval: float
    loss: float = Field(..., description="Mean log loss (classifiers) or RMSE (regression).")
    gap: float = Field(..., description="error - overall error (positive is worse).")
    small: bool


class FeatureSlices(_Frozen):
    """All slices of one feature, and how much the error varies across them."""

    feature: str
    label: str
    spread: float
    slices: list[Slice]


class CohortCondition(_Frozen):
    """One condition of a cohort rule; `missing` says whether nulls satisfy it."""

    column: str
    op: Literal["<=", ">", "==", "!=", "is_null", "is_not_null"]
    value: float | str | None = None
    missing: bool = False


class Cohort(_Frozen):
    """A readable rule from the error tree, counted on every evaluation row."""

    id: int
    rule: str
    conditions: list[CohortCondition]
    rows: int
    coverage: float = Field(..., description="Share of all rows in the cohort.")
    error: float
    error_share: float = Field(..., description="Share of all errors that fall in the cohort.")
    low_interval: float
    high_interval: float
    lift: float = Field(..., description="Cohort error / overall error.")
    sentence: str


class WorstExample(_Frozen):
    """A row the model got most wrong, with where it came from."""

    row: int
    source_line: int | None
    actual: str
    predicted: str
    probability_of_actual: float | None
    loss: float
    values: dict[str, str | None]


class FeatureImportance(_Frozen):
    """Importance of one input column by three measures (each normalised to sum to 1)."""

    feature: str
    gain: float | None
    permutation: float | None
    permutation_std: float | None
    mean_abs_shap: float | None


class ShapFeature(_Frozen):
    """Sampled (value percentile, SHAP) points of one feature for the beeswarm summary."""

    feature: str
    shap: list[float]
    value_rank: list[float | None] = Field(
        ..., description="Feature value as a 0-1 percentile (None for categories/missing)."
    )


class DependencePoint(_Frozen):
    """Binned dependence of SHAP on a feature's value."""

    label: str
    rows: int
    mean_shap: float
    low: float
    high: float


class Importance(_Frozen):
    """Gain, permutation and SHAP importance, the SHAP summary and top-3 dependence."""

    features: list[FeatureImportance]
    permutation_metric: str
    shap_summary: list[ShapFeature]
    dependence: dict[str, list[DependencePoint]]
    shap_output: str
    sentence: str


class LabelSuspect(_Frozen):
    """A training row whose given label the out-of-fold model strongly disagrees with."""

    rank: int
    row: int
    source_line: int | None
    given: str
    suggested: str
    probability_given: float
    probability_suggested: float


class LabelSuspects(_Frozen):
    """Confident-learning label issues (cleanlab) over the out-of-fold predictions."""

    available: bool
    method: str
    rows_checked: int
    issues: int
    suspects: list[LabelSuspect]
    sentence: str


class FairnessGroup(_Frozen):
    """Per-group metrics for one sensitive column."""

    group: str
    rows: int
    metrics: dict[str, float | None]
    small: bool


class FairnessReport(_Frozen):
    """Per-group metrics and the largest gap of each for one sensitive column."""

    column: str
    label: str
    groups: list[FairnessGroup]
    gaps: dict[str, float | None]
    worst_gap_metric: str | None
    sentence: str


class DataQualityGroup(_Frozen):
    """Error on rows with one kind of data problem vs the rest."""

    kind: str
    description: str
    rows_flagged: int
    error_flagged: float | None
    error_rest: float | None
    low_interval: float | None
    high_interval: float | None
    difference: float | None
    sentence: str


class ErrorAnalysisReport(_Frozen):
    """Where and why a model fails, as JSON-native numbers and sentences (no timings)."""

    schema_version: int = 1
    title: str
    task: ResolvedTask
    rows: int
    rows_set_aside: int = Field(0, description="Evaluation rows without a target (not scored).")
    metrics: Metrics
    cohorts: list[Cohort]
    slices: list[FeatureSlices]
    worst_slices: list[Slice] = Field(
        default_factory=list, description="Slices most reliably worse than overall."
    )
    worst_examples: list[WorstExample]
    importance: Importance | None
    label_suspects: LabelSuspects
    fairness: list[FairnessReport] | None = None
    data_quality: list[DataQualityGroup]
    findings: list[Finding]
    sampling: list[SamplingNote]
    notes: list[str] = Field(default_factory=list)

    def to_json_dict(self) -> dict[str, object]:
        """JSON-native dict (for `errors.json`)."""
        return self.model_dump(mode="json")
