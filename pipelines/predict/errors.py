"""Errors raised when new rows are checked against a model's input schema."""

from __future__ import annotations

from pipelines.errors import ThresherError

__all__ = ["InputSchemaError", "MissingColumnsError", "PredictError"]


class PredictError(ThresherError):
    """Rows could not be predicted as asked."""


class MissingColumnsError(PredictError):
    """The rows lack columns the model was trained with (all of them are named)."""


class InputSchemaError(PredictError):
    """An input schema (`input_schema.json`) is unreadable or inconsistent."""
