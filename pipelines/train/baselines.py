"""Baselines every model must beat: a dummy (class priors / the mean) and a linear model."""

from __future__ import annotations

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

__all__ = ["BASELINE_DESCRIPTIONS", "dummy_predict", "fit_linear", "linear_predict"]

BASELINE_DESCRIPTIONS = {
    "dummy": "predicts the training part's class shares (classes) or mean (regression)",
    "linear": "logistic regression (classes) or ridge (regression) on the linear feature set",
    "lightgbm": "gradient-boosted trees (LightGBM) on the LightGBM feature set",
}


def dummy_predict(y_train: np.ndarray, rows: int, kind: str, classes: int) -> np.ndarray:
    """What the dummy predicts for `rows` rows: class shares (n, K) or the mean (n,)."""
    if kind == "regression":
        return np.full(rows, float(np.mean(y_train)))
    shares = np.bincount(y_train.astype(np.int64), minlength=classes) / len(y_train)
    return np.tile(shares, (rows, 1))


def fit_linear(
    x: np.ndarray,
    y: np.ndarray,
    kind: str,
    *,
    seed: int,
    weights: np.ndarray | None = None,
) -> Pipeline:
    """Median-impute, standardise, clip to +-8 sd, then logistic (classes) or ridge (regression).

    The imputer is a safety net (the linear feature flavour already imputes); the clip keeps a
    validation row far outside the training range (a power-transformed outlier) from sending a
    linear prediction to 1e15.
    """
    model = (
        Ridge(alpha=1.0)
        if kind == "regression"
        else LogisticRegression(C=1.0, max_iter=2000, random_state=seed)
    )
    pipeline = make_pipeline(
        SimpleImputer(strategy="median", keep_empty_features=True),
        StandardScaler(),
        FunctionTransformer(_clip),
        model,
    )
    step = pipeline.steps[-1][0]
    pipeline.fit(x, y, **({f"{step}__sample_weight": weights} if weights is not None else {}))
    return pipeline


def _clip(x: np.ndarray) -> np.ndarray:
    return np.clip(x, -8.0, 8.0)


def linear_predict(pipeline: Pipeline, x: np.ndarray, kind: str, classes: int) -> np.ndarray:
    """Class probabilities (n, K) aligned to codes 0..K-1, or values for regression."""
    if kind == "regression":
        return np.asarray(pipeline.predict(x), dtype=np.float64)
    proba = np.asarray(pipeline.predict_proba(x))
    seen = pipeline.classes_.astype(np.int64)
    full = np.zeros((len(x), classes))
    full[:, seen] = proba
    return full
