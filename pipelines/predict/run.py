"""`predict`: check rows against the training schema, predict the good ones, quarantine the rest."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from pipelines.train.frames import KEY_COLUMNS, ROW, model_classes, prediction_frame, with_row_key
from pipelines.train.model import TrainedModel, load_model

__all__ = ["PredictOptions", "PredictReport", "PredictResult", "predict"]


class PredictOptions(BaseModel):
    """Options of `predict`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    keep_columns: tuple[str, ...] = Field(
        (), description="Input columns copied next to the predictions (e.g. an order ID)."
    )


class PredictReport(BaseModel):
    """Rows in = predicted + quarantined; what the schema check said; what was predicted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: int = 1
    kind: str
    rows_in: int
    rows_predicted: int
    rows_quarantined: int
    quarantine_reasons: dict[str, int] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    threshold: float | None = None
    prediction_counts: dict[str, int] = Field(
        default_factory=dict, description="Classifiers: rows predicted per class."
    )


@dataclass(frozen=True)
class PredictResult:
    """Predictions (`_row`, `_source_line` when present, `prediction`, `proba_*`) and quarantine."""

    predictions: pl.DataFrame
    quarantine: pl.DataFrame
    report: PredictReport


_DEFAULTS = PredictOptions()


def predict(
    model_or_dir: TrainedModel | Path | str,
    frame: pl.DataFrame,
    *,
    options: PredictOptions = _DEFAULTS,
) -> PredictResult:
    """Predict every row that fits the model's input schema; quarantine the others with a reason.

    Raises
    ------
    ModelLoadError
        `model_or_dir` is a folder that is not a complete, trusted model directory.
    MissingColumnsError
        Columns the model needs are absent (one error naming all of them).
    """
    model = (
        model_or_dir if isinstance(model_or_dir, TrainedModel) else load_model(Path(model_or_dir))
    )
    keyed = with_row_key(frame)
    key_names = [c for c in KEY_COLUMNS if c in keyed.columns]
    kept_names = [c for c in options.keep_columns if c in keyed.columns and c not in key_names]
    keys = keyed.select([*key_names, *kept_names])
    conformed = model.input_schema.conform(keyed.drop(key_names))
    quarantine_positions = _positions(conformed.quarantine)
    good = conformed.data.get_column(ROW).cast(pl.Int64).to_numpy()
    if len(good) + len(quarantine_positions) != keyed.height:
        msg = (
            f"input schema check accounted for {len(good) + len(quarantine_positions)} of "
            f"{keyed.height} rows: report this as a bug"
        )
        raise RuntimeError(msg)
    inputs = conformed.data.drop([c for c in KEY_COLUMNS if c in conformed.data.columns])
    predicted = model.predict_frame(inputs) if inputs.height else _no_predictions(model)
    predictions = pl.concat([keys[good], predicted], how="horizontal")
    quarantine = _quarantine_with_keys(conformed.quarantine, keys)
    reasons: dict[str, int] = {}
    if quarantine.height and "_reason" in quarantine.columns:
        for reason, count in quarantine.group_by("_reason").len().sort("_reason").iter_rows():
            reasons[str(reason)] = int(count)
    counts: dict[str, int] = {}
    if model.task.kind != "regression" and predictions.height:
        for label, count in predictions.group_by("prediction").len().sort("prediction").iter_rows():
            counts[str(label)] = int(count)
    report = PredictReport(
        kind=model.task.kind,
        rows_in=keyed.height,
        rows_predicted=predictions.height,
        rows_quarantined=len(quarantine_positions),
        quarantine_reasons=reasons,
        warnings=list(conformed.warnings),
        threshold=model.threshold,
        prediction_counts=counts,
    )
    return PredictResult(predictions, quarantine, report)


def _no_predictions(model: TrainedModel) -> pl.DataFrame:
    """`predict_frame`'s columns with no rows (every row quarantined: the pipeline needs >= 1)."""
    width = 0 if model.task.kind == "regression" else len(model_classes(model.task))
    scores = np.empty((0, width)) if width else np.empty(0)
    return prediction_frame(pl.DataFrame(), scores, model.task, threshold=model.threshold)


def _quarantine_with_keys(quarantine: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """The schema check's quarantine (`_row` = position) with the input's key columns in front."""
    if quarantine.height == 0:  # the join's columns and dtypes, without running it
        return keys.head(0).hstack(quarantine.drop(ROW).get_columns())
    position = "__position"
    found = quarantine.rename({ROW: position}).with_columns(pl.col(position).cast(pl.Int64))
    lookup = keys.with_row_index(position).with_columns(pl.col(position).cast(pl.Int64))
    joined = found.join(lookup, on=position, how="left", maintain_order="left")
    rest = [c for c in found.columns if c != position]
    return joined.select([*keys.columns, *rest])


def _positions(quarantine: pl.DataFrame) -> np.ndarray:
    """Row positions of quarantined rows, sorted (one per row even when a row has two reasons)."""
    if quarantine.height == 0:
        return np.array([], dtype=np.int64)
    return np.unique(quarantine.get_column(ROW).cast(pl.Int64).to_numpy())
