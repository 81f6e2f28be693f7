"""`FeaturePipeline`: one sklearn transformer that turns a polars frame into numeric features.

It is built from a plan, one `(column, action, reason)` per input column, and assembles
scikit-learn's own pieces (`ColumnTransformer`, `SimpleImputer`, `StandardScaler`,
`PowerTransformer`, `OneHotEncoder`, `OrdinalEncoder`, `TargetEncoder`) plus skrub's
`DatetimeEncoder`, with a few small transformers of ours (`transformers.py`) between them. Every
step runs with `set_output(transform="polars")`, so frames stay polars end to end.

`fit_transform` is the one to use on training rows: `TargetEncoder.fit_transform` cross-fits
(each training row is encoded by a model that never saw it), while `transform` applies the
encoding learned on all training rows to new rows.
"""

from __future__ import annotations

import re
from typing import Any, Literal

import numpy as np
import polars as pl
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    OneHotEncoder,
    OrdinalEncoder,
    PowerTransformer,
    StandardScaler,
    TargetEncoder,
)
from sklearn.utils.validation import check_is_fitted
from skrub import ApplyToCols, DatetimeEncoder

from pipelines.features.errors import FeatureInputError, FeaturesError
from pipelines.features.fitting import fit_column_transformer
from pipelines.features.transformers import (
    AsCategory,
    AsFloat,
    CrossFeatures,
    FrequencyEncoder,
    cross_name,
)

__all__ = ["FEATURE_ACTIONS", "FeaturePipeline", "PlanEntry"]

PlanEntry = tuple[str, str, str]
"""(column, action, reason): what happens to one input column, and why."""

FEATURE_ACTIONS = frozenset(
    {
        "numeric",
        "numeric_power",
        "one_hot",
        "target_encode",
        "frequency",
        "native_categorical",
        "date_parts",
    }
)
"""Actions that turn a column into features; every other action (`dropped_*`, `target`)
leaves the column out."""

_UNSAFE = re.compile(r"[^0-9A-Za-z_]+")
_BLOCK_PREFIX = re.compile(r"^f[0-9]+__")


class FeaturePipeline(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):  # type: ignore[call-arg]
    """Turn a polars frame into all-numeric features (Float64, plus Int32 category codes).

    Output is always polars, whatever sklearn's global `transform_output` says.

    Parameters
    ----------
    plan
        One `(column, action, reason)` per input column; see `FEATURE_ACTIONS`. Crossed
        columns appear under `cross_name(a, b)`.
    target
        The target column: taken from the frame when `fit` gets no `y` (target encoding).
    task_kind
        `binary`, `multiclass` or `regression`: how the target is encoded.
    flavour
        `lightgbm` keeps missing numbers as NaN and gives categories as Int32 codes;
        `linear` imputes (with missing indicators), standardises and one-hot encodes.
    crosses
        Column pairs to cross before encoding.
    rare_min_count
        Categories seen in fewer training rows are grouped into one rare category.
    target_encoding_folds
        Folds for out-of-fold target encoding in `fit_transform`.
    seed
        Seed of the target-encoding folds.

    Attributes
    ----------
    input_columns_ : list[str]
        The columns `transform` needs (before crosses), in order.
    feature_names_out_ : list[str]
        Output columns; ASCII letters, digits and `_` only.
    categorical_features_ : list[str]
        Int32-coded outputs to pass to LightGBM as `categorical_feature`.
    outputs_by_column_ : dict[str, list[str]]
        Input column (or cross) -> the outputs it became.
    decisions_ : list[tuple[str, str, str]]
        The plan: `(column, action, reason)` for every input column.
    """

    def __init__(
        self,
        plan: tuple[PlanEntry, ...] = (),
        *,
        target: str | None = None,
        task_kind: Literal["binary", "multiclass", "regression"] = "regression",
        flavour: Literal["lightgbm", "linear"] = "lightgbm",
        crosses: tuple[tuple[str, str], ...] = (),
        rare_min_count: int = 10,
        target_encoding_folds: int = 5,
        seed: int = 0,
    ) -> None:
        self.plan = plan
        self.target = target
        self.task_kind = task_kind
        self.flavour = flavour
        self.crosses = crosses
        self.rare_min_count = rare_min_count
        self.target_encoding_folds = target_encoding_folds
        self.seed = seed

    # ----------------------------------------------------------------- fitting
    def fit(self, X: pl.DataFrame, y: Any = None) -> FeaturePipeline:
        """Learn every encoding from the training rows `X` (and `y`, or `X[target]`)."""
        self._fit(X, y)
        return self

    def fit_transform(self, X: pl.DataFrame, y: Any = None, **fit_params: Any) -> pl.DataFrame:
        """Fit, and return the training rows' features (target encodings out of fold)."""
        return self._fit(X, y)

    def _fit(self, X: pl.DataFrame, y: Any) -> pl.DataFrame:
        frame = _polars(X)
        if self.flavour not in ("lightgbm", "linear"):
            msg = f"flavour `{self.flavour}` is not known: use `lightgbm` or `linear`"
            raise FeaturesError(msg)
        used = [(c, a) for c, a, _ in self.plan if a in FEATURE_ACTIONS]
        unknown = sorted({a for _, a, _ in self.plan} - FEATURE_ACTIONS)
        unknown = [a for a in unknown if not (a.startswith("dropped") or a == "target")]
        if unknown:
            msg = f"unknown feature action(s) {unknown}: use one of {sorted(FEATURE_ACTIONS)}"
            raise FeaturesError(msg)
        if not used:
            msg = "no column is left to use as a feature: check `features.drop` and `keep`"
            raise FeaturesError(msg)
        used_names = {c for c, _ in used}
        leaking = {cross_name(a, b) for a, b in self.crosses if self.target in (a, b)}
        if self.target is not None and (self.target in used_names or leaking & used_names):
            msg = (
                f"the target `{self.target}` is planned as a feature (or inside a cross): that "
                "would leak the answer; remove it from the plan and the crosses"
            )
            raise FeaturesError(msg)
        crossed = {cross_name(a, b) for a, b in self.crosses}
        raw = list(
            dict.fromkeys(
                [c for c, _ in used if c not in crossed] + [c for p in self.crosses for c in p]
            )
        )
        _require(frame, raw)
        inputs = frame.select(raw)
        self.crosser_ = CrossFeatures(pairs=tuple(self.crosses)).set_output(transform="polars")
        inputs = self.crosser_.fit_transform(inputs)
        target = self._target_values(frame, y, needed=any(a == "target_encode" for _, a in used))
        blocks = [
            (f"f{i}", self._block(action, target), [column])
            for i, (column, action) in enumerate(used)
        ]
        self.column_transformer_ = ColumnTransformer(
            # prefixed names never collide inside sklearn; `_safe_names` strips and de-duplicates
            blocks,
            remainder="drop",
            verbose_feature_names_out=True,
        ).set_output(transform="polars")
        out = fit_column_transformer(
            self.column_transformer_, inputs, target, capped=self._capped_blocks(used)
        )
        self.input_columns_ = raw
        self.n_features_in_ = len(raw)
        self.feature_names_in_ = np.asarray(raw, dtype=object)
        self.decisions_ = list(self.plan)
        names = _safe_names([_BLOCK_PREFIX.sub("", str(n)) for n in out.columns])
        self.feature_names_out_ = names
        self.outputs_by_column_: dict[str, list[str]] = {}
        for i, (column, _action) in enumerate(used):
            part = self.column_transformer_.output_indices_[f"f{i}"]
            self.outputs_by_column_[column] = names[part]
        self.categorical_features_ = [
            n
            for column, action in used
            if action == "native_categorical"
            for n in self.outputs_by_column_[column]
        ]
        return _finish(out, names, set(self.categorical_features_))

    def _capped_blocks(self, used: list[tuple[str, str]]) -> dict[str, tuple[str, int]]:
        """Blocks whose fit depends only on category counts capped at `rare_min_count`."""
        cap = max(self.rare_min_count, 1)
        return {
            f"f{i}": (column, cap)
            for i, (column, action) in enumerate(used)
            if action in ("native_categorical", "one_hot")
        }

    def _target_values(self, frame: pl.DataFrame, y: Any, *, needed: bool) -> np.ndarray | None:
        if y is None:
            if self.target is None or self.target not in frame.columns:
                if needed:
                    msg = (
                        "target encoding needs the target: pass `y`, or a frame holding the "
                        f"target column `{self.target}`"
                    )
                    raise FeaturesError(msg)
                return None
            y = frame.get_column(self.target)
        series = y if isinstance(y, pl.Series) else pl.Series("y", np.asarray(y))
        missing = series.null_count() + (
            int(series.is_nan().sum()) if series.dtype.is_float() else 0
        )
        if missing and needed:
            msg = (
                f"the target is missing in {missing} training row(s): set those rows aside "
                "before fitting features (train does)"
            )
            raise FeaturesError(msg)
        if self.task_kind != "regression":
            return series.cast(pl.String).to_numpy()
        return series.cast(pl.Float64).to_numpy()

    def _block(self, action: str, target: np.ndarray | None) -> Any:
        linear = self.flavour == "linear"
        rare = self.rare_min_count if self.rare_min_count > 1 else None
        if action in ("numeric", "numeric_power"):
            if not linear:
                return AsFloat()
            scale = (
                PowerTransformer(method="yeo-johnson")
                if action == "numeric_power"
                else StandardScaler()
            )
            return Pipeline([("float", AsFloat()), ("impute", _imputer()), ("scale", scale)])
        if action == "date_parts":
            steps: list[tuple[str, Any]] = [
                (
                    "parts",
                    ApplyToCols(DatetimeEncoder(periodic_encoding="circular", add_weekday=True)),
                ),
                ("float", AsFloat()),
            ]
            if linear:
                steps += [("impute", _imputer()), ("scale", StandardScaler())]
            return Pipeline(steps)
        if action == "one_hot":
            encoder: Any = OneHotEncoder(
                handle_unknown="infrequent_if_exist",
                min_frequency=rare,
                sparse_output=False,
                dtype=np.float64,
            )
        elif action == "native_categorical":
            encoder = OrdinalEncoder(
                handle_unknown="use_encoded_value",
                unknown_value=-1,
                encoded_missing_value=-1,
                min_frequency=rare,
                dtype=np.int32,
            )
        elif action == "frequency":
            encoder = FrequencyEncoder()
        else:  # target_encode
            encoder = TargetEncoder(
                target_type="continuous" if self.task_kind == "regression" else self.task_kind,
                cv=self._folds(target),
            )
        return Pipeline([("category", AsCategory()), ("encode", encoder)])

    def _folds(self, target: np.ndarray | None) -> KFold | StratifiedKFold:
        rows = 0 if target is None else len(target)
        folds = max(2, min(self.target_encoding_folds, rows))
        if self.task_kind != "regression" and target is not None:
            _, counts = np.unique(target.astype(str), return_counts=True)
            if counts.min() >= 2:
                folds = max(2, min(folds, int(counts.min())))
                return StratifiedKFold(n_splits=folds, shuffle=True, random_state=self.seed)
        return KFold(n_splits=folds, shuffle=True, random_state=self.seed)

    # ------------------------------------------------------------- transforming
    def transform(self, X: pl.DataFrame) -> pl.DataFrame:
        """Features for new rows: all numeric, in `get_feature_names_out()` order.

        Unseen categories become the rare category (one-hot), code -1 (native; LightGBM
        reads negative codes as missing), the prior (target encoding) or 0.0 (frequency).
        """
        check_is_fitted(self, "column_transformer_")
        frame = _polars(X)
        _require(frame, self.input_columns_)
        inputs = self.crosser_.transform(frame.select(self.input_columns_))
        out = self.column_transformer_.transform(inputs)
        return _finish(out, self.feature_names_out_, set(self.categorical_features_))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns (ASCII letters, digits and `_` only: LightGBM-safe)."""
        check_is_fitted(self, "column_transformer_")
        return np.asarray(self.feature_names_out_, dtype=object)

    def set_output(self, *, transform: str | None = None) -> FeaturePipeline:
        """Accept `polars` (the only output this pipeline gives); kept for sklearn parity."""
        if transform not in (None, "polars"):
            msg = f"FeaturePipeline returns polars frames only, not `{transform}`"
            raise FeaturesError(msg)
        return self


def _imputer() -> SimpleImputer:
    return SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)


def _polars(X: Any) -> pl.DataFrame:
    if not isinstance(X, pl.DataFrame):
        msg = f"FeaturePipeline expects a polars DataFrame, got {type(X).__name__}"
        raise FeatureInputError(msg)
    return X


def _require(frame: pl.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        listed = ", ".join(f"`{c}`" for c in missing)
        msg = (
            f"the frame lacks {len(missing)} column(s) the features need: {listed}; pass the "
            "same columns the pipeline was fitted on"
        )
        raise FeatureInputError(msg)


def _safe_names(names: list[str]) -> list[str]:
    """LightGBM-safe, unique names: `missingindicator_x` -> `x_missing`, rare -> `_rare`."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        if name.startswith("missingindicator_"):
            name = f"{name.removeprefix('missingindicator_')}_missing"
        if name.endswith("_infrequent_sklearn"):
            name = f"{name.removesuffix('_infrequent_sklearn')}_rare"
        safe = _UNSAFE.sub("_", name).strip("_") or "feature"
        candidate, n = safe, 2
        while candidate in seen:
            candidate, n = f"{safe}_{n}", n + 1
        seen.add(candidate)
        out.append(candidate)
    return out


def _finish(out: pl.DataFrame, names: list[str], categorical: set[str]) -> pl.DataFrame:
    """Rename to the safe names; Int32 for category codes, Float64 for everything else."""
    renamed = out.rename(dict(zip(out.columns, names, strict=True)))
    return renamed.select(
        pl.col(n).cast(pl.Int32) if n in categorical else pl.col(n).cast(pl.Float64) for n in names
    )
