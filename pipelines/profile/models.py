"""The profile report model (`ProfileReport`, also importable as `Profile`) and `ProfileResult`.

Numbers, strings, lists and dicts only; the report round-trips via JSON.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipelines.stage import DisplaysReport

__all__ = [
    "Alert",
    "AlertKind",
    "Associations",
    "ColumnDrift",
    "ColumnProfile",
    "DatasetSummary",
    "DriftSummary",
    "Histogram",
    "LeakFinding",
    "Matrix",
    "MissingPattern",
    "Missingness",
    "NumericStats",
    "Profile",
    "ProfileReport",
    "ProfileResult",
    "SemanticType",
    "SourceFacts",
    "TargetAssociation",
    "TargetProfile",
    "TextStats",
    "ValueCount",
    "finite",
]

SemanticType = Literal["numeric", "categorical", "boolean", "datetime", "text", "id", "other"]
AlertKind = Literal[
    "constant",
    "near_constant",
    "high_missing",
    "structural_missing",
    "unique",
    "high_cardinality",
    "skewed",
    "zero_inflated",
    "duplicate_rows",
    "duplicate_columns",
    "mixed_types",
    "high_correlation",
    "target_leakage",
    "target_imbalance",
    "repeated_ids",
    "category_variants",
    "impossible_dates",
    "drift",
]


def finite(value: float | None, digits: int = 6) -> float | None:
    """JSON-safe float: None for missing, NaN or infinite; rounded to `digits` significant."""
    if value is None or not math.isfinite(value):
        return None
    if value == 0:
        return 0.0
    return float(f"{value:.{digits}g}")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ValueCount(_Model):
    """One value (as text) and how many rows hold it."""

    value: str
    count: int


class Histogram(_Model):
    """Equal-width bins: `edges` has one more entry than `counts`; labels for dates."""

    edges: list[float]
    counts: list[int]
    labels: list[str] = Field(default_factory=list)


class NumericStats(_Model):
    """Distribution of a numeric (or datetime, as epoch milliseconds) column."""

    minimum: float | None
    maximum: float | None
    mean: float | None
    std: float | None
    skew: float | None
    kurtosis: float | None
    total: float | None
    zeros: int
    negatives: int
    quantiles: dict[str, float | None]
    iqr: float | None
    mad: float | None
    outliers_iqr: int
    outliers_mad: int
    histogram: Histogram | None
    sketch: list[float] = Field(
        default_factory=list, description="Mergeable quantile grid, used by compare mode."
    )
    quantiles_exact: bool = True


class TextStats(_Model):
    """String lengths (characters) and how many values look numeric."""

    min_length: float | None
    mean_length: float | None
    max_length: float | None
    numeric_like: int


class ColumnProfile(_Model):
    """Everything the report shows about one column."""

    name: str
    dtype: str
    semantic_type: SemanticType
    count: int
    nulls: int
    null_share: float
    distinct: int
    distinct_exact: bool
    unique_share: float
    monotonic: Literal["increasing", "decreasing", "none"]
    numeric: NumericStats | None = None
    text: TextStats | None = None
    minimum_label: str | None = None
    maximum_label: str | None = None
    top_values: list[ValueCount] = Field(default_factory=list)
    top_values_exact: bool = True
    tracked_counts: dict[str, int] = Field(
        default_factory=dict, description="Counts of frequent values, used by compare mode."
    )
    repairs: dict[str, int] = Field(default_factory=dict)
    impossible_dates: int = 0
    original_name: str | None = Field(
        None, description="The column's name in the source file, when ingest renamed it."
    )


class Alert(_Model):
    """One finding: what it is, where, and one plain sentence of meaning plus what to do."""

    kind: AlertKind
    column: str | None
    columns: list[str] = Field(default_factory=list)
    severity: Literal["high", "warning", "info"]
    message: str
    value: float | None = None


class Matrix(_Model):
    """Square symmetric matrix over `columns`; None where undefined."""

    method: str
    columns: list[str]
    values: list[list[float | None]]


class MissingPattern(_Model):
    """A set of columns that are null together in `rows` rows."""

    columns: list[str]
    rows: int


class Missingness(_Model):
    """Where nulls are: per column, per row, together."""

    null_cells: int
    null_share: float
    columns_with_nulls: list[str]
    patterns: list[MissingPattern]
    patterns_exact: bool
    nulls_per_row: dict[str, int]
    nullity_correlation: Matrix | None = None


class Associations(_Model):
    """Pairwise association matrices computed on a sample of rows."""

    sample_rows: int
    sampled: bool
    matrices: list[Matrix] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class TargetAssociation(_Model):
    """Strength of one feature's association with the target (0..1)."""

    column: str
    method: str
    value: float
    missingness_value: float | None = None


class LeakFinding(_Model):
    """A column the leakage checks caught, which check caught it, and its figure."""

    column: str
    check: Literal["alone", "above_rest", "presence", "formula"] = Field(
        description="alone: a one-column model is near perfect; above_rest: a one-column "
        "model is far better than any other column's; presence: whether the column is filled "
        "marks one class; formula: the column is almost exactly a function of the target and "
        "the `columns` after it."
    )
    score: float = Field(description="The check's figure (skill 0..1, class share, or R²).")
    columns: list[str] = Field(default_factory=list)
    reason: str = Field(description="What was found, in words (no advice).")


class TargetProfile(_Model):
    """The target's distribution and every feature's association with it."""

    column: str
    task: Literal["classification", "regression"]
    kind: Literal["binary", "multiclass", "regression"] | None = Field(
        None, description="The task kind `resolve_task` decided (None when it could not)."
    )
    decided: str | None = Field(
        None, description="One sentence: what kind was decided and why, or why it could not."
    )
    classes: list[ValueCount] = Field(default_factory=list)
    imbalance_ratio: float | None = None
    associations: list[TargetAssociation] = Field(default_factory=list)
    label_variants: list[list[str]] = Field(
        default_factory=list,
        description="Labels that differ only in case, spaces or a trailing `.`/`,` (most "
        "frequent spelling first); empty when every label is spelled one way.",
    )
    merged_classes: list[ValueCount] = Field(
        default_factory=list,
        description="Class counts with each group of `label_variants` merged into its most "
        "frequent spelling (only when there are variants).",
    )
    leaks: list[LeakFinding] = Field(
        default_factory=list,
        description="Columns the model-based leakage checks caught (beyond associations).",
    )
    merged_imbalance_ratio: float | None = Field(
        None, description="Smallest/largest class share after merging the variants."
    )


class ColumnDrift(_Model):
    """How one column's distribution moved from the reference."""

    column: str
    method: str
    statistic: float | None
    p_value: float | None = None
    psi: float | None = None
    drifted: bool
    note: str = ""


class DriftSummary(_Model):
    """Compare mode: per-column drift and a dataset-level verdict."""

    reference_rows: int
    rows: int
    columns: list[ColumnDrift]
    drifted: list[str]
    share_drifted: float
    verdict: Literal["no drift", "some drift", "drift"]
    method_note: str
    missing_in_current: list[str] = Field(default_factory=list)
    new_in_current: list[str] = Field(default_factory=list)


class DatasetSummary(_Model):
    """Table-level facts."""

    rows: int
    columns: int
    memory_bytes: int
    duplicate_rows: int
    duplicate_share: float
    null_cells: int
    types: dict[str, int]
    batches: int
    streamed: bool


class SourceFacts(_Model):
    """Where the profiled data came from: ingest's counts, header mapping and notes."""

    source: str
    format: str
    rows_read: int
    rows_quarantined: int
    cell_issues: int
    header_mapping: dict[str, str] = Field(
        default_factory=dict, description="Source file name -> normalised column name."
    )
    notes: list[str] = Field(default_factory=list)


class ProfileReport(_Model):
    """The EDA report: JSON-native, deterministic for the same data and options."""

    schema_version: int = 1
    title: str
    dataset: DatasetSummary
    columns: list[ColumnProfile]
    alerts: list[Alert]
    missingness: Missingness
    associations: Associations
    target: TargetProfile | None = None
    drift: DriftSummary | None = None
    ingest: SourceFacts | None = None
    notes: list[str] = Field(default_factory=list)
    options: dict[str, object] = Field(default_factory=dict)

    def to_json_dict(self) -> dict[str, object]:
        """JSON-native dict (for `eda.json`)."""
        return self.model_dump(mode="json")

    def column(self, name: str) -> ColumnProfile:
        """Return the profile of column `name` (KeyError if absent)."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


Profile = ProfileReport
"""The report's earlier name, kept so `from pipelines.profile import Profile` still works."""


@dataclass(frozen=True)
class ProfileResult(DisplaysReport):
    """What `profile()` returns: the report (profiling produces no frames)."""

    report: ProfileReport
