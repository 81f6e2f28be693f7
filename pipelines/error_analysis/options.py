"""Parameters of the error-analysis stage: one frozen model with defaults and descriptions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from pipelines.error_analysis.batches import DEFAULT_BATCH_ROWS

__all__ = ["ErrorAnalysisOptions"]


class ErrorAnalysisOptions(BaseModel):
    """How to analyse a model's errors; `ErrorAnalysisOptions()` suits any table.

    The `*_rows` sizes bound the expensive parts (bootstrap, permutation, SHAP, cohort tree);
    whenever one samples, the report says so in `sampling`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field("Error analysis", description="Report title.")
    seed: int = Field(0, description="Seed of every sample and bootstrap (reports diff cleanly).")
    sensitive: tuple[str, ...] = Field(
        (), description="Columns describing people (race, sex) for the fairness section."
    )
    bootstrap: int = Field(200, ge=10, le=5000, description="Bootstrap resamples per metric.")
    bootstrap_rows: int = Field(
        200_000, ge=1_000, description="Rows resampled by the bootstrap (scaled above it)."
    )
    confidence: float = Field(0.95, gt=0.5, lt=1, description="Level of every interval.")
    calibration_bins: int = Field(10, ge=3, le=50, description="Bins of the calibration curve.")
    slice_bins: int = Field(5, ge=2, le=20, description="Quantile bins per numeric feature.")
    slice_categories: int = Field(
        8, ge=1, le=50, description="Top categories per text feature; the rest become `other`."
    )
    max_slice_features: int = Field(
        40, ge=1, description="Most features sliced (the most important first)."
    )
    min_slice_rows: int = Field(
        30, ge=1, description="A slice or group with fewer rows is marked small."
    )
    cohort_depth: int = Field(3, ge=1, le=5, description="Depth of the error-cohort tree.")
    cohort_min_share: float = Field(
        0.02, gt=0, lt=0.5, description="Smallest cohort, as a share of the rows."
    )
    cohort_rows: int = Field(
        200_000, ge=1_000, description="Rows the cohort tree is fitted on (rules count all)."
    )
    worst_examples: int = Field(25, ge=1, le=500, description="Worst rows listed by loss.")
    permutation_rows: int = Field(
        20_000, ge=100, description="Rows used for permutation importance."
    )
    permutation_repeats: int = Field(3, ge=1, le=20, description="Shuffles per feature.")
    shap_rows: int = Field(5_000, ge=100, description="Rows explained with SHAP (pred_contrib).")
    top_features: int = Field(12, ge=1, le=50, description="Features in the SHAP summary.")
    beeswarm_points: int = Field(
        250, ge=10, le=2000, description="Sampled points per feature in the SHAP summary."
    )
    label_suspects: int = Field(50, ge=1, le=1000, description="Label suspects listed.")
    max_oof_rows: int = Field(
        2_000_000, ge=1_000, description="Out-of-fold rows given to cleanlab (sampled above)."
    )
    threshold_steps: int = Field(19, ge=3, le=99, description="Thresholds in the binary sweep.")
    batch_rows: int = Field(
        DEFAULT_BATCH_ROWS,
        ge=1,
        description=(
            "Rows per batch for the parts that read every row (prediction, cohort, slice and "
            "fairness counts): their memory follows this, not the row count."
        ),
    )
