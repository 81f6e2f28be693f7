"""EDA profile stage: `profile(frame, target=, reference=, options=) -> Profile`."""

from pipelines.profile.compute import profile
from pipelines.profile.errors import ProfileError, ReferenceMismatchError, TargetNotFoundError
from pipelines.profile.models import Alert, ColumnProfile, Profile
from pipelines.profile.options import ProfileOptions

__all__ = [
    "Alert",
    "ColumnProfile",
    "Profile",
    "ProfileError",
    "ProfileOptions",
    "ReferenceMismatchError",
    "TargetNotFoundError",
    "profile",
]
