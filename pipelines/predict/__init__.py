"""Predict stage: `predict(model_or_dir, frame)` with the training input schema as the gate.

`pipelines.train` imports `pipelines.predict.schema` (the model carries its input schema), and
`predict` imports `pipelines.train`; so this package's face is loaded on first use
(module `__getattr__`) to keep `import pipelines.predict.schema` free of that cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.predict.run import PredictOptions, PredictReport, PredictResult, predict

__all__ = ["PredictOptions", "PredictReport", "PredictResult", "predict"]


def __getattr__(name: str) -> Any:
    """Load `pipelines.predict.run` when one of its names is first asked for."""
    if name not in __all__:
        raise AttributeError(name)
    from pipelines.predict import run

    return getattr(run, name)
