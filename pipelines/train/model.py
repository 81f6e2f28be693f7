"""`TrainedModel` (what predict needs) and `load_model`, the one reader of a model directory.

Model directory: `model.txt` (LightGBM text), `features.skops` (feature pipeline, loaded only
against an allow-list), `input_schema.json`, `task.json`, plus the metrics, card and
prediction files written by `flows.train_outputs`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import lightgbm as lgb
import polars as pl
from pydantic import ValidationError

from pipelines.errors import ThresherError
from pipelines.features import FeaturePipeline, load_feature_pipeline
from pipelines.features.compiled import CompiledFeatures, compile_features
from pipelines.predict.schema import InputSchema
from pipelines.task import ResolvedTask
from pipelines.train.booster import booster_feature_names, numeric_matrix, predict_booster
from pipelines.train.errors import ModelLoadError
from pipelines.train.frames import KEY_COLUMNS, model_classes, prediction_frame

__all__ = [
    "MODEL_FILES",
    "TASK_SCHEMA_VERSION",
    "TrainedModel",
    "load_model",
    "task_payload",
]

MODEL_FILES = ("model.txt", "features.skops", "input_schema.json", "task.json")
"""Files `load_model` needs."""

TASK_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class TrainedModel:
    """A fitted model ready to predict: booster, feature pipeline, task, schema, threshold."""

    booster: lgb.Booster
    pipeline: FeaturePipeline
    task: ResolvedTask
    input_schema: InputSchema
    threshold: float | None
    feature_names: list[str]
    predict_threads: int = 1
    """LightGBM threads per predict call; run more server workers rather than more threads."""

    @cached_property
    def compiled_features(self) -> CompiledFeatures:
        """The feature pipeline as one polars select (built on first use; `load_model` does).

        Same values as `pipeline.transform`, which stays the reference (see
        `pipelines.features.compiled`); derived from the fitted pipeline, never saved.
        """
        dtypes = {c.name: c.polars_dtype for c in self.input_schema.columns}
        return compile_features(self.pipeline, dtypes)

    def matrix(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The feature pipeline's output for `frame` in the model's column order (all numeric)."""
        inputs = frame.drop([c for c in (*KEY_COLUMNS, self.task.target) if c in frame.columns])
        features = self.compiled_features.transform(inputs)
        if features.columns == self.feature_names:
            return features
        return features.select(self.feature_names)

    def predict_frame(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Key columns present in `frame`, `prediction`, and `proba_<class>` for classifiers.

        `frame` must already conform to `input_schema` (see `pipelines.predict.predict`).
        """
        x = numeric_matrix(self.matrix(frame))
        predicted = predict_booster(
            self.booster, x, self.task.kind, num_threads=self.predict_threads
        )
        keys = frame.select([c for c in KEY_COLUMNS if c in frame.columns])
        return prediction_frame(keys, predicted, self.task, threshold=self.threshold)


def task_payload(model: TrainedModel, categorical: list[str]) -> dict[str, Any]:
    """What `task.json` holds: the resolved task, threshold and the model's feature order."""
    return {
        "schema_version": TASK_SCHEMA_VERSION,
        "task": model.task.model_dump(mode="json"),
        "model_classes": model_classes(model.task),
        "threshold": model.threshold,
        "feature_names": list(model.feature_names),
        "categorical_features": list(categorical),
    }


def _read_json(path: Path) -> dict[str, Any]:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        msg = f"`{path}` is not readable JSON ({exc}): re-run `thresher train` to rebuild it"
        raise ModelLoadError(msg) from exc
    if not isinstance(payload, dict):
        msg = f"`{path}` must hold a JSON object: re-run `thresher train`"
        raise ModelLoadError(msg)
    return payload


def load_model(model_dir: Path) -> TrainedModel:
    """Read a model directory; the feature pipeline is loaded only against an allow-list.

    Raises
    ------
    ModelLoadError
        Missing files, a damaged artifact, or an artifact holding an unexpected type.
    """
    model_dir = Path(model_dir)
    missing = [name for name in MODEL_FILES if not (model_dir / name).is_file()]
    if missing:
        msg = (
            f"model directory `{model_dir}` lacks {', '.join(f'`{m}`' for m in missing)}: "
            "pass a folder written by `thresher train`"
        )
        raise ModelLoadError(msg)
    meta = _read_json(model_dir / "task.json")
    try:
        task = ResolvedTask.model_validate(meta["task"])
        feature_names = [str(n) for n in meta["feature_names"]]
        threshold = meta.get("threshold")
        schema = InputSchema.from_json((model_dir / "input_schema.json").read_text("utf-8"))
    except (KeyError, TypeError, ValidationError, ThresherError) as exc:
        msg = (
            f"`{model_dir}`: task.json or input_schema.json is not as `thresher train` writes "
            f"it ({exc.__class__.__name__}: {exc}); re-run training"
        ).replace("\n", " ")
        raise ModelLoadError(msg) from exc
    try:
        booster = lgb.Booster(model_str=(model_dir / "model.txt").read_text("utf-8"))
    except (lgb.basic.LightGBMError, OSError, UnicodeDecodeError) as exc:
        msg = f"`{model_dir / 'model.txt'}` is not a LightGBM text model: re-run `thresher train`"
        raise ModelLoadError(msg) from exc
    try:
        pipeline = load_feature_pipeline(model_dir / "features.skops")
    except ThresherError as exc:
        msg = f"`{model_dir / 'features.skops'}` was refused: {exc}"
        raise ModelLoadError(msg) from exc
    except Exception as exc:  # skops raises many kinds on damaged files
        msg = (
            f"`{model_dir / 'features.skops'}` could not be read ({exc.__class__.__name__}): "
            "re-run `thresher train`"
        )
        raise ModelLoadError(msg) from exc
    if not isinstance(pipeline, FeaturePipeline):
        msg = (
            f"`{model_dir / 'features.skops'}` holds a {type(pipeline).__name__}, expected a "
            "FeaturePipeline: re-run `thresher train`"
        )
        raise ModelLoadError(msg)
    if booster.feature_name() != booster_feature_names(feature_names):
        msg = (
            f"`{model_dir}`: model.txt's features differ from task.json's (files from "
            "different runs): re-run `thresher train`"
        )
        raise ModelLoadError(msg)
    model = TrainedModel(
        booster=booster,
        pipeline=pipeline,
        task=task,
        input_schema=schema,
        threshold=None if threshold is None else float(threshold),
        feature_names=feature_names,
    )
    _ = model.compiled_features  # derived from the fitted pipeline now, not on the first call
    return model
