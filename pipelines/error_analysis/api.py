"""`analyse_errors(model, frame, *, task=, options=)`: the stage's face over a trained model."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from pipelines.columns import ColumnNames
from pipelines.error_analysis.errors import EvaluationDataError
from pipelines.error_analysis.model_input import (
    ModelLike,
    evaluation_from_model,
    ranges_from_schema,
)
from pipelines.error_analysis.options import ErrorAnalysisOptions
from pipelines.error_analysis.quality import TrainingRanges
from pipelines.error_analysis.stage import ErrorAnalysisResult, analyse_evaluation
from pipelines.task import TaskSpec

__all__ = ["analyse_errors"]


def analyse_errors(
    model: ModelLike,
    frame: pl.DataFrame,
    *,
    task: TaskSpec | None = None,
    options: ErrorAnalysisOptions | None = None,
    oof: pl.DataFrame | None = None,
    names: ColumnNames | None = None,
    cell_issue_lines: Iterable[int] | None = None,
    warned_lines: Iterable[int] | None = None,
    ranges: TrainingRanges | None = None,
    oof_source_lines: dict[int, int] | None = None,
) -> ErrorAnalysisResult:
    """Where and why `model` fails on the labelled rows of `frame`.

    Parameters
    ----------
    model
        A trained model (train's `TrainedModel`, from `load_model(model_dir)`).
    frame
        Evaluation rows with the target; `_row` and `_source_line` are kept as row keys.
    task
        Optional: its `sensitive` columns join `options.sensitive`; a `target` must be the
        model's own.
    options
        Sizes, seeds and the sensitive columns.
    oof
        Out-of-fold predictions of the training rows (`_row`, `y_true`, `proba_<class>`).
    names
        Column names with ingest's header mapping: sensitive columns may be given as in the
        source file or normalised.
    cell_issue_lines, warned_lines
        Source lines ingest nulled a cell in, and lines validation warned about.
    ranges
        Training ranges/categories per column for the drift flag (default: the model's
        `input_schema`, when it has one).
    oof_source_lines
        `_row` -> source line for the out-of-fold rows (when the evaluation data is the
        training input).

    Raises
    ------
    EvaluationDataError
        Missing target or sensitive columns, a target that is not the model's, no labelled rows.
    ColumnNotFoundError
        A sensitive column that is not in the data.
    """
    options = options or ErrorAnalysisOptions()
    names = names or ColumnNames(tuple(frame.columns))
    asked = (*options.sensitive, *(task.sensitive if task is not None else ()))
    sensitive = tuple(dict.fromkeys(names.resolve_all(asked, role="sensitive column")))
    if task is not None and task.target is not None:
        target = names.resolve(task.target, role="target column")
        if target != model.task.target:
            msg = (
                f"target `{task.target}` is not the model's target `{model.task.target}`: "
                "analyse the model on the target it was trained for"
            )
            raise EvaluationDataError(msg)
    if ranges is None and getattr(model, "input_schema", None) is not None:
        ranges = ranges_from_schema(model.input_schema)  # type: ignore[attr-defined]
    inputs = evaluation_from_model(
        model,
        frame,
        oof=oof,
        sensitive=sensitive,
        names=names,
        cell_issue_lines=cell_issue_lines,
        warned_lines=warned_lines,
        ranges=ranges,
        oof_source_lines=oof_source_lines,
        batch_rows=options.batch_rows,
    )
    return analyse_evaluation(
        inputs.evaluation,
        options=options.model_copy(update={"sensitive": sensitive}),
        sensitive_frame=inputs.sensitive,
        set_aside=inputs.set_aside,
        notes=tuple(inputs.notes),
    )
