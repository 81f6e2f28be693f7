"""`train.options.distributed: dask`: the final LightGBM fit through `lightgbm.dask`.

`dask_final_fit(client)` gives `pipelines.train.train` a `final_fit` with the signature of
`fit_booster`: the training matrix is cut into one block per worker and LightGBM trains
data-parallel across the workers (it opens its own ports on each worker and finds free ones
itself); `to_local().booster_` is the plain `lgb.Booster` the model directory saves as
`model.txt`, so predict and ONNX work on it unchanged.

Every task kind goes through `DaskLGBMRegressor` with our own objective (`binary`,
`multiclass` + `num_class`): `DaskLGBMClassifier` label-encodes each worker's block on its
own, so a block that lacks a class (sorted data, a rare class) would silently renumber the
labels (seen: "Number of classes should be specified" on penguins sorted by species). Our
labels are already class indices 0..K-1, so no encoding is needed.
CV folds stay single-machine fits (run in parallel as whole folds, see `flows.dask_map`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from pipelines.train.booster import BoosterFit, FinalFit, booster_feature_names

__all__ = ["dask_final_fit"]

_SKLEARN_RENAMES = {"seed": "random_state"}
_DROPPED = ("num_threads",)
"""lightgbm.dask uses each worker's own thread count."""


def _estimator_params(params: dict[str, float | int | str | bool], rounds: int) -> dict[str, Any]:
    out: dict[str, Any] = {"n_estimators": rounds}
    for key, value in params.items():
        if key not in _DROPPED:
            out[_SKLEARN_RENAMES.get(key, key)] = value
    return out


def dask_final_fit(client: Any) -> FinalFit:
    """A `final_fit` that trains with lightgbm.dask on `client`'s workers."""

    def fit(
        x: np.ndarray,
        y: np.ndarray,
        *,
        params: dict[str, float | int | str | bool],
        rounds: int,
        feature_names: Sequence[str],
        categorical: Sequence[str] = (),
        weights: np.ndarray | None = None,
    ) -> BoosterFit:
        import dask.array as da
        from lightgbm.dask import DaskLGBMRegressor

        workers = max(1, len(client.scheduler_info()["workers"]))
        rows = max(1, math.ceil(len(x) / workers))
        blocks_x = da.from_array(x, chunks=(rows, x.shape[1]))
        blocks_y = da.from_array(y, chunks=rows)
        blocks_w = None if weights is None else da.from_array(weights, chunks=rows)
        given = list(feature_names)
        names = booster_feature_names(given)
        cats = [names[given.index(c)] for c in categorical if c in given]
        estimator = DaskLGBMRegressor(client=client, **_estimator_params(params, rounds))
        estimator.fit(
            blocks_x,
            blocks_y,
            sample_weight=blocks_w,
            feature_name=names,
            categorical_feature=cats or "auto",
        )
        booster = estimator.to_local().booster_
        return BoosterFit(booster, booster.current_iteration(), str(params["metric"]), [], [])

    return fit
