"""Missingness: co-missing patterns, nulls per row, nullity correlation and structure.

Patterns and per-row counts come exactly from the merged batch summary; the nullity
correlation is derived from the patterns (exact while fewer than 1000 patterns exist).
Explaining nulls by a categorical column uses the row sample.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.profile.associations import codes_of, cramers_v
from pipelines.profile.batch import BatchSummary
from pipelines.profile.models import ColumnProfile, Matrix, Missingness, MissingPattern, finite
from pipelines.profile.options import ProfileOptions

__all__ = ["CoMissingGroup", "ExplainedMissing", "missingness", "structural_missingness"]


@dataclass(frozen=True)
class CoMissingGroup:
    """Columns that are null in (nearly) the same rows; `rows` is the first one's nulls."""

    columns: tuple[str, ...]
    rows: int


@dataclass(frozen=True)
class ExplainedMissing:
    """Nulls of `column` follow the levels of `explained_by`."""

    column: str
    explained_by: str
    level: str
    null_share_in_level: float
    strength: float


def _phi(n: int, both: int, a: int, b: int) -> float | None:
    denominator = a * (n - a) * b * (n - b)
    if denominator <= 0:
        return None
    return (n * both - a * b) / math.sqrt(denominator)


def missingness(batch: BatchSummary, opts: ProfileOptions) -> Missingness:
    """Patterns (top 15), nulls per row and the nullity correlation matrix."""
    rows = batch.rows
    null_counts = {name: c.nulls for name, c in batch.columns.items()}
    with_nulls = [n for n, k in null_counts.items() if k]
    ordered = sorted(batch.patterns.items(), key=lambda kv: (-kv[1], kv[0]))
    patterns = [MissingPattern(columns=list(k), rows=v) for k, v in ordered if k][:15]
    partial = [n for n in with_nulls if null_counts[n] < rows][: opts.max_missing_columns]
    matrix = None
    if len(partial) >= 2:
        values: list[list[float | None]] = []
        for a in partial:
            row: list[float | None] = []
            for b in partial:
                both = sum(v for k, v in batch.patterns.items() if a in k and b in k)
                row.append(1.0 if a == b else finite(_phi(rows, both, null_counts[a],
                                                          null_counts[b]), 4))
            values.append(row)
        matrix = Matrix(method="nullity correlation", columns=partial, values=values)
    null_cells = sum(null_counts.values())
    cells = rows * len(null_counts)
    return Missingness(
        null_cells=null_cells,
        null_share=finite(null_cells / cells if cells else 0.0, 4) or 0.0,
        columns_with_nulls=with_nulls,
        patterns=patterns,
        patterns_exact=len(batch.patterns) < 1000,
        nulls_per_row={str(k): v for k, v in sorted(batch.nulls_per_row.items())},
        nullity_correlation=matrix,
    )


def co_missing_groups(missing: Missingness, columns: list[ColumnProfile]) -> list[CoMissingGroup]:
    """Find groups of two or more columns whose nulls coincide (nullity correlation >= 0.95)."""
    matrix = missing.nullity_correlation
    if matrix is None:
        return []
    nulls = {c.name: c.nulls for c in columns}
    seen: set[str] = set()
    groups: list[CoMissingGroup] = []
    for i, a in enumerate(matrix.columns):
        if a in seen:
            continue
        members = [
            b for j, b in enumerate(matrix.columns)
            if b not in seen and (i == j or (matrix.values[i][j] or 0.0) >= 0.95)
        ]
        if len(members) >= 2:
            seen.update(members)
            groups.append(CoMissingGroup(tuple(members), nulls[a]))
    return groups


def structural_missingness(
    sample: pl.DataFrame, columns: list[ColumnProfile], opts: ProfileOptions
) -> list[ExplainedMissing]:
    """Columns whose nulls are (almost) decided by a low-cardinality categorical column."""
    candidates = [c for c in columns if 0 < c.nulls < c.count + c.nulls]
    explainers = [
        c for c in columns
        if c.semantic_type in ("categorical", "boolean") and 2 <= c.distinct <= 20
        and c.null_share <= 0.05
    ]
    found: list[ExplainedMissing] = []
    codes = {c.name: codes_of(sample[c.name]) for c in explainers}
    for col in candidates[: opts.max_missing_columns]:
        indicator = sample[col.name].is_null().cast(pl.Int64).to_numpy().astype(np.int64)
        if indicator.min() == indicator.max():
            continue
        best: ExplainedMissing | None = None
        for ex in explainers:
            if ex.name == col.name:
                continue
            c, k = codes[ex.name]
            strength = cramers_v(indicator, 2, c, k)
            if strength is None or strength < opts.structural_missing:
                continue
            if best is None or strength > best.strength:
                present = c >= 0
                nulls_by = np.bincount(c[present], weights=indicator[present], minlength=k)
                size_by = np.bincount(c[present], minlength=k)
                share = np.divide(nulls_by, size_by, out=np.zeros(k), where=size_by > 0)
                level_code = int(np.argmax(share))
                labels = sample[ex.name].cast(pl.String).to_numpy()[present]
                level = str(labels[c[present] == level_code][0])
                best = ExplainedMissing(col.name, ex.name, level, float(share[level_code]),
                                        strength)
        if best is not None:
            found.append(best)
    return found
