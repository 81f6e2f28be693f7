"""The cluster a task runs on, as a plain `map(function, items)` the stages can be given.

Stages in `pipelines/` never import Dask: a stage that can spread work takes a `map`-like
callable (`profile(..., map_partitions=)`, `train(..., map_folds=)`). Inside a task that runs
on a Dask worker (`--runner dask`), `cluster_map()` yields one built on
`distributed.worker_client()`, which secedes the task's thread while it waits, so the
sub-tasks can use every worker thread, this one included. Elsewhere it yields None and the
stage runs its sequential path.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.profile import ProfileOptions
from pipelines.train import TrainOptions
from pipelines.train.booster import FinalFit

__all__ = [
    "Map",
    "cluster_map",
    "distributed_fit",
    "on_dask_runner",
    "partitioned_profile_input",
    "worker_address",
    "worker_threads",
]

Map = Callable[[Callable[[Any], Any], Sequence[Any]], list[Any]]


def worker_address() -> str | None:
    """The address of the Dask worker running this code, or None outside a worker."""
    try:
        from distributed import get_worker
    except ImportError:  # pragma: no cover - distributed is a pinned dependency
        return None
    try:
        return str(get_worker().address)
    except ValueError:  # not inside a worker
        return None


def on_dask_runner() -> bool:
    """Whether the current flow run's tasks go to a Dask cluster (prefect-dask's runner)."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    runner = getattr(context, "task_runner", None)
    return type(runner).__name__ == "DaskTaskRunner"


def worker_threads() -> int:
    """Worker threads of the cluster this code runs on (1 outside a Dask worker)."""
    if worker_address() is None:
        return 1
    from distributed import get_client

    return max(1, sum(get_client().nthreads().values()))


@contextmanager
def cluster_map() -> Iterator[Map | None]:
    """A `map` over the Dask cluster when running on a worker, else None (run sequentially).

    Results come back in the order of the items; the first failing item raises its error.
    """
    if worker_address() is None:
        yield None
        return
    from distributed import worker_client

    with worker_client() as client:

        def mapped(function: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
            futures = client.map(function, list(items), pure=False)
            return list(client.gather(futures))

        yield mapped


def partitioned_profile_input(
    data: Path, options: ProfileOptions
) -> tuple[pl.LazyFrame, ProfileOptions]:
    """`data` scanned lazily, with `batch_rows` cut so every worker thread gets a slice."""
    frame = pl.scan_parquet(data)
    rows = frame.select(pl.len()).collect().item()
    per_slice = max(1, math.ceil(rows / worker_threads()))
    return frame, options.model_copy(update={"batch_rows": min(options.batch_rows, per_slice)})


def distributed_fit(options: TrainOptions) -> FinalFit | None:
    """The lightgbm.dask final fit on this worker's cluster, when the options ask for it."""
    if options.distributed != "dask" or worker_address() is None:
        return None
    from distributed import get_client

    from flows.dask_train import dask_final_fit

    return dask_final_fit(get_client())
