"""The few transformers scikit-learn and skrub do not provide, polars in and polars out.

Ours, and why:

- `AsFloat`: polars-native cast to Float64 with nulls as NaN (booleans become 0/1). sklearn's
  `FunctionTransformer` would round-trip through numpy and lose the column dtype contract.
- `AsCategory`: casts a column to text and names its nulls `(missing)`, so a gap ("no garage")
  becomes a category of its own before sklearn's encoders see it (they would otherwise call
  it `None`, and `OneHotEncoder` would name a column `x_None`).
- `FrequencyEncoder`: share of training rows holding each category; sklearn has none, and
  skrub's encoders target text similarity, not counts.
- `CrossFeatures`: explicit crosses named in the config. sklearn's `PolynomialFeatures` crosses
  every pair of numbers and cannot cross categories.

Each follows sklearn's contract: `__init__` only stores parameters, learned state ends in `_`,
`fit` returns `self`, `transform` starts with `check_is_fitted` and never mutates its input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from pipelines.features.errors import FeatureInputError

__all__ = ["MISSING", "AsCategory", "AsFloat", "CrossFeatures", "FrequencyEncoder", "cross_name"]

MISSING = "(missing)"
"""The category a null becomes."""


def _as_polars(X: Any, who: str) -> pl.DataFrame:
    if not isinstance(X, pl.DataFrame):
        msg = f"{who} expects a polars DataFrame, got {type(X).__name__}: pass a polars frame"
        raise FeatureInputError(msg)
    return X


def _require(X: pl.DataFrame, columns: Sequence[str], who: str) -> None:
    missing = [c for c in columns if c not in X.columns]
    if missing:
        listed = ", ".join(f"`{c}`" for c in missing)
        msg = f"{who}: the frame lacks column(s) {listed} seen in fit: pass every input column"
        raise FeatureInputError(msg)


class _PolarsTransformer(TransformerMixin, BaseEstimator):
    """Shared fit bookkeeping: remember the input columns; names out = names in."""

    def _remember(self, X: pl.DataFrame) -> None:
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = len(X.columns)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output column names (the input names)."""
        check_is_fitted(self, "feature_names_in_")
        return np.asarray(self.feature_names_in_, dtype=object)

    def _checked(self, X: Any) -> pl.DataFrame:
        check_is_fitted(self, "feature_names_in_")
        frame = _as_polars(X, type(self).__name__)
        _require(frame, list(self.feature_names_in_), type(self).__name__)
        return frame.select(list(self.feature_names_in_))


class AsFloat(_PolarsTransformer):
    """Cast every column to Float64; nulls (and unparsable values) become NaN."""

    def fit(self, X: pl.DataFrame, y: Any = None) -> AsFloat:
        """Remember the columns."""
        self._remember(_as_polars(X, "AsFloat"))
        return self

    def transform(self, X: pl.DataFrame) -> pl.DataFrame:
        """Float64 columns, NaN where missing."""
        frame = self._checked(X)
        return frame.select(
            pl.col(c).cast(pl.Float64, strict=False).fill_null(float("nan")) for c in frame.columns
        )


class AsCategory(_PolarsTransformer):
    """Cast every column to text (`true`/`false` for booleans); nulls become `(missing)`."""

    def fit(self, X: pl.DataFrame, y: Any = None) -> AsCategory:
        """Remember the columns."""
        self._remember(_as_polars(X, "AsCategory"))
        return self

    def transform(self, X: pl.DataFrame) -> pl.DataFrame:
        """String columns without nulls."""
        frame = self._checked(X)
        return frame.select(pl.col(c).cast(pl.String).fill_null(MISSING) for c in frame.columns)


class FrequencyEncoder(_PolarsTransformer):
    """Replace each category by the share of training rows that hold it (unseen: 0.0)."""

    def fit(self, X: pl.DataFrame, y: Any = None) -> FrequencyEncoder:
        """Count each column's categories on the training rows."""
        frame = _as_polars(X, "FrequencyEncoder")
        self._remember(frame)
        rows = max(frame.height, 1)
        self.frequencies_: dict[str, dict[str, float]] = {}
        for name in frame.columns:
            counts = frame.get_column(name).cast(pl.String).fill_null(MISSING).value_counts()
            self.frequencies_[name] = {
                str(value): count / rows for value, count in counts.sort(name).iter_rows()
            }
        return self

    def transform(self, X: pl.DataFrame) -> pl.DataFrame:
        """Float64 shares; categories unseen in fit get 0.0."""
        frame = self._checked(X)
        return frame.select(
            pl.col(c)
            .cast(pl.String)
            .fill_null(MISSING)
            .replace_strict(self.frequencies_[c], default=0.0, return_dtype=pl.Float64)
            for c in frame.columns
        )


def cross_name(first: str, second: str) -> str:
    """Name of the feature crossing `first` and `second`."""
    return f"{first}_x_{second}"


class CrossFeatures(_PolarsTransformer):
    """Add one column per pair: the product of two numbers, else `a=value|b=value` text.

    Parameters
    ----------
    pairs
        Column pairs to cross; the new columns are named `cross_name(a, b)`.
    """

    def __init__(self, pairs: tuple[tuple[str, str], ...] = ()) -> None:
        self.pairs = pairs

    def fit(self, X: pl.DataFrame, y: Any = None) -> CrossFeatures:
        """Check the pairs' columns exist and decide product or category per pair."""
        frame = _as_polars(X, "CrossFeatures")
        _require(frame, sorted({c for pair in self.pairs for c in pair}), "CrossFeatures")
        self._remember(frame)
        self.numeric_pairs_ = [
            frame.schema[a].is_numeric() and frame.schema[b].is_numeric() for a, b in self.pairs
        ]
        return self

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The input names followed by one name per cross."""
        check_is_fitted(self, "numeric_pairs_")
        crosses = [cross_name(a, b) for a, b in self.pairs]
        return np.asarray([*self.feature_names_in_, *crosses], dtype=object)

    def transform(self, X: pl.DataFrame) -> pl.DataFrame:
        """The input columns plus the crosses."""
        frame = self._checked(X)
        added = []
        for (a, b), numeric in zip(self.pairs, self.numeric_pairs_, strict=True):
            if numeric:
                expr = pl.col(a).cast(pl.Float64) * pl.col(b).cast(pl.Float64)
            else:
                expr = pl.format(
                    "{}={}|{}={}",
                    pl.lit(a),
                    pl.col(a).cast(pl.String).fill_null(MISSING),
                    pl.lit(b),
                    pl.col(b).cast(pl.String).fill_null(MISSING),
                )
            added.append(expr.alias(cross_name(a, b)))
        return frame.with_columns(added) if added else frame
