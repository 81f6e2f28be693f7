"""`TrainOptions`: every knob of the train stage, frozen, with defaults and descriptions."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "LearningCurveOptions",
    "LightGBMOptions",
    "SplitKind",
    "ThresholdOptions",
    "TrainOptions",
    "TuneOptions",
]

SplitKind = Literal["auto", "random", "stratified", "group", "time"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LightGBMOptions(_Frozen):
    """LightGBM parameters (the ones worth changing; the rest keep LightGBM's defaults)."""

    learning_rate: float = Field(0.05, gt=0, description="Shrinkage per boosting round.")
    num_leaves: int = Field(31, ge=2, description="Leaves per tree.")
    min_data_in_leaf: int = Field(20, ge=1, description="Fewest rows in a leaf.")
    feature_fraction: float = Field(0.9, gt=0, le=1, description="Share of features per tree.")
    bagging_fraction: float = Field(1.0, gt=0, le=1, description="Share of rows per tree.")
    bagging_freq: int = Field(0, ge=0, description="Bag every N rounds (0: no bagging).")
    lambda_l2: float = Field(0.0, ge=0, description="L2 regularisation on leaf values.")
    max_rounds: int = Field(2000, ge=1, description="Most boosting rounds.")
    early_stopping_rounds: int = Field(
        50,
        ge=0,
        description="Stop when the validation metric has not improved for N rounds (0: off).",
    )


class ThresholdOptions(_Frozen):
    """How a binary model's decision threshold is chosen on out-of-fold predictions."""

    objective: Literal["f1", "cost"] = Field(
        "f1", description="`f1`: maximise F1; `cost`: minimise false positives + ratio x misses."
    )
    cost_ratio: float = Field(
        1.0, gt=0, description="With `cost`: a missed positive costs this many false alarms."
    )


class LearningCurveOptions(_Frozen):
    """Learning curve: train on growing shares of one fold's training rows."""

    enabled: bool = True
    sizes: tuple[float, ...] = Field(
        (0.1, 0.25, 0.5, 0.75, 1.0), description="Shares of the fold's training rows."
    )


class TuneOptions(_Frozen):
    """Optional Optuna search over LightGBM parameters on CV (TPE sampler, median pruning)."""

    trials: int = Field(0, ge=0, description="Number of trials; 0 turns tuning off.")
    timeout_seconds: float | None = Field(None, gt=0, description="Stop the study after this.")


class TrainOptions(_Frozen):
    """Options of `train`: split, CV, LightGBM, baselines, imbalance, threshold, tuning."""

    split: SplitKind = Field(
        "auto",
        description=(
            "auto: group when the task names a group, time when it names a time column, "
            "stratified for classes, random for regression."
        ),
    )
    test_size: float = Field(0.2, gt=0, lt=0.9, description="Share of rows held out for test.")
    folds: int = Field(5, ge=0, description="CV folds on the training part (0 or 1: no CV).")
    seed: int = Field(42, description="Seed for splits, LightGBM and baselines.")
    num_threads: int = Field(1, ge=1, description="LightGBM threads.")
    distributed: Literal["none", "dask"] = Field(
        "none",
        description=(
            "dask: fit the final model with lightgbm.dask on the run's Dask cluster "
            "(`thresher run --runner dask`); the saved model is the same plain booster."
        ),
    )
    lightgbm: LightGBMOptions = LightGBMOptions()
    baselines: bool = Field(True, description="Also fit the dummy and linear baselines.")
    class_weight: Literal["auto", "balanced", "none"] = Field(
        "auto",
        description="auto: balanced sample weights when the largest class is 4x the smallest.",
    )
    profile_sample_rows: int = Field(
        20_000,
        gt=100,
        description="When no profile is passed, the training rows are profiled with pairwise "
        "and target statistics (leakage checks included) on a seeded sample of this many rows.",
    )
    threshold: ThresholdOptions = ThresholdOptions()
    learning_curve: LearningCurveOptions = LearningCurveOptions()
    tune: TuneOptions = TuneOptions()
