"""Benchmark `thresher serve-model`: a bounded load run on loopback against in-process calls.

For each backend (LightGBM, ONNX) a server subprocess is started on a free 127.0.0.1 port;
`--clients` threads (one keep-alive httpx client each) send 1-row and then 100-row requests
for `--seconds` each. The same rows are then timed in-process: the bare booster on the
feature matrix, and `predict()` (schema check + feature pipeline + booster, no HTTP). Usage:

    .venv/bin/python benchmarks/serve.py [--model-dir DIR] [--seconds 10] [--clients 4]

Without `--model-dir` a compas model is trained first (examples/compas.yaml's feature drops,
no CV, 1 thread). Prints p50/p99 latency and rows/s, the ratios, and the load average: on a
shared machine the figures move between runs; compare ratios from one run. Never asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.predict import predict  # noqa: E402
from pipelines.train import load_model  # noqa: E402
from pipelines.train.booster import numeric_matrix, predict_booster  # noqa: E402
from tests.support.server import serve  # noqa: E402

COMPAS = ROOT / "tests" / "data" / "real" / "compas_two_years.csv"
SIZES = (1, 100)


def train_compas(out: Path) -> Path:
    """A compas model as `thresher train --config examples/compas.yaml`, but fast."""
    from flows.train_outputs import run_train
    from pipelines.columns import ColumnNames
    from pipelines.config import load_config
    from pipelines.ingest import ingest
    from pipelines.task import TaskSpec
    from pipelines.train.options import LearningCurveOptions

    config = load_config(ROOT / "examples" / "compas.yaml")
    result = ingest(COMPAS, options=config.ingest)
    names = ColumnNames.from_header_mapping(result.data.columns, result.report.header_mapping)
    options = config.train.options.model_copy(
        update={
            "folds": 0,
            "num_threads": 1,
            "baselines": False,
            "learning_curve": LearningCurveOptions(enabled=False),
        }
    )
    spec = TaskSpec(target=config.task.target, kind=config.task.kind)
    run_train(
        result.data,
        out,
        task=spec,
        options=options,
        features_options=config.features.options,
        names=names,
    )
    return out


def _percentiles(seconds: list[float]) -> tuple[float, float]:
    values = np.array(seconds) * 1000
    return float(np.percentile(values, 50)), float(np.percentile(values, 99))


def load_run(url: str, bodies: list[bytes], rows: int, seconds: float, clients: int) -> dict:
    """`clients` threads posting `bodies` in turn for `seconds`; latency per request."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures = [0] * clients
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        with httpx.Client(timeout=30) as session:
            turn = number
            while time.monotonic() < stop:
                body = bodies[turn % len(bodies)]
                turn += clients
                started = time.perf_counter()
                response = session.post(
                    f"{url}/predict", content=body, headers={"content-type": "application/json"}
                )
                latencies[number].append(time.perf_counter() - started)
                if response.status_code != 200 or response.json()["predicted"] != rows:
                    failures[number] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    elapsed = time.perf_counter() - started
    merged = [s for per_client in latencies for s in per_client]
    p50, p99 = _percentiles(merged)
    return {
        "requests": len(merged),
        "failures": sum(failures),
        "p50_ms": p50,
        "p99_ms": p99,
        "rows_per_s": len(merged) * rows / elapsed,
    }


def in_process(call: Callable[[], object], rows: int, seconds: float) -> dict:
    """One thread calling `call` for `seconds` (bounded)."""
    call()
    times: list[float] = []
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    p50, p99 = _percentiles(times)
    return {
        "requests": len(times),
        "failures": 0,
        "p50_ms": p50,
        "p99_ms": p99,
        "rows_per_s": len(times) * rows / sum(times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--seconds", type=float, default=10.0, help="per phase")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--backends", nargs="+", default=["lightgbm", "onnx"])
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="thresher_serve_bench_"))
    if args.model_dir is None:
        started = time.perf_counter()
        args.model_dir = train_compas(scratch / "compas_model")
        print(f"trained compas in {time.perf_counter() - started:.0f} s -> {args.model_dir}")
    model = load_model(args.model_dir)
    holdout = pl.read_parquet(args.model_dir / "holdout.parquet")
    inputs = holdout.select(c.name for c in model.input_schema.columns)
    records = json.loads(inputs.write_json())
    hundred = pl.concat([inputs] * (1 + 100 // inputs.height)).head(100)
    bodies = {
        1: [json.dumps(r).encode() for r in records[:200]],
        100: [json.dumps(records[i : i + 100]).encode() for i in range(0, 1000, 100)],
    }
    print(
        f"model {args.model_dir}: {model.task.kind} on `{model.task.target}`, "
        f"{len(model.input_schema.columns)} input columns, {len(model.feature_names)} features; "
        f"{args.clients} clients, {args.seconds:g} s per phase; cpus {os.cpu_count()}, "
        f"load average before {os.getloadavg()[0]:.2f}"
    )
    results: dict[tuple[str, int], dict] = {}
    for size in SIZES:
        frame = inputs.head(1) if size == 1 else hundred
        x = numeric_matrix(model.matrix(frame))
        seconds = min(args.seconds, 5.0)
        results[("booster in-process", size)] = in_process(
            lambda x=x: predict_booster(
                model.booster, x, model.task.kind, num_threads=model.predict_threads
            ),
            size,
            seconds,
        )
        results[("predict() in-process", size)] = in_process(
            lambda frame=frame: predict(model, frame), size, seconds
        )
    for backend in args.backends:
        log = scratch / f"server_{backend}.log"
        with serve(args.model_dir, log, "--backend", backend) as running:
            load_run(running.url, bodies[1][:5], 1, 1.0, 1)  # warm-up
            results[(f"server {backend} 1 client", 1)] = load_run(
                running.url, bodies[1], 1, args.seconds, 1
            )
            for size in SIZES:
                results[(f"server {backend}", size)] = load_run(
                    running.url, bodies[size], size, args.seconds, args.clients
                )
    print(f"\n{'path':<26} {'rows':>4} {'requests':>8} {'fail':>4} {'p50 ms':>8} "
          f"{'p99 ms':>8} {'rows/s':>9} {'p50 us/row':>10}")  # fmt: skip
    for (path, size), r in results.items():
        print(
            f"{path:<26} {size:>4} {r['requests']:>8} {r['failures']:>4} {r['p50_ms']:>8.2f} "
            f"{r['p99_ms']:>8.2f} {r['rows_per_s']:>9.0f} {r['p50_ms'] * 1000 / size:>10.1f}"
        )
    booster = results[("booster in-process", 100)]["rows_per_s"]
    batch = results[("predict() in-process", 100)]["rows_per_s"]
    print("\nper-row cost at 100-row requests (from rows/s, so queueing under load cancels out):")
    for backend in args.backends:
        server = results[(f"server {backend}", 100)]["rows_per_s"]
        one = results[(f"server {backend} 1 client", 1)]["p99_ms"]
        print(
            f"  server {backend}: {booster / server:.0f}x the bare booster's, "
            f"{batch / server:.2f}x in-process predict()'s; 1-row p99 {one:.1f} ms with one "
            f"client (goal < 10 ms: {'met' if one < 10 else 'not met'})"
        )
    print(
        f"load average after {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus: the machine "
        "is shared, so absolute figures are noisy; the ratios are from this one run"
    )


if __name__ == "__main__":
    main()
