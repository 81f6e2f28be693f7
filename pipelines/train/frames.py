"""Row keys, target encoding and prediction frames (`_row`, `y_true`, `prediction`, `proba_*`)."""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.task import ResolvedTask

__all__ = [
    "KEY_COLUMNS",
    "ROW",
    "class_text",
    "encode_target",
    "model_classes",
    "prediction_frame",
    "proba_column",
    "with_row_key",
]

ROW = "_row"
KEY_COLUMNS = ("_row", "_source_line", "_source_file")
"""Bookkeeping columns: carried along for joining back, never features."""


def with_row_key(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with `_row` = row position (kept as it is when the input already has one)."""
    if ROW in frame.columns:
        return frame
    return frame.with_row_index(ROW).with_columns(pl.col(ROW).cast(pl.Int64))


def class_text(values: pl.Series) -> pl.Series:
    """Target values as the class text `resolve_task` uses (`true`/`false` for booleans)."""
    if values.dtype == pl.Boolean:
        return values.replace_strict({True: "true", False: "false"}, return_dtype=pl.String)
    return values.cast(pl.String)


def model_classes(task: ResolvedTask) -> list[str]:
    """Classes in the model's code order: `task.classes`, but binary as [negative, positive]."""
    if task.kind == "binary" and task.positive_label is not None:
        negative = next(c for c in task.classes if c != task.positive_label)
        return [negative, task.positive_label]
    return list(task.classes)


def encode_target(values: pl.Series, task: ResolvedTask) -> np.ndarray:
    """Class codes 0..K-1 in `model_classes` order, or float values for regression."""
    if task.kind == "regression":
        return values.cast(pl.Float64).to_numpy()
    codes = {label: code for code, label in enumerate(model_classes(task))}
    return class_text(values).replace_strict(codes, return_dtype=pl.Int64).to_numpy()


def proba_column(label: str) -> str:
    """Column holding the probability of class `label`."""
    return f"proba_{label}"


def prediction_frame(
    keys: pl.DataFrame,
    predicted: np.ndarray,
    task: ResolvedTask,
    *,
    threshold: float | None,
    y_true: np.ndarray | None = None,
) -> pl.DataFrame:
    """Key columns, optional `y_true`, `prediction` and (classifiers) one `proba_<class>` each.

    Binary: `prediction` is the positive class when its probability >= `threshold` (0.5 when
    None). Multiclass: the most probable class. Labels are the classes' text.
    """
    columns: list[pl.Series] = [keys.get_column(c) for c in keys.columns]
    if task.kind == "regression":
        if y_true is not None:
            columns.append(pl.Series("y_true", y_true, dtype=pl.Float64))
        columns.append(pl.Series("prediction", predicted, dtype=pl.Float64))
        return pl.DataFrame(columns)
    classes = model_classes(task)
    labels = np.array(classes, dtype=object)
    if task.kind == "binary":
        cut = 0.5 if threshold is None else threshold
        chosen = (predicted[:, 1] >= cut).astype(np.int64)
    else:
        chosen = np.argmax(predicted, axis=1)
    if y_true is not None:
        columns.append(
            pl.Series("y_true", labels[y_true.astype(np.int64)].tolist(), dtype=pl.String)
        )
    columns.append(pl.Series("prediction", labels[chosen].tolist(), dtype=pl.String))
    for index, label in enumerate(classes):
        columns.append(pl.Series(proba_column(label), predicted[:, index], dtype=pl.Float64))
    return pl.DataFrame(columns)
