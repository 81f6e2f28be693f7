"""Flow overhead: a cold `thresher run` and warm-server runs vs the stages' own compute.

    .venv/bin/python benchmarks/flow.py            # penguins demo config, 3 warm runs
    .venv/bin/python benchmarks/flow.py --runs 5 --config examples/compas.yaml

Three measurements, each in its own subprocess with a fresh PREFECT_HOME:

- `direct`: every stage's task function called as plain Python (`task.fn`, no Prefect run),
  in the train flow's order, after the imports: the stages' own compute.
- `cold`: `thresher run CONFIG` end to end (imports, the ephemeral API server's start-up, the
  flow). Its overhead is cold minus direct minus the CLI's import time.
- `warm`: a `thresher server` started once; then N train-flow runs in one process against it,
  with `PREFECT_TASKS_REFRESH_CACHE=true` so no stage comes from the cache. Overhead per run
  is the flow's wall time minus `direct` measured in the same process.

Numbers on a shared machine are noisy: compare the ratios printed in one run. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
started = time.perf_counter()
from pathlib import Path
from flows.runtime import prepare_prefect_environment
prepare_prefect_environment()
from flows.pipeline import profile_options, train_flow
from flows.tasks import (compare_task, errors_task, ingest_task, profile_task, train_task,
                         validate_task, SOURCE_LINES)
from pipelines.config import load_config
from pipelines.validate import load_policy
imported = time.perf_counter() - started
mode, config_path, out, runs = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])

def direct(config, run_dir):
    t = time.perf_counter()
    ingest_task.fn(config.source, config.ingest, run_dir)
    data = run_dir / "ingest" / "data.parquet"
    names = run_dir / "ingest" / "ingest.json"
    section = config.validate_
    if section.enabled and section.schema_ref:
        options = section.options
        if section.policy is not None:
            options = options.model_copy(update={"policy": load_policy(section.policy)})
        validate_task.fn(data, run_dir, section.schema_ref, options,
                         source_lines=run_dir / "ingest" / SOURCE_LINES)
        data = run_dir / "validate" / "valid.parquet"
    task = config.task
    profile_task.fn(data, run_dir, task=task, options=profile_options(config), ingest_json=names)
    if task.target and config.train.enabled:
        train_task.fn(data, run_dir, task=task, options=config.train.options,
                      features=config.features.options, ingest_json=names, source=config.source)
        compare_task.fn(data, run_dir / "train" / "holdout.parquet", run_dir, task=task,
                        options=profile_options(config), ingest_json=names)
        errors_task.fn(run_dir / "train", data, run_dir, options=config.errors.options,
                       ingest_json=names)
    return time.perf_counter() - t

config = load_config(config_path).model_copy(update={"output_dir": out})
result = {"imports": imported}
if mode == "direct":
    run_dir = out / "direct"
    run_dir.mkdir(parents=True)
    result["direct"] = direct(config, run_dir)
else:
    walls, directs = [], []
    for i in range(runs):
        run_dir = out / f"direct-{i}"
        run_dir.mkdir(parents=True)
        directs.append(direct(config, run_dir))
        t = time.perf_counter()
        record = train_flow(config)
        walls.append(time.perf_counter() - t)
        assert record.status == "completed" and not any(s.cache_hit for s in record.stages)
    result.update({"flow": walls, "direct": directs})
print(json.dumps(result))
"""


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **extra})
    return env


def _child(mode: str, config: Path, out: Path, runs: int, env: dict[str, str]) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(config), str(out), str(runs)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "examples" / "penguins.yaml")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="thresher-bench-flow-"))

    direct = _child("direct", args.config, scratch / "d", 1, _env(scratch / "h1"))
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "run",
            str(args.config),
            "--output-dir",
            str(scratch / "cold"),
        ],
        cwd=ROOT,
        env=_env(scratch / "h2"),
        capture_output=True,
        check=True,
    )
    cold = time.perf_counter() - started

    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    server = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "server", "--port", str(port)],
        cwd=ROOT,
        env=_env(scratch / "h3"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        import httpx

        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        warm = _child(
            "warm",
            args.config,
            scratch / "w",
            args.runs,
            _env(scratch / "h3", PREFECT_API_URL=api, PREFECT_TASKS_REFRESH_CACHE="true"),
        )
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)

    compute = direct["direct"]
    print(f"config {args.config.name}; machine shared, numbers noisy (ratios in one run)")
    print(f"stages' own compute (direct, after imports): {compute:6.2f} s")
    print(f"imports of the flow modules:                 {direct['imports']:6.2f} s")
    print(
        f"cold `thresher run` wall:                    {cold:6.2f} s "
        f"(overhead {cold - compute - direct['imports']:+.2f} s = ephemeral server + flow)"
    )
    overheads = [f - d for f, d in zip(warm["flow"], warm["direct"], strict=True)]
    print(
        "warm server, per run: flow "
        + ", ".join(f"{w:.2f}" for w in warm["flow"])
        + " s; direct "
        + ", ".join(f"{d:.2f}" for d in warm["direct"])
        + " s"
    )
    print("warm overhead per run: " + ", ".join(f"{o:+.2f}" for o in overheads) + " s")


if __name__ == "__main__":
    main()
