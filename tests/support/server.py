"""Run `thresher serve-model` as a subprocess on a free loopback port, and stop it by PID."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port nothing listens on right now (127.0.0.1 only)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """A running server: its process and base URL."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to this PID, then SIGKILL to the same PID if it has not ended in 15 s."""
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


@contextlib.contextmanager
def serve(model_dir: Path, log: Path, *args: str, startup_seconds: float = 120) -> Iterator[Server]:
    """`thresher serve-model MODEL_DIR --port P ARGS` until /health answers; stopped on exit."""
    port = free_port()
    command = [
        sys.executable, "-m", "flows.cli", "serve-model", str(model_dir),
        "--host", LOOPBACK, "--port", str(port), *args,
    ]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=REPO, stdout=sink, stderr=subprocess.STDOUT, env=env
        )
    url = f"http://{LOOPBACK}:{port}"
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            if process.poll() is not None:
                msg = f"server exited with {process.returncode}: {log.read_text()[-2000:]}"
                raise RuntimeError(msg)
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                msg = f"server did not answer /health in {startup_seconds} s: {log.read_text()}"
                raise RuntimeError(msg)
            time.sleep(0.25)
        yield Server(process, url, log)
    finally:
        _stop(process)
