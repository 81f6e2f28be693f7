"""Saving and loading a fitted `FeaturePipeline` with skops, against an explicit allow-list.

No pickle: skops stores the object tree, and loading first lists every type the file would
create (`skops.io.get_untrusted_types`). Any type outside `ALLOWED_TYPES` (ours plus the
scikit-learn, skrub and numpy types the pipeline is built from) refuses the file.
"""

from __future__ import annotations

from pathlib import Path

import skops.io

from pipelines.features.errors import FeatureArtifactError
from pipelines.features.pipeline import FeaturePipeline

__all__ = ["ALLOWED_TYPES", "load_feature_pipeline", "save_feature_pipeline"]

ALLOWED_TYPES = frozenset(
    {
        # ours
        "pipelines.features.pipeline.FeaturePipeline",
        "pipelines.features.transformers.AsCategory",
        "pipelines.features.transformers.AsFloat",
        "pipelines.features.transformers.CrossFeatures",
        "pipelines.features.transformers.FrequencyEncoder",
        # scikit-learn
        "sklearn.compose._column_transformer.ColumnTransformer",
        "sklearn.compose._column_transformer._RemainderColsList",
        "sklearn.impute._base.MissingIndicator",
        "sklearn.impute._base.SimpleImputer",
        "sklearn.model_selection._split.KFold",
        "sklearn.model_selection._split.StratifiedKFold",
        "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing._data.PowerTransformer",
        "sklearn.preprocessing._data.StandardScaler",
        "sklearn.preprocessing._encoders.OneHotEncoder",
        "sklearn.preprocessing._encoders.OrdinalEncoder",
        "sklearn.preprocessing._target_encoder.TargetEncoder",
        "sklearn.utils._bunch.Bunch",
        # skrub
        "skrub._apply_to_cols.ApplyToCols",
        "skrub._apply_to_each_col.ApplyToEachCol",
        "skrub._datetime_encoder.DatetimeEncoder",
        "skrub._datetime_encoder._CircularEncoder",
        "skrub.selectors._base.All",
        # numpy / builtins that skops does not trust by default
        "numpy.dtype",
        "builtins.slice",
    }
)
"""Every type a saved feature pipeline may hold, by fully qualified name."""


def save_feature_pipeline(pipeline: FeaturePipeline, path: Path) -> Path:
    """Write the fitted pipeline to `path` (a `.skops` file) and return the path."""
    if not isinstance(pipeline, FeaturePipeline):
        msg = f"expected a fitted FeaturePipeline, got {type(pipeline).__name__}"
        raise FeatureArtifactError(msg)
    skops.io.dump(pipeline, path)
    return path


def load_feature_pipeline(path: Path) -> FeaturePipeline:
    """Load a pipeline saved by `save_feature_pipeline`, refusing unexpected types.

    Raises
    ------
    FeatureArtifactError
        The file is unreadable, holds a type outside `ALLOWED_TYPES`, or is not a
        `FeaturePipeline`.
    """
    try:
        found = skops.io.get_untrusted_types(file=path)
    except Exception as error:  # skops raises zipfile/json/OS errors for a damaged file
        msg = f"{path}: not a readable skops file ({type(error).__name__}): save it again"
        raise FeatureArtifactError(msg) from error
    unexpected = sorted(set(found) - ALLOWED_TYPES)
    if unexpected:
        listed = ", ".join(f"`{t}`" for t in unexpected)
        msg = (
            f"{path}: refused to load, it holds type(s) outside the feature pipeline's "
            f"allow-list: {listed}; only load feature pipelines saved by thresher"
        )
        raise FeatureArtifactError(msg)
    loaded = skops.io.load(path, trusted=found)
    if not isinstance(loaded, FeaturePipeline):
        msg = f"{path}: holds a {type(loaded).__name__}, expected a FeaturePipeline"
        raise FeatureArtifactError(msg)
    return loaded
