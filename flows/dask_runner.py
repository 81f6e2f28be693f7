"""`--runner dask`: prefect-dask's DaskTaskRunner on a given scheduler or a LocalCluster.

With no address a process-based LocalCluster starts (2 workers, 1 thread each, no dashboard);
the calling script must guard its entry point with `if __name__ == "__main__":` (the
`thresher` console script does). With an address, tasks run on that cluster's workers, which
must see the same run folder path (shared storage) and have thresher installed.
"""

from __future__ import annotations

from typing import Any

__all__ = ["dask_task_runner"]


def dask_task_runner(address: str | None = None, *, workers: int = 2) -> Any:
    """A DaskTaskRunner for `address` (tcp://HOST:PORT), or a fresh LocalCluster."""
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
        }
    )
