"""Parameters of the profile stage: one frozen model with defaults and descriptions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ProfileOptions"]


class ProfileOptions(BaseModel):
    """How to profile a frame; `ProfileOptions()` gives sensible defaults for any table.

    Thresholds decide when an alert fires; sizes bound the cost of expensive statistics.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(default="EDA profile", description="Report title.")
    seed: int = Field(default=0, description="Seed for every sample, so reports diff cleanly.")
    batch_rows: int = Field(
        default=500_000, gt=0, description="Rows per batch when streaming a lazy source."
    )
    sample_rows: int = Field(
        default=100_000,
        gt=100,
        description="Rows sampled for pairwise associations and target statistics.",
    )
    histogram_bins: int = Field(default=30, ge=5, le=200, description="Bins per numeric histogram.")
    quantile_points: int = Field(
        default=101, ge=11, le=1001, description="Points in each column's quantile sketch."
    )
    distinct_sketch_size: int = Field(
        default=4096, ge=64, description="K of the k-minimum-values distinct-count sketch."
    )
    tracked_values: int = Field(
        default=10_000, ge=10, description="Most frequent values whose counts are kept."
    )
    top_values: int = Field(default=10, ge=1, le=100, description="Top values shown per column.")
    max_categories: int = Field(
        default=100, ge=2, description="A text column with more distinct values is not a category."
    )
    max_association_columns: int = Field(
        default=60, ge=2, description="Most columns of each kind in the pairwise matrices."
    )
    max_missing_columns: int = Field(
        default=40, ge=2, description="Most columns with nulls in the nullity correlation."
    )
    high_missing: float = Field(
        default=0.3, gt=0, le=1, description="Null share that raises an alert."
    )
    near_constant: float = Field(
        default=0.98, gt=0.5, le=1, description="Share of the top value that is near-constant."
    )
    unique_ratio: float = Field(
        default=0.95, gt=0.5, le=1, description="Distinct/non-null ratio that is ID-like."
    )
    high_cardinality: int = Field(
        default=50, ge=2, description="Distinct values above which text is high-cardinality."
    )
    skew: float = Field(default=2.0, gt=0, description="Absolute skewness that raises an alert.")
    zero_inflated: float = Field(
        default=0.5, gt=0, le=1, description="Share of zeros that is inflated."
    )
    high_correlation: float = Field(
        default=0.95, gt=0, le=1, description="Association between features that is redundant."
    )
    leakage: float = Field(
        default=0.9, gt=0, le=1, description="Association with the target that suggests leakage."
    )
    leakage_checks: bool = Field(
        default=True,
        description="Run the model-based leakage checks (one-column models, presence, "
        "formulas) when there is a target.",
    )
    leakage_sample_rows: int = Field(
        default=20_000, gt=100, description="Most labelled sample rows the leakage checks use."
    )
    leakage_alone: float = Field(
        default=0.95,
        gt=0,
        le=1,
        description="Out-of-fold skill (0 chance, 1 perfect) of a one-column model that is "
        "leakage on its own.",
    )
    leakage_above_rest_min: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Least one-column skill that can count as far above the other columns.",
    )
    leakage_above_rest_ratio: float = Field(
        default=1.6,
        gt=1,
        description="How many times the median skill of the next five columns a column's "
        "one-column skill must reach to be far above the rest.",
    )
    leakage_presence: float = Field(
        default=0.9,
        gt=0.5,
        le=1,
        description="Share of one class (lower 95% bound) among the rows where a column is "
        "filled, or empty, that marks the column as recorded because of the outcome.",
    )
    leakage_presence_base: float = Field(
        default=0.75,
        gt=0,
        le=1,
        description="The presence check applies to classes at most this share of all rows.",
    )
    leakage_formula_partners: int = Field(
        default=2,
        ge=1,
        le=4,
        description="Most other columns in a formula with the target (installment = "
        "f(rate, amount, term) has two).",
    )
    imbalance: float = Field(
        default=0.2, gt=0, le=1, description="Minority/majority ratio that is imbalanced."
    )
    structural_missing: float = Field(
        default=0.9, gt=0, le=1, description="Nullity association that marks structure."
    )
    drift_psi: float = Field(
        default=0.2, gt=0, description="PSI above which a numeric column drifted."
    )
    drift_js: float = Field(
        default=0.1, gt=0, le=1, description="Jensen-Shannon distance that means drifted."
    )
    drift_p_value: float = Field(
        default=0.01, gt=0, lt=1, description="p-value below which a small-sample test drifts."
    )
    drift_large_sample: int = Field(
        default=10_000,
        ge=100,
        description="Above this many rows tests are always significant: use effect sizes.",
    )
    earliest_plausible_date: str = Field(
        default="1900-01-01", description="Dates before this are flagged as impossible."
    )
    latest_plausible_date: str | None = Field(
        default=None, description="Dates after this are impossible; None means the run's day."
    )
