"""The features report: one decision per input column, JSON-native and deterministic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from pipelines.stage import DisplaysReport

if TYPE_CHECKING:
    from pipelines.features.pipeline import FeaturePipeline

__all__ = ["FeatureDecision", "FeaturesReport", "FeaturesResult"]


class FeatureDecision(BaseModel):
    """What happened to one input column and why, in a plain sentence."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    column: str = Field(..., description="The frame's (normalised) column name.")
    label: str = Field(..., description="`name (Original Name)` when ingest renamed it.")
    semantic_type: str | None = Field(None, description="The profile's semantic type.")
    action: str = Field(
        ...,
        description="numeric, numeric_power, one_hot, target_encode, frequency, "
        "native_categorical, date_parts, or dropped_* / target when not a feature.",
    )
    reason: str
    kept_by_user: bool = Field(
        default=False, description="The profile said drop it; `features.keep` kept it."
    )
    outputs: list[str] = Field(default_factory=list, description="Feature columns it became.")


class FeaturesReport(BaseModel):
    """The features stage's account: what each column became, and the features' names."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: int = 1
    flavour: Literal["lightgbm", "linear"]
    target: str
    task_kind: Literal["binary", "multiclass", "regression"]
    rows: int = Field(..., description="Training rows the pipeline was fitted on.")
    input_columns: int
    feature_names: list[str]
    categorical_features: list[str] = Field(
        default_factory=list, description="Int32-coded columns to give LightGBM as categorical."
    )
    decisions: list[FeatureDecision]
    dropped: dict[str, list[str]] = Field(
        default_factory=dict, description="Action -> columns, for every `dropped_*` action."
    )
    notes: list[str] = Field(default_factory=list)

    def decision(self, column: str) -> FeatureDecision:
        """The decision about input column `column` (KeyError if absent)."""
        for item in self.decisions:
            if item.column == column:
                return item
        raise KeyError(column)


@dataclass(frozen=True)
class FeaturesResult(DisplaysReport):
    """The fitted pipeline, the training rows' features, and the report."""

    pipeline: FeaturePipeline
    data: pl.DataFrame
    report: FeaturesReport
