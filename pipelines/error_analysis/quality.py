"""Data-quality attribution: error on rows with data problems vs the rest.

Flags are per-row Booleans. Builders here derive them from what earlier stages recorded:
ingest's `cell_issues` (cells nulled because they did not fit the column's type), nulls in
the features (imputed by the model), rows validation warned about, and values outside the
training data (numbers beyond the training range, categories never seen in training).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import polars as pl
from scipy.stats import norm

from pipelines.error_analysis.batches import row_batches
from pipelines.error_analysis.binning import interval
from pipelines.error_analysis.evaluation import QUALITY_DESCRIPTIONS, EvaluationSet
from pipelines.error_analysis.models import DataQualityGroup
from pipelines.error_analysis.options import ErrorAnalysisOptions

__all__ = [
    "TrainingRanges",
    "data_quality",
    "drift_flags",
    "imputed_flags",
    "line_flags",
    "quality_flags",
]

TrainingRanges = Mapping[str, tuple[float, float] | frozenset[str]]
"""Per raw column: (min, max) for numbers or the set of categories (as text) seen in training."""


def imputed_flags(features: pl.DataFrame) -> pl.Series:
    """True where any feature of the row is null (or NaN)."""
    if features.width == 0:
        return pl.Series("imputed", [False] * features.height)
    nulls = [
        (pl.col(c).is_null() | pl.col(c).is_nan()) if d.is_float() else pl.col(c).is_null()
        for c, d in features.schema.items()
    ]
    return features.select(pl.any_horizontal(nulls).alias("imputed")).to_series()


def line_flags(
    source_lines: np.ndarray | None, flagged_lines: Iterable[int], name: str
) -> pl.Series:
    """True for rows whose source line is among `flagged_lines`."""
    if source_lines is None:
        return pl.Series(name, [], dtype=pl.Boolean)
    lines = pl.Series("line", source_lines, dtype=pl.Int64)
    return lines.is_in(pl.Series(list(flagged_lines), dtype=pl.Int64)).fill_null(False).rename(name)


def drift_flags(features: pl.DataFrame, ranges: TrainingRanges) -> pl.Series:
    """True where a number lies outside its training range or a category was unseen."""
    parts: list[pl.Expr] = []
    for column, seen in ranges.items():
        if column not in features.columns:
            continue
        if isinstance(seen, tuple):
            low, high = seen
            parts.append(((pl.col(column) < low) | (pl.col(column) > high)).fill_null(False))
        else:
            text = pl.col(column).cast(pl.String)
            parts.append((~text.is_in(sorted(seen))).fill_null(False) & text.is_not_null())
    if not parts:
        return pl.Series("drift", [False] * features.height)
    return features.select(pl.any_horizontal(parts).alias("drift")).to_series()


def training_ranges(
    reference: pl.DataFrame, *, max_categories: int = 10_000
) -> dict[str, tuple[float, float] | frozenset[str]]:
    """Ranges and categories of the training rows, for `drift_flags`."""
    out: dict[str, tuple[float, float] | frozenset[str]] = {}
    for column, dtype in reference.schema.items():
        series = reference.get_column(column)
        if dtype.is_numeric() and series.drop_nulls().len():
            out[column] = (float(series.min()), float(series.max()))  # type: ignore[arg-type]
        elif dtype in (pl.String, pl.Categorical, pl.Boolean) or isinstance(dtype, pl.Enum):
            values = series.cast(pl.String).drop_nulls().unique()
            if values.len() <= max_categories:
                out[column] = frozenset(values.to_list())
    return out


def quality_flags(
    features: pl.DataFrame,
    *,
    source_lines: np.ndarray | None = None,
    cell_issue_lines: Iterable[int] | None = None,
    warned_lines: Iterable[int] | None = None,
    ranges: TrainingRanges | None = None,
) -> pl.DataFrame:
    """The standard flag frame: ingest_nulled, imputed, validation_warned, drift (when known)."""
    columns = [imputed_flags(features)]
    if cell_issue_lines is not None and source_lines is not None:
        columns.insert(0, line_flags(source_lines, cell_issue_lines, "ingest_nulled"))
    if warned_lines is not None and source_lines is not None:
        columns.append(line_flags(source_lines, warned_lines, "validation_warned"))
    if ranges is not None:
        columns.append(drift_flags(features, ranges))
    return pl.DataFrame(columns)


def _flagged_sums(
    flagged: pl.Series, error: np.ndarray, batch_rows: int
) -> tuple[float, float, float]:
    """Sum and sum of squares of the error on flagged rows, and its sum on the rest."""
    inside = squares = outside = 0.0
    for offset, length in row_batches(len(flagged), batch_rows):
        mask = flagged.slice(offset, length).to_numpy().astype(bool)
        batch = error[offset : offset + length]
        chosen, rest = batch[mask], batch[~mask]
        inside += float(chosen.sum())
        squares += float((chosen**2).sum())
        outside += float(rest.sum())
    return inside, squares, outside


def data_quality(
    evaluation: EvaluationSet, error: np.ndarray, options: ErrorAnalysisOptions
) -> list[DataQualityGroup]:
    """Error of flagged rows vs the rest, per flag, with an interval for the flagged rows."""
    z = float(norm.ppf(0.5 + options.confidence / 2))
    rate = evaluation.is_classifier
    out = []
    flags = evaluation.quality_flags
    for name in flags.columns:
        flagged = flags.get_column(name).fill_null(False)
        description = QUALITY_DESCRIPTIONS.get(name, name.replace("_", " "))
        count = int(flagged.sum())
        if count == 0 or count == len(flagged):
            out.append(
                DataQualityGroup(
                    kind=name,
                    description=description,
                    rows_flagged=count,
                    error_flagged=None if count == 0 else round(float(error.mean()), 6),
                    error_rest=None,
                    low_interval=None,
                    high_interval=None,
                    difference=None,
                    sentence=(
                        f"No {description}."
                        if count == 0
                        else f"Every row is one of the {description}: nothing to compare."
                    ),
                )
            )
            continue
        inside_sum, inside_squares, outside_sum = _flagged_sums(flagged, error, options.batch_rows)
        inside_mean = inside_sum / count
        outside_mean = outside_sum / (len(flagged) - count)
        low, high = interval(
            np.array([inside_sum]),
            np.array([inside_squares]),
            np.array([count]),
            rate=rate,
            z=z,
        )
        difference = float(inside_mean - outside_mean)
        out.append(
            DataQualityGroup(
                kind=name,
                description=description,
                rows_flagged=count,
                error_flagged=round(float(inside_mean), 6),
                error_rest=round(float(outside_mean), 6),
                low_interval=round(float(low[0]), 6),
                high_interval=round(float(high[0]), 6),
                difference=round(difference, 6),
                sentence=_sentence(
                    name,
                    description,
                    count,
                    float(inside_mean),
                    float(outside_mean),
                    float(low[0]),
                    float(high[0]),
                    rate=rate,
                ),
            )
        )
    return out


_ACTIONS = {
    "ingest_nulled": "fix those values at the source (see cell_issues) or teach ingest the format",
    "imputed": "find out why the values are missing and fill them at the source if you can",
    "validation_warned": "review the validation warnings for those rows",
    "drift": "retrain on data that covers these values, or route such rows to review",
}


def _sentence(
    name: str,
    description: str,
    count: int,
    inside: float,
    outside: float,
    low: float,
    high: float,
    *,
    rate: bool,
) -> str:
    shown = f"{inside:.0%} error vs {outside:.0%}" if rate else f"MAE {inside:.4g} vs {outside:.4g}"
    head = f"{count:,} {description}: {shown} on the rest"
    if low > outside:
        action = _ACTIONS.get(name, "review these rows")
        return f"{head}, reliably worse, so the data is part of the problem: {action}."
    if high < outside:
        return f"{head}: these rows are not where the model struggles."
    return f"{head}: no clear difference, so the data problem is not what drives the error."
