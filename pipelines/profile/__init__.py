"""EDA profile stage: `profile(frame, *, task=, reference=, options=) -> ProfileResult`."""

from pipelines.profile.compute import profile
from pipelines.profile.errors import ProfileError, ReferenceMismatchError, TargetNotFoundError
from pipelines.profile.models import Alert, ColumnProfile, Profile, ProfileReport, ProfileResult
from pipelines.profile.options import ProfileOptions

__all__ = [
    "Alert",
    "ColumnProfile",
    "Profile",
    "ProfileError",
    "ProfileOptions",
    "ProfileReport",
    "ProfileResult",
    "ReferenceMismatchError",
    "TargetNotFoundError",
    "profile",
]
