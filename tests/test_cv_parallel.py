"""CV folds through an injected `map` (`train(..., map_folds=)`): identical to sequential."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from pipelines.task import TaskSpec
from pipelines.train import TrainError, train
from tests.train_support import FAST, table


def pool_map(function: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
    """Folds on a thread pool, finishing in any order (LightGBM releases the GIL)."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        return list(pool.map(function, items))


@pytest.mark.parametrize("kind", ["binary", "multiclass", "regression"])
def test_folds_in_parallel_give_the_sequential_report(kind: str) -> None:
    frame = table(kind=kind)
    spec = TaskSpec(target="label", kind=kind)  # type: ignore[arg-type]
    calls: list[int] = []

    def counting(function: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        calls.append(len(items))
        return pool_map(function, items)

    parallel = train(frame, task=spec, options=FAST, map_folds=counting)
    sequential = train(frame, task=spec, options=FAST)
    assert calls == [FAST.folds]
    assert parallel.report.model_dump() == sequential.report.model_dump()
    assert parallel.oof_predictions.equals(sequential.oof_predictions)
    assert parallel.booster.model_to_string() == sequential.booster.model_to_string()


def test_distributed_dask_without_a_cluster_is_one_clear_error() -> None:
    options = FAST.model_copy(update={"distributed": "dask"})
    with pytest.raises(TrainError, match=r"`dask` but no Dask cluster.*--runner dask"):
        train(table(), task=TaskSpec(target="label"), options=options)
