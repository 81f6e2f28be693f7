"""Parameters of the features stage: one frozen model with defaults and descriptions."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Encoding", "FeaturesOptions"]

Encoding = Literal[
    "numeric",
    "numeric_power",
    "one_hot",
    "target_encode",
    "frequency",
    "native_categorical",
    "date_parts",
    "drop",
]
"""What a column can be turned into; `features.encodings: {column: encoding}` overrides `auto`."""


class FeaturesOptions(BaseModel):
    """How to turn columns into model features; `FeaturesOptions()` decides everything itself.

    Column names may be given as in the source file or as normalised by ingest.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    keep: tuple[str, ...] = Field(
        default=(),
        description="Columns kept although the profile says drop them (ID-like, constant, "
        "leakage, duplicate, free text).",
    )
    drop: tuple[str, ...] = Field(default=(), description="Columns never used as features.")
    encodings: dict[str, Encoding] = Field(
        default_factory=dict, description="Per-column encoding that overrides `auto`."
    )
    crosses: tuple[tuple[str, str], ...] = Field(
        default=(),
        description="Pairs of columns crossed into one new feature: the product of two "
        "numbers, otherwise the pair of values as one category.",
    )
    drop_ids: bool = Field(default=True, description="Drop columns the profile finds ID-like.")
    drop_constant: bool = Field(default=True, description="Drop columns with a single value.")
    drop_leakage: bool = Field(
        default=True, description="Drop columns the profile flags as target leakage."
    )
    drop_duplicates: bool = Field(
        default=True, description="Drop columns identical to an earlier column."
    )
    max_one_hot: int = Field(
        default=15, ge=2, description="Linear flavour: most categories still one-hot encoded."
    )
    max_native_categories: int = Field(
        default=50,
        ge=2,
        description="LightGBM flavour: most categories still given to LightGBM as native "
        "categoricals; above this a column is target-encoded.",
    )
    high_cardinality_encoding: Literal["target_encode", "frequency"] = Field(
        default="target_encode", description="Encoding for categoricals above the limits."
    )
    rare_min_count: int = Field(
        default=10,
        ge=1,
        description="Categories seen in fewer training rows are grouped into one rare "
        "category (one-hot and native); unseen categories at predict time join it.",
    )
    skew_threshold: float = Field(
        default=1.0,
        gt=0,
        description="Linear flavour: numbers with a larger absolute skew get a Yeo-Johnson "
        "transform instead of plain standardising.",
    )
    text_max_unique_share: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Free text with more distinct values than this share of rows is dropped; "
        "below it, text is target-encoded like a high-cardinality category.",
    )
    text_max_mean_length: float = Field(
        default=40.0, gt=0, description="Text longer than this on average is dropped as prose."
    )
    target_encoding_folds: int = Field(
        default=5, ge=2, description="Folds for out-of-fold target encoding of training rows."
    )
    seed: int = Field(default=0, description="Seed for the target-encoding folds.")
