"""Error cohorts: a shallow decision tree that predicts the error, read back as rules.

The tree only proposes the rules. Every number of a cohort is then counted by filtering the
evaluation rows with the rule's polars expression (`cohort_expression`), so the rule shown is
exactly the rule counted, missing values included.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
from scipy.stats import norm

from pipelines.error_analysis.batches import row_batches
from pipelines.error_analysis.binning import fmt_value, interval
from pipelines.error_analysis.evaluation import EvaluationSet
from pipelines.error_analysis.models import Cohort, CohortCondition, SamplingNote
from pipelines.error_analysis.options import ErrorAnalysisOptions

__all__ = ["cohort_counts", "cohort_expression", "cohort_ids", "error_cohorts"]

_ERROR = "__error"


def cohort_expression(conditions: list[CohortCondition]) -> pl.Expr:
    """The polars filter for a rule; `missing=True` lets null values satisfy a condition."""
    expression = pl.lit(True)
    for c in conditions:
        column = pl.col(c.column)
        if c.op == "is_null":
            part = column.is_null()
        elif c.op == "is_not_null":
            part = column.is_not_null()
        elif c.op in ("==", "!="):
            text = column.cast(pl.String)
            part = text == c.value if c.op == "==" else text != c.value
        else:
            part = column <= c.value if c.op == "<=" else column > c.value
        if c.missing:
            part = part | column.is_null()
        expression = expression & part.fill_null(False)
    return expression


def _design(
    features: pl.DataFrame, options: ErrorAnalysisOptions
) -> tuple[np.ndarray, list[tuple[str, str, object]]]:
    """Tree inputs for the rows the tree is fitted on: numbers as floats, top categories one-hot.

    Each design column is (raw column, "number" | "category", category value or None).
    """
    matrices: list[np.ndarray] = []
    meta: list[tuple[str, str, object]] = []
    for column, dtype in features.schema.items():
        series = features.get_column(column)
        if series.null_count() == len(series):
            continue
        if dtype.is_numeric():
            numbers = series.cast(pl.Float64).fill_nan(None).to_numpy().astype(np.float64)
            matrices.append(numbers)
            meta.append((column, "number", None))
        elif dtype in (pl.Boolean, pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
            text = series.cast(pl.String)
            top = (
                text.drop_nulls()
                .value_counts(sort=True, name="n")
                .sort(["n", column], descending=[True, False])
                .get_column(column)
                .head(options.slice_categories)
                .to_list()
            )
            for value in top:
                matrices.append((text == value).fill_null(False).to_numpy().astype(np.float64))
                meta.append((column, "category", value))
    if not matrices:
        return np.empty((features.height, 0)), []
    return np.column_stack(matrices), meta


def _paths(
    tree: object, meta: list[tuple[str, str, object]], features: pl.DataFrame, batch_rows: int
) -> list[list[CohortCondition]]:
    integers = {c for c, d in features.schema.items() if d.is_integer()}
    nullable = {c for c in features.columns if features.get_column(c).null_count() > 0}
    t = tree.tree_  # type: ignore[attr-defined]
    missing_left = getattr(t, "missing_go_to_left", np.ones(t.node_count, dtype=bool))
    out: list[list[CohortCondition]] = []

    def walk(node: int, conditions: list[CohortCondition]) -> None:
        left, right = t.children_left[node], t.children_right[node]
        if left == right:  # a leaf
            out.append(conditions)
            return
        column, kind, value = meta[t.feature[node]]
        threshold = float(t.threshold[node])
        if kind == "number" and not np.isfinite(threshold):  # a split of missing vs present
            go_left = CohortCondition(column=column, op="is_not_null")
            go_right = CohortCondition(column=column, op="is_null")
        elif kind == "category":
            go_left = CohortCondition(
                column=column, op="!=", value=str(value), missing=column in nullable
            )
            go_right = CohortCondition(column=column, op="==", value=str(value), missing=False)
        else:
            cut = _readable_cut(threshold, features.get_column(column), batch_rows)
            if column in integers and float(cut).is_integer():
                cut = int(cut)
            # nulls follow the tree's choice; a column without nulls needs no "(or missing)"
            nulls_left = bool(missing_left[node]) and column in nullable
            nulls_right = not bool(missing_left[node]) and column in nullable
            go_left = CohortCondition(column=column, op="<=", value=cut, missing=nulls_left)
            go_right = CohortCondition(column=column, op=">", value=cut, missing=nulls_right)
        walk(int(left), [*conditions, go_left])
        walk(int(right), [*conditions, go_right])

    walk(0, [])
    return [_simplify(p) for p in out]


def _readable_cut(threshold: float, values: pl.Series, batch_rows: int) -> float:
    """The shortest decimal that splits all the column's values where `threshold` does."""
    below: float | None = None
    above: float | None = None
    for offset, length in row_batches(len(values), batch_rows):
        numbers = values.slice(offset, length).cast(pl.Float64)
        batch_below = numbers.filter(numbers <= threshold).max()
        batch_above = numbers.filter(numbers > threshold).min()
        if batch_below is not None:
            below = float(batch_below) if below is None else max(below, float(batch_below))  # type: ignore[arg-type]
        if batch_above is not None:
            above = float(batch_above) if above is None else min(above, float(batch_above))  # type: ignore[arg-type]
    low = threshold if below is None else below
    high = np.inf if above is None else above
    whole = float(np.floor(threshold))
    if low <= whole < high:
        return whole
    for digits in range(1, 17):
        candidate = float(f"{threshold:.{digits}g}")
        if low <= candidate < high:
            return candidate
    return threshold


def _simplify(conditions: list[CohortCondition]) -> list[CohortCondition]:
    """Keep the tightest bound per column and side; `== v` makes `!= w` on its column moot."""
    equal = {c.column for c in conditions if c.op == "=="}
    # conditions are ANDed: one condition that excludes nulls excludes them for its column
    no_nulls = {c.column for c in conditions if not c.missing}
    conditions = [
        c.model_copy(update={"missing": False}) if c.column in no_nulls else c for c in conditions
    ]
    kept: dict[tuple[str, str, object], CohortCondition] = {}
    for c in conditions:
        if c.op == "!=" and c.column in equal:
            continue
        key = (c.column, c.op, c.value if c.op in ("==", "!=") else None)
        previous = kept.get(key)
        if previous is None:
            kept[key] = c
            continue
        assert isinstance(c.value, float | int) and isinstance(previous.value, float | int)
        tighter = min(previous.value, c.value) if c.op == "<=" else max(previous.value, c.value)
        kept[key] = CohortCondition(
            column=c.column, op=c.op, value=tighter, missing=previous.missing and c.missing
        )
    return list(kept.values())


def _rule_text(conditions: list[CohortCondition], evaluation: EvaluationSet) -> str:
    """Readable rule; a column bounded on both sides reads `low < x ≤ high`."""
    if not conditions:
        return "all rows"
    bounds: dict[str, dict[str, CohortCondition]] = {}
    for c in conditions:
        if c.op in ("<=", ">"):
            bounds.setdefault(c.column, {})[c.op] = c
    parts = []
    done: set[str] = set()
    for c in conditions:
        name = evaluation.label(c.column)
        both = bounds.get(c.column, {})
        if c.op in ("<=", ">") and len(both) == 2:
            if c.column in done:
                continue
            done.add(c.column)
            low, high = both[">"].value, both["<="].value
            assert isinstance(low, float | int) and isinstance(high, float | int)
            text = f"{fmt_value(float(low))} < {name} ≤ {fmt_value(float(high))}"
            parts.append(text + (" (or missing)" if both[">"].missing else ""))
            continue
        if c.op in ("==", "!="):
            text = f"{name} {'=' if c.op == '==' else '≠'} “{c.value}”"
        elif c.op in ("<=", ">"):
            assert isinstance(c.value, float | int)
            text = f"{name} {'≤' if c.op == '<=' else '>'} {fmt_value(float(c.value))}"
        else:
            text = f"{name} is {'missing' if c.op == 'is_null' else 'present'}"
        if c.missing and c.op != "!=":
            text += " (or missing)"
        parts.append(text)
    return " and ".join(parts)


def cohort_ids(features: pl.DataFrame, cohorts: list[Cohort], batch_rows: int) -> pl.Series:
    """Per row, the id of the first cohort whose rule it satisfies (null if none), in batches."""
    if not cohorts or features.width == 0:
        return pl.repeat(None, features.height, dtype=pl.Int64, eager=True).alias("cohort")
    cohort = pl.lit(None, dtype=pl.Int64)
    for c in reversed(cohorts):
        cohort = pl.when(cohort_expression(c.conditions)).then(pl.lit(c.id)).otherwise(cohort)
    parts = [
        # with_columns, not select: a rule with no conditions is a literal, broadcast to the rows
        features.slice(offset, length).with_columns(cohort.alias("cohort")).get_column("cohort")
        for offset, length in row_batches(features.height, batch_rows)
    ]
    return pl.concat(parts, rechunk=True)


def cohort_counts(
    features: pl.DataFrame,
    error: np.ndarray,
    rules: list[list[CohortCondition]],
    batch_rows: int,
) -> list[tuple[int, float, float]]:
    """(rows, sum of error, sum of squared error) of every rule, counted on every row.

    One pass over `batch_rows`-row batches evaluates all rules' polars filters and adds up
    the counts, so no filtered copy of the rows is ever made.
    """
    counts = [(0, 0.0, 0.0)] * len(rules)
    if not rules:
        return counts
    for offset, length in row_batches(features.height, batch_rows):
        batch = features.slice(offset, length).with_columns(
            pl.Series(_ERROR, error[offset : offset + length], dtype=pl.Float64)
        )
        columns = []
        for i, conditions in enumerate(rules):
            # filter, then count: a rule with no conditions is `lit(True)`, whose sum is 1, not n
            members = pl.col(_ERROR).filter(cohort_expression(conditions))
            columns += [
                members.len().alias(f"rows_{i}"),
                members.sum().alias(f"total_{i}"),
                (members**2).sum().alias(f"squares_{i}"),
            ]
        row = batch.select(columns).row(0)
        counts = [
            (
                rows + int(row[3 * i]),
                total + float(row[3 * i + 1] or 0.0),
                squares + float(row[3 * i + 2] or 0.0),
            )
            for i, (rows, total, squares) in enumerate(counts)
        ]
    return counts


def error_cohorts(
    evaluation: EvaluationSet, error: np.ndarray, options: ErrorAnalysisOptions
) -> tuple[list[Cohort], list[SamplingNote]]:
    """Leaves of a depth-`cohort_depth` tree on the raw features, worst first, counted exactly."""
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    n = evaluation.size
    if n < 20:
        return [], []
    notes: list[SamplingNote] = []
    rng = np.random.default_rng(options.seed)
    fit_rows = np.arange(n)
    if n > options.cohort_rows:
        fit_rows = np.sort(rng.choice(n, options.cohort_rows, replace=False))
        notes.append(
            SamplingNote(
                part="error cohorts (tree fit)",
                rows_used=options.cohort_rows,
                rows_available=n,
                method="uniform sample for fitting the tree; every cohort is counted on all rows",
            )
        )
    design, meta = _design(evaluation.features[fit_rows], options)
    if design.shape[1] == 0:
        return [], notes
    leaf = max(
        math.ceil(options.cohort_min_share * len(fit_rows)),
        min(options.min_slice_rows, len(fit_rows) // 4),
        1,
    )
    tree: DecisionTreeClassifier | DecisionTreeRegressor
    if evaluation.is_classifier:
        tree = DecisionTreeClassifier(
            max_depth=options.cohort_depth, min_samples_leaf=leaf, random_state=options.seed
        )
        tree.fit(design, error[fit_rows].astype(np.int64))
    else:
        tree = DecisionTreeRegressor(
            max_depth=options.cohort_depth, min_samples_leaf=leaf, random_state=options.seed
        )
        tree.fit(design, error[fit_rows])
    paths = _paths(tree, meta, evaluation.features, options.batch_rows)
    overall = float(error.mean())
    total_error = float(error.sum())
    z = float(norm.ppf(0.5 + options.confidence / 2))
    counts = cohort_counts(evaluation.features, error, paths, options.batch_rows)
    counted = [
        (c, rows, total, squares)
        for c, (rows, total, squares) in zip(paths, counts, strict=True)
        if rows
    ]
    counted.sort(key=lambda c: (-c[2] / c[1], -c[1]))
    cohorts = []
    for i, (conditions, rows, total, squares) in enumerate(counted, start=1):
        low, high = interval(
            np.array([total]),
            np.array([squares]),
            np.array([rows]),
            rate=evaluation.is_classifier,
            z=z,
        )
        rate = total / rows
        rule = _rule_text(conditions, evaluation)
        cohorts.append(
            Cohort(
                id=i,
                rule=rule,
                conditions=conditions,
                rows=rows,
                coverage=round(rows / n, 6),
                error=round(rate, 6),
                error_share=round(total / total_error, 6) if total_error else 0.0,
                low_interval=round(float(low[0]), 6),
                high_interval=round(float(high[0]), 6),
                lift=round(rate / overall, 6) if overall else 0.0,
                sentence=_sentence(i, rule, rate, overall, rows, float(low[0]), evaluation),
            )
        )
    return cohorts, notes


def _sentence(
    index: int,
    rule: str,
    rate: float,
    overall: float,
    rows: int,
    low: float,
    evaluation: EvaluationSet,
) -> str:
    if evaluation.is_classifier:
        head = f"Cohort {index} ({rule}, {rows:,} rows): {rate:.0%} error vs {overall:.0%} overall"
    else:
        head = f"Cohort {index} ({rule}, {rows:,} rows): MAE {rate:.4g} vs {overall:.4g} overall"
    if low > overall:
        return (
            f"{head}, reliably worse: collect more rows like cohort {index}, check their labels, "
            "or add a feature that tells them apart."
        )
    if rate < overall:
        return f"{head}: the model does well here; no action needed."
    return f"{head}: not reliably different from overall (the interval includes it)."
