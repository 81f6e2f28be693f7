"""Dask scale-out: the parallel parts of the flow, single process vs a 2-worker LocalCluster.

    .venv/bin/python benchmarks/scale_out.py               # lending club x 8 files (80,000 rows)
    .venv/bin/python benchmarks/scale_out.py --copies 16   # 16 files

Three measurements, each timed single-process and then on the cluster, with the functions the
flow uses (`--runner dask` adds Prefect's own overhead on top: see benchmarks/flow.py):

- ingest: the glob's files one after another vs one `run_ingest` per file on the workers
  (`flows.fanout`), then `combine_parts`.
- profile: the combined table in memory (one batch, exact) vs its slices on the workers
  (`profile(..., map_partitions=)`, one slice per worker thread).
- cv: LightGBM CV folds one after another vs the folds as Dask tasks (`map_folds=`).

The machine has 2 cores and is shared with other work, so absolute seconds are noisy and a
2-worker cluster can at best halve a step: compare the ratios printed in one run. Not a test.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
LOANS = ROOT.parent / "shared" / "data" / "lending_club_loans.csv"


def _timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def _files(folder: Path, copies: int) -> list[Path]:
    text = LOANS.read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(copies):
        path = folder / f"loans{i}.csv"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _ingest_one(file: Path, out: Path) -> Path:
    from flows.fanout import part_name
    from flows.ingest_outputs import run_ingest

    folder = out / part_name(file)
    run_ingest(str(file), folder, source_lines=False)
    return folder


def _combined(files: list[Path], folders: Sequence[Path], out: Path) -> Path:
    from flows.ingest_combine import IngestPart, combine_parts

    parts = [IngestPart(str(f), d) for f, d in zip(files, folders, strict=True)]
    combine_parts(parts, str(files[0].parent / "*.csv"), out)
    return out / "data.parquet"


def _warm_imports() -> None:
    import importlib

    for name in ("flows.ingest_outputs", "pipelines.ingest", "pipelines.profile", "lightgbm"):
        importlib.import_module(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=8, help="Files in the glob.")
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    from pipelines.profile import ProfileOptions, profile
    from pipelines.task import TaskSpec
    from pipelines.train import LightGBMOptions, TrainOptions, train

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        files = _files(root / "data", args.copies)
        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):

            def on_cluster(function: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
                return list(client.gather(client.map(function, list(items), pure=False)))

            on_cluster(abs, [1, 2])  # warm both workers' imports before timing (first use
            client.run(_warm_imports)  # of the stages on a fresh worker costs seconds)
            rows: list[tuple[str, float, float]] = []
            one = partial(_ingest_one, out=root / "single")
            single, _ = _timed(lambda: [one(f) for f in files])
            many = partial(_ingest_one, out=root / "cluster")
            spread, remote_folders = _timed(lambda: on_cluster(many, files))
            combine, data = _timed(lambda: _combined(files, remote_folders, root / "ingest"))
            rows.append(("ingest (+ combine)", single + combine, spread + combine))
            frame = pl.read_parquet(data)
            options = ProfileOptions(batch_rows=math.ceil(frame.height / 2))
            single, _ = _timed(lambda: profile(frame, options=options))
            lazy = pl.scan_parquet(data)
            spread, _ = _timed(
                lambda: profile(lazy, options=options, map_partitions=on_cluster)
            )
            rows.append(("profile", single, spread))
            table = frame.head(10_000).select(
                [c for c in frame.columns if c not in ("grade", "sub_grade", "_source_file")]
            )
            spec = TaskSpec(target="interest_rate", kind="regression")
            train_options = TrainOptions(
                folds=4,
                baselines=False,
                learning_curve={"enabled": False},
                lightgbm=LightGBMOptions(max_rounds=300, early_stopping_rounds=0),
            )
            single, _ = _timed(lambda: train(table, task=spec, options=train_options))
            spread, _ = _timed(
                lambda: train(table, task=spec, options=train_options, map_folds=on_cluster)
            )
            rows.append(("train (4 CV folds + final fit)", single, spread))
    print(f"{args.copies} files x 10,000 rows; LocalCluster of 2 worker processes, 1 thread each")
    print(f"{'step':34} {'single s':>9} {'cluster s':>10} {'speed-up':>9}")
    for name, single, spread in rows:
        print(f"{name:34} {single:9.2f} {spread:10.2f} {single / spread:8.2f}x")


if __name__ == "__main__":
    main()
