"""Errors raised by the profile stage; each message names the column and what to do."""

from __future__ import annotations

from pipelines.errors import ThresherError

__all__ = ["ProfileError", "ReferenceMismatchError", "TargetNotFoundError"]


class ProfileError(ThresherError):
    """The data could not be profiled as asked."""


class TargetNotFoundError(ProfileError):
    """The target column named in the options is not in the frame."""


class ReferenceMismatchError(ProfileError):
    """The reference data shares no columns with the data being profiled."""
