"""Errors of the validation stage; each message is one line naming the place and what to do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipelines.errors import ThresherError

if TYPE_CHECKING:
    from pipelines.validate.models import ValidationResult

__all__ = [
    "PolicyError",
    "SchemaMismatchError",
    "SchemaRefError",
    "ValidateError",
    "ValidationFailed",
]


class ValidateError(ThresherError):
    """Base of the validation stage's errors (bad usage or input: exit code 2)."""


class SchemaRefError(ValidateError):
    """A `module:Model` reference does not name an importable pandera model."""


class PolicyError(ValidateError):
    """A validation policy file is missing or invalid."""


class SchemaMismatchError(ValidateError):
    """The frame does not have the schema's shape: missing columns or uncoercible dtypes."""


class ValidationFailed(ValidateError):
    """The data broke the policy (too many invalid rows); the CLI exits 1.

    The full result (valid rows, quarantine, report) rides along as ``result`` so callers can
    still write the quarantine for review before stopping.
    """

    exit_code = 1

    def __init__(self, message: str, result: ValidationResult) -> None:
        super().__init__(message)
        self.result = result
