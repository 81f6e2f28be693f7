"""From a trained model and labelled rows to an `EvaluationSet` (the model-directory adapter).

The model is anything shaped like train's `TrainedModel`: a LightGBM `booster`, the fitted
feature `pipeline`, the resolved `task`, the binary `threshold`, the model's `feature_names`
and `matrix(frame)` (the pipeline's numeric output in the booster's column order). Its
binary booster scores the task's positive class, multiclass scores come in `task.classes`
order (train's `model_classes`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import numpy as np
import polars as pl

from pipelines.columns import ColumnNames
from pipelines.error_analysis.batches import DEFAULT_BATCH_ROWS, row_batches
from pipelines.error_analysis.errors import EvaluationDataError
from pipelines.error_analysis.evaluation import EvaluationSet
from pipelines.error_analysis.quality import TrainingRanges, quality_flags
from pipelines.task import ResolvedTask

__all__ = [
    "EvaluationInputs",
    "ModelLike",
    "ModelMatrix",
    "evaluation_from_model",
    "ranges_from_schema",
]

KEY_COLUMNS = ("_row", "_source_line", "_source_file")


class ModelLike(Protocol):
    """What the error analysis needs from a trained model (train's `TrainedModel` fits)."""

    @property
    def booster(self) -> Any:
        """The LightGBM booster."""
        ...

    @property
    def pipeline(self) -> Any:
        """The fitted feature pipeline (`outputs_by_column_`, `input_columns_` when known)."""
        ...

    @property
    def task(self) -> ResolvedTask:
        """The resolved task the model was trained for."""
        ...

    @property
    def threshold(self) -> float | None:
        """Binary: probability of the positive class at which it is predicted."""
        ...

    @property
    def feature_names(self) -> list[str]:
        """The model matrix's columns, in the booster's order."""
        ...

    def matrix(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The model matrix (numeric, in the booster's column order) for `frame`."""
        ...


def _numeric(matrix_frame: pl.DataFrame) -> np.ndarray:
    """The matrix as float32-exact float64 values, as train feeds its booster.

    Same as train.booster.numeric_matrix, so the predictions here equal train's
    test_predictions to the last bit.
    """
    return matrix_frame.select(pl.all().cast(pl.Float32)).to_numpy(order="c").astype(np.float64)


class ModelMatrix:
    """The model matrix of the evaluation rows, built only for the rows asked for.

    `matrix[rows]` (an array of row positions) runs the feature pipeline on those rows; the
    sampled parts (permutation, SHAP) ask for a few thousand, so the whole n x p matrix is
    never held. The feature pipeline is fitted and works row by row, so a row's values do
    not depend on which other rows are transformed with it.
    """

    def __init__(self, model: ModelLike, inputs: pl.DataFrame) -> None:
        self._model = model
        self._inputs = inputs

    def __len__(self) -> int:
        """Number of evaluation rows."""
        return self._inputs.height

    def __getitem__(self, rows: np.ndarray) -> np.ndarray:
        """The float64 model matrix of the rows at positions `rows`, in that order."""
        picked = self._inputs[pl.Series(np.asarray(rows, dtype=np.int64))]
        return _numeric(self._model.matrix(picked))


def _predict_in_batches(
    model: ModelLike, frame: pl.DataFrame, batch_rows: int
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Booster output for every row, `batch_rows` at a time, and the model matrix's columns."""
    raw: np.ndarray | None = None
    names: tuple[str, ...] = ()
    for offset, length in row_batches(frame.height, batch_rows):
        matrix_frame = model.matrix(frame.slice(offset, length))
        names = tuple(matrix_frame.columns)
        batch = np.asarray(model.booster.predict(_numeric(matrix_frame), num_threads=1))
        if raw is None:  # filled in place: no list of parts and no concatenated copy
            raw = np.empty((frame.height, *batch.shape[1:]), dtype=batch.dtype)
        raw[offset : offset + length] = batch
    assert raw is not None
    return raw, names


class EvaluationInputs:
    """An `EvaluationSet` plus what the stage reports about how it was built."""

    def __init__(
        self,
        evaluation: EvaluationSet,
        sensitive: pl.DataFrame,
        set_aside: pl.DataFrame,
        notes: list[str],
    ) -> None:
        self.evaluation = evaluation
        self.sensitive = sensitive
        self.set_aside = set_aside
        self.notes = notes

    @property
    def rows_set_aside(self) -> int:
        """Rows not scored (see `set_aside`)."""
        return self.set_aside.height


def _whole_floats(values: pl.Series) -> bool:
    """Floats that are all whole numbers (1.0 read back from Parquet is the class "1")."""
    if not values.dtype.is_float() or values.null_count() == len(values):
        return False
    return bool(((values == values.round(0)) | values.is_null()).all())


def _class_text(values: pl.Series, *, whole_floats: bool) -> pl.Series:
    if values.dtype == pl.Boolean:
        return values.replace_strict({True: "true", False: "false"}, return_dtype=pl.String)
    if whole_floats:
        return values.cast(pl.Int64).cast(pl.String)
    return values.cast(pl.String)


def _class_codes(
    values: pl.Series, classes: Sequence[str], batch_rows: int = DEFAULT_BATCH_ROWS
) -> pl.Series:
    """Class index per value (null for a class not in `classes`), `batch_rows` at a time.

    Batches keep the text form of the labels (one string per row) to a batch.
    """
    codes = {label: code for code, label in enumerate(classes)}
    whole_floats = _whole_floats(values)
    parts = [
        _class_text(values.slice(offset, length), whole_floats=whole_floats).replace_strict(
            codes, default=None, return_dtype=pl.Int64
        )
        for offset, length in row_batches(len(values), batch_rows)
    ]
    if not parts:
        return pl.Series(values.name, [], dtype=pl.Int64)
    return pl.concat(parts, rechunk=True)


def _probabilities(raw: np.ndarray, task: ResolvedTask) -> tuple[np.ndarray, int]:
    """Booster output -> n x k probabilities in `task.classes` order, and the booster's class."""
    if task.kind == "binary":
        positive = task.classes.index(task.positive_label or task.classes[-1])
        proba = np.empty((len(raw), 2))
        proba[:, positive] = raw
        proba[:, 1 - positive] = 1 - raw
        return proba, positive
    return np.asarray(raw, dtype=np.float64), 1


def _sources(model: ModelLike) -> dict[str, str]:
    outputs = getattr(model.pipeline, "outputs_by_column_", None) or {}
    return {name: column for column, names in outputs.items() for name in names}


def _feature_columns(model: ModelLike, frame: pl.DataFrame) -> list[str]:
    used = list(getattr(model.pipeline, "input_columns_", None) or [])
    if used:
        return [c for c in used if c in frame.columns]
    return [c for c in frame.columns if c not in (*KEY_COLUMNS, model.task.target)]


def ranges_from_schema(schema: Any) -> TrainingRanges:
    """Training ranges from train's `InputSchema` (columns with min/max or categories)."""
    out: dict[str, tuple[float, float] | frozenset[str]] = {}
    for column in getattr(schema, "columns", None) or []:
        name = getattr(column, "name", None)
        categories = getattr(column, "categories", None)
        low, high = getattr(column, "min", None), getattr(column, "max", None)
        if name is None:
            continue
        if categories:
            out[name] = frozenset(str(c) for c in categories)
        elif isinstance(low, int | float) and isinstance(high, int | float):
            out[name] = (float(low), float(high))
    return out


def _oof_arrays(
    oof: pl.DataFrame, task: ResolvedTask, source_lines: dict[int, int] | None
) -> dict[str, np.ndarray | None]:
    columns = [f"proba_{c}" for c in task.classes]
    missing = [c for c in ("_row", "y_true", *columns) if c not in oof.columns]
    if missing:
        listed = ", ".join(f"`{c}`" for c in missing)
        msg = (
            f"out-of-fold predictions lack {listed} (expected `_row`, `y_true` and one "
            "`proba_<class>` per class, as train writes): re-run training"
        )
        raise EvaluationDataError(msg)
    codes = _class_codes(oof.get_column("y_true"), task.classes)
    every = codes.null_count() == 0  # then no boolean-mask copy of the OOF arrays is made
    keep = slice(None) if every else codes.is_not_null().to_numpy()
    rows = oof.get_column("_row").to_numpy()[keep]
    lines = None
    if "_source_line" in oof.columns:
        lines = oof.get_column("_source_line").to_numpy()[keep]
    elif source_lines is not None:
        lines = np.array([source_lines.get(int(r), -1) for r in rows], dtype=np.float64)
        lines[lines < 0] = np.nan
    probabilities = oof.select(pl.col(columns).cast(pl.Float64)).to_numpy()
    return {
        "oof_y_true": codes.to_numpy()[keep].astype(np.int64, copy=False),
        "oof_probabilities": probabilities[keep],
        "oof_rows": rows,
        "oof_source_lines": lines,
    }


def evaluation_from_model(
    model: ModelLike,
    frame: pl.DataFrame,
    *,
    oof: pl.DataFrame | None = None,
    sensitive: Iterable[str] = (),
    names: ColumnNames | None = None,
    cell_issue_lines: Iterable[int] | None = None,
    warned_lines: Iterable[int] | None = None,
    ranges: TrainingRanges | None = None,
    oof_source_lines: dict[int, int] | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> EvaluationInputs:
    """Predict `frame` with `model` and gather everything the analysis needs.

    `frame` holds the evaluation rows with their target (and optionally `_row`,
    `_source_line`). Rows without a target, or with a class the model never saw, are set
    aside and counted. Collects nothing lazily: `frame` is in memory.

    Raises
    ------
    EvaluationDataError
        The target or a sensitive column is missing, or no row has a usable target.
    """
    task = model.task
    target = task.target
    sensitive = tuple(sensitive)
    missing = [c for c in (target, *sensitive) if c not in frame.columns]
    if missing:
        listed = ", ".join(f"`{c}`" for c in missing)
        msg = (
            f"the evaluation data lacks {listed} ({frame.width} columns): pass labelled rows "
            "with the columns the model was trained on"
        )
        raise EvaluationDataError(msg)
    if "_row" not in frame.columns:
        frame = frame.with_row_index("_row").with_columns(pl.col("_row").cast(pl.Int64))
    notes: list[str] = []
    values = frame.get_column(target)
    target_codes = (
        None if task.kind == "regression" else _class_codes(values, task.classes, batch_rows)
    )
    if target_codes is None:
        usable = values.cast(pl.Float64, strict=False).is_not_null()
    else:
        usable = target_codes.is_not_null()
    set_aside = frame.height - int(usable.sum())
    keys = [c for c in KEY_COLUMNS if c in frame.columns]
    aside = frame.filter(~usable).select(
        *keys,
        pl.when(pl.col(target).is_null())
        .then(pl.lit("missing_target"))
        .otherwise(pl.lit("unseen_class"))
        .alias("_reason"),
    )
    if set_aside:
        unseen = int((values.is_not_null() & ~usable).sum())
        notes.append(
            f"{set_aside:,} evaluation rows set aside: {set_aside - unseen:,} without a target"
            + (f", {unseen:,} with a class the model never saw" if unseen else "")
            + "."
        )
        frame = frame.filter(usable)
        target_codes = None if target_codes is None else target_codes.filter(usable)
    if frame.height == 0:
        msg = f"no evaluation row has a usable `{target}`: pass labelled rows"
        raise EvaluationDataError(msg)
    raw, matrix_names = _predict_in_batches(model, frame, batch_rows)
    if task.kind == "regression":
        y_true = frame.get_column(target).cast(pl.Float64).to_numpy()
        predicted = raw.astype(np.float64)
        probabilities, booster_class = None, 1
    else:
        assert target_codes is not None
        y_true = target_codes.to_numpy().astype(np.int64)
        probabilities, booster_class = _probabilities(raw, task)
        if task.kind == "binary":
            cut = 0.5 if model.threshold is None else model.threshold
            predicted = np.where(
                probabilities[:, booster_class] >= cut, booster_class, 1 - booster_class
            )
        else:
            predicted = probabilities.argmax(axis=1)
    columns = _feature_columns(model, frame)
    features = frame.select(columns)
    lines = frame.get_column("_source_line").to_numpy() if "_source_line" in frame.columns else None
    oof_arrays = (
        _oof_arrays(oof, task, oof_source_lines)
        if oof is not None and (task.kind != "regression")
        else {}
    )
    evaluation = EvaluationSet(
        task=task,
        y_true=y_true,
        predicted=predicted,
        probabilities=probabilities,
        features=features,
        transformed=ModelMatrix(model, frame.drop(target, *keys)),
        transformed_names=matrix_names,
        booster=model.booster,
        feature_sources=_sources(model),
        booster_class=booster_class,
        rows=frame.get_column("_row").to_numpy(),
        source_lines=lines,
        quality_flags=quality_flags(
            features,
            source_lines=lines,
            cell_issue_lines=cell_issue_lines,
            warned_lines=warned_lines,
            ranges=ranges,
        ),
        threshold=model.threshold if task.kind == "binary" else None,
        names=names,
        **oof_arrays,  # type: ignore[arg-type]
    )
    return EvaluationInputs(evaluation, frame.select(sensitive), aside, notes)
