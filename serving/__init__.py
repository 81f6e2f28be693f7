"""Serving a trained model over HTTP: `create_app(model_dir)` (FastAPI, no Prefect).

`POST /predict` checks each JSON record against the model's training input schema through
`pipelines.predict.predict` and answers per record; `/health`, `/model`, `/schema`, `/metrics`.
"""

from serving.app import create_app, request_json_schema
from serving.backends import BACKENDS, OnnxTrainedModel, load_served_model
from serving.errors import ServingError

__all__ = [
    "BACKENDS",
    "OnnxTrainedModel",
    "ServingError",
    "create_app",
    "load_served_model",
    "request_json_schema",
]
