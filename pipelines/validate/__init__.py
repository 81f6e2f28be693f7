"""Validation stage: pandera schemas over polars, a quarantine with reasons, and a policy.

Great Expectations lives behind `pipelines.validate.gx_adapter` (imported on demand: it is slow).
"""

from pipelines.validate.errors import (
    PolicyError,
    SchemaMismatchError,
    SchemaRefError,
    ValidateError,
    ValidationFailed,
)
from pipelines.validate.loading import load_policy, resolve_schema
from pipelines.validate.models import (
    CheckSummary,
    GxRunSummary,
    SampleRow,
    ValidateOptions,
    ValidationPolicy,
    ValidationReport,
    ValidationResult,
)
from pipelines.validate.stage import validate

__all__ = [
    "CheckSummary",
    "GxRunSummary",
    "PolicyError",
    "SampleRow",
    "SchemaMismatchError",
    "SchemaRefError",
    "ValidateError",
    "ValidateOptions",
    "ValidationFailed",
    "ValidationPolicy",
    "ValidationReport",
    "ValidationResult",
    "load_policy",
    "resolve_schema",
    "validate",
]
