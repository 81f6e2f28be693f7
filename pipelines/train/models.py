"""The `TrainReport`: JSON-native, deterministic (no timings), golden-tested."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipelines.task import ResolvedTask

__all__ = [
    "EntityOverlap",
    "FeatureDecision",
    "Imbalance",
    "Importance",
    "LeaderboardEntry",
    "LearningCurve",
    "MeanStd",
    "RowCounts",
    "SplitSummary",
    "ThresholdChoice",
    "TrainReport",
    "TrainingCurve",
    "TuningSummary",
    "TuningTrial",
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RowCounts(_Model):
    """Rows in = train + test + set aside (with the reason for each row set aside)."""

    rows_in: int
    train: int
    test: int
    set_aside: int
    set_aside_reasons: dict[str, int] = Field(default_factory=dict)


class EntityOverlap(_Model):
    """Entities (birds, patients) seen on both sides of a split that ignored them."""

    column: str
    label: str
    entities: int
    entities_in_both: int
    train_rows_of_shared: int
    test_rows_of_shared: int


class SplitSummary(_Model):
    """How rows were split: the held-out test set and the CV folds on the training part."""

    kind: Literal["random", "stratified", "group", "time"]
    decided: str
    test_size: float
    folds: int
    seed: int
    group: str | None = None
    time: str | None = None
    overlaps: list[EntityOverlap] = Field(default_factory=list)


class FeatureDecision(_Model):
    """What the feature pipeline did with one input column, and why."""

    column: str
    action: str
    reason: str


class Imbalance(_Model):
    """Class counts in the training part and what was done about imbalance."""

    class_counts: dict[str, int]
    ratio: float
    method: Literal["none", "balanced_weights"]
    note: str


class MeanStd(_Model):
    """A CV metric: mean and standard deviation over folds."""

    mean: float | None
    std: float | None


class LeaderboardEntry(_Model):
    """One model's CV scores, and how it compares with the dummy on the primary metric."""

    model: str
    description: str
    cv: dict[str, MeanStd]
    primary: MeanStd
    vs_dummy: float | None = Field(
        None, description="Primary-metric improvement over the dummy, as a share of its error."
    )


class TrainingCurve(_Model):
    """Per-iteration train and validation metric of one CV fold (or the final fit)."""

    fold: int | None
    metric: str
    train: list[float]
    valid: list[float]
    best_iteration: int


class LearningCurve(_Model):
    """Train and validation error against training rows, with a one-line reading."""

    metric: str
    rows: list[int]
    train: list[float]
    valid: list[float]
    dummy: float | None
    reading: str


class ThresholdChoice(_Model):
    """The binary decision threshold chosen on out-of-fold predictions."""

    objective: Literal["f1", "cost"]
    cost_ratio: float
    threshold: float
    precision: float
    recall: float
    f1: float
    f1_at_half: float
    curve_thresholds: list[float]
    curve_f1: list[float]
    curve_cost: list[float]


class Importance(_Model):
    """Gain and split importance of one model feature (final model)."""

    feature: str
    gain: float
    splits: int


class TuningTrial(_Model):
    """One Optuna trial: its parameters, CV value and state."""

    number: int
    params: dict[str, float | int]
    value: float | None
    state: str


class TuningSummary(_Model):
    """Optuna study on CV (TPE, median pruning): every trial and the best parameters."""

    metric: str
    direction: Literal["minimize", "maximize"]
    trials: list[TuningTrial]
    best_params: dict[str, float | int]
    best_value: float | None


class TrainReport(_Model):
    """What training did and how good the model is; same data + options -> same JSON."""

    schema_version: int = 1
    task: ResolvedTask
    rows: RowCounts
    split: SplitSummary
    primary_metric: str
    greater_is_better: bool
    features_used: list[str]
    categorical_features: list[str]
    decisions: list[FeatureDecision]
    imbalance: Imbalance | None
    params: dict[str, float | int | str | bool]
    cv_best_iterations: list[int]
    final_rounds: int
    curves: list[TrainingCurve]
    learning_curve: LearningCurve | None
    leaderboard: list[LeaderboardEntry]
    cv: dict[str, MeanStd]
    test: dict[str, float | None]
    test_baselines: dict[str, dict[str, float | None]]
    threshold: ThresholdChoice | None
    importance: list[Importance]
    tuning: TuningSummary | None
    warnings: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    def to_json_dict(self) -> dict[str, object]:
        """JSON-native dict."""
        return self.model_dump(mode="json")
