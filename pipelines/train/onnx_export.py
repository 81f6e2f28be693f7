"""The booster as ONNX (onnxmltools, opset 15, no ZipMap) and ONNX Runtime predictions.

The graph takes the feature pipeline's output, not raw columns: one float32 input `input` of
shape [N, n_features], columns in `TrainedModel.feature_names` order.
"""

from __future__ import annotations

import lightgbm as lgb
import numpy as np

__all__ = ["ONNX_INPUT", "ONNX_OPSET", "booster_to_onnx", "onnx_predict"]

ONNX_INPUT = "input"
ONNX_OPSET = 15


def booster_to_onnx(booster: lgb.Booster) -> bytes:
    """Serialised ONNX model of `booster` (probabilities as a plain tensor, no ZipMap)."""
    import onnxmltools
    from onnxmltools.convert.common.data_types import FloatTensorType

    features = booster.num_feature()
    model = onnxmltools.convert_lightgbm(
        booster,
        initial_types=[(ONNX_INPUT, FloatTensorType([None, features]))],
        target_opset=ONNX_OPSET,
        zipmap=False,
    )
    return bytes(model.SerializeToString())


def onnx_predict(onnx_model: bytes, x: np.ndarray, kind: str) -> np.ndarray:
    """ONNX Runtime's answer in `predict_booster`'s shape: (n, K) probabilities or (n,) values."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3  # the `label` output's shape warning is harmless
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(onnx_model, options, providers=["CPUExecutionProvider"])
    outputs = session.run(None, {ONNX_INPUT: x.astype(np.float32)})
    if kind == "regression":
        return np.asarray(outputs[0], dtype=np.float64).ravel()
    return np.asarray(outputs[1], dtype=np.float64)
