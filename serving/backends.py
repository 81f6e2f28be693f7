"""The served model: `load_model`'s `TrainedModel`, or its ONNX Runtime twin.

Both backends go through `pipelines.predict.predict` (the input-schema check, the feature
pipeline, `prediction_frame`); the ONNX twin only swaps the booster call for one run of a
session created once at start-up on `model.onnx` (the graph takes the feature pipeline's
float32 matrix, see `pipelines.train.onnx_export`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl

from pipelines.train.booster import numeric_matrix
from pipelines.train.frames import KEY_COLUMNS, prediction_frame
from pipelines.train.model import TrainedModel, load_model
from pipelines.train.onnx_export import ONNX_INPUT
from serving.errors import ServingError

__all__ = ["BACKENDS", "Backend", "OnnxTrainedModel", "load_served_model"]

Backend = Literal["lightgbm", "onnx"]
BACKENDS: tuple[str, ...] = ("lightgbm", "onnx")
ONNX_FILE = "model.onnx"


@dataclass(frozen=True)
class OnnxTrainedModel(TrainedModel):
    """A `TrainedModel` whose booster call is an ONNX Runtime session (same answers to 1e-5)."""

    session: Any = None

    def predict_frame(self, frame: pl.DataFrame) -> pl.DataFrame:
        """As `TrainedModel.predict_frame`, with the booster's scores from ONNX Runtime."""
        x = numeric_matrix(self.matrix(frame)).astype(np.float32)
        outputs = self.session.run(None, {ONNX_INPUT: x})
        if self.task.kind == "regression":
            predicted = np.asarray(outputs[0], dtype=np.float64).ravel()
        else:
            predicted = np.asarray(outputs[1], dtype=np.float64)
        keys = frame.select([c for c in KEY_COLUMNS if c in frame.columns])
        return prediction_frame(keys, predicted, self.task, threshold=self.threshold)


def _onnx_session(path: Path) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3  # the `label` output's shape warning is harmless
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors on damaged files
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        msg = f"`{path}` is not a usable ONNX model ({first}): re-run `thresher train`"
        raise ServingError(msg) from exc


def load_served_model(model_dir: Path, backend: str = "lightgbm") -> TrainedModel:
    """The model directory loaded once, through the allow-listed `load_model`.

    Raises
    ------
    ServingError
        Unknown backend, or `--backend onnx` on a directory without a usable `model.onnx`.
    ModelLoadError
        The directory is incomplete, damaged or holds an artifact of an unexpected type.
    """
    if backend not in BACKENDS:
        msg = f"backend `{backend}` is not known: use lightgbm or onnx"
        raise ServingError(msg)
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        msg = (
            f"model directory `{model_dir}` does not exist: pass a folder written by "
            "`thresher train`"
        )
        raise ServingError(msg)
    model = load_model(model_dir)
    if backend == "lightgbm":
        return model
    onnx_path = model_dir / ONNX_FILE
    if not onnx_path.is_file():
        msg = (
            f"`{model_dir}` has no `{ONNX_FILE}`: serve it with `--backend lightgbm`, or "
            "re-run `thresher train` to export the ONNX twin"
        )
        raise ServingError(msg)
    session = _onnx_session(onnx_path)
    inputs = session.get_inputs()
    width = inputs[0].shape[1] if inputs and len(inputs[0].shape) == 2 else None
    if not inputs or inputs[0].name != ONNX_INPUT or width != len(model.feature_names):
        msg = (
            f"`{onnx_path}` does not take the model's {len(model.feature_names)} features as "
            f"`{ONNX_INPUT}` (files from different runs?): re-run `thresher train`"
        )
        raise ServingError(msg)
    served = OnnxTrainedModel(
        booster=model.booster,
        pipeline=model.pipeline,
        task=model.task,
        input_schema=model.input_schema,
        threshold=model.threshold,
        feature_names=model.feature_names,
        session=session,
    )
    _ = served.compiled_features  # built at start-up, not on the first request
    return served
