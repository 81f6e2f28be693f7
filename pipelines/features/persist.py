"""Saving and loading a fitted `FeaturePipeline` with skops, against an explicit allow-list.

No pickle: skops stores the object tree as JSON plus numpy arrays in a zip. Before loading,
every type named anywhere in that tree (not only those skops itself distrusts: it trusts all
of scikit-learn by default) is checked against `ALLOWED_TYPES`, ours plus the scikit-learn,
skrub, numpy and builtin types a feature pipeline is made of. One unexpected type refuses the
file; only then is it loaded, trusting exactly the types it was checked to hold.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import skops.io

from pipelines.features.errors import FeatureArtifactError
from pipelines.features.pipeline import FeaturePipeline

__all__ = ["ALLOWED_TYPES", "load_feature_pipeline", "save_feature_pipeline", "types_in_file"]

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
        # skrub (dates)
        "skrub._apply_to_cols.ApplyToCols",
        "skrub._apply_to_each_col.ApplyToEachCol",
        "skrub._datetime_encoder.DatetimeEncoder",
        "skrub._datetime_encoder._CircularEncoder",
        "skrub.selectors._base.All",
        # numpy and builtins: containers, arrays and scalars only
        "numpy.ndarray",
        "numpy.dtype",
        "numpy.bool_",
        "numpy.float32",
        "numpy.float64",
        "numpy.int32",
        "numpy.int64",
        "numpy.str_",
        "builtins.bool",
        "builtins.dict",
        "builtins.float",
        "builtins.int",
        "builtins.list",
        "builtins.NoneType",
        "builtins.slice",
        "builtins.str",
        "builtins.tuple",
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


def types_in_file(path: Path) -> set[str]:
    """Every `module.Class` named in a skops file's object tree (read without loading it).

    Raises
    ------
    FeatureArtifactError
        The file is not a readable skops file.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            tree = json.loads(archive.read("schema.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        msg = f"{path}: not a readable skops file ({type(error).__name__}): save it again"
        raise FeatureArtifactError(msg) from error
    found: set[str] = set()
    _collect_types(tree, found)
    return found


def _collect_types(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("__module__"), str) and isinstance(node.get("__class__"), str):
            found.add(f"{node['__module__']}.{node['__class__']}")
        for value in node.values():
            _collect_types(value, found)
    elif isinstance(node, list):
        for value in node:
            _collect_types(value, found)


def load_feature_pipeline(path: Path) -> FeaturePipeline:
    """Load a pipeline saved by `save_feature_pipeline`, refusing unexpected types.

    Raises
    ------
    FeatureArtifactError
        The file is unreadable, holds a type outside `ALLOWED_TYPES`, or is not a
        `FeaturePipeline`.
    """
    named = types_in_file(path)
    try:
        distrusted = set(skops.io.get_untrusted_types(file=path))
    except Exception as error:  # skops raises zip/json/OS errors of its own for a damaged file
        msg = f"{path}: not a readable skops file ({type(error).__name__}): save it again"
        raise FeatureArtifactError(msg) from error
    if not named:
        msg = f"{path}: no object types found in the file; save the feature pipeline again"
        raise FeatureArtifactError(msg)
    unexpected = sorted((named | distrusted) - ALLOWED_TYPES)
    if unexpected:
        listed = ", ".join(f"`{t}`" for t in unexpected)
        msg = (
            f"{path}: refused to load, it holds type(s) outside the feature pipeline's "
            f"allow-list: {listed}; only load feature pipelines saved by thresher"
        )
        raise FeatureArtifactError(msg)
    loaded = skops.io.load(path, trusted=sorted(distrusted))
    if not isinstance(loaded, FeaturePipeline):
        msg = f"{path}: holds a {type(loaded).__name__}, expected a FeaturePipeline"
        raise FeatureArtifactError(msg)
    return loaded
