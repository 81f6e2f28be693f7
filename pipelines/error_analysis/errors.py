"""Errors raised by the error-analysis stage; each names what was expected and what to do."""

from __future__ import annotations

from pipelines.errors import ThresherError

__all__ = [
    "ErrorAnalysisError",
    "EvaluationDataError",
    "ModelDirectoryError",
]


class ErrorAnalysisError(ThresherError):
    """The model's errors could not be analysed as asked."""


class EvaluationDataError(ErrorAnalysisError):
    """The evaluation data does not fit the model: missing target, no rows, wrong shapes."""


class ModelDirectoryError(ErrorAnalysisError):
    """A model directory is missing a file the error analysis needs, or a file is malformed."""
