"""Profile slices, CV folds and lightgbm.dask on a real LocalCluster of 2 worker processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from pipelines.ingest import ingest
from pipelines.profile import ProfileOptions, profile
from pipelines.task import TaskSpec
from pipelines.train import train
from tests.train_support import FAST, table

pytestmark = [pytest.mark.slow]

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
LOANS = SHARED / "lending_club_loans.csv"


class ClientMap:
    """`map` over a Dask client that remembers which workers held the results."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.workers: set[str] = set()

    def __call__(self, function: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        futures = self.client.map(function, list(items), pure=False)
        results = list(self.client.gather(futures))
        for holders in self.client.who_has(futures).values():
            self.workers.update(holders)
        return results


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as dask_client,
    ):
        yield dask_client


@pytest.mark.skipif(not LOANS.is_file(), reason="needs ../shared/data")
def test_profile_slices_on_two_workers_equal_the_local_merge(client: Any, tmp_path: Path) -> None:
    path = tmp_path / "loans.parquet"
    ingest(str(LOANS)).data.write_parquet(path)
    options = ProfileOptions(batch_rows=2_500)
    on_cluster = ClientMap(client)
    remote = profile(pl.scan_parquet(path), options=options, map_partitions=on_cluster).report
    local = profile(pl.scan_parquet(path), options=options).report
    assert len(on_cluster.workers) == 2  # the slices ran on both worker processes
    assert remote.dataset.batches == 4
    assert remote.to_json_dict() == local.to_json_dict()


def test_cv_folds_on_two_workers_give_the_sequential_model(client: Any) -> None:
    frame = table(kind="multiclass")
    spec = TaskSpec(target="label", kind="multiclass")
    on_cluster = ClientMap(client)
    remote = train(frame, task=spec, options=FAST, map_folds=on_cluster)
    local = train(frame, task=spec, options=FAST)
    assert len(on_cluster.workers) == 2
    assert remote.report.model_dump() == local.report.model_dump()
    assert remote.booster.model_to_string() == local.booster.model_to_string()


@pytest.mark.parametrize("kind", ["binary", "multiclass", "regression"])
def test_lightgbm_dask_final_fit_saves_a_plain_model_that_predicts(
    client: Any, tmp_path: Path, kind: str
) -> None:
    from flows.dask_train import dask_final_fit
    from flows.train_outputs import write_model_dir
    from pipelines.predict import predict

    frame = table(rows=600, kind=kind).sort("label")  # blocks that miss a class
    spec = TaskSpec(target="label", kind=kind)  # type: ignore[arg-type]
    options = FAST.model_copy(update={"distributed": "dask"})
    result = train(frame, task=spec, options=options, final_fit=dask_final_fit(client))
    assert any("lightgbm.dask" in note for note in result.report.notes)
    single = train(frame, task=spec, options=FAST)
    primary = result.report.primary_metric
    # data-parallel LightGBM bins each worker's rows: close to, not equal to, one machine
    assert result.report.test[primary] == pytest.approx(single.report.test[primary], abs=0.15)
    outputs = write_model_dir(
        result, tmp_path / "model", training_seconds=1.0, fingerprint_frame=frame, latency=False
    )
    assert (outputs.model_dir / "model.txt").is_file()
    predicted = predict(outputs.model_dir, frame.drop("label")).predictions
    assert predicted.height == frame.height
    column = {"binary": "proba_yes", "multiclass": "proba_high"}.get(kind, "prediction")
    values = predicted.get_column(column).to_numpy()
    assert np.isfinite(values).all()
    expected = result.test_predictions.get_column(column).to_numpy()
    test_rows = result.holdout.get_column("_row").to_numpy()
    rows = predicted.get_column("_row").to_numpy()
    assert np.allclose(values[np.isin(rows, test_rows)], expected, atol=1e-6)
