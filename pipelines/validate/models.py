"""Parameters (the policy) and results of the validation stage: frozen, JSON-able."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from pipelines.stage import DisplaysReport

__all__ = [
    "FAILURES_SCHEMA",
    "CheckSummary",
    "GxRunSummary",
    "SampleRow",
    "Severity",
    "ValidateOptions",
    "ValidationPolicy",
    "ValidationReport",
    "ValidationResult",
]

Severity = Literal["error", "warn"]

FAILURES_SCHEMA: dict[str, pl.DataType] = {
    "row": pl.Int64(),
    "column": pl.String(),
    "check": pl.String(),
    "value": pl.String(),
    "severity": pl.String(),
}
"""One line per failed check per row: the row position in the input, where, what and how bad."""


class ValidationPolicy(BaseModel):
    """How strict validation is; `ValidationPolicy()` quarantines failing rows, fails above 10 %.

    Severity keys are matched most specific first: ``column:check``, ``column``, ``check``.
    A check is named by its kind (``greater_than_or_equal_to``, ``isin``, ``not_nullable``,
    ``field_uniqueness``, ``coerce_dtype``, or a custom check's name) or by its full text
    (``greater_than_or_equal_to(0)``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    severities: dict[str, Severity] = Field(
        default_factory=dict,
        description="`error` sends a failing row to quarantine; `warn` keeps it and reports it.",
    )
    default_severity: Severity = Field(default="error", description="Severity of unlisted checks.")
    max_invalid_fraction: float = Field(
        default=0.1, ge=0.0, le=1.0, description="Largest share of rows that may be quarantined."
    )
    on_exceed: Literal["fail", "warn"] = Field(
        default="fail",
        description="Above `max_invalid_fraction`: `fail` raises ValidationFailed, `warn` reports.",
    )
    sample_rows: int = Field(default=20, ge=0, le=1000, description="Failing rows in the report.")


class ValidateOptions(BaseModel):
    """Options of the validation stage: the policy, and whether Great Expectations runs too."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy: ValidationPolicy = Field(
        default_factory=ValidationPolicy, description="Severities and the invalid-row limit."
    )
    great_expectations: bool = Field(
        default=True,
        description="Also run the schema (and user suites) through Great Expectations and write "
        "offline Data Docs (done by `flows.validate_outputs.run_validate`, which writes files).",
    )


class CheckSummary(BaseModel):
    """How often one check failed on one column."""

    model_config = ConfigDict(frozen=True)

    column: str
    check: str
    severity: Severity
    rows_failed: int
    frame_level: bool = Field(default=False, description="Failed for the whole frame.")
    sample_values: list[str | None] = Field(default_factory=list)


class SampleRow(BaseModel):
    """One quarantined row as text, with every reason it was quarantined."""

    model_config = ConfigDict(frozen=True)

    row: int
    values: dict[str, str | None]
    reasons: list[str]
    source_line: int | None = None
    """Line in the source file, when the data came through ingest with line numbers."""


class GxRunSummary(BaseModel):
    """What the Great Expectations run found (filled in by the GX adapter)."""

    model_config = ConfigDict(frozen=True)

    suite: str
    success: bool
    expectations: int
    expectations_failed: int
    unmapped_checks: list[str] = Field(default_factory=list)


class ValidationReport(BaseModel):
    """The account of one validation run; `rows_in == rows_valid + rows_quarantined` always.

    No timings: the same data gives byte-identical JSON (durations go to the run's `run.json`).
    """

    model_config = ConfigDict(frozen=True)

    schema_version: int = 1
    schema_name: str
    rows_in: int
    rows_valid: int
    rows_quarantined: int
    rows_warned: int = Field(default=0, description="Valid rows that failed only `warn` checks.")
    invalid_fraction: float
    outcome: Literal["passed", "warned", "failed"]
    outcome_reason: str = ""
    checks: list[CheckSummary] = Field(default_factory=list)
    columns: list[str] = Field(default_factory=list)
    sample_rows: list[SampleRow] = Field(default_factory=list)
    policy: ValidationPolicy = ValidationPolicy()
    gx: list[GxRunSummary] = Field(default_factory=list)
    data_docs: str | None = Field(default=None, description="Link to the GX Data Docs.")

    def to_json_dict(self) -> dict[str, object]:
        """JSON-native dict, for `validation.json`."""
        return self.model_dump(mode="json")


@dataclass(frozen=True)
class ValidationResult(DisplaysReport):
    """Rows that passed, rows quarantined with their reasons, and the account of both.

    ``quarantine`` holds the input columns plus ``_row`` (position in the input), ``_reasons``
    (list of structs: column, check, value, severity) and ``_reason`` (the same as one line).
    ``failures`` is every failed check of every row, including `warn` ones on valid rows.
    """

    valid: pl.DataFrame
    quarantine: pl.DataFrame
    report: ValidationReport
    failures: pl.DataFrame
