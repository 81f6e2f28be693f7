"""Error analysis stage: where and why a model fails (`analyse_errors`)."""

from pipelines.error_analysis.api import analyse_errors
from pipelines.error_analysis.cohorts import cohort_expression
from pipelines.error_analysis.errors import (
    ErrorAnalysisError,
    EvaluationDataError,
    ModelDirectoryError,
)
from pipelines.error_analysis.evaluation import QUALITY_DESCRIPTIONS, EvaluationSet
from pipelines.error_analysis.model_input import (
    ModelLike,
    evaluation_from_model,
    ranges_from_schema,
)
from pipelines.error_analysis.models import ErrorAnalysisReport
from pipelines.error_analysis.options import ErrorAnalysisOptions
from pipelines.error_analysis.quality import quality_flags, training_ranges
from pipelines.error_analysis.stage import ErrorAnalysisResult, analyse_evaluation

__all__ = [
    "QUALITY_DESCRIPTIONS",
    "ErrorAnalysisError",
    "ErrorAnalysisOptions",
    "ErrorAnalysisReport",
    "ErrorAnalysisResult",
    "EvaluationDataError",
    "EvaluationSet",
    "ModelDirectoryError",
    "ModelLike",
    "analyse_errors",
    "analyse_evaluation",
    "cohort_expression",
    "evaluation_from_model",
    "quality_flags",
    "ranges_from_schema",
    "training_ranges",
]
