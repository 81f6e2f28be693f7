"""Measured prediction latency: the whole `predict` path and the bare booster, 1 row and 1k rows.

Timings belong in the model card (measured figures), never in a stage report.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import polars as pl

from pipelines.predict.run import predict
from pipelines.train.booster import numeric_matrix
from pipelines.train.card import Latency
from pipelines.train.model import TrainedModel

__all__ = ["measure_latency"]


def _median_ms(call: Callable[[], object], repeats: int) -> float:
    call()  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return round(float(np.median(times)) * 1000, 4)


def measure_latency(model: TrainedModel, sample: pl.DataFrame, *, repeats: int = 7) -> Latency:
    """Median time to predict 1 row and 1,000 rows (`sample` repeated to 1,000 when shorter)."""
    if sample.height == 0:
        msg = "latency needs at least one sample row"
        raise ValueError(msg)
    one = sample.head(1)
    copies = -(-1000 // sample.height)
    thousand = pl.concat([sample] * copies).head(1000)
    x_one = numeric_matrix(model.matrix(one))
    x_thousand = numeric_matrix(model.matrix(thousand))
    return Latency(
        predict_one_row_ms=_median_ms(lambda: predict(model, one), repeats),
        predict_per_1k_rows_ms=_median_ms(lambda: predict(model, thousand), repeats),
        booster_one_row_ms=_median_ms(lambda: model.booster.predict(x_one), repeats),
        booster_per_1k_rows_ms=_median_ms(lambda: model.booster.predict(x_thousand), repeats),
        repeats=repeats,
        note=(
            "median of repeated runs on held-out rows, measured on the training machine when "
            "the model was saved; `predict` includes the schema check and the feature pipeline"
        ),
    )
