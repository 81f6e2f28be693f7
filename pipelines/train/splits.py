"""Splits from the task: a held-out test set plus CV folds on the training part.

Positions are row positions in the frame given to `make_splits` (rows with a target).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    KFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    TimeSeriesSplit,
    train_test_split,
)

from pipelines.train.errors import TrainError

__all__ = ["Fold", "Splits", "entity_overlap", "make_splits"]

Fold = tuple[np.ndarray, np.ndarray]
"""(fit positions, validation positions), both into the training part."""


@dataclass(frozen=True)
class Splits:
    """Test positions, training positions and CV folds over the training part."""

    kind: str
    train: np.ndarray
    test: np.ndarray
    folds: list[Fold]
    notes: tuple[str, ...] = ()


def make_splits(
    y: np.ndarray,
    *,
    kind: str,
    test_size: float,
    folds: int,
    seed: int,
    groups: np.ndarray | None = None,
    order: np.ndarray | None = None,
) -> Splits:
    """Split rows into train/test, and CV folds on train (at least one, for early stopping).

    `y` holds class codes (stratified) or values; `groups` entity keys (group); `order` sortable
    times (time). With `folds < 2` one validation fold (a fifth of the training part) is made.
    """
    rows = len(y)
    if rows < 10:
        msg = f"only {rows} rows have a target: training needs at least 10; add rows"
        raise TrainError(msg)
    positions = np.arange(rows)
    notes: list[str] = []
    n_folds = folds if folds >= 2 else 5
    if kind == "stratified" and int(np.bincount(y.astype(np.int64)).min()) < max(2, n_folds):
        notes.append(
            f"a class has fewer than {max(2, n_folds)} rows: stratified split replaced by random"
        )
        kind = "random"
    if kind == "time":
        assert order is not None
        ranked = positions[np.argsort(order, kind="stable")]
        cut = rows - max(1, round(rows * test_size))
        train, test = np.sort(ranked[:cut]), np.sort(ranked[cut:])
        time_order = np.argsort(order[train], kind="stable")
        splitter = TimeSeriesSplit(n_splits=n_folds)
        cv = [
            (np.sort(time_order[a]), np.sort(time_order[b])) for a, b in splitter.split(time_order)
        ]
    elif kind == "group":
        assert groups is not None
        outer = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
        train, test = next(outer.split(positions, groups=groups))
        cv = _group_folds(y[train], groups[train], n_folds, seed)
    else:
        stratify = y if kind == "stratified" else None
        train, test = train_test_split(
            positions, test_size=test_size, random_state=seed, stratify=stratify
        )
        train, test = np.sort(train), np.sort(test)
        if kind == "stratified":
            splitter_s = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
            cv = list(splitter_s.split(train, y[train]))
        else:
            splitter_k = KFold(n_splits=n_folds, shuffle=True, random_state=seed)
            cv = list(splitter_k.split(train))
    if folds < 2:
        cv = cv[:1]
    return Splits(kind, np.asarray(train), np.asarray(test), cv, tuple(notes))


def _group_folds(y: np.ndarray, groups: np.ndarray, n_folds: int, seed: int) -> list[Fold]:
    distinct = len(np.unique(groups))
    if distinct < n_folds:
        msg = (
            f"the group column has {distinct} entities in the training part: need {n_folds} for CV"
        )
        raise TrainError(msg)
    if y.dtype.kind in "iu":
        try:
            sgkf = StratifiedGroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)
            return list(sgkf.split(y, y, groups))
        except ValueError:
            pass
    gkf = GroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    return list(gkf.split(y, y, groups))


def entity_overlap(
    groups: np.ndarray, train: np.ndarray, test: np.ndarray
) -> tuple[int, int, int, int]:
    """(entities, entities on both sides, train rows of those, test rows of those)."""
    train_keys, test_keys = groups[train], groups[test]
    shared = np.intersect1d(np.unique(train_keys), np.unique(test_keys))
    return (
        len(np.unique(groups)),
        len(shared),
        int(np.isin(train_keys, shared).sum()),
        int(np.isin(test_keys, shared).sum()),
    )
