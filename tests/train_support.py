"""Small synthetic tables and fast options for the train/predict tests."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from pipelines.train import LearningCurveOptions, LightGBMOptions, TrainOptions

FAST = TrainOptions(
    folds=3,
    lightgbm=LightGBMOptions(
        max_rounds=60, early_stopping_rounds=10, num_leaves=8, min_data_in_leaf=5
    ),
    learning_curve=LearningCurveOptions(sizes=(0.5, 1.0)),
)


def table(rows: int = 240, kind: str = "binary", seed: int = 0) -> pl.DataFrame:
    """Numbers, a text category, a date, an entity ID repeated 3 times, a target, some nulls."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=rows)
    x2 = rng.normal(size=rows)
    colour = rng.choice(["red", "green", "blue"], size=rows)
    signal = x1 + 0.8 * x2 + (colour == "red") * 1.0 + rng.normal(scale=0.4, size=rows)
    if kind == "regression":
        target: list[object] = (signal * 10 + 50).round(3).tolist()
    elif kind == "multiclass":
        target = np.select([signal < -0.5, signal < 0.7], ["low", "mid"], "high").tolist()
    else:
        target = np.where(signal > 0.3, "yes", "no").tolist()
    x1_list: list[float | None] = x1.round(4).tolist()
    for i in range(0, rows, 17):
        x1_list[i] = None
    start = date(2020, 1, 1)
    return pl.DataFrame(
        {
            "x1": x1_list,
            "x2": x2.round(4),
            "colour": colour,
            "day": [start + timedelta(days=int(d)) for d in rng.integers(0, 700, size=rows)],
            "bird_id": [f"B{i // 3:04d}" for i in range(rows)],
            "label": target,
        }
    )
