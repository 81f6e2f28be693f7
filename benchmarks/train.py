"""Benchmark the train stage against bare LightGBM, and batch `predict` against `booster.predict`.

Data: the flights-shaped table of `benchmarks/profile.py` (19 columns: ints, floats with nulls,
strings with up to 4,044 distinct values, a timestamp), target `arr_delay` (regression).
Each phase runs in its own process, which reports its own peak RSS (`ru_maxrss`); seconds are
measured inside the process after the data is read (imports and reading excluded). Usage:

    .venv/bin/python benchmarks/train.py [--rows 336776] [--rounds 200] [--extras-rows 100000]

Seconds are wall-clock; CPU seconds (`time.process_time`, all threads of the process) are
printed too, as they move less when other jobs share the machine.

Phases
- `stage`: `train()` with the extras off (no CV, no early stopping, no baselines, no learning
  curve): profile of the training rows, feature pipeline fit, fixed-round LightGBM fit, test
  predictions and metrics.
- `bare`: the same training rows, the same LightGBM parameters, rounds and threads, with the
  text columns as pandas categoricals and the timestamp as epoch seconds (what a user would do
  by hand): the floor.
- `extras` (on `--extras-rows`): `train()` with 5-fold CV + early stopping, baselines and the
  learning curve, then ONNX export and the ONNX Runtime check; reported as extra seconds.
- `predict`: `predict(model, rows)` (schema check + features + booster) vs `booster.predict`
  on the already-encoded matrix, on every row.
Prints figures; never asserts on time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

TARGET = "arr_delay"


def _core_options(rounds: int):  # type: ignore[no-untyped-def]
    from pipelines.train import LearningCurveOptions, LightGBMOptions, TrainOptions

    return TrainOptions(
        folds=0,
        baselines=False,
        lightgbm=LightGBMOptions(max_rounds=rounds, early_stopping_rounds=0),
        learning_curve=LearningCurveOptions(enabled=False),
    )


def phase_stage(frame: pl.DataFrame, rounds: int) -> dict[str, float]:
    from pipelines.task import TaskSpec
    from pipelines.train import train

    started, cpu = time.perf_counter(), time.process_time()
    train(frame, task=TaskSpec(target=TARGET), options=_core_options(rounds))
    return {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu}


def phase_bare(frame: pl.DataFrame, rounds: int) -> dict[str, float]:
    import lightgbm as lgb
    import numpy as np

    from pipelines.train.booster import booster_params
    from pipelines.train.options import LightGBMOptions
    from pipelines.train.splits import make_splits

    started, cpu = time.perf_counter(), time.process_time()
    kept = frame.filter(pl.col(TARGET).is_not_null())
    y = kept[TARGET].to_numpy()
    splits = make_splits(y, kind="random", test_size=0.2, folds=0, seed=42)
    rows = kept[splits.train].drop(TARGET)
    rows = rows.with_columns(
        [pl.col(c).cast(pl.Categorical) for c, t in rows.schema.items() if t == pl.String]
        + [pl.col(c).dt.epoch("s") for c, t in rows.schema.items() if t.is_temporal()]
    )
    pandas = rows.to_pandas()  # LightGBM takes pandas categoricals natively
    params = booster_params(
        "regression", 1, LightGBMOptions(max_rounds=rounds), seed=42, num_threads=1
    )
    booster = lgb.train(params, lgb.Dataset(pandas, label=y[splits.train]), num_boost_round=rounds)
    booster.predict(
        kept[splits.test]
        .drop(TARGET)
        .with_columns(
            [pl.col(c).cast(pl.Categorical) for c, t in rows.schema.items() if t == pl.Categorical]
            + [pl.col(c).dt.epoch("s") for c, t in kept.schema.items() if t.is_temporal()]
        )
        .to_pandas()
    )
    np.asarray(booster.predict(pandas.head(10)))
    return {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu}


def phase_extras(frame: pl.DataFrame, rounds: int) -> dict[str, float]:
    from pipelines.task import TaskSpec
    from pipelines.train import LightGBMOptions, TrainOptions, train
    from pipelines.train.booster import numeric_matrix
    from pipelines.train.onnx_export import booster_to_onnx, onnx_predict

    task = TaskSpec(target=TARGET)
    started = time.perf_counter()
    train(frame, task=task, options=_core_options(rounds))
    core = time.perf_counter() - started
    started = time.perf_counter()
    full = train(
        frame,
        task=task,
        options=TrainOptions(lightgbm=LightGBMOptions(max_rounds=rounds, early_stopping_rounds=30)),
    )
    everything = time.perf_counter() - started
    started = time.perf_counter()
    onnx_bytes = booster_to_onnx(full.booster)
    x = numeric_matrix(full.model.matrix(full.holdout.head(2000)))
    onnx_predict(onnx_bytes, x, "regression")
    onnx_seconds = time.perf_counter() - started
    return {
        "core_seconds": core,
        "full_seconds": everything,
        "cv_baselines_curve_seconds": everything - core,
        "onnx_seconds": onnx_seconds,
    }


def phase_predict(frame: pl.DataFrame, rounds: int) -> dict[str, float]:
    from pipelines.predict import predict
    from pipelines.task import TaskSpec
    from pipelines.train import train
    from pipelines.train.booster import numeric_matrix

    result = train(frame, task=TaskSpec(target=TARGET), options=_core_options(rounds))
    model = result.model
    rows = frame.drop(TARGET)
    x = numeric_matrix(model.matrix(rows))
    ours, bare = [], []
    for _ in range(3):  # interleaved, best of 3 each: the machine is shared
        started = time.perf_counter()
        predicted = predict(model, rows)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        model.booster.predict(x, num_threads=model.predict_threads)  # predict()'s threads
        bare.append(time.perf_counter() - started)
    started = time.perf_counter()
    model.matrix(rows)
    features = time.perf_counter() - started
    inputs = rows.select(model.pipeline.input_columns_)
    started = time.perf_counter()
    model.pipeline.transform(inputs)  # the sklearn reference the compiled transform equals
    reference = time.perf_counter() - started
    return {
        "features_seconds": features,
        "reference_features_seconds": reference,
        "predict_seconds": min(ours),
        "booster_seconds": min(bare),
        "rows": float(predicted.report.rows_predicted),
    }


PHASES = {
    "stage": phase_stage,
    "bare": phase_bare,
    "extras": phase_extras,
    "predict": phase_predict,
}


def run_phase(phase: str, data: Path, rounds: int) -> dict[str, float]:
    """Run one phase in a fresh process; add its peak RSS (MB) and wall seconds."""
    command = [
        sys.executable,
        __file__,
        "--phase",
        phase,
        "--data",
        str(data),
        "--rounds",
        str(rounds),
    ]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate()
    # the child reports its own peak RSS (ru_maxrss of itself) in its JSON line
    if process.returncode:
        sys.stderr.write(err.decode())
        msg = f"phase {phase} failed"
        raise SystemExit(msg)
    figures = json.loads(out.decode().strip().splitlines()[-1])
    figures["wall_seconds"] = time.perf_counter() - started
    return figures


def _child(phase: str, data: Path, rounds: int) -> None:
    import resource

    frame = pl.read_parquet(data)
    figures = PHASES[phase](frame, rounds)
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def _data(folder: Path, rows: int) -> Path:
    from profile import flights  # benchmarks/profile.py

    path = folder / f"flights_{rows}.parquet"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        flights(rows).write_parquet(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=336_776)
    parser.add_argument("--extras-rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/thresher-bench"))
    parser.add_argument("--phase", choices=sorted(PHASES))
    parser.add_argument("--data", type=Path)
    parser.add_argument(
        "--only", nargs="*", default=["stage", "predict", "extras"], help="Phases to run."
    )
    args = parser.parse_args()
    if args.phase:
        _child(args.phase, args.data, args.rounds)
        return
    data = _data(args.dir, args.rows)
    print(
        f"flights-shaped data: {args.rows:,} rows, target `{TARGET}`, "
        f"{args.rounds} rounds, 1 thread"
    )
    if "stage" in args.only:
        stage = run_phase("stage", data, args.rounds)
        bare = run_phase("bare", data, args.rounds)
        print(
            f"train stage (extras off): {stage['seconds']:.1f} s, "
            f"peak {stage['peak_rss_mb']:.0f} MB"
            f" | bare LightGBM: {bare['seconds']:.1f} s, peak {bare['peak_rss_mb']:.0f} MB | "
            f"time {stage['seconds'] / bare['seconds']:.2f}x (goal 1.15x; CPU time "
            f"{stage['cpu_seconds'] / bare['cpu_seconds']:.2f}x, steadier on a shared machine), "
            f"memory {stage['peak_rss_mb'] / bare['peak_rss_mb']:.2f}x (goal 1.5x)"
        )
    if "predict" in args.only:
        predicted = run_phase("predict", data, args.rounds)
        print(
            f"batch predict on {predicted['rows']:,.0f} rows (best of 3): "
            f"predict() {predicted['predict_seconds']:.2f} s "
            f"vs booster.predict {predicted['booster_seconds']:.2f} s = "
            f"{predicted['predict_seconds'] / predicted['booster_seconds']:.2f}x (goal 1.3x); "
            f"of which the feature pipeline {predicted['features_seconds']:.2f} s "
            f"(the sklearn reference path: {predicted['reference_features_seconds']:.2f} s)"
        )
    if "extras" in args.only:
        extras_data = _data(args.dir, args.extras_rows)
        extras = run_phase("extras", extras_data, args.rounds)
        print(
            f"extras on {args.extras_rows:,} rows: core {extras['core_seconds']:.1f} s; 5-fold CV "
            "with early stopping + baselines + learning curve "
            f"+{extras['cv_baselines_curve_seconds']:.1f} s; "
            f"ONNX export + check {extras['onnx_seconds']:.1f} s"
        )


if __name__ == "__main__":
    main()
