"""`train.options.distributed: dask`: the final LightGBM fit through `lightgbm.dask`.

`dask_final_fit(client)` gives `pipelines.train.train` a `final_fit` with the signature of
`fit_booster`: the training matrix is cut into one block per worker, `DaskLGBMClassifier` /
`DaskLGBMRegressor` trains data-parallel across the workers (LightGBM opens its own ports on
each worker and finds free ones itself), and `to_local().booster_` is the plain `lgb.Booster`
the model directory saves as `model.txt`, so predict and ONNX work on it unchanged.
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
_DROPPED = ("num_class", "objective", "metric", "num_threads")
"""Set by the estimator class itself (threads: each Dask worker's own thread count)."""


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
        from lightgbm.dask import DaskLGBMClassifier, DaskLGBMRegressor

        workers = max(1, len(client.scheduler_info()["workers"]))
        rows = max(1, math.ceil(len(x) / workers))
        blocks_x = da.from_array(x, chunks=(rows, x.shape[1]))
        blocks_y = da.from_array(y, chunks=rows)
        blocks_w = None if weights is None else da.from_array(weights, chunks=rows)
        given = list(feature_names)
        names = booster_feature_names(given)
        cats = [names[given.index(c)] for c in categorical if c in given]
        regression = params["objective"] == "regression"
        estimator = (DaskLGBMRegressor if regression else DaskLGBMClassifier)(
            client=client, **_estimator_params(params, rounds)
        )
        if not regression:
            estimator.set_params(objective=params["objective"])
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
