"""Answer shapes of the server, for the OpenAPI document (answers are built as plain JSON)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ErrorAnswer", "HealthAnswer", "PredictAnswer", "RecordAnswer", "RecordReason"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RecordReason(_Model):
    """Why one record was rejected: the field and what was wrong with it."""

    field: str = Field(..., description="Normalised column name (`*` for the record itself).")
    kind: Literal["wrong_type", "missing_field", "nested_value", "not_a_record"]
    reason: str


class RecordAnswer(_Model):
    """One entry per record, in request order."""

    index: int = Field(..., description="Position of the record in the request (0 for an object).")
    status: Literal["predicted", "rejected"]
    prediction: str | float | None = Field(
        None, description="Class label (classifiers) or value (regression)."
    )
    probabilities: dict[str, float] | None = Field(None, description="Classifiers: per class.")
    notes: list[str] | None = Field(
        None, description="Predicted records: values unseen in training, out of range, ignored."
    )
    reasons: list[RecordReason] | None = Field(None, description="Rejected records only.")


class PredictAnswer(_Model):
    """The answer to `POST /predict` (200: at least one record predicted)."""

    model_config = ConfigDict(frozen=True, extra="forbid", protected_namespaces=())

    kind: str = Field(..., description="binary | multiclass | regression")
    records: int
    predicted: int
    rejected: int
    results: list[RecordAnswer]
    warnings: list[str] = Field(default_factory=list, description="The schema check's notes.")


class ErrorAnswer(_Model):
    """Any refused request: one line; 422 for records also carries each record's reasons."""

    error: str
    results: list[RecordAnswer] | None = None


class HealthAnswer(_Model):
    """`GET /health`."""

    status: Literal["ok"]
    backend: str
    kind: str
    target: str
    classes: list[str]
    features: int
    max_rows: int
    max_body_bytes: int
