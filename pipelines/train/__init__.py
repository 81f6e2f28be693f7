"""Train stage: `train(frame, task=, options=) -> TrainResult`, and `load_model(model_dir)`.

Honest splits (test held out first; features fitted on training rows only, per fold for CV),
LightGBM with early stopping and curves, baselines, a leaderboard against the dummy, a
threshold for binary tasks, a learning curve with its reading, optional Optuna tuning.
"""

from pipelines.train.card import ModelCard, build_model_card
from pipelines.train.errors import ModelLoadError, TrainError
from pipelines.train.model import TrainedModel, load_model
from pipelines.train.models import TrainReport
from pipelines.train.options import (
    LearningCurveOptions,
    LightGBMOptions,
    ThresholdOptions,
    TrainOptions,
    TuneOptions,
)
from pipelines.train.stage import TrainResult, train

__all__ = [
    "LearningCurveOptions",
    "LightGBMOptions",
    "ModelCard",
    "ModelLoadError",
    "ThresholdOptions",
    "TrainError",
    "TrainOptions",
    "TrainReport",
    "TrainResult",
    "TrainedModel",
    "TuneOptions",
    "build_model_card",
    "load_model",
    "train",
]
