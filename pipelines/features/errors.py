"""Errors raised by the features stage; each message names the column and what to do."""

from __future__ import annotations

from pipelines.errors import ThresherError

__all__ = [
    "FeatureArtifactError",
    "FeatureDtypeError",
    "FeatureInputError",
    "FeaturesError",
]


class FeaturesError(ThresherError):
    """Features could not be built as asked (options, target or data do not fit)."""


class FeatureInputError(FeaturesError):
    """A frame handed to a fitted feature pipeline lacks columns or has the wrong type."""


class FeatureDtypeError(FeaturesError):
    """A frame about to reach LightGBM holds non-numeric columns (LightGBM would abort)."""


class FeatureArtifactError(FeaturesError):
    """A saved feature pipeline holds types outside the allow-list, or is unreadable."""
