"""Leakage checks that associations miss: one-column models, presence, and formulas.

A pairwise association (Cramér's V, eta, |r|) is symmetric and averaged over all rows, so it
misses a column that decides the target for part of the rows only, or one that is computed
from the target together with another column. Three checks, all cross-validated on a seeded
sample of labelled rows (plain numpy; no model library):

- **One-column models** (`alone`, `above_rest`): each column alone predicts the target with a
  binned model (quantile bins for numbers and dates, the frequent values for categories, and
  a bin of its own for nulls, so a gap that tracks the target counts), scored out of fold as
  *skill* on 0..1: 2·AUC-1 (binary), balanced accuracy above chance (multiclass), R²
  (regression). A column is caught when its skill is near perfect alone, or far above the
  skill of the next columns (a feature recorded after the outcome stands out from the rest;
  real predictors come in families of similar strength), provided those columns carry some
  signal (skill 0.05 or more; standing out from noise says nothing).
- **Presence** (`presence`, classes only): the rows where a column is filled (or empty), or
  where a two-valued column holds one of its values, are almost all one class while that
  class is a minority of the rows: a column recorded only when the outcome happened (a
  re-offence date, a charge-off amount, a "violent re-offence" flag).
- **Formula** (`formula`, numeric columns): the column is an almost exact function of the
  target and at most two other columns, and much less so without the target: a value
  computed from the outcome (an instalment from the rate, amount and term). Relations are
  fitted as power laws (linear in logs of positive columns), which covers products, ratios
  and rates; of the columns in one relation, the one with the most distinct values is caught,
  as computed values are rarely round while their inputs usually are.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.profile.associations import codes_of, values_of
from pipelines.profile.models import ColumnProfile, LeakFinding, finite
from pipelines.profile.options import ProfileOptions

__all__ = ["find_leaks"]

_FOLDS = 5
_BINS = 32
_MAX_LEVELS = 64
_SMOOTHING = 5.0
_MIN_ROWS = 50
_REFERENCE_MIN = 0.05
_REFERENCE = 5  # columns whose median skill is the "rest" a column must stand far above
_PRESENCE_MIN_ROWS = 30
_PRESENCE_MIN_SHARE = 0.02
_FORMULA_EXPLAINED = 0.995
_FORMULA_GAIN = 10.0  # the target must shrink the unexplained part at least this much
_FORMULA_MIN_UNEXPLAINED = 0.005  # without the target, at least this much is unexplained
_FORMULA_MIN_DISTINCT = 20
_RIDGE = 1e-9


def find_leaks(
    sample: pl.DataFrame,
    target: ColumnProfile,
    columns: list[ColumnProfile],
    *,
    classes: bool,
    already: set[str],
    opts: ProfileOptions,
) -> list[LeakFinding]:
    """Columns of `sample` that leak `target`, by the three checks; `already` are skipped.

    `sample` is the profile's row sample (collected); at most `opts.leakage_sample_rows` of
    its labelled rows are used. Deterministic: folds are row positions in the sample.
    """
    rows = sample.filter(pl.col(target.name).is_not_null()).head(opts.leakage_sample_rows)
    if rows.height < _MIN_ROWS:
        return []
    features = [c for c in columns if c.name != target.name and c.name not in already]
    y, k = _target_values(rows.get_column(target.name), classes=classes)
    if classes and k < 2:
        return []
    fold = np.arange(rows.height) % _FOLDS
    found: list[LeakFinding] = []
    if classes:
        found += _presence(rows, features, rows.get_column(target.name), y, k, opts)
    caught = {f.column for f in found}
    skills = {
        c.name: _skill(_bins(rows.get_column(c.name), c), y, k, fold)
        for c in features
        if c.name not in caught
    }
    found += _one_column(skills, opts)
    caught |= {f.column for f in found}
    if not classes:
        found += _formulas(rows, features, y, caught, opts)
    return sorted(found, key=lambda f: (-f.score, f.column))


def _target_values(series: pl.Series, *, classes: bool) -> tuple[np.ndarray, int]:
    if classes:
        codes, k = codes_of(series)
        return codes, k
    return values_of(series), 0


def _bins(series: pl.Series, column: ColumnProfile) -> np.ndarray:
    """Bin index per row (0 = null); numbers and dates by quantile, categories by value."""
    if column.semantic_type in ("numeric", "datetime"):
        values = values_of(series)
        present = ~np.isnan(values)
        out = np.zeros(values.shape, dtype=np.int64)
        if present.any():
            edges = np.unique(np.quantile(values[present], np.linspace(0, 1, _BINS + 1)[1:-1]))
            out[present] = 1 + np.searchsorted(edges, values[present], side="right")
        return out
    if column.semantic_type in ("categorical", "boolean"):
        codes, _ = codes_of(series)
        present = codes >= 0
        counts = np.bincount(codes[present]) if present.any() else np.zeros(0, dtype=np.int64)
        frequent = np.argsort(-counts, kind="stable")[:_MAX_LEVELS]
        level = np.full(max(counts.size, 1), _MAX_LEVELS + 1, dtype=np.int64)  # "other"
        level[frequent] = 1 + np.arange(frequent.size)
        out = np.zeros(codes.shape, dtype=np.int64)
        out[present] = level[codes[present]]
        return out
    return series.is_not_null().cast(pl.Int64).to_numpy().astype(np.int64)  # presence only


def _skill(bins: np.ndarray, y: np.ndarray, k: int, fold: np.ndarray) -> float:
    """Out-of-fold skill (0..1) of predicting `y` from `bins` alone with smoothed bin means."""
    if np.unique(bins).size < 2:
        return 0.0
    size = int(bins.max()) + 1
    if k == 0:  # regression
        present = ~np.isnan(y)
        bins, y, fold = bins[present], y[present], fold[present]
        predicted = np.empty(y.shape)
        for f in range(_FOLDS):
            fit, held = fold != f, fold == f
            prior = y[fit].mean()
            sums = np.bincount(bins[fit], weights=y[fit], minlength=size)
            counts = np.bincount(bins[fit], minlength=size)
            means = (sums + _SMOOTHING * prior) / (counts + _SMOOTHING)
            predicted[held] = means[bins[held]]
        total = float(((y - y.mean()) ** 2).sum())
        return max(0.0, 1.0 - float(((y - predicted) ** 2).sum()) / total) if total else 0.0
    probabilities = np.empty((y.size, k))
    for f in range(_FOLDS):
        fit, held = fold != f, fold == f
        prior = np.bincount(y[fit], minlength=k) / max(int(fit.sum()), 1)
        table = np.bincount(bins[fit] * k + y[fit], minlength=size * k).reshape(size, k)
        smoothed = (table + _SMOOTHING * prior) / (table.sum(axis=1, keepdims=True) + _SMOOTHING)
        probabilities[held] = smoothed[bins[held]]
    if k == 2:
        return max(0.0, 2.0 * _auc(probabilities[:, 1], y) - 1.0)
    chosen = probabilities.argmax(axis=1)
    recalls = [float((chosen[y == c] == c).mean()) for c in range(k) if (y == c).any()]
    chance = 1.0 / len(recalls)
    return max(0.0, (float(np.mean(recalls)) - chance) / (1.0 - chance))


def _auc(score: np.ndarray, y: np.ndarray) -> float:
    """ROC AUC by average ranks (ties count half)."""
    ranks = pl.Series(score).rank("average").to_numpy()
    positives = int(y.sum())
    negatives = y.size - positives
    if positives == 0 or negatives == 0:
        return 0.5
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def _one_column(skills: dict[str, float], opts: ProfileOptions) -> list[LeakFinding]:
    found = []
    ordered = sorted(skills.items(), key=lambda item: (-item[1], item[0]))
    for name, skill in ordered:
        if skill >= opts.leakage_alone:
            found.append(
                LeakFinding(
                    column=name,
                    check="alone",
                    score=finite(skill, 4) or 0.0,
                    columns=[name],
                    reason=f"predicts the target almost perfectly on its own (skill {skill:.2f} "
                    "out of fold, where 1 is perfect and 0 is chance)",
                )
            )
    rest = [item for item in ordered if item[1] < opts.leakage_alone]
    for i, (name, skill) in enumerate(rest):
        following = [s for _, s in rest[i + 1 : i + 1 + _REFERENCE]]
        if len(following) < _REFERENCE or skill < opts.leakage_above_rest_min:
            break
        reference = float(np.median(following))
        if reference < _REFERENCE_MIN or skill < opts.leakage_above_rest_ratio * reference:
            break  # when the other columns carry no signal, standing out from them says nothing
        found.append(
            LeakFinding(
                column=name,
                check="above_rest",
                score=finite(skill, 4) or 0.0,
                columns=[name],
                reason=f"predicts the target on its own far better than any other column "
                f"(skill {skill:.2f} out of fold, against {reference:.2f} for the next "
                f"{_REFERENCE} columns; 1 is perfect, 0 is chance)",
            )
        )
    return found


def _label(target: pl.Series, codes: np.ndarray, code: int) -> str:
    """The target value written as `value`, for a class code."""
    return f"`{target[int(np.argmax(codes == code))]}`"


def _sides(series: pl.Series, column: ColumnProfile) -> list[tuple[str, str, np.ndarray]]:
    """(wording, what it gives away, rows): filled and empty, or each value of a flag."""
    sides = []
    if column.nulls:
        filled = series.is_not_null().to_numpy()
        sides += [("is filled", "whether it is filled", filled)]
        sides += [("is empty", "whether it is filled", ~filled)]
    if column.distinct == 2:  # a flag: either value may be set only because of the outcome
        text = series.cast(pl.String)
        for value in text.drop_nulls().unique().sort():
            mask = (text == value).fill_null(value=False).to_numpy()
            sides.append((f"is `{value}`", "its value", mask))
    return sides


def _presence(
    rows: pl.DataFrame,
    features: list[ColumnProfile],
    target: pl.Series,
    y: np.ndarray,
    k: int,
    opts: ProfileOptions,
) -> list[LeakFinding]:
    """Columns whose filled (or empty) rows, or a flag's rows, are almost all one minority class."""
    found = []
    base = np.bincount(y, minlength=k) / y.size
    for column in features:
        for wording, gives, mask in _sides(rows.get_column(column.name), column):
            n = int(mask.sum())
            if n < max(_PRESENCE_MIN_ROWS, _PRESENCE_MIN_SHARE * y.size):
                continue
            counts = np.bincount(y[mask], minlength=k)
            top = int(counts.argmax())
            share = counts[top] / n
            if (
                base[top] > opts.leakage_presence_base
                or _wilson_low(share, n) < opts.leakage_presence
            ):
                continue
            found.append(
                LeakFinding(
                    column=column.name,
                    check="presence",
                    score=finite(float(share), 4) or 0.0,
                    columns=[column.name],
                    reason=f"{wording} in {n:,} sampled rows and {share:.0%} of them have the "
                    f"target {_label(target, y, top)} (against {base[top]:.0%} of all rows), so "
                    f"{gives} gives the answer away",
                )
            )
            break
    return found


def _wilson_low(share: float, n: int, z: float = 1.96) -> float:
    """Lower end of the Wilson 95% interval of a proportion."""
    centre = share + z * z / (2 * n)
    spread = z * np.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return float((centre - spread) / (1 + z * z / n))


def _formulas(
    rows: pl.DataFrame,
    features: list[ColumnProfile],
    y: np.ndarray,
    caught: set[str],
    opts: ProfileOptions,
) -> list[LeakFinding]:
    """Numeric columns almost exactly computed from the target and one or two others."""
    usable = [
        c
        for c in features
        if c.semantic_type in ("numeric", "datetime", "boolean")
        and c.distinct >= 2
        and c.name not in caught
    ]
    present = ~np.isnan(y)
    values: dict[str, np.ndarray] = {}
    for column in usable:
        v = values_of(rows.get_column(column.name))
        if np.isnan(v[present]).any():
            continue  # the relation is fitted on complete rows; gaps would change them per pair
        values[column.name] = np.log(v) if (v[present] > 0).all() else v
    if len(values) < 2 or present.sum() < _MIN_ROWS:
        return []
    t = y[present]
    target_terms = [t, t * t] + ([np.log(t)] if (t > 0).all() else [])
    names = list(values)
    design = np.column_stack([*target_terms, *(values[n][present] for n in names)])
    spread = design.std(axis=0)
    design = (design - design.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    gram = design.T @ design
    target_idx = list(range(len(target_terms)))
    offset = len(target_terms)
    relations: list[tuple[float, str, list[str], float]] = []
    distinct = {c.name: c.distinct for c in usable}
    for i, name in enumerate(names):
        if distinct[name] < _FORMULA_MIN_DISTINCT:
            continue  # a computed value takes many values; few-valued columns are inputs
        own = offset + i
        others = [offset + j for j in range(len(names)) if j != i]
        with_target = _greedy(gram, own, target_idx, others, opts.leakage_formula_partners)
        explained = _explained(gram, own, target_idx + with_target)
        if explained < _FORMULA_EXPLAINED:
            continue
        without = _explained(gram, own, _greedy(gram, own, [], others, len(with_target) or 1))
        unexplained, unexplained_without = 1.0 - explained, 1.0 - without
        if (
            unexplained_without >= _FORMULA_MIN_UNEXPLAINED
            and unexplained * _FORMULA_GAIN <= unexplained_without
        ):
            partners = [names[j - offset] for j in with_target]
            relations.append((explained, name, partners, unexplained_without))
    return _one_per_relation(relations, distinct)


def _greedy(
    gram: np.ndarray, own: int, start: list[int], others: list[int], size: int
) -> list[int]:
    """Forward selection of up to `size` regressors of `own` added to `start`."""
    chosen: list[int] = []
    for _ in range(size):
        candidates = [o for o in others if o not in chosen]
        if not candidates:
            break
        chosen.append(max(candidates, key=lambda o: _explained(gram, own, [*start, *chosen, o])))
    return chosen


def _explained(gram: np.ndarray, own: int, regressors: list[int]) -> float:
    """R² of the least-squares fit of standardised column `own` on `regressors` (from the Gram)."""
    total = gram[own, own]
    if not regressors or total <= 0:
        return 0.0
    a = gram[np.ix_(regressors, regressors)]
    b = gram[regressors, own]
    try:  # a tiny ridge keeps exactly collinear regressors (copies) solvable
        beta = np.linalg.solve(a + _RIDGE * total * np.eye(len(regressors)), b)
    except np.linalg.LinAlgError:
        return 0.0
    return float(min(1.0, max(0.0, (beta @ b) / total)))


def _one_per_relation(
    relations: list[tuple[float, str, list[str], float]], distinct: dict[str, int]
) -> list[LeakFinding]:
    """One finding per group of related columns: the member with the most distinct values."""
    found: list[LeakFinding] = []
    taken: set[str] = set()
    for explained, name, partners, before in sorted(relations, key=lambda r: -distinct[r[1]]):
        if name in taken:
            continue
        taken |= {name, *partners}
        listed = ", ".join(f"`{p}`" for p in partners)
        found.append(
            LeakFinding(
                column=name,
                check="formula",
                score=finite(explained, 4) or 0.0,
                columns=[name, *partners],
                reason=f"is almost exactly a function of the target and {listed} "
                f"(R² {explained:.4f}; {1 - before:.3f} without the target), so it was "
                "computed from the outcome; of the related columns it has the most distinct "
                "values, as computed values do",
            )
        )
    return found
