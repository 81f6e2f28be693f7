"""The worst rows by loss, with their feature values and source line."""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.error_analysis.batches import DEFAULT_BATCH_ROWS, row_batches
from pipelines.error_analysis.evaluation import EvaluationSet
from pipelines.error_analysis.models import WorstExample

__all__ = ["worst_examples"]

_MAX_COLUMNS = 30
_MAX_TEXT = 80


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = f"{value:.6g}" if isinstance(value, float) else str(value)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


def _worst_rows(loss: np.ndarray, keys: np.ndarray, limit: int, batch_rows: int) -> np.ndarray:
    """Positions of the `limit` largest losses (ties by key, then position), batch by batch.

    The overall top rows are among each batch's top rows, so sorting the batches' winners
    gives what one sort of every row gives, without an n-long sort order.
    """
    winners = []
    for offset, length in row_batches(len(loss), batch_rows):
        end = offset + length
        winners.append(offset + np.lexsort((keys[offset:end], -loss[offset:end]))[:limit])
    picked = np.sort(np.concatenate(winners))
    return picked[np.lexsort((keys[picked], -loss[picked]))[:limit]]


def worst_examples(
    evaluation: EvaluationSet,
    loss: np.ndarray,
    limit: int,
    order: list[str],
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> list[WorstExample]:
    """Top `limit` rows by loss (ties by row key); up to 30 feature values, important first."""
    keys = evaluation.row_keys()
    chosen = _worst_rows(loss, keys, limit, batch_rows)
    columns = [c for c in order if c in evaluation.features.columns]
    columns += [c for c in evaluation.features.columns if c not in columns]
    columns = columns[:_MAX_COLUMNS]
    picked = evaluation.features.select(columns)[pl.Series(chosen)]
    out = []
    for position, index in enumerate(chosen):
        record = picked.row(position, named=True)
        if evaluation.is_classifier:
            assert evaluation.probabilities is not None
            actual = evaluation.class_label(int(evaluation.y_true[index]))
            predicted = evaluation.class_label(int(evaluation.predicted[index]))
            p_actual: float | None = round(
                float(evaluation.probabilities[index, int(evaluation.y_true[index])]), 6
            )
        else:
            actual = f"{float(evaluation.y_true[index]):.6g}"
            predicted = f"{float(evaluation.predicted[index]):.6g}"
            p_actual = None
        line = None if evaluation.source_lines is None else evaluation.source_lines[index]
        out.append(
            WorstExample(
                row=int(keys[index]),
                source_line=None if line is None or line != line else int(line),
                actual=actual,
                predicted=predicted,
                probability_of_actual=p_actual,
                loss=round(float(loss[index]), 6),
                values={c: _text(record[c]) for c in columns},
            )
        )
    return out
